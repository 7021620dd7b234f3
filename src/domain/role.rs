//! Users' roles and what each role may do at each kind of site.
//!
//! The core checks [`permits`] before every action, whatever the face (GUI or command line).

use std::fmt;

use serde::{Deserialize, Serialize};

use super::dossier::Status;
use super::site::{Level, Site};

/// A user's role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    /// *Agent de saisie*: registers applicants, projects and dossiers, ticks documents.
    Clerk,
    /// *Chef de bureau*: transmits dossiers, records disbursements, signs exports and certificates.
    HeadOfOffice,
    /// *Délégué*: imports the offices' bundles, records the commission's decisions.
    DelegationOfficer,
    /// Accounts and settings; may do every action of its site's level.
    Administrator,
}

impl Role {
    /// Every role.
    pub const ALL: [Role; 4] = [Role::Clerk, Role::HeadOfOffice, Role::DelegationOfficer, Role::Administrator];

    /// The name used on the command line.
    pub fn code(self) -> &'static str {
        match self {
            Role::Clerk => "agent",
            Role::HeadOfOffice => "chef",
            Role::DelegationOfficer => "delegue",
            Role::Administrator => "admin",
        }
    }

    /// Parses [`Role::code`].
    pub fn parse(raw: &str) -> Result<Role, String> {
        Role::ALL
            .into_iter()
            .find(|r| r.code() == raw.trim())
            .ok_or_else(|| format!("« {raw} » n'est pas un rôle : agent, chef, delegue ou admin."))
    }

    /// The statuses of the dossiers that wait for this role's next act: what its worklist shows
    /// first (an administrator sees every status).
    pub fn waiting_dossiers(self) -> &'static [Status] {
        match self {
            Role::Clerk => &[Status::Depose, Status::EnInstruction],
            Role::HeadOfOffice => &[Status::Complet, Status::Approuve],
            Role::DelegationOfficer => &[Status::Transmis],
            Role::Administrator => &[],
        }
    }

    /// The French name shown to users.
    pub fn label_fr(self) -> &'static str {
        match self {
            Role::Clerk => "Agent de saisie",
            Role::HeadOfOffice => "Chef de bureau",
            Role::DelegationOfficer => "Délégué",
            Role::Administrator => "Administrateur",
        }
    }

    /// True when accounts of this role may exist at a site of `level`.
    pub fn exists_at(self, level: Level) -> bool {
        match self {
            Role::Clerk | Role::Administrator => true,
            Role::HeadOfOffice => level == Level::Bureau,
            Role::DelegationOfficer => level != Level::Bureau,
        }
    }

    /// True when accounts of this role hold the installation's keys (DESIGN §5): they sign
    /// exports, replies and certificates. A clerk never does.
    pub fn holds_keys(self) -> bool {
        matches!(self, Role::HeadOfOffice | Role::DelegationOfficer | Role::Administrator)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label_fr())
    }
}

/// Something a user may ask the core to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// Read the register, search, see a record.
    ViewRegister,
    /// Create or edit applicants and card holders.
    RegisterApplicant,
    /// Create or edit projects and their members.
    RegisterProject,
    /// Open dossiers, tick the documents received.
    RegisterDossier,
    /// Move a dossier through the office's instruction steps (déposé → en instruction → complet).
    InstructDossier,
    /// Transmit a complete dossier to the commission.
    TransmitDossier,
    /// Record the commission's decision (approve with amounts per source, or reject).
    RecordDecision,
    /// Record disbursements (tranches) on approved funding.
    RecordDisbursement,
    /// Close a funded dossier.
    CloseDossier,
    /// Record a follow-up visit and the jobs verified.
    RecordVisit,
    /// Delete a record (a tombstone with a reason).
    DeleteRecord,
    /// Save a record despite a possible duplicate (with a reason, audited).
    OverrideDuplicate,
    /// Define programmes, conventions and their yearly envelopes, and the checklists of documents.
    ManagePrograms,
    /// Create, disable and reset accounts.
    ManageUsers,
    /// Change the installation's settings (printer margins).
    ManageSettings,
    /// Issue, reprint and revoke certificates (signed with the site's key).
    IssueCertificate,
    /// Write and read sync bundles and replies (signed and decrypted with the site's keys).
    Synchronize,
    /// Enroll a supervised site or pin the parent; revoke a site's key.
    EnrollSites,
    /// Import lists from spreadsheets (CSV).
    ImportCsv,
    /// Print figures and reports.
    RunReports,
    /// Check the database and its audit chain.
    CheckIntegrity,
    /// Close a year: freeze its bilan, signed with the site's key.
    CloseYear,
    /// Across offices: transfer an applicant who moves, review possible duplicates.
    ArbitrateOffices,
}

