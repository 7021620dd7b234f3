//! The command line's grammar (clap).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Daftar (دفتر) — le registre des bureaux locaux du Haut-Commissariat aux Anciens Résistants
/// et Anciens Membres de l'Armée de Libération.
#[derive(Debug, Parser)]
#[command(name = "daftar", version = crate::VERSION, about, long_about = None)]
pub struct Cli {
    /// Fichier de la base (par défaut : daftar.sqlite dans le dossier de données de l'utilisateur).
    #[arg(long, global = true, value_name = "CHEMIN")]
    pub db: Option<PathBuf>,
    /// Compte qui agit (mot de passe dans DAFTAR_PASSWORD, sinon demandé).
    #[arg(long, global = true, value_name = "IDENTIFIANT")]
    pub user: Option<String>,
    /// La commande (sans commande : l'application).
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Installe le site : identité, clés, premier administrateur (mot de passe dans DAFTAR_PASSWORD).
    Init(InitArgs),
    /// Crée un bureau de démonstration (base neuve) ou ajoute des données de démonstration.
    Demo(DemoArgs),
    /// Liste les régions et provinces (code, noms, région).
    Provinces,
    /// Vérifie l'intégrité de la base et toute la chaîne d'audit.
    Check,
    /// Affiche les effectifs du registre.
    Stats,
    /// Comptes : ajouter, changer un mot de passe, désactiver, lister.
    #[command(subcommand)]
    User(UserCommand),
    /// Bénéficiaires.
    #[command(subcommand)]
    Applicant(ApplicantCommand),
    /// Projets.
    #[command(subcommand)]
    Project(ProjectCommand),
    /// Dossiers.
    #[command(subcommand)]
    Dossier(DossierCommand),
    /// La commission : ses sessions, leur ordre du jour, leurs décisions, leur procès-verbal.
    #[command(subcommand)]
    Session(SessionCommand),
    /// Financements : lignes et décaissements.
    #[command(subcommand)]
    Funding(FundingCommand),
    /// Visites de suivi.
    #[command(subcommand)]
    Visit(VisitCommand),
    /// Programmes et conventions, avec leurs enveloppes annuelles.
    #[command(subcommand)]
    Programme(ProgrammeCommand),
    /// Les pièces exigées par type de projet (publiées par la délégation).
    #[command(subcommand)]
    Checklist(ChecklistCommand),
    /// Importe un fichier CSV ou un classeur Excel .xlsx (tout ou rien ; voir docs/import-csv.md).
    ImportCsv {
        /// Ce que contient le fichier.
        kind: CsvKind,
        /// Le fichier : CSV (UTF-8, « ; » ou « , ») ou classeur Excel (.xlsx).
        file: PathBuf,
        /// D'un classeur Excel : la feuille à lire (par défaut, la première).
        #[arg(long, value_name = "FEUILLE")]
        sheet: Option<String>,
        /// Pour les décisions : la référence du procès-verbal de la session (daftar session open).
        #[arg(long)]
        session: Option<String>,
        /// Pour les décisions : le motif d'un dépassement d'enveloppe, inscrit au procès-verbal.
        #[arg(long)]
        overrun: Option<String>,
    },
    /// L'identité publique du site (clés), pour l'enrôlement.
    #[command(subcommand)]
    Identity(IdentityCommand),
    /// Enrôle un site supervisé, ou épingle la délégation, depuis son fichier d'identité.
    Enroll {
        /// Le fichier d'identité (daftar identity export).
        file: PathBuf,
        /// L'empreinte lue sur le formulaire papier (tirets et casse indifférents).
        #[arg(long)]
        fingerprint: String,
    },
    /// Révoque la clé d'un site supervisé (perdue, volée) : ses paquets sont refusés.
    RevokeSite {
        /// Le code du site.
        code: String,
        /// Le motif.
        #[arg(long)]
        reason: String,
    },
    /// Écrit le paquet des modifications non encore reçues par la délégation.
    Export {
        /// Le dossier où l'écrire (la clé USB).
        #[arg(long)]
        to: PathBuf,
        /// Écrit aussi le bordereau de transmission (PDF) dans ce fichier.
        #[arg(long)]
        bordereau: Option<PathBuf>,
    },
    /// Lit des paquets ou des réponses (fichiers, ou dossiers entiers). Code de sortie : 0 appliqué
    /// ou rien de nouveau, 3 mis de côté, 2 refusé.
    Import {
        /// Les fichiers ou dossiers.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Écrit la réponse pour un site supervisé (accusé de réception).
    Reply {
        /// Le code du site.
        #[arg(long)]
        office: String,
        /// Le dossier où l'écrire.
        #[arg(long)]
        to: PathBuf,
    },
    /// L'état de la synchronisation : délégation, sites supervisés, paquets en attente, clés
    /// révoquées, conflits par site et par table.
    SyncStatus {
        /// Liste les conflits ouverts avec leur numéro (celui que prend resolve-conflict).
        #[arg(long)]
        conflits: bool,
        /// Seulement les conflits venus de ce site.
        #[arg(long, requires = "conflits")]
        site: Option<String>,
        /// Seulement les conflits de cette table (applicants, dossiers, …).
        #[arg(long, requires = "conflits")]
        table: Option<String>,
        /// La page (50 conflits par page), à partir de 1.
        #[arg(long, default_value_t = 1, requires = "conflits")]
        page: usize,
    },
    /// Résout un conflit de synchronisation : --appliquer l'enregistrement reçu, ou l'écarter.
    ResolveConflict {
        /// Le numéro du conflit (daftar sync-status).
        id: i64,
        /// Appliquer l'enregistrement reçu (sinon il est écarté).
        #[arg(long)]
        appliquer: bool,
        /// Pourquoi (obligatoire, audité).
        #[arg(long)]
        note: String,
    },
    /// À la délégation : transfère un bénéficiaire qui déménage vers un autre bureau supervisé,
    /// avec ses projets, dossiers, financements et visites.
    Transfer {
        /// La CIN du bénéficiaire.
        cin: String,
        /// Le code du bureau qui le suivra.
        #[arg(long, value_name = "CODE_DU_SITE")]
        to: String,
        /// Pourquoi (obligatoire, audité, transmis aux deux bureaux).
        #[arg(long)]
        reason: String,
    },
    /// À la délégation : les bénéficiaires de bureaux différents qui peuvent être une seule
    /// personne (même CIN, ou même date de naissance et nom proche), pas encore examinés.
    Duplicates,
    /// À la délégation : tranche une paire listée par `daftar duplicates`.
    ReviewDuplicate {
        /// L'identifiant du premier bénéficiaire.
        first: uuid::Uuid,
        /// L'identifiant du second.
        second: uuid::Uuid,
        /// meme-personne (comptée une fois) ou distinctes (la paire n'est plus proposée).
        #[arg(long)]
        verdict: String,
        /// Ce qui a été vérifié (obligatoire, audité, transmis aux deux bureaux).
        #[arg(long)]
        note: String,
    },
    /// Après une restauration ou sur un nouveau PC (ré-enrôlé) : demande à la délégation de
    /// renvoyer les données du site.
    #[command(subcommand)]
    Resync(ResyncCommand),
    /// Écrit une sauvegarde chiffrée de la base dans DOSSIER (créé au besoin).
    Backup {
        /// Le dossier (une clé USB, un disque externe).
        #[arg(long)]
        to: PathBuf,
    },
    /// Restaure une sauvegarde (même si la base actuelle est illisible) : le compte --user et son
    /// mot de passe ouvrent les clés de la sauvegarde ; la base remplacée est gardée à côté.
    Restore {
        /// Le fichier de sauvegarde.
        file: PathBuf,
    },
    /// Rapports : le bilan d'une année ou d'une période.
    #[command(subcommand)]
    Report(ReportCommand),
    /// Réglages du site.
    #[command(subcommand)]
    Settings(SettingsCommand),
    /// Conservation des données (loi 09-08) : anonymisation des personnes dont les dossiers sont
    /// clos depuis la durée fixée.
    #[command(subcommand)]
    Retention(RetentionCommand),
    /// Registre des attestations : délivrer, réimprimer (duplicata), révoquer, lister.
    #[command(subcommand)]
    Certificate(CertificateCommand),
    /// Vérifie le contenu d'un code QR d'attestation (texte scanné, ou « - » pour l'entrée standard).
    VerifyCertificate {
        /// Le texte du code QR.
        payload: String,
    },
    /// Le travail du jour : ce qui attend la personne connectée (selon son rôle), combien, et
    /// depuis quand.
    Todo {
        /// texte (par défaut) ou json, pour les scripts.
        #[arg(long, value_enum, default_value = "texte")]
        format: TodoFormat,
    },
    /// Arrête le programme volontairement, pour vérifier que le rapport de plantage s'écrit et se
    /// lit (le journal de diagnostic du dossier de données).
    #[command(hide = true)]
    CrashReportTest,
    /// Imprime un document en PDF : recepisse, fiche, notification (d'un dossier), commission.
    Document {
        /// Le document.
        kind: DocumentKind,
        /// Le numéro du dossier (recepisse, fiche, notification) ; pour les récépissés et les
        /// notifications, plusieurs numéros (séparés par des virgules ou --dossier répété)
        /// s'impriment ensemble dans un seul PDF.
        #[arg(long, value_delimiter = ',')]
        dossier: Vec<String>,
        /// La CIN de la personne (releve).
        #[arg(long)]
        cin: Option<String>,
        /// Les notifications de toutes les décisions d'une session de la commission (référence
        /// de son procès-verbal).
        #[arg(long)]
        session: Option<String>,
        /// Le fichier PDF à écrire.
        #[arg(long)]
        out: PathBuf,
    },
}

/// `daftar session …`: the commission's sessions.
#[derive(Debug, Subcommand)]
pub enum SessionCommand {
    /// Ouvre une session de la commission : référence du procès-verbal, date, lieu, membres.
    Open {
        /// Référence du procès-verbal, ex. PV-2026-07.
        #[arg(long)]
        reference: String,
        /// Date de la réunion (jj/mm/aaaa) : les décisions portent cette date.
        #[arg(long)]
        date: String,
        /// Lieu de la réunion.
        #[arg(long)]
        place: String,
        /// Un membre présent, « Nom, qualité » ; répétable, dans l'ordre des signatures.
        #[arg(long = "member", required = true)]
        members: Vec<String>,
    },
    /// Liste les sessions : référence, date, lieu, décisions, close ou ouverte.
    List,
    /// L'ordre du jour : les dossiers transmis qui attendent la décision ; en CSV, c'est le
    /// fichier des décisions à remplir dans un tableur puis à importer (daftar session record).
    Agenda {
        /// Bureau qui tient le dossier.
        #[arg(long)]
        office: Option<String>,
        /// Type de projet (pme, cooperative, association, projet-individuel).
        #[arg(long)]
        kind: Option<String>,
        /// Les dossiers présentés au titre de ce programme (son code).
        #[arg(long)]
        programme: Option<String>,
        /// texte (par défaut) ou csv.
        #[arg(long, value_enum, default_value = "texte")]
        format: AgendaFormat,
        /// Le fichier à écrire (par défaut : l'écran).
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Enregistre les décisions d'un fichier CSV dans la session (tout ou rien ; voir
    /// docs/import-csv.md).
    Record {
        /// La référence du procès-verbal de la session.
        #[arg(long)]
        session: String,
        /// Le fichier des décisions : CSV ou classeur Excel (.xlsx).
        file: PathBuf,
        /// D'un classeur Excel : la feuille à lire (par défaut, la première).
        #[arg(long, value_name = "FEUILLE")]
        sheet: Option<String>,
        /// Le motif d'un dépassement d'enveloppe, inscrit au procès-verbal.
        #[arg(long)]
        overrun: Option<String>,
    },
    /// Clôt la session : son procès-verbal devient définitif.
    Close {
        /// La référence du procès-verbal de la session.
        #[arg(long)]
        session: String,
    },
    /// Imprime le procès-verbal de la session (PDF bilingue).
    Pv {
        /// La référence du procès-verbal de la session.
        #[arg(long)]
        session: String,
        /// Le fichier PDF à écrire.
        #[arg(long)]
        out: PathBuf,
    },
}

/// How `daftar session agenda` writes the agenda.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum AgendaFormat {
    /// Une ligne par dossier.
    Texte,
    /// Le fichier des décisions à remplir (UTF-8, « ; »).
    Csv,
}

/// `daftar resync …`.
#[derive(Debug, Subcommand)]
pub enum ResyncCommand {
    /// Écrit la demande de resynchronisation (un paquet) pour la délégation.
    Request {
        /// Le dossier où l'écrire (la clé USB).
        #[arg(long)]
        to: PathBuf,
    },
}

/// `daftar identity …`.
#[derive(Debug, Subcommand)]
pub enum IdentityCommand {
    /// Écrit l'identité publique du site et affiche son empreinte.
    Export {
        /// Le fichier à écrire.
        #[arg(long)]
        out: PathBuf,
    },
    /// Remplace les clés du site (fuite soupçonnée) ; les paquets suivants portent la déclaration
    /// signée par l'ancienne et la nouvelle clé. Le mot de passe du compte est redemandé.
    Rotate,
    /// SECRET : écrit la clé de déchiffrement du site (outil age), pour un secours sans Daftar.
    /// Gardez ce fichier sous clé : il ouvre tous les paquets et sauvegardes adressés au site.
    ExportSecret {
        /// Le fichier à écrire.
        #[arg(long)]
        out: PathBuf,
    },
}

/// `daftar settings …`.
#[derive(Debug, Subcommand)]
pub enum SettingsCommand {
    /// Le numéro de déclaration du site à la CNDP (loi 09-08), imprimé au pied des documents ;
    /// vide pour l'effacer.
    Cndp {
        /// Le numéro (par exemple D-GC-123/2024).
        number: String,
    },
    /// La durée de conservation (loi 09-08) : les données d'une personne dont tous les dossiers
    /// sont clos depuis ce nombre d'années sont anonymisées (daftar retention). Sans valeur :
    /// l'affiche.
    Retention {
        /// Le nombre d'années (1 à 50).
        years: Option<u32>,
    },
    /// Les délais (en jours) au-delà desquels `daftar todo` et le tableau de bord signalent une
    /// tâche ; sans option : les affiche.
    Delais {
        /// Site supervisé sans envoi depuis plus de N jours.
        #[arg(long)]
        sites_silencieux: Option<u32>,
        /// Projet financé sans visite de suivi depuis plus de N jours.
        #[arg(long)]
        visite: Option<u32>,
        /// Modifications non remises à la délégation depuis plus de N jours.
        #[arg(long)]
        remise: Option<u32>,
        /// Réponse de la délégation attendue depuis plus de N jours.
        #[arg(long)]
        reponse: Option<u32>,
        /// Pas de sauvegarde automatique depuis plus de N jours.
        #[arg(long)]
        sauvegarde: Option<u32>,
    },
}

/// `daftar retention …`.
#[derive(Debug, Subcommand)]
pub enum RetentionCommand {
    /// Ce que les règles de conservation anonymiseraient aujourd'hui (rien n'est modifié).
    Plan {
        /// Écrit aussi le rapport à signer (PDF) dans ce fichier.
        #[arg(long)]
        pdf: Option<PathBuf>,
    },
    /// Anonymise ce que `daftar retention plan` annonce ; sans --confirm, l'affiche seulement.
    Apply {
        /// Confirme l'anonymisation (irréversible).
        #[arg(long)]
        confirm: bool,
    },
}

/// `daftar report …`.
#[derive(Debug, Subcommand)]
pub enum ReportCommand {
    /// Le bilan : chiffres clés et tableaux d'une année (--year) ou d'une période (--from, --to).
    Bilan {
        /// L'année (du 1er janvier au 31 décembre).
        #[arg(long, conflicts_with_all = ["from", "to"], required_unless_present_all = ["from", "to"])]
        year: Option<i32>,
        /// Premier jour (jj/mm/aaaa).
        #[arg(long, requires = "to")]
        from: Option<String>,
        /// Dernier jour (jj/mm/aaaa).
        #[arg(long, requires = "from", value_name = "JJ/MM/AAAA")]
        to: Option<String>,
        /// Ventilation : office (bureau), province, region ou source (source de financement).
        #[arg(long)]
        by: Option<String>,
        /// Le format du fichier : pdf, csv (Excel français), xlsx ou json.
        #[arg(long, default_value = "pdf")]
        format: String,
        /// Le fichier à écrire.
        #[arg(long)]
        out: PathBuf,
    },
    /// Le rapport annuel : les chiffres cumulés (projets créés, emplois), les dossiers financés
    /// de l'année par source et par type, les tableaux par province et par bureau.
    Annuel {
        /// L'année.
        #[arg(long)]
        year: i32,
        /// Le format du fichier : pdf, csv (Excel français), xlsx ou json (les mêmes chiffres, par bureau).
        #[arg(long, default_value = "pdf")]
        format: String,
        /// Le fichier à écrire.
        #[arg(long)]
        out: PathBuf,
    },
    /// Clôture une année terminée : son bilan (par bureau) est gelé et signé ; les changements
    /// ultérieurs apparaissent comme des écarts.
    CloseYear {
        /// L'année à clôturer.
        #[arg(long)]
        year: i32,
    },
    /// Les écarts entre les chiffres gelés d'une année clôturée et ceux d'aujourd'hui.
    Ecarts {
        /// L'année clôturée.
        #[arg(long)]
        year: i32,
    },
}

/// How `daftar dossier list` writes the dossiers.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ListFormat {
    /// Une ligne par dossier.
    Texte,
    /// CSV pour un tableur (UTF-8, « ; », virgule décimale).
    Csv,
    /// Un tableau JSON (montants en chaînes décimales exactes).
    Json,
}

/// How `daftar todo` writes today's work.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum TodoFormat {
    /// Une ligne par travail.
    Texte,
    /// Un tableau JSON (clé, libellé, nombre, ancienneté en jours, où aller).
    Json,
}

/// A document printed for a dossier.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum DocumentKind {
    /// Récépissé de dépôt (pièces reçues).
    Recepisse,
    /// Fiche dossier (tout le dossier, historique compris).
    Fiche,
    /// Notification de la décision de la commission.
    Notification,
    /// Liste des dossiers présentés à la commission (là où elle décide).
    Commission,
    /// Relevé des données d'une personne (loi 09-08) : tout ce que le site détient sur elle.
    Releve,
}

/// `daftar certificate …`.
#[derive(Debug, Subcommand)]
pub enum CertificateCommand {
    /// Délivre des attestations, imprimées ensemble dans un seul PDF : de bénéficiaire (--dossier)
    /// ou d'ayant droit (--cin), l'un et l'autre répétables ; toutes ou aucune.
    Issue {
        /// Dossier approuvé ou financé (attestation de bénéficiaire) ; plusieurs : séparés par des
        /// virgules ou --dossier répété.
        #[arg(long, value_delimiter = ',')]
        dossier: Vec<String>,
        /// CIN d'un ayant droit (attestation d'ayant droit) ; plusieurs : séparées par des virgules
        /// ou --cin répété.
        #[arg(long, value_delimiter = ',')]
        cin: Vec<String>,
        /// Un fichier texte : un numéro de dossier ou une CIN par ligne (lignes vides et « # … »
        /// ignorées).
        #[arg(long)]
        from_file: Option<PathBuf>,
        /// Le fichier PDF à écrire.
        #[arg(long)]
        out: PathBuf,
    },
    /// Réimprime une attestation (mention DUPLICATA).
    Reprint {
        /// Son numéro.
        number: String,
        /// Le fichier PDF à écrire.
        #[arg(long)]
        out: PathBuf,
    },
    /// Révoque une attestation, avec le motif.
    Revoke {
        /// Son numéro.
        number: String,
        /// Le motif.
        #[arg(long)]
        reason: String,
    },
    /// Liste le registre (les plus récentes d'abord).
    List,
    /// Montre une attestation du registre, avec le texte de son code QR.
    Show {
        /// Son numéro.
        number: String,
    },
}