/// Why an action was refused, in French.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Refusal(pub String);

impl Action {
    /// Every action.
    pub const ALL: [Action; 23] = [
        Action::ViewRegister,
        Action::RegisterApplicant,
        Action::RegisterProject,
        Action::RegisterDossier,
        Action::InstructDossier,
        Action::TransmitDossier,
        Action::RecordDecision,
        Action::RecordDisbursement,
        Action::CloseDossier,
        Action::RecordVisit,
        Action::DeleteRecord,
        Action::OverrideDuplicate,
        Action::ManagePrograms,
        Action::ManageUsers,
        Action::ManageSettings,
        Action::IssueCertificate,
        Action::Synchronize,
        Action::EnrollSites,
        Action::ImportCsv,
        Action::RunReports,
        Action::CheckIntegrity,
        Action::CloseYear,
        Action::ArbitrateOffices,
    ];

    /// What the action is, in French, for refusal messages.
    pub fn label_fr(self) -> &'static str {
        match self {
            Action::ViewRegister => "consulter le registre",
            Action::RegisterApplicant => "enregistrer ou modifier un bénéficiaire",
            Action::RegisterProject => "enregistrer ou modifier un projet",
            Action::RegisterDossier => "ouvrir ou compléter un dossier",
            Action::InstructDossier => "faire avancer l'instruction d'un dossier",
            Action::TransmitDossier => "transmettre un dossier à la commission",
            Action::RecordDecision => "enregistrer la décision de la commission",
            Action::RecordDisbursement => "enregistrer un décaissement",
            Action::CloseDossier => "clôturer un dossier",
            Action::RecordVisit => "enregistrer une visite de suivi",
            Action::DeleteRecord => "supprimer un enregistrement",
            Action::OverrideDuplicate => "enregistrer malgré un doublon possible",
            Action::ManagePrograms => "gérer les programmes, les enveloppes et les listes de pièces",
            Action::ManageUsers => "gérer les comptes",
            Action::ManageSettings => "modifier les paramètres du site",
            Action::IssueCertificate => "délivrer, réimprimer ou révoquer une attestation",
            Action::Synchronize => "exporter ou importer un paquet de synchronisation",
            Action::EnrollSites => "enrôler un site ou en révoquer la clé",
            Action::ImportCsv => "importer un fichier CSV",
            Action::RunReports => "produire les rapports",
            Action::CheckIntegrity => "vérifier la base",
            Action::CloseYear => "clôturer une année",
            Action::ArbitrateOffices => "transférer un bénéficiaire ou trancher un doublon entre bureaux",
        }
    }

    /// True when a site like `site` does this action at all, whoever asks.
    fn happens_at(self, site: &Site) -> bool {
        match self {
            Action::RegisterApplicant
            | Action::RegisterProject
            | Action::RegisterDossier
            | Action::InstructDossier
            | Action::TransmitDossier
            | Action::RecordDisbursement
            | Action::CloseDossier
            | Action::RecordVisit
            | Action::OverrideDuplicate
            | Action::IssueCertificate
            | Action::ImportCsv => site.registers(),
            Action::RecordDecision => site.decides(),
            Action::ManagePrograms => site.defines_programmes(),
            Action::ArbitrateOffices => site.level.supervises(),
            Action::ViewRegister
            | Action::DeleteRecord
            | Action::ManageUsers
            | Action::ManageSettings
            | Action::Synchronize
            | Action::EnrollSites
            | Action::RunReports
            | Action::CheckIntegrity
            | Action::CloseYear => true,
        }
    }

    /// True when `role` may do this action (where the site does it at all).
    fn granted_to(self, role: Role) -> bool {
        match role {
            Role::Administrator => true,
            Role::Clerk => matches!(
                self,
                Action::ViewRegister
                    | Action::RegisterApplicant
                    | Action::RegisterProject
                    | Action::RegisterDossier
                    | Action::InstructDossier
                    | Action::RecordVisit
                    | Action::OverrideDuplicate
                    | Action::ImportCsv
                    | Action::RunReports
                    | Action::CheckIntegrity
            ),
            Role::HeadOfOffice => !matches!(self, Action::ManageUsers | Action::EnrollSites),
            Role::DelegationOfficer => matches!(
                self,
                Action::ViewRegister
                    | Action::RecordDecision
                    | Action::Synchronize
                    | Action::ManagePrograms
                    | Action::DeleteRecord
                    | Action::RunReports
                    | Action::CheckIntegrity
                    | Action::CloseYear
                    | Action::ArbitrateOffices
            ),
        }
    }
}