/// What a CSV file holds.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum CsvKind {
    /// Bénéficiaires.
    Applicants,
    /// Projets.
    Projects,
    /// Dossiers.
    Dossiers,
    /// Lignes de financement et décaissements.
    Funding,
    /// Décisions d'une session de la commission (avec --session).
    Decisions,
    /// Les années avant Daftar : projets avec leur date de création, dossiers passés avec leur
    /// référence papier, décision et financement (chef de bureau ou administrateur).
    History,
}

/// `daftar init`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// Code du site (2 à 16 caractères A–Z, 0–9, « - »), ex. BL-TIZNIT.
    #[arg(long)]
    pub office: String,
    /// Nom du site, ex. « Bureau local de Tiznit ».
    #[arg(long)]
    pub name: String,
    /// Niveau : bureau, delegation-provinciale, delegation-regionale ou centrale.
    #[arg(long)]
    pub level: String,
    /// Province ou préfecture (code HCP), pour un bureau ou une délégation provinciale.
    #[arg(long)]
    pub province: Option<String>,
    /// Région (01 à 12), pour une délégation régionale.
    #[arg(long)]
    pub region: Option<String>,
    /// Identifiant du premier administrateur.
    #[arg(long)]
    pub admin: String,
    /// Nom complet de l'administrateur.
    #[arg(long)]
    pub admin_name: Option<String>,
}

/// `daftar demo`.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Nombre de bénéficiaires à créer.
    #[arg(long, default_value_t = 200)]
    pub applicants: u32,
    /// Graine du générateur (mêmes données pour la même graine).
    #[arg(long, default_value_t = 2026)]
    pub seed: u64,
}

/// `daftar user …`.
#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Ajoute un compte (son mot de passe dans DAFTAR_NEW_PASSWORD, sinon demandé).
    Add {
        /// Identifiant du compte.
        login: String,
        /// Rôle : agent, chef, delegue ou admin.
        #[arg(long)]
        role: String,
        /// Nom complet.
        #[arg(long)]
        name: Option<String>,
    },
    /// Change un mot de passe (le nouveau dans DAFTAR_NEW_PASSWORD, sinon demandé).
    Passwd {
        /// Identifiant du compte (par défaut, le vôtre).
        login: Option<String>,
    },
    /// Désactive un compte.
    Disable {
        /// Identifiant du compte.
        login: String,
    },
    /// Liste les comptes.
    List,
}

/// The fields of an applicant.
#[derive(Debug, Args, Default)]
pub struct ApplicantFields {
    /// Numéro de CIN.
    #[arg(long)]
    pub cin: Option<String>,
    /// Nom (lettres latines).
    #[arg(long)]
    pub last_name: Option<String>,
    /// Prénom (lettres latines).
    #[arg(long)]
    pub first_name: Option<String>,
    /// Nom (lettres arabes).
    #[arg(long)]
    pub last_name_ar: Option<String>,
    /// Prénom (lettres arabes).
    #[arg(long)]
    pub first_name_ar: Option<String>,
    /// Sexe : M ou F.
    #[arg(long)]
    pub sex: Option<String>,
    /// Date de naissance (jj/mm/aaaa).
    #[arg(long)]
    pub birth_date: Option<String>,
    /// Lien avec le titulaire de la carte : titulaire, veuve, fils, fille, petit-enfant.
    #[arg(long)]
    pub relationship: Option<String>,
    /// Téléphone.
    #[arg(long)]
    pub phone: Option<String>,
    /// Adresse.
    #[arg(long)]
    pub address: Option<String>,
    /// Commune.
    #[arg(long)]
    pub commune: Option<String>,
    /// Province (code HCP).
    #[arg(long)]
    pub province: Option<String>,
    /// Régime AMO : cnss, cnops, tadamon, autre.
    #[arg(long)]
    pub amo_regime: Option<String>,
    /// Numéro d'immatriculation AMO.
    #[arg(long)]
    pub amo_number: Option<String>,
    /// Date de vérification de l'AMO.
    #[arg(long)]
    pub amo_checked: Option<String>,
    /// Motif pour enregistrer malgré un doublon possible.
    #[arg(long)]
    pub override_reason: Option<String>,
}