/// "de faire …" / "d'importer …": the French preposition elides before a vowel.
fn de(label: &str) -> String {
    match label.chars().next() {
        Some('a' | 'e' | 'é' | 'i' | 'o' | 'u' | 'h') => format!("d'{label}"),
        _ => format!("de {label}"),
    }
}

/// Whether `role` may do `action` at `site`; the refusal says why, in French.
pub fn permits(role: Role, action: Action, site: &Site) -> Result<(), Refusal> {
    if !action.happens_at(site) {
        let why = match action {
            Action::RecordDecision => {
                "les décisions appartiennent à la commission de la délégation ; elles arrivent dans sa réponse"
            }
            Action::ManagePrograms => "les programmes et les listes de pièces sont publiés par la délégation",
            Action::ArbitrateOffices => "c'est la délégation, qui supervise les bureaux, qui en décide",
            _ => "cette opération se fait dans un bureau local",
        };
        return Err(Refusal(format!(
            "Impossible {} ici ({} {}) : {why}.",
            de(action.label_fr()),
            site.level.label_fr().to_lowercase(),
            site.code
        )));
    }
    if !role.exists_at(site.level) || !action.granted_to(role) {
        return Err(Refusal(format!(
            "Le rôle « {} » ne permet pas {}. Demandez-le à un compte habilité.",
            role.label_fr(),
            de(action.label_fr())
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::codes::SiteCode;

    fn site(level: Level, parent: Option<&str>) -> Site {
        Site {
            code: SiteCode::parse("BL-TIZNIT").unwrap_or_else(|e| panic!("{e}")),
            name: "Bureau".into(),
            level,
            province_code: Some("581".into()),
            region_code: Some("09".into()),
            parent: parent.map(|p| SiteCode::parse(p).unwrap_or_else(|e| panic!("{e}"))),
        }
    }

    #[test]
    fn clerk_cannot_transmit_or_manage_accounts() {
        let office = site(Level::Bureau, Some("DP-TIZNIT"));
        assert!(permits(Role::Clerk, Action::RegisterApplicant, &office).is_ok());
        assert!(permits(Role::Clerk, Action::InstructDossier, &office).is_ok());
        let refusal = permits(Role::Clerk, Action::TransmitDossier, &office).unwrap_err();
        assert!(refusal.0.contains("Agent de saisie"), "{refusal}");
        assert!(permits(Role::Clerk, Action::ManageUsers, &office).is_err());
        assert!(permits(Role::Clerk, Action::DeleteRecord, &office).is_err());
        assert!(permits(Role::HeadOfOffice, Action::TransmitDossier, &office).is_ok());
        assert!(permits(Role::HeadOfOffice, Action::ManageUsers, &office).is_err());
    }

    #[test]
    fn decisions_belong_to_the_delegation_unless_standalone() {
        let office = site(Level::Bureau, Some("DP-TIZNIT"));
        let refusal = permits(Role::Administrator, Action::RecordDecision, &office).unwrap_err();
        assert!(refusal.0.contains("commission de la délégation"), "{refusal}");
        let standalone = site(Level::Bureau, None);
        assert!(permits(Role::HeadOfOffice, Action::RecordDecision, &standalone).is_ok());
        assert!(permits(Role::Clerk, Action::RecordDecision, &standalone).is_err());
        let delegation = site(Level::DelegationProvinciale, None);
        assert!(permits(Role::DelegationOfficer, Action::RecordDecision, &delegation).is_ok());
        assert!(permits(Role::DelegationOfficer, Action::RegisterApplicant, &delegation).is_err());
        assert!(permits(Role::HeadOfOffice, Action::RecordDecision, &delegation).is_err());
    }

    #[test]
    fn administrator_does_everything_its_level_does() {
        let office = site(Level::Bureau, None);
        let delegation = site(Level::DelegationRegionale, None);
        for action in Action::ALL {
            assert_eq!(permits(Role::Administrator, action, &office).is_ok(), action.happens_at(&office));
            assert_eq!(permits(Role::Administrator, action, &delegation).is_ok(), action.happens_at(&delegation));
        }
        assert!(permits(Role::Administrator, Action::RegisterApplicant, &delegation).is_err());
    }

    #[test]
    fn only_signing_roles_hold_keys() {
        assert!(!Role::Clerk.holds_keys());
        assert!(
            Role::HeadOfOffice.holds_keys() && Role::Administrator.holds_keys() && Role::DelegationOfficer.holds_keys()
        );
        assert!(!Role::HeadOfOffice.exists_at(Level::DelegationProvinciale));
        assert!(!Role::DelegationOfficer.exists_at(Level::Bureau));
    }
}