/// `daftar applicant …`.
#[derive(Debug, Subcommand)]
pub enum ApplicantCommand {
    /// Enregistre un bénéficiaire (doublons possibles refusés sans --override-reason).
    Add {
        /// Les champs.
        #[command(flatten)]
        fields: ApplicantFields,
        /// Numéro de la carte de résistant dont il relève.
        #[arg(long)]
        card: String,
        /// Nom du titulaire de la carte (si la carte est nouvelle et n'est pas la sienne).
        #[arg(long)]
        card_holder: Option<String>,
        /// Nom arabe du titulaire de la carte.
        #[arg(long)]
        card_holder_ar: Option<String>,
    },
    /// Modifie un bénéficiaire (seuls les champs donnés changent).
    Edit {
        /// Identifiant ou CIN.
        who: String,
        /// Les champs.
        #[command(flatten)]
        fields: ApplicantFields,
    },
    /// Supprime un bénéficiaire (avec motif).
    Delete {
        /// Identifiant ou CIN.
        who: String,
        /// Motif.
        #[arg(long)]
        reason: String,
    },
    /// Affiche un bénéficiaire, ses projets et ses dossiers.
    Show {
        /// Identifiant ou CIN.
        who: String,
    },
    /// Recherche (noms dans les deux écritures, CIN, téléphone, ou une date de naissance seule).
    Search {
        /// Ce qui est tapé.
        query: String,
        /// Seulement les bénéficiaires de ce bureau, ou du ressort de cette délégation (à la délégation).
        #[arg(long)]
        office: Option<String>,
        /// Page (à partir de 1).
        #[arg(long, default_value_t = 1)]
        page: u32,
        /// Lignes par page.
        #[arg(long, default_value_t = 50)]
        page_size: u32,
    },
}

/// The fields of a project.
#[derive(Debug, Args, Default)]
pub struct ProjectFields {
    /// Type : pme, cooperative, association, projet-individuel.
    #[arg(long)]
    pub kind: Option<String>,
    /// Nom du projet.
    #[arg(long)]
    pub name: Option<String>,
    /// Porteur (identifiant ou CIN du bénéficiaire).
    #[arg(long)]
    pub promoter: Option<String>,
    /// Membre (CIN ou identifiant, suivi de « :rôle » au besoin) ; répétable.
    #[arg(long = "member")]
    pub members: Vec<String>,
    /// Secteur d'activité.
    #[arg(long)]
    pub sector: Option<String>,
    /// Commune.
    #[arg(long)]
    pub commune: Option<String>,
    /// Province (code HCP).
    #[arg(long)]
    pub province: Option<String>,
    /// Date de création (jj/mm/aaaa).
    #[arg(long)]
    pub created: Option<String>,
    /// ICE (15 chiffres).
    #[arg(long)]
    pub ice: Option<String>,
    /// Tribunal du registre du commerce.
    #[arg(long)]
    pub rc_court: Option<String>,
    /// Numéro au registre du commerce.
    #[arg(long)]
    pub rc_number: Option<String>,
    /// Numéro ODCO (coopérative).
    #[arg(long)]
    pub odco: Option<String>,
    /// Récépissé de déclaration (association).
    #[arg(long)]
    pub receipt: Option<String>,
    /// Emplois prévus.
    #[arg(long)]
    pub jobs: Option<String>,
    /// dont pour la famille de la résistance.
    #[arg(long)]
    pub jobs_family: Option<String>,
}

/// `daftar project …`.
#[derive(Debug, Subcommand)]
pub enum ProjectCommand {
    /// Enregistre un projet.
    Add {
        /// Les champs.
        #[command(flatten)]
        fields: ProjectFields,
    },
    /// Modifie un projet (seuls les champs donnés changent ; --member remplace la liste).
    Edit {
        /// Identifiant du projet.
        id: String,
        /// Les champs.
        #[command(flatten)]
        fields: ProjectFields,
    },
    /// Supprime un projet (avec motif).
    Delete {
        /// Identifiant du projet.
        id: String,
        /// Motif.
        #[arg(long)]
        reason: String,
    },
    /// Affiche un projet, ses membres, ses dossiers et ses visites.
    Show {
        /// Identifiant du projet.
        id: String,
    },
    /// Recherche (nom ou commune du projet, nom ou CIN de son porteur).
    Search {
        /// Ce qui est tapé.
        query: String,
        /// Page (à partir de 1).
        #[arg(long, default_value_t = 1)]
        page: u32,
        /// Lignes par page.
        #[arg(long, default_value_t = 50)]
        page_size: u32,
    },
}

/// `daftar dossier …`.
#[derive(Debug, Subcommand)]
pub enum DossierCommand {
    /// Liste les dossiers, par numéro, avec des filtres : statut, année de dépôt, bureau, type de
    /// projet, source de financement ; en texte, en CSV (tableur) ou en JSON.
    List {
        /// Statut (depose, en-instruction, complet, transmis, approuve, rejete, finance, cloture) ;
        /// plusieurs : séparés par des virgules.
        #[arg(long, value_delimiter = ',')]
        status: Vec<String>,
        /// Année de dépôt.
        #[arg(long)]
        year: Option<i32>,
        /// Bureau qui tient le dossier (à une délégation).
        #[arg(long)]
        office: Option<String>,
        /// Type de projet (pme, cooperative, association, projet-individuel).
        #[arg(long)]
        kind: Option<String>,
        /// Source de financement (hcar, indh, convention, autre).
        #[arg(long)]
        source: Option<String>,
        /// Les dossiers décidés ou ajournés par une session de la commission (référence du PV).
        #[arg(long)]
        session: Option<String>,
        /// texte (par défaut), csv ou json ; les montants en dirhams exacts.
        #[arg(long, value_enum, default_value = "texte")]
        format: ListFormat,
    },
    /// Les motifs de rejet et d'ajournement de la commission (code, français, arabe) : un code
    /// s'écrit dans --reason, suivi s'il le faut de « : » et d'une précision.
    Reasons,
    /// Ajoute un motif à la liste de la commission (délégation, ou bureau autonome) ; il parvient
    /// aux bureaux dans leur prochaine réponse.
    ReasonAdd {
        /// Son code (minuscules, chiffres, tirets), ex. hors-delai.
        #[arg(long)]
        code: String,
        /// Le motif en français.
        #[arg(long)]
        fr: String,
        /// Le motif en arabe.
        #[arg(long)]
        ar: String,
        /// rejet ou ajournement.
        #[arg(long = "use")]
        used_for: String,
    },
    /// Ouvre un dossier pour un projet.
    Add {
        /// Identifiant du projet.
        #[arg(long)]
        project: String,
        /// Date de dépôt (par défaut aujourd'hui).
        #[arg(long)]
        deposited: Option<String>,
        /// Montant demandé.
        #[arg(long)]
        requested: Option<String>,
        /// Pièce reçue (code de la liste) ; répétable.
        #[arg(long = "doc")]
        documents: Vec<String>,
    },
    /// Modifie un dossier en instruction : montant demandé, date de dépôt, pièces reçues.
    Edit {
        /// Numéro du dossier.
        number: String,
        /// Montant demandé.
        #[arg(long)]
        requested: Option<String>,
        /// Date de dépôt.
        #[arg(long)]
        deposited: Option<String>,
        /// Pièce reçue ; répétable.
        #[arg(long = "doc")]
        documents: Vec<String>,
        /// Date de réception des pièces (par défaut aujourd'hui).
        #[arg(long)]
        on: Option<String>,
        /// Le programme ou la convention au titre duquel le dossier est présenté (son code ; vide
        /// pour l'effacer).
        #[arg(long)]
        programme: Option<String>,
    },
    /// Fait avancer un dossier : en-instruction, complet, transmis, approuve, rejete, cloture.
    Move {
        /// Numéro du dossier.
        number: String,
        /// Nouveau statut.
        #[arg(long, value_name = "STATUT")]
        to: String,
        /// Date (par défaut aujourd'hui).
        #[arg(long)]
        on: Option<String>,
        /// Motif (obligatoire pour un rejet) : un code de `daftar dossier reasons`, suivi s'il le faut de
        /// « : » et d'une précision (« viabilite: étude de marché absente »), ou un motif en clair.
        #[arg(long)]
        reason: Option<String>,
        /// Montant accordé, SOURCE=MONTANT (hcar, indh:RÉF, convention:CODE, autre:SECTEUR) ; répétable.
        #[arg(long = "grant")]
        grants: Vec<String>,
        /// Référence du procès-verbal de la commission.
        #[arg(long)]
        commission_ref: Option<String>,
    },
    /// Affiche un dossier : pièces, historique, financements.
    Show {
        /// Numéro du dossier.
        number: String,
    },
}

/// `daftar funding …`.
#[derive(Debug, Subcommand)]
pub enum FundingCommand {
    /// Ajoute une ligne de financement à un dossier approuvé.
    Add {
        /// Numéro du dossier.
        number: String,
        /// Source : hcar, indh:RÉF, convention:CODE, autre:SECTEUR.
        #[arg(long)]
        source: String,
        /// Montant engagé.
        #[arg(long)]
        amount: String,
        /// Année budgétaire (par défaut l'année en cours).
        #[arg(long)]
        year: Option<i32>,
        /// Référence de la décision.
        #[arg(long)]
        decision_ref: Option<String>,
    },
    /// Enregistre un décaissement (tranche) sur une ligne.
    Disburse {
        /// Identifiant de la ligne de financement (voir « dossier show »).
        line: String,
        /// Montant versé.
        #[arg(long)]
        amount: String,
        /// Date du versement (par défaut aujourd'hui).
        #[arg(long)]
        on: Option<String>,
        /// Référence du paiement.
        #[arg(long, default_value = "")]
        reference: String,
    },
}

/// `daftar visit …`.
#[derive(Debug, Subcommand)]
pub enum VisitCommand {
    /// Enregistre une visite de suivi.
    Add {
        /// Identifiant du projet.
        #[arg(long)]
        project: String,
        /// Date de la visite.
        #[arg(long)]
        on: String,
        /// Emplois constatés.
        #[arg(long)]
        jobs: String,
        /// dont pour la famille de la résistance.
        #[arg(long, default_value = "0")]
        jobs_family: String,
        /// L'activité était arrêtée.
        #[arg(long)]
        inactive: bool,
        /// Observations.
        #[arg(long, default_value = "")]
        observations: String,
    },
}

/// `daftar programme …`.
#[derive(Debug, Subcommand)]
pub enum ProgrammeCommand {
    /// Crée ou met à jour un programme, avec l'enveloppe d'une année.
    Add {
        /// Code, ex. AGENCE-SUD.
        code: String,
        /// Nom.
        #[arg(long)]
        name: String,
        /// Nom arabe.
        #[arg(long, default_value = "")]
        name_ar: String,
        /// Source : hcar, indh, convention, autre.
        #[arg(long)]
        source: String,
        /// Année de l'enveloppe.
        #[arg(long)]
        year: Option<i32>,
        /// Montant de l'enveloppe.
        #[arg(long)]
        envelope: Option<String>,
        /// Nombre de projets visés.
        #[arg(long)]
        target: Option<u32>,
    },
    /// Liste les programmes et leurs enveloppes.
    List,
}

/// `daftar checklist …`
#[derive(Debug, Subcommand)]
pub enum ChecklistCommand {
    /// Montre la liste appliquée ici et sa provenance.
    Show {
        /// Type de projet : pme, cooperative, association, projet-individuel.
        kind: String,
    },
    /// À la délégation : publie la liste d'un type de projet, lue dans un fichier CSV
    /// `code;libelle_fr;libelle_ar;obligatoire` (oui/non), dans l'ordre voulu.
    Set {
        /// Type de projet.
        kind: String,
        /// Le fichier CSV.
        #[arg(long)]
        file: PathBuf,
    },
}
