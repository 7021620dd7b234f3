//! The desktop application, driven headlessly with egui_kittest (queries by label, typing,
//! clicking) over a real temporary database.

use daftar::app::demo;
use daftar::ui::{Backend, DaftarApp, Screen};
use eframe::egui;
use eframe::egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT as _, Queryable as _};

use crate::common::{core_with, ok};

/// The application over `core`, headless, with the product's fonts.
fn window(core: daftar::app::Core, needs_setup: bool, screen: Screen) -> Harness<'static, DaftarApp> {
    window_of_size(core, needs_setup, screen, [1280.0, 900.0])
}

/// [`window`] with its size.
fn window_of_size(
    core: daftar::app::Core,
    needs_setup: bool,
    screen: Screen,
    size: [f32; 2],
) -> Harness<'static, DaftarApp> {
    static WINDOWS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = WINDOWS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let data_dir = std::env::temp_dir().join(format!("daftar-gui-{}-{n}", std::process::id()));
    let app = DaftarApp::new(Backend::inline(core, data_dir), needs_setup, "BL-DEMO".into(), screen);
    let harness = Harness::builder().with_size(size).build_ui_state(|ui, app: &mut DaftarApp| app.show(ui), app);
    daftar::ui::theme::apply(&harness.ctx);
    harness
}

fn demo_app() -> Harness<'static, DaftarApp> {
    let mut core = core_with(ok(daftar::store::Store::open_in_memory()));
    let (session, _) = ok(demo::create_demo_site(&mut core));
    ok(demo::populate(&mut core, &session, 60, 7));
    window(core, false, Screen::Dashboard)
}

/// Puts `text` in the field labelled `label` (replacing what was there), as a user would.
fn fill(harness: &mut Harness<'_, DaftarApp>, label: &str, text: &str) {
    harness.get_by_label(label).focus();
    harness.run();
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    harness.run();
    harness.get_by_label(label).type_text(text);
    harness.run();
}

/// Lets the application run until `text` shows (a reply may take a few frames on a loaded
/// machine), for at most five seconds; whether it showed.
fn shows_eventually(harness: &mut Harness<'_, DaftarApp>, text: &str) -> bool {
    for _ in 0..100 {
        if has_text(harness, text) {
            return true;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
        harness.run();
    }
    has_text(harness, text)
}

/// Clicks what is labelled `label` and lets the application answer.
fn click(harness: &mut Harness<'_, DaftarApp>, label: &str) {
    harness.get_by_label(label).click();
    harness.run();
}

/// Fills several fields, in order.
fn fill_all(harness: &mut Harness<'_, DaftarApp>, fields: &[(&str, &str)]) {
    for (label, text) in fields {
        fill(harness, label, text);
    }
}

/// Opens the choice labelled `label` and picks `option`.
fn choose(harness: &mut Harness<'_, DaftarApp>, label: &str, option: &str) {
    click(harness, label);
    harness.get_by_label(option).scroll_to_me();
    harness.run();
    click(harness, option);
}

/// Finds a dossier by its number in the worklist and opens it.
fn open_dossier(harness: &mut Harness<'_, DaftarApp>, number: &str) {
    fill(harness, "Rechercher un dossier", number);
    click(harness, number);
}

fn log_in(harness: &mut Harness<'_, DaftarApp>, login: &str, password: &str) {
    fill(harness, "Identifiant", login);
    fill(harness, "Mot de passe", password);
    click(harness, "Se connecter");
}

fn has(harness: &Harness<'_, DaftarApp>, label: &str) -> bool {
    harness.query_all_by_label(label).next().is_some()
}

fn has_text(harness: &Harness<'_, DaftarApp>, part: &str) -> bool {
    harness.query_all_by_label_contains(part).next().is_some()
}

#[test]
fn a_clerk_logs_in_and_sees_the_dashboard() {
    let mut harness = demo_app();
    harness.run();
    log_in(&mut harness, "agent", "mauvais");
    assert!(has_text(&harness, "mot de passe incorrect"));
    log_in(&mut harness, "agent", "agent-demo-2026");
    assert!(has(&harness, "Tableau de bord") && has(&harness, "Emplois prévus"));
    assert!(!has_text(&harness, "anomalies"), "the background check found the demo sound");
    // A standalone office delivers to no one: neither the bar nor the figures count what it has
    // not sent.
    assert!(!has_text(&harness, "Modifications non livrées"));
    // The next log-in starts on the dashboard, whatever screen the last one left.
    harness.get_by_role_and_label(Role::Button, "Programmes").click();
    harness.run();
    click(&mut harness, "Se déconnecter");
    log_in(&mut harness, "chef", "chef-demo-2026");
    assert_eq!(harness.state().screen(), Screen::Dashboard);
}

#[test]
fn a_tampered_database_is_reported_after_login() {
    let mut core = core_with(ok(daftar::store::Store::open_in_memory()));
    let (session, _) = ok(demo::create_demo_site(&mut core));
    ok(demo::populate(&mut core, &session, 20, 7));
    ok(core
        .store()
        .conn()
        .execute("UPDATE applicants SET data = json_set(data, '$.last_name', 'X') WHERE rid = 3", []));
    let mut harness = window(core, false, Screen::Dashboard);
    harness.run();
    log_in(&mut harness, "agent", "agent-demo-2026");
    assert!(has_text(&harness, "a trouvé des anomalies"), "{:#?}", harness.root());
    assert!(has_text(&harness, "appelez la délégation"), "no backup here: the way out is the delegation's copy");
}

#[test]
fn register_an_applicant_with_errors_then_a_duplicate_warning() {
    let mut harness = demo_app();
    harness.run();
    log_in(&mut harness, "agent", "agent-demo-2026");
    harness.get_by_role_and_label(Role::Button, "Bénéficiaires").click();
    harness.run();
    click(&mut harness, "Nouveau bénéficiaire (Ctrl+N)");
    // What is typed is not lost: logging out with a form not saved is refused.
    fill(&mut harness, "CIN", "JB99");
    click(&mut harness, "Se déconnecter");
    assert!(has_text(&harness, "Un formulaire n'est pas enregistré"));
    assert_eq!(harness.get_by_label("CIN").value().as_deref(), Some("JB99"));
    // Bad input: French errors next to the fields, nothing written.
    fill_all(&mut harness, &[("CIN", "JB99"), ("Nom", "El4laoui"), ("Date de naissance", "31/02/1975")]);
    click(&mut harness, "Enregistrer");
    assert!(has_text(&harness, "Un nom ne contient pas de chiffres"));
    assert!(has_text(&harness, "n'est pas une date valide"));
    assert!(has_text(&harness, "rien n'a été enregistré"));
    // Corrected: saved.
    fill_all(
        &mut harness,
        &[
            ("Nom", "El Alaoui"),
            ("Prénom", "Youssef"),
            ("Nom (arabe)", "العلوي"),
            ("Prénom (arabe)", "يوسف"),
            ("Date de naissance", "12/04/1975"),
        ],
    );
    choose(&mut harness, "Sexe", "Masculin");
    choose(&mut harness, "Lien avec le titulaire", "Fils");
    fill(&mut harness, "N° carte de résistant", "R-77");
    fill(&mut harness, "Titulaire de la carte", "Ahmed El Alaoui");
    click(&mut harness, "Enregistrer");
    assert!(has_text(&harness, "Bénéficiaire enregistré"), "{:#?}", harness.root());
    // The same person typed again in Arabic only: a possible duplicate, saved only with a reason.
    click(&mut harness, "Nouveau bénéficiaire (Ctrl+N)");
    fill_all(
        &mut harness,
        &[
            ("CIN", "JB654321"),
            ("Nom (arabe)", "العلوي"),
            ("Prénom (arabe)", "يوسف"),
            ("Date de naissance", "12/04/1975"),
            ("N° carte de résistant", "R-77"),
        ],
    );
    choose(&mut harness, "Sexe", "Masculin");
    choose(&mut harness, "Lien avec le titulaire", "Fils");
    click(&mut harness, "Vérifier les doublons");
    assert!(has_text(&harness, "peuvent être la même personne"));
    assert!(has_text(&harness, "JB99"));
    click(&mut harness, "Enregistrer");
    assert!(has_text(&harness, "peuvent être la même personne"), "refused without a reason");
    fill(&mut harness, "Motif (autre personne)", "Homonyme : autre père, vérifié sur la CIN");
    click(&mut harness, "Enregistrer");
    assert!(has_text(&harness, "Bénéficiaire enregistré"), "{:#?}", harness.root());
}

/// A demo office with one dossier made complete through the core; returns its number.
fn app_with_complete_dossier() -> (Harness<'static, DaftarApp>, String) {
    use daftar::app::Move;
    use daftar::domain::dossier::Status;
    use daftar::domain::project::ProjectDraft;
    let mut core = core_with(ok(daftar::store::Store::open_in_memory()));
    let (admin, _) = ok(demo::create_demo_site(&mut core));
    let convention = daftar::domain::funding::Programme::validate("agence-sud", "Agence du Sud", "", "convention");
    ok(core.save_programme(&admin, &ok(convention)));
    let agent = ok(core.login("agent", "agent-demo-2026"));
    let promoter = ok(core.add_applicant(
        &agent,
        &crate::common::draft("JB123456", "Youssef", "El Alaoui", "12/04/1975"),
        &crate::common::card("R-1"),
        None,
    ))
    .id;
    let project = ProjectDraft {
        kind: "projet-individuel".into(),
        name: "Couture Tiznit".into(),
        jobs_total: "2".into(),
        jobs_family: "1".into(),
        ..ProjectDraft::default()
    };
    let project = ok(core.add_project(&agent, &project, promoter, vec![]));
    let docs: Vec<String> = ["demande", "cin", "qualite", "naissance", "fiche", "devis"].map(String::from).to_vec();
    let dossier = ok(core.open_dossier(&agent, project, crate::common::date(2, 2, 2026), None, &docs));
    for to in [Status::EnInstruction, Status::Complet] {
        ok(core.move_dossier(&agent, dossier.meta.id, Move::to(to, crate::common::date(3, 2, 2026))));
    }
    drop(admin);
    let harness = window(core, false, Screen::Dossiers);
    (harness, dossier.value.number.to_string())
}

#[test]
fn a_clerk_is_not_offered_the_transmission() {
    let (mut harness, number) = app_with_complete_dossier();
    harness.run();
    log_in(&mut harness, "agent", "agent-demo-2026");
    open_dossier(&mut harness, &number);
    assert!(has_text(&harness, "Complet"), "{:#?}", harness.root());
    assert!(!has(&harness, "Transmettre à la commission"), "a clerk cannot transmit");
    // The only move a clerk may make from here is back to instruction.
    assert!(has(&harness, "Remettre en instruction"));
}

#[test]
fn a_piece_ticked_by_mistake_is_unticked_with_a_reason() {
    let (mut harness, number) = app_with_complete_dossier();
    harness.run();
    log_in(&mut harness, "agent", "agent-demo-2026");
    open_dossier(&mut harness, &number);
    let ticked = "Devis estimatif";
    let is_ticked = |harness: &Harness<'_, DaftarApp>| {
        harness.get_by_label(ticked).accesskit_node().toggled() == Some(egui::accesskit::Toggled::True)
    };
    assert!(is_ticked(&harness) && has(&harness, "reçue le 02/02/2026"));
    // Complete: the pieces stay; back in instruction, a piece can be taken back.
    assert!(harness.get_by_label(ticked).accesskit_node().is_disabled());
    click(&mut harness, "Remettre en instruction");
    click(&mut harness, ticked);
    assert!(has(&harness, "Retirer la pièce « Devis estimatif » ?"), "{:#?}", harness.root());
    click(&mut harness, "Garder la pièce");
    assert!(is_ticked(&harness));
    click(&mut harness, ticked);
    assert!(harness.get_by_label("Retirer la pièce").accesskit_node().is_disabled(), "a reason first");
    fill(&mut harness, "Motif du retrait (gardé dans l'historique)", "cochée par erreur");
    click(&mut harness, "Retirer la pièce");
    assert!(!is_ticked(&harness) && has(&harness, "manquante"), "{:#?}", harness.root());
}

#[test]
fn a_standalone_office_transmits_decides_and_the_dashboard_follows() {
    let (mut harness, number) = app_with_complete_dossier();
    harness.run();
    log_in(&mut harness, "chef", "chef-demo-2026");
    open_dossier(&mut harness, &number);
    click(&mut harness, "Transmettre à la commission");
    assert!(has_text(&harness, "de « Complet » à « Transmis »"), "{:#?}", harness.root());
    // Approval without an amount is refused with a French message.
    click(&mut harness, "Approuver");
    assert!(has_text(&harness, "indiquez au moins un montant"), "{:#?}", harness.root());
    // Co-funded: the HCAR budget and INDH, whose committee reference is required.
    fill(&mut harness, "Montant accordé (budget HCAR)", "45 000");
    fill(&mut harness, "Montant accordé (INDH)", "15 000");
    click(&mut harness, "Approuver");
    assert!(has_text(&harness, "référence du comité provincial INDH"));
    fill(&mut harness, "Référence du comité INDH", "CPDH-TIZ-2026-07");
    // A decision asks first, naming the dossier, the person and the amount; cancelled, nothing moves.
    click(&mut harness, "Approuver");
    let question = format!("Approuver le dossier {number} de El Alaoui Youssef");
    assert!(has_text(&harness, &question), "{:#?}", harness.root());
    assert!(has_text(&harness, "montant : 60\u{202f}000,00\u{a0}DH ?"), "{:#?}", harness.root());
    click(&mut harness, "Annuler");
    assert!(!has_text(&harness, &question) && !has_text(&harness, "de « Transmis » à « Approuvé »"));
    click(&mut harness, "Approuver");
    click(&mut harness, "Confirmer : approuver");
    assert!(has_text(&harness, "de « Transmis » à « Approuvé »"));
    assert!(has_text(&harness, "45\u{202f}000,00\u{a0}DH engagés"), "{:#?}", harness.root());
    assert!(has_text(&harness, "INDH (CPDH-TIZ-2026-07) : 15\u{202f}000,00\u{a0}DH engagés"));
    // Co-funding decided later: a convention, whose code must exist.
    choose(&mut harness, "Source du cofinancement", "Convention de partenariat");
    fill_all(
        &mut harness,
        &[
            ("Code de la convention", "agence-nord"),
            ("Montant du cofinancement", "20 000"),
            ("Référence de la décision", "CONV-2026-3"),
        ],
    );
    click(&mut harness, "Ajouter le financement");
    assert!(has_text(&harness, "Aucune convention de code « AGENCE-NORD »"), "{:#?}", harness.root());
    fill(&mut harness, "Code de la convention", "agence-sud");
    click(&mut harness, "Ajouter le financement");
    assert!(has_text(&harness, "Convention AGENCE-SUD : 20\u{202f}000,00\u{a0}DH engagés"), "{:#?}", harness.root());
    // The dashboard counts the approved dossier and the committed money.
    harness.get_by_role_and_label(Role::Button, "Tableau de bord").click();
    harness.run();
    assert!(
        has_text(&harness, "Budget du Haut-Commissariat : 45\u{a0}000,00\u{a0}DH / 0,00\u{a0}DH"),
        "{:#?}",
        harness.root()
    );
}

#[test]
fn from_set_up_to_a_funded_dossier_on_a_standalone_office() {
    let core = core_with(ok(daftar::store::Store::open_in_memory()));
    let mut harness = window(core, true, Screen::Dashboard);
    harness.run();
    // First start: the guided set-up.
    fill(&mut harness, "Code du site", "bl-tiznit");
    fill(&mut harness, "Nom du site", "Bureau local de Tiznit");
    // The province is found by typing part of its name, Enter taking the first left.
    click(&mut harness, "Province ou préfecture");
    harness.get_by_label("Chercher (province ou préfecture)").type_text("tizn");
    harness.run();
    assert!(!has(&harness, "001 — Agadir-Ida-Ou-Tanane"), "the list narrows");
    harness.key_press(egui::Key::Enter);
    harness.run();
    let chosen = harness.get_by_label("Province ou préfecture").accesskit_node().value();
    assert_eq!(chosen.as_deref(), Some("581 — Tiznit"));
    fill_all(
        &mut harness,
        &[
            ("Identifiant de l'administrateur", "admin"),
            ("Mot de passe", "motdepasse-1"),
            ("Confirmer le mot de passe", "motdepasse-1"),
        ],
    );
    click(&mut harness, "Installer");
    assert!(has_text(&harness, "BL-TIZNIT — Bureau local de Tiznit"), "{:#?}", harness.root());
    assert!(has(&harness, "Emplois prévus"));
    // The administrator registers an applicant…
    harness.get_by_role_and_label(Role::Button, "Bénéficiaires").click();
    harness.run();
    click(&mut harness, "Nouveau bénéficiaire (Ctrl+N)");
    fill_all(
        &mut harness,
        &[("CIN", "JB123456"), ("Nom", "Bennani"), ("Prénom", "Khadija"), ("Date de naissance", "03/05/1970")],
    );
    choose(&mut harness, "Sexe", "Féminin");
    choose(&mut harness, "Lien avec le titulaire", "Fille");
    fill(&mut harness, "N° carte de résistant", "R-1956");
    fill(&mut harness, "Titulaire de la carte", "Ahmed Bennani");
    click(&mut harness, "Enregistrer");
    assert!(has_text(&harness, "Bénéficiaire enregistré"));
    // …her project…
    click(&mut harness, "Nouveau projet");
    choose(&mut harness, "Type de projet", "Projet individuel");
    fill_all(
        &mut harness,
        &[("Nom du projet", "Atelier de couture"), ("Emplois prévus", "3"), ("dont famille de la résistance", "4")],
    );
    click(&mut harness, "Enregistrer le projet");
    assert!(has_text(&harness, "ne peuvent dépasser le total"), "jobs for the family ≤ total");
    fill(&mut harness, "dont famille de la résistance", "2");
    click(&mut harness, "Enregistrer le projet");
    assert!(has_text(&harness, "Projet enregistré"));
    // Her relevé des données (law 09-08) is printed on demand.
    click(&mut harness, "Relevé des données (loi 09-08)");
    assert!(has_text(&harness, "releve-"), "{:#?}", harness.root());
    // …and opens its dossier, which the Dossiers screen then shows.
    click(&mut harness, "Déposer un dossier : Atelier de couture");
    assert!(has_text(&harness, "BL-TIZNIT-2026-00001 — Projet individuel — Déposé"), "{:#?}", harness.root());
    for doc in [
        "Demande signée du porteur de projet",
        "Copie de la CIN",
        "Carte d'ancien résistant ou attestation d'ayant droit",
        "Extrait d'acte de naissance (lien de filiation)",
        "Fiche descriptive du projet",
        "Devis estimatif",
    ] {
        harness.get_by_label(doc).click();
        harness.run();
    }
    assert!(!has_text(&harness, "manquante"), "{:#?}", harness.root());
    for step in ["Mettre en instruction", "Déclarer complet", "Transmettre à la commission"] {
        click(&mut harness, step);
    }
    fill(&mut harness, "Montant accordé (budget HCAR)", "30 000");
    click(&mut harness, "Approuver");
    click(&mut harness, "Confirmer : approuver");
    fill(&mut harness, "Montant à décaisser (Budget HCAR)", "12 000");
    click(&mut harness, "Décaisser (Budget HCAR)");
    assert!(has_text(&harness, "Financé"), "{:#?}", harness.root());
    assert!(has_text(&harness, "tranche 1"));
    // The line says what was paid and what is left to pay.
    let line = "30\u{202f}000,00\u{a0}DH engagés, 12\u{202f}000,00\u{a0}DH versés, reste 18\u{202f}000,00\u{a0}DH";
    assert!(has_text(&harness, line), "{:#?}", harness.root());
    fill(&mut harness, "Visite de suivi : emplois constatés", "3");
    fill(&mut harness, "dont famille", "4");
    click(&mut harness, "Enregistrer la visite");
    assert!(has_text(&harness, "ne peuvent dépasser le total"));
    fill(&mut harness, "Visite de suivi : emplois constatés", "3");
    fill(&mut harness, "dont famille", "2");
    click(&mut harness, "Enregistrer la visite");
    assert!(has_text(&harness, "Visite enregistrée"));
    // The rest paid, the line is settled and asks for no more.
    fill(&mut harness, "Montant à décaisser (Budget HCAR)", "18 000");
    click(&mut harness, "Décaisser (Budget HCAR)");
    assert!(has_text(&harness, "30\u{202f}000,00\u{a0}DH engagés, entièrement versés"), "{:#?}", harness.root());
    assert!(!has(&harness, "Montant à décaisser (Budget HCAR)"));
    // The dashboard follows: one dossier, money committed and disbursed.
    harness.get_by_role_and_label(Role::Button, "Tableau de bord").click();
    harness.run();
    assert!(
        has_text(&harness, "Budget du Haut-Commissariat : 30\u{a0}000,00\u{a0}DH / 30\u{a0}000,00\u{a0}DH"),
        "{:#?}",
        harness.root()
    );
    assert!(has_text(&harness, "3 dont 2 famille"));
}

#[test]
fn deleting_needs_a_head_of_office_and_a_reason() {
    let mut harness = demo_app();
    harness.run();
    log_in(&mut harness, "agent", "agent-demo-2026");
    harness.get_by_role_and_label(Role::Button, "Bénéficiaires").click();
    harness.run();
    let first =
        harness.query_all_by_label_contains("XW").next().and_then(|n| n.accesskit_node().label()).unwrap_or_default();
    click(&mut harness, &first);
    assert!(has(&harness, "Modifier") && !has(&harness, "Supprimer"), "a clerk edits but does not delete");
    click(&mut harness, "Se déconnecter");
    log_in(&mut harness, "chef", "chef-demo-2026");
    harness.get_by_role_and_label(Role::Button, "Bénéficiaires").click();
    harness.run();
    click(&mut harness, &first);
    click(&mut harness, "Supprimer");
    assert!(has_text(&harness, "doit être motivée"), "{:#?}", harness.root());
    fill(&mut harness, "Motif de suppression", "Enregistré deux fois");
    click(&mut harness, "Supprimer");
    assert!(has_text(&harness, "Bénéficiaire supprimé"));
    assert!(!has(&harness, &first), "the deleted applicant left the list");
}

#[test]
fn an_administrator_creates_an_account() {
    let mut harness = demo_app();
    harness.run();
    log_in(&mut harness, "admin", "admin-demo-2026");
    harness.get_by_role_and_label(Role::Button, "Paramètres").click();
    harness.run();
    fill(&mut harness, "Identifiant du compte", "agent2");
    fill(&mut harness, "Nom complet", "Deuxième agent");
    choose(&mut harness, "Rôle", "Agent de saisie");
    fill(&mut harness, "Mot de passe du compte", "court");
    click(&mut harness, "Créer le compte");
    assert!(has_text(&harness, "au moins 8 caractères"), "{:#?}", harness.root());
    fill(&mut harness, "Mot de passe du compte", "agent2-secret");
    click(&mut harness, "Créer le compte");
    assert!(has_text(&harness, "Comptes mis à jour"));
    assert!(has_text(&harness, "agent2 — Agent de saisie — Deuxième agent"));
    click(&mut harness, "Désactiver agent2");
    assert!(has_text(&harness, "agent2 — Agent de saisie — Deuxième agent — désactivé"));
    // The administrator changes their own password (the old one is checked).
    fn change_password(harness: &mut Harness<'_, DaftarApp>, old: &str) {
        fill_all(
            harness,
            &[
                ("Mot de passe actuel", old),
                ("Nouveau mot de passe", "admin-nouveau-2026"),
                ("Confirmer le nouveau mot de passe", "admin-nouveau-2026"),
            ],
        );
        click(harness, "Changer mon mot de passe");
    }
    change_password(&mut harness, "faux");
    assert!(has_text(&harness, "Mot de passe incorrect"));
    change_password(&mut harness, "admin-demo-2026");
    assert!(has_text(&harness, "Mot de passe changé"));
    click(&mut harness, "Se déconnecter");
    log_in(&mut harness, "admin", "admin-nouveau-2026");
    assert!(has_text(&harness, "admin — Administrateur"), "the new password opens the session");
}

#[test]
fn an_administrator_resets_a_password_and_calibrates_the_printer() {
    let mut harness = demo_app();
    harness.run();
    log_in(&mut harness, "admin", "admin-demo-2026");
    harness.get_by_role_and_label(Role::Button, "Paramètres").click();
    harness.run();
    // Where the documents go is shown, and the folder opens from here.
    assert!(has_text(&harness, "Ils sont enregistrés dans"), "{:#?}", harness.root());
    harness.get_by_label("Ouvrir le dossier des documents").scroll_to_me();
    harness.run();
    click(&mut harness, "Ouvrir le dossier des documents");
    assert!(harness.state().opened().last().is_some_and(|p| p.ends_with("documents")));
    fill_seen(&mut harness, "Nouveau mot de passe de agent", "court");
    click_seen(&mut harness, "Réinitialiser agent");
    assert!(has_text(&harness, "au moins 8 caractères"), "{:#?}", harness.root());
    fill_seen(&mut harness, "Nouveau mot de passe de agent", "agent-remis-2026");
    click_seen(&mut harness, "Réinitialiser agent");
    assert!(has_text(&harness, "Mot de passe changé"));
    // The calibration refuses a shift no printer has, and keeps a real one.
    fill_all(&mut harness, &[("Décalage vers le bas (mm)", "35"), ("Décalage vers la droite (mm)", "-1,5")]);
    click(&mut harness, "Enregistrer le calibrage");
    assert!(has_text(&harness, "entre -20 et 20"), "{:#?}", harness.root());
    fill(&mut harness, "Décalage vers le bas (mm)", "2,5");
    click(&mut harness, "Enregistrer le calibrage");
    assert!(has_text(&harness, "Enregistré : 2,5 mm vers le bas, -1,5 mm vers la droite."), "{:#?}", harness.root());
    // The CNDP declaration number: a malformed one is refused, a real one kept.
    fill(&mut harness, "N° de déclaration CNDP", "D-GC <123>");
    click(&mut harness, "Enregistrer le numéro CNDP");
    assert!(has_text(&harness, "n'est pas un numéro de déclaration CNDP"), "{:#?}", harness.root());
    fill(&mut harness, "N° de déclaration CNDP", "D-GC-123/2024");
    click(&mut harness, "Enregistrer le numéro CNDP");
    assert!(has_text(&harness, "Enregistré : D-GC-123/2024, imprimé au pied des documents."), "{:#?}", harness.root());
    // A backup onto a stick, on demand.
    let stick = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    fill(&mut harness, "Dossier de sauvegarde", &stick.path().display().to_string());
    click(&mut harness, "Sauvegarder sur clé USB");
    assert!(has_text(&harness, "Sauvegarde écrite et relue"), "{:#?}", harness.root());
    assert_eq!(ok(std::fs::read_dir(stick.path())).count(), 1);
    // The delays of today's work: a word is refused, a number of days kept.
    let visits = "Projet financé sans visite de suivi depuis plus de (jours)";
    assert_eq!(harness.get_by_label(visits).accesskit_node().value().as_deref(), Some("180"));
    fill_seen(&mut harness, visits, "six mois");
    click_seen(&mut harness, "Enregistrer les délais");
    assert!(has_text(&harness, "Écrivez un nombre de jours"), "{:#?}", harness.root());
    fill_seen(&mut harness, visits, "365");
    click_seen(&mut harness, "Enregistrer les délais");
    assert!(has_text(&harness, "Délais du travail du jour enregistrés."), "{:#?}", harness.root());
    assert_eq!(harness.get_by_label(visits).accesskit_node().value().as_deref(), Some("365"));
    click(&mut harness, "Se déconnecter");
    log_in(&mut harness, "agent", "agent-remis-2026");
    assert!(has_text(&harness, "agent — Agent de saisie"), "the reset password opens the agent's session");
    harness.get_by_role_and_label(Role::Button, "Paramètres").click();
    harness.run();
    assert!(!has(&harness, "Enregistrer le calibrage"), "a clerk does not calibrate the printer");
}

#[test]
fn a_head_of_office_defines_a_programme_and_sees_its_consumption() {
    let mut harness = demo_app();
    harness.run();
    log_in(&mut harness, "chef", "chef-demo-2026");
    harness.get_by_role_and_label(Role::Button, "Programmes").click();
    harness.run();
    assert!(has_text(&harness, "AGENCE-SUD — 2026 :"), "{:#?}", harness.root());
    fill_all(
        &mut harness,
        &[("Code du programme", "pme hcar"), ("Nom du programme", ""), ("Année de l'enveloppe", "26")],
    );
    click(&mut harness, "Enregistrer le programme");
    assert!(has_text(&harness, "2 à 24 caractères"), "{:#?}", harness.root());
    assert!(has_text(&harness, "Indiquez le nom du programme"));
    assert!(has_text(&harness, "l'année de l'enveloppe"));
    fill_all(
        &mut harness,
        &[
            ("Code du programme", "hcar-pme"),
            ("Nom du programme", "Budget HCAR — projets des ayants droit"),
            ("Année de l'enveloppe", "2026"),
            ("Montant de l'enveloppe", "5 000 000"),
        ],
    );
    choose(&mut harness, "Source du programme", "Budget du Haut-Commissariat");
    click(&mut harness, "Enregistrer le programme");
    assert!(has_text(&harness, "Programme enregistré"), "{:#?}", harness.root());
    // The HCAR budget's envelope counts every HCAR line of the year.
    assert!(has_text(&harness, "HCAR-PME — 2026 : "), "{:#?}", harness.root());
    assert!(has_text(&harness, "engagés sur 5\u{a0}000\u{a0}000,00\u{a0}DH"));
}

#[test]
fn the_projects_screen_lists_and_deletes_with_a_reason() {
    let mut harness = demo_app();
    harness.run();
    log_in(&mut harness, "chef", "chef-demo-2026");
    harness.get_by_role_and_label(Role::Button, "Projets").click();
    harness.run();
    assert!(has_text(&harness, "Page 1 sur 1"), "{:#?}", harness.root());
    // A project line reads "name — kind — commune".
    let first = harness
        .query_all_by_label_contains(" — ")
        .find_map(|n| n.accesskit_node().label().filter(|l| l.matches(" — ").count() == 2))
        .unwrap_or_default();
    // The search narrows the list to what it finds, this project among them.
    let lines = |harness: &Harness<'_, DaftarApp>| -> Vec<String> {
        let labels = harness.query_all_by_label_contains(" — ").filter_map(|n| n.accesskit_node().label());
        labels.filter(|l| l.matches(" — ").count() == 2).collect()
    };
    let all = lines(&harness);
    let word = first.split(" — ").next().and_then(|name| name.split_whitespace().last()).unwrap_or_default();
    fill(&mut harness, "Rechercher un projet", word);
    let found = lines(&harness);
    assert!(found.contains(&first) && found.len() < all.len(), "« {word} »: {found:?} of {}", all.len());
    assert!(has_text(&harness, &format!("({} résultat", found.len())), "{:#?}", harness.root());
    click(&mut harness, &first);
    assert!(has_text(&harness, "Emplois prévus :"), "{:#?}", harness.root());
    fill(&mut harness, "Motif de suppression du projet", "Projet abandonné par le porteur");
    click(&mut harness, "Supprimer le projet");
    assert!(!has(&harness, &first), "the deleted project left the list");
}

#[test]
fn a_cooperative_gets_its_members_and_is_edited() {
    let mut harness = demo_app();
    harness.run();
    log_in(&mut harness, "agent", "agent-demo-2026");
    harness.get_by_role_and_label(Role::Button, "Bénéficiaires").click();
    harness.run();
    // Two applicants of the demo: the promoter and a member.
    let cins: Vec<String> = harness
        .query_all_by_label_contains("XW")
        .filter_map(|n| n.accesskit_node().label())
        .filter_map(|l| l.split_whitespace().next().filter(|cin| cin.starts_with("XW")).map(str::to_owned))
        .take(2)
        .collect();
    assert_eq!(cins.len(), 2, "{:#?}", harness.root());
    let line = harness
        .query_all_by_label_contains(&cins[0])
        .next()
        .and_then(|n| n.accesskit_node().label())
        .unwrap_or_default();
    click(&mut harness, &line);
    click(&mut harness, "Nouveau projet");
    // (The option, not the kind shown in the rows.)
    click(&mut harness, "Type de projet");
    harness.get_by_role_and_label(Role::Button, "Coopérative").click();
    harness.run();
    fill(&mut harness, "Nom du projet", "Coopérative Argan Aglou");
    fill(&mut harness, "Membres (CIN et rôle, séparés par des virgules)", "ZZ999999");
    click(&mut harness, "Enregistrer le projet");
    assert!(has_text(&harness, "Aucun bénéficiaire avec la CIN ZZ999999"), "{:#?}", harness.root());
    fill(&mut harness, "Membres (CIN et rôle, séparés par des virgules)", &format!("{} chef", cins[1]));
    click(&mut harness, "Enregistrer le projet");
    assert!(has_text(&harness, "rôle inconnu"), "{:#?}", harness.root());
    fill(&mut harness, "Membres (CIN et rôle, séparés par des virgules)", &format!("{} trésorier", cins[1]));
    click(&mut harness, "Enregistrer le projet");
    assert!(has_text(&harness, "Projet enregistré"));
    // Edited from the Projets screen: the name changes, the member stays.
    harness.get_by_role_and_label(Role::Button, "Projets").click();
    harness.run();
    let coop = harness
        .query_all_by_label_contains("Coopérative Argan Aglou")
        .find_map(|n| n.accesskit_node().label().filter(|l| l.matches(" — ").count() == 2))
        .unwrap_or_default();
    assert!(!coop.is_empty(), "{:#?}", harness.root());
    click(&mut harness, &coop);
    assert!(has_text(&harness, &format!("Membres : {} trésorier", cins[1])));
    click(&mut harness, "Modifier le projet");
    fill(&mut harness, "Nom du projet", "Coopérative Argan Aglou Tiznit");
    click(&mut harness, "Enregistrer le projet");
    assert!(has_text(&harness, "Projet modifié"), "{:#?}", harness.root());
    assert!(has_text(&harness, "Coopérative Argan Aglou Tiznit"));
    assert!(has_text(&harness, &format!("Membres : {} trésorier", cins[1])));
}

#[test]
fn a_dossier_at_the_office_is_edited_then_deleted_with_a_reason() {
    let (mut harness, number) = app_with_complete_dossier();
    harness.run();
    log_in(&mut harness, "chef", "chef-demo-2026");
    open_dossier(&mut harness, &number);
    fill(&mut harness, "Montant demandé", "1.250");
    click(&mut harness, "Enregistrer la demande");
    assert!(has_text(&harness, "est ambigu"), "{:#?}", harness.root());
    let deposited = harness.get_by_label("Date de dépôt").value().unwrap_or_default();
    fill(&mut harness, "Date de dépôt", "31/12/2099");
    fill(&mut harness, "Montant demandé", "85 000,50");
    click(&mut harness, "Enregistrer la demande");
    assert!(has_text(&harness, "ni future"), "{:#?}", harness.root());
    assert!(!has_text(&harness, "Demande enregistrée"));
    fill(&mut harness, "Date de dépôt", &deposited);
    click(&mut harness, "Enregistrer la demande");
    assert_eq!(harness.get_by_label("Montant demandé").value().as_deref(), Some("85\u{202f}000,50"));
    // Said beside the button, until a field is typed in again.
    assert!(has_text(&harness, "Demande enregistrée"), "{:#?}", harness.root());
    fill(&mut harness, "Programme visé (code)", "PME");
    assert!(!has_text(&harness, "Demande enregistrée"));
    click(&mut harness, "Supprimer le dossier");
    assert!(has_text(&harness, "doit être motivée"));
    fill(&mut harness, "Motif de suppression du dossier", "Déposé deux fois");
    click(&mut harness, "Supprimer le dossier");
    assert!(has_text(&harness, &format!("Supprimer le dossier {number} de El Alaoui Youssef")));
    click(&mut harness, "Confirmer : supprimer");
    assert!(has_text(&harness, "Dossier supprimé"));
}

#[test]
fn a_head_of_office_prints_documents_and_manages_the_certificate_register() {
    let (mut harness, number) = app_with_complete_dossier();
    harness.run();
    log_in(&mut harness, "chef", "chef-demo-2026");
    open_dossier(&mut harness, &number);
    click(&mut harness, "Imprimer le récépissé");
    // Printing prints: each document written is handed to the system's viewer.
    let written = |harness: &Harness<'_, DaftarApp>| harness.state().opened().last().cloned().unwrap_or_default();
    let receipt = written(&harness);
    assert!(receipt.ends_with(format!("recepisse-{number}.pdf")), "{:#?}", harness.root());
    assert!(has_text(&harness, "Document ouvert pour l'impression"), "{:#?}", harness.root());
    // Its folder opens from the same place.
    click(&mut harness, "Ouvrir le dossier des documents");
    assert_eq!(written(&harness).as_path(), receipt.parent().unwrap_or(&receipt));
    click(&mut harness, "Ouvrir à nouveau");
    assert_eq!(written(&harness), receipt);
    assert!(ok(std::fs::read(&receipt)).starts_with(b"%PDF-"));
    // « Enregistrer sous… » takes a typed folder (the stick) as well as the system's dialog; a
    // typed name never replaces a file.
    let stick = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    click(&mut harness, "Enregistrer sous…");
    fill(&mut harness, "Copie à enregistrer dans (dossier ou fichier)", &stick.path().display().to_string());
    click(&mut harness, "Enregistrer la copie");
    let copy = stick.path().join(format!("recepisse-{number}.pdf"));
    assert!(has_text(&harness, "Copie enregistrée"), "{:#?}", harness.root());
    assert_eq!(ok(std::fs::read(&copy)), ok(std::fs::read(&receipt)));
    click(&mut harness, "Enregistrer sous…");
    fill(&mut harness, "Copie à enregistrer dans (dossier ou fichier)", &copy.display().to_string());
    click(&mut harness, "Enregistrer la copie");
    assert!(has_text(&harness, "existe déjà : choisissez un autre nom"), "{:#?}", harness.root());
    click(&mut harness, "Retour à la liste des dossiers");
    click(&mut harness, "Imprimer la liste de la commission");
    assert!(written(&harness).to_string_lossy().contains("/liste-commission-"), "{:#?}", harness.root());
    // The complete dossier waits for the head of office: it is in the list.
    click(&mut harness, &number);
    click(&mut harness, "Transmettre à la commission");
    fill(&mut harness, "Montant accordé (budget HCAR)", "45 000");
    click(&mut harness, "Approuver");
    click(&mut harness, "Confirmer : approuver");
    click(&mut harness, "Délivrer l'attestation de bénéficiaire");
    let certificate = written(&harness);
    assert!(certificate.ends_with("attestation-BL-DEMO-ATT-2026-00001.pdf"), "{certificate:?}");
    // The register: a duplicate, then a revocation with its reason.
    harness.get_by_role_and_label(Role::Button, "Attestations").click();
    harness.run();
    assert!(has_text(&harness, "BL-DEMO-ATT-2026-00001 — Attestation de bénéficiaire"), "{:#?}", harness.root());
    click(&mut harness, "Duplicata BL-DEMO-ATT-2026-00001");
    assert!(written(&harness).ends_with("attestation-BL-DEMO-ATT-2026-00001-duplicata.pdf"));
    assert!(has_text(&harness, "valide — 1 duplicata"));
    click(&mut harness, "Révoquer BL-DEMO-ATT-2026-00001");
    assert!(has_text(&harness, "doit être motivée"), "{:#?}", harness.root());
    fill(&mut harness, "Motif de révocation", "Erreur de montant");
    click(&mut harness, "Révoquer BL-DEMO-ATT-2026-00001");
    assert!(has_text(&harness, "RÉVOQUÉE le"), "{:#?}", harness.root());
    // The dossier a certificate attests opens from the register.
    click(&mut harness, &format!("Dossier {number}"));
    assert!(has(&harness, "Retour à la liste des dossiers"), "{:#?}", harness.root());
    // The bilan of the year, from the Rapports screen.
    harness.get_by_role_and_label(Role::Button, "Rapports").click();
    harness.run();
    assert_eq!(harness.get_by_label("Du").value().as_deref(), Some("01/01/2026"));
    click(&mut harness, "Imprimer le bilan");
    assert!(written(&harness).ends_with("bilan-2026-01-01-2026-12-31.pdf"), "{:#?}", harness.root());
    click(&mut harness, "Exporter en XLSX");
    assert!(written(&harness).ends_with("bilan-2026-01-01-2026-12-31.xlsx"), "{:#?}", harness.root());
    // On screen, each figure opens the dossiers behind it, and each of those its dossier.
    click(&mut harness, "Afficher les chiffres");
    harness.get_by_label_contains("Dossiers déposés — total :").click();
    harness.run();
    assert!(has_text(&harness, "dossier(s), total"), "{:#?}", harness.root());
    let first = harness
        .query_all_by_label_contains("BL-DEMO-2026-")
        .find_map(|node| node.accesskit_node().label())
        .unwrap_or_else(|| panic!("no dossier listed: {:#?}", harness.root()));
    harness.get_by_label(&first).click();
    harness.run();
    assert!(has_text(&harness, &first), "the dossier opens");
    harness.get_by_role_and_label(Role::Button, "Attestations").click();
    harness.run();
    // Checking a text that is not a certificate's says so in French.
    fill(&mut harness, "Texte du code QR", "bonjour");
    click(&mut harness, "Vérifier");
    assert!(has_text(&harness, "n'est pas celui d'un code QR d'attestation"));
    // A clerk sees the register but issues nothing.
    click(&mut harness, "Se déconnecter");
    log_in(&mut harness, "agent", "agent-demo-2026");
    harness.get_by_role_and_label(Role::Button, "Attestations").click();
    harness.run();
    assert!(has_text(&harness, "Seul le chef de bureau délivre"));
    assert!(!has(&harness, "Délivrer l'attestation d'ayant droit"));
}

#[test]
fn an_office_exports_its_bundle_and_reads_the_reply_from_the_sync_screen() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let mut office = crate::common::office(None);
    let (mut dp, dp_admin) = crate::sync::delegation_at(&dir.path().join("dp.sqlite"), 11, "DP-TIZNIT");
    crate::sync::link(&mut office, &mut dp, &dp_admin);
    crate::common::applicant(&mut office, "JB123456", "Youssef", "El Alaoui", "12/04/1975");
    let mut harness = window(office.core, false, Screen::Sync);
    harness.run();
    log_in(&mut harness, "chef", crate::common::CHEF_PASSWORD);
    assert!(has_text(&harness, "Délégation : DP-TIZNIT"), "{:#?}", harness.root());
    let stick = dir.path().join("cle");
    fill(&mut harness, "Dossier de la clé USB", &stick.display().to_string());
    click(&mut harness, "Exporter le paquet");
    assert!(has_text(&harness, "Vous pouvez retirer la clé"), "{:#?}", harness.root());
    assert!(has_text(&harness, "Bordereau de transmission à imprimer"), "{:#?}", harness.root());
    let bundle = stick.join("BL-TIZNIT-000001.daftar");
    ok(dp.import_bundle(&dp_admin, &ok(std::fs::read(&bundle)), "cle"));
    ok(dp.export_reply(&dp_admin, "BL-TIZNIT", &stick));
    // The whole stick at once: the office's own bundle is left alone, the reply is read. While
    // the worker is busy with it, the bar says so under every screen, the button waits and a
    // second start sends nothing.
    fill(&mut harness, "Fichiers ou dossier à importer", &stick.display().to_string());
    harness.state_mut().backend_mut().hold(true);
    click(&mut harness, "Importer");
    assert!(has(&harness, "Import des paquets"), "{:#?}", harness.root());
    assert!(harness.get_by_role_and_label(Role::Button, "Importer").accesskit_node().is_disabled());
    harness.get_by_role_and_label(Role::Button, "Importer").click();
    harness.run();
    assert_eq!(harness.state_mut().backend_mut().waiting(), 1);
    harness.get_by_role_and_label(Role::Button, "Tableau de bord").click();
    harness.run();
    assert!(has_text(&harness, "Import en cours : les listes et les chiffres seront à jour à la fin."));
    harness.get_by_role_and_label(Role::Button, "Synchronisation").click();
    harness.run();
    harness.state_mut().backend_mut().hold(false);
    harness.run();
    assert!(harness.state().work().is_none());
    assert!(!has(&harness, "Import des paquets"));
    assert!(has_text(&harness, "ignoré (destiné à DP-TIZNIT)"), "{:#?}", harness.root());
    assert!(has_text(&harness, "Paquet de DP-TIZNIT importé"), "{:#?}", harness.root());
    assert!(has_text(&harness, "Modifications non acquittées par la délégation : 0"));
}

#[test]
fn a_revocation_that_arrives_is_told_and_listed_on_the_sync_screen() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let mut office = crate::common::office(None);
    let (mut dp, dp_admin) = crate::sync::delegation_at(&dir.path().join("dp.sqlite"), 11, "DP-TIZNIT");
    crate::sync::link(&mut office, &mut dp, &dp_admin);
    let mut mirleft = crate::common::office_seeded(None, 37);
    ok(mirleft.core.store().conn().execute("UPDATE site SET code = 'BL-MIRLEFT'", []));
    mirleft.admin = ok(mirleft.core.login("admin", crate::common::ADMIN_PASSWORD));
    crate::sync::link(&mut mirleft, &mut dp, &dp_admin);
    // The office learns its sibling, then the delegation revokes the sibling's key.
    let stick = dir.path().join("cle");
    let first = ok(dp.export_reply(&dp_admin, "BL-TIZNIT", &stick));
    ok(office.core.import_bundle(&office.chef, &ok(std::fs::read(first.path)), "cle"));
    ok(dp.revoke_site(&dp_admin, "BL-MIRLEFT", "PC volé"));
    let reply = ok(dp.export_reply(&dp_admin, "BL-TIZNIT", &stick));
    let mut harness = window(office.core, false, Screen::Sync);
    harness.run();
    log_in(&mut harness, "chef", crate::common::CHEF_PASSWORD);
    fill(&mut harness, "Fichiers ou dossier à importer", &reply.path.display().to_string());
    click(&mut harness, "Importer");
    assert!(has_text(&harness, "CLÉ RÉVOQUÉE : BL-MIRLEFT par DP-TIZNIT"), "{:#?}", harness.root());
    assert!(has(&harness, "Clés révoquées"), "{:#?}", harness.root());
    assert!(has_text(&harness, "BL-MIRLEFT par DP-TIZNIT le"), "{:#?}", harness.root());
}

#[test]
fn the_delegue_decides_on_a_transmitted_dossier_from_the_dossier_screen() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let mut office = crate::common::office(None);
    let (mut dp, dp_admin) = crate::sync::delegation_at(&dir.path().join("dp.sqlite"), 11, "DP-TIZNIT");
    crate::sync::link(&mut office, &mut dp, &dp_admin);
    let who = ("JB123456", "Youssef", "El Alaoui");
    let id = crate::delegation::transmitted(
        &mut office,
        who,
        "projet-individuel",
        ("2", "1"),
        crate::common::date(2, 2, 2026),
    );
    crate::delegation::send_up(&mut office, &mut dp, &dp_admin, &dir.path().join("cle"));
    let number = ok(office.core.dossier_view(&office.chef, id)).dossier.value.number.to_string();
    let mut harness = window(dp, false, Screen::Dossiers);
    harness.run();
    log_in(&mut harness, "admin", crate::common::ADMIN_PASSWORD);
    harness.get_by_role_and_label(Role::Button, "Dossiers").click();
    harness.run();
    open_dossier(&mut harness, &number);
    fill(&mut harness, "Montant accordé (budget HCAR)", "30 000");
    click(&mut harness, "Approuver");
    click(&mut harness, "Confirmer : approuver");
    assert!(has_text(&harness, "Elle parviendra au bureau BL-TIZNIT"), "{:#?}", harness.root());
    assert!(!has(&harness, "Approuver"), "the commission decides once");
}

#[test]
fn an_idle_session_locks() {
    let mut harness = demo_app();
    harness.state_mut().lock_after(std::time::Duration::from_secs(2));
    harness.run();
    log_in(&mut harness, "agent", "agent-demo-2026");
    assert!(harness.state().logged_in());
    // Three seconds without a key or a click (each step is a quarter of a second).
    for _ in 0..12 {
        harness.step();
    }
    assert!(!harness.state().logged_in(), "{:#?}", harness.root());
    assert!(has_text(&harness, "Session verrouillée après 1 minute(s) sans activité"), "{:#?}", harness.root());
}

#[test]
fn an_administrator_reads_the_retention_report_then_anonymises() {
    let mut harness = demo_app();
    harness.run();
    log_in(&mut harness, "admin", "admin-demo-2026");
    harness.get_by_role_and_label(Role::Button, "Paramètres").click();
    harness.run();
    fill(&mut harness, "Durée de conservation (années)", "dix");
    click(&mut harness, "Enregistrer la durée");
    assert!(has_text(&harness, "nombre d'années"), "{:#?}", harness.root());
    fill(&mut harness, "Durée de conservation (années)", "1");
    click(&mut harness, "Enregistrer la durée");
    assert!(has_text(&harness, "Durée de conservation : 1 an(s)."), "{:#?}", harness.root());
    click(&mut harness, "Préparer le rapport de conservation");
    assert!(has_text(&harness, "personne(s) à anonymiser"), "{:#?}", harness.root());
    harness.get_by_label("Imprimer le rapport (PDF)").scroll_to_me();
    harness.run();
    click(&mut harness, "Imprimer le rapport (PDF)");
    assert!(has_text(&harness, "Document ouvert pour l'impression"), "{:#?}", harness.root());
    assert!(harness.state().opened().last().is_some_and(|p| p.to_string_lossy().contains("conservation-")));
    harness.get_by_label("Appliquer ce rapport (irréversible)").scroll_to_me();
    harness.run();
    harness.get_by_label("Appliquer ce rapport (irréversible)").click();
    harness.run();
    assert!(has_text(&harness, "Anonymisé :"), "{:#?}", harness.root());
    click(&mut harness, "Préparer le rapport de conservation");
    assert!(has_text(&harness, "Rien à anonymiser"), "{:#?}", harness.root());
}

#[test]
fn the_delegue_transfers_an_applicant_to_another_office_from_the_applicant_screen() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let crate::delegation::Province { mut dp, dp_admin, mut tiznit, .. } =
        crate::delegation::province(&dir.path().join("dp.sqlite"));
    crate::delegation::transmitted(
        &mut tiznit,
        ("JB123456", "Youssef", "El Alaoui"),
        "projet-individuel",
        ("2", "1"),
        crate::common::date(2, 2, 2026),
    );
    crate::delegation::send_up(&mut tiznit, &mut dp, &dp_admin, &dir.path().join("cle"));
    let mut harness = window(dp, false, Screen::Applicants);
    harness.run();
    log_in(&mut harness, "admin", crate::common::ADMIN_PASSWORD);
    harness.get_by_role_and_label(Role::Button, "Bénéficiaires").click();
    harness.run();
    let line = harness
        .query_all_by_label_contains("JB123456")
        .next()
        .and_then(|n| n.accesskit_node().label())
        .unwrap_or_default();
    click(&mut harness, &line);
    assert!(has(&harness, "Transfert vers un autre bureau"), "{:#?}", harness.root());
    choose(&mut harness, "Vers le bureau", "BL-MIRLEFT");
    click(&mut harness, "Transférer");
    assert!(has_text(&harness, "motif du transfert"), "a transfer needs a reason");
    fill(&mut harness, "Motif du transfert", "Installé à Mirleft");
    click(&mut harness, "Transférer");
    assert!(has_text(&harness, "transféré de BL-TIZNIT à BL-MIRLEFT"), "{:#?}", harness.root());
    assert!(has_text(&harness, "Installé à Mirleft"), "the transfer is listed on the applicant");
}

#[test]
fn the_delegue_settles_a_duplicate_between_offices_from_the_applicant_screen() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let stick = dir.path().join("cle");
    let crate::delegation::Province { mut dp, dp_admin, mut tiznit, mut mirleft } =
        crate::delegation::province(&dir.path().join("dp.sqlite"));
    crate::common::applicant(&mut tiznit, "JB123456", "Youssef", "El Alaoui", "12/04/1975");
    crate::common::applicant(&mut mirleft, "JC765432", "Youssouf", "Alaoui", "12/04/1975");
    crate::delegation::send_up(&mut tiznit, &mut dp, &dp_admin, &stick);
    crate::delegation::send_up(&mut mirleft, &mut dp, &dp_admin, &stick);
    let mut harness = window(dp, false, Screen::Applicants);
    harness.run();
    log_in(&mut harness, "admin", crate::common::ADMIN_PASSWORD);
    harness.get_by_role_and_label(Role::Button, "Bénéficiaires").click();
    harness.run();
    click(&mut harness, "Doublons entre bureaux");
    assert!(has_text(&harness, "1 paire(s) à examiner"), "{:#?}", harness.root());
    assert!(has_text(&harness, "CIN JB123456") && has_text(&harness, "CIN JC765432"));
    click(&mut harness, "Même personne (paire 1)");
    assert!(has_text(&harness, "note est obligatoire"), "{:#?}", harness.root());
    fill(&mut harness, "Note de l'examen", "Même CNIE présentée aux deux bureaux");
    click(&mut harness, "Même personne (paire 1)");
    assert!(has_text(&harness, "Examen enregistré (même personne)"), "{:#?}", harness.root());
    assert!(has(&harness, "Aucun doublon possible à examiner."));
}

#[test]
fn the_delegation_publishes_a_checklist_from_the_programmes_screen() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let (dp, _) = crate::sync::delegation_at(&dir.path().join("dp.sqlite"), 11, "DP-TIZNIT");
    let mut harness = window(dp, false, Screen::Programmes);
    harness.run();
    log_in(&mut harness, "admin", crate::common::ADMIN_PASSWORD);
    harness.get_by_role_and_label(Role::Button, "Programmes").click();
    harness.run();
    assert!(has_text(&harness, "Liste livrée avec Daftar"), "{:#?}", harness.root());
    harness.get_by_label("Modifier la liste").scroll_to_me();
    click(&mut harness, "Modifier la liste");
    fill(&mut harness, "Code de la pièce", "Attestation Bancaire");
    fill(&mut harness, "Libellé de la pièce", "Attestation bancaire");
    click(&mut harness, "Ajouter la pièce");
    harness.get_by_label("Publier la liste").scroll_to_me();
    click(&mut harness, "Publier la liste");
    assert!(has_text(&harness, "« Attestation Bancaire » invalide"), "{:#?}", harness.root());
    harness.get_by_label("Retirer Attestation Bancaire").scroll_to_me();
    click(&mut harness, "Retirer Attestation Bancaire");
    fill(&mut harness, "Code de la pièce", "attestation-bancaire");
    fill(&mut harness, "Libellé de la pièce", "Attestation bancaire");
    click(&mut harness, "Ajouter la pièce");
    harness.get_by_label("Publier la liste").scroll_to_me();
    click(&mut harness, "Publier la liste");
    assert!(has_text(&harness, "Liste de pièces publiée"), "{:#?}", harness.root());
    assert!(has_text(&harness, "Publiée par DP-TIZNIT — version 1"));
    assert!(has_text(&harness, "Attestation bancaire (obligatoire)"));
}

#[test]
fn after_a_transfer_the_old_office_sees_who_follows_the_person_and_nothing_left_to_send() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let stick = dir.path().join("cle");
    let crate::delegation::Province { mut dp, dp_admin, mut tiznit, .. } =
        crate::delegation::province(&dir.path().join("dp.sqlite"));
    let youssef = crate::common::applicant(&mut tiznit, "JB123456", "Youssef", "El Alaoui", "12/04/1975");
    crate::common::applicant(&mut tiznit, "JB200001", "Fatima", "Zahraoui", "03/09/1978");
    crate::delegation::send_up(&mut tiznit, &mut dp, &dp_admin, &stick);
    ok(dp.transfer_applicant(&dp_admin, youssef, "BL-MIRLEFT", "Installé à Mirleft"));
    let reply = crate::delegation::reply(&mut dp, &dp_admin, "BL-TIZNIT", &stick);
    ok(tiznit.core.import_bundle(&tiznit.chef, &reply, "réponse"));
    let mut harness = window(tiznit.core, false, Screen::Applicants);
    harness.run();
    log_in(&mut harness, "chef", crate::common::CHEF_PASSWORD);
    harness.get_by_role_and_label(Role::Button, "Bénéficiaires").click();
    harness.run();
    assert!(has_text(&harness, "El Alaoui Youssef") && has_text(&harness, "(suivi par BL-MIRLEFT)"));
    assert_eq!(harness.query_all_by_label_contains("(suivi par").count(), 1, "Fatima stays Tiznit's");
    assert!(has_text(&harness, "Modifications non livrées : 0"), "the transfer is not Tiznit's to send");
}

#[test]
fn a_search_right_after_log_in_gets_its_results_while_the_daily_backup_runs() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let db = dir.path().join("bureau.sqlite");
    let mut core = core_with(ok(daftar::store::Store::open(&db, true)));
    let (session, _) = ok(demo::create_demo_site(&mut core));
    ok(demo::populate(&mut core, &session, 60, 7));
    // A register large enough that its backup takes a while.
    ok(core.store().conn().execute_batch(
        "CREATE TABLE remplissage (x BLOB); WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 160)
         INSERT INTO remplissage SELECT randomblob(1048576) FROM n;",
    ));
    let backups = dir.path().join("sauvegardes");
    let made = || {
        std::fs::read_dir(&backups)
            .map(|d| d.flatten().filter(|e| e.path().extension().is_some_and(|x| x == "daftar-sauvegarde")).count())
            .unwrap_or(0)
    };
    let mut harness = window(core, false, Screen::Applicants);
    harness.run();
    log_in(&mut harness, "agent", "agent-demo-2026");
    assert!(harness.state().backup_progress().is_some(), "the backup due at the first log-in of the day started");
    assert!(has_text(&harness, "Sauvegarde en cours"), "{:#?}", harness.root());
    fill(&mut harness, "Rechercher", "a");
    // The results came while the backup file was still being written.
    assert_eq!(made(), 0, "the backup was still running");
    let first = harness.state().applicants().pages.get(&0).and_then(|rows| rows.first()).map(|r| r.cin.clone());
    assert!(first.is_some(), "the search answered");
    // Closing the window meanwhile asks first.
    harness.input_mut().viewports.entry(egui::ViewportId::ROOT).or_default().events.push(egui::ViewportEvent::Close);
    harness.run();
    assert!(has_text(&harness, "Si vous fermez maintenant"), "{:#?}", harness.root());
    assert!(has(&harness, "Fermer quand même"));
    click(&mut harness, "Attendre la fin de la sauvegarde");
    assert!(!has_text(&harness, "Si vous fermez maintenant"));
    // It ends on its own, quietly; the file is there and the line goes.
    let started = std::time::Instant::now();
    while harness.state().backup_progress().is_some() && started.elapsed() < std::time::Duration::from_secs(120) {
        std::thread::sleep(std::time::Duration::from_millis(50));
        harness.step();
    }
    harness.run();
    assert!(!has_text(&harness, "Sauvegarde en cours"));
    assert_eq!(made(), 1);
}

#[test]
fn a_backup_is_restored_from_the_login_screen() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let db = dir.path().join("bureau.sqlite");
    let mut core = core_with(ok(daftar::store::Store::open(&db, true)));
    let (admin, _) = ok(demo::create_demo_site(&mut core));
    ok(demo::populate(&mut core, &admin, 40, 7));
    let backup = ok(core.backup(&admin, &dir.path().join("cle")));
    // Work done after the backup, lost by the restore.
    ok(core.add_applicant(
        &admin,
        &crate::common::draft("ZZ123456", "Apres", "Sauvegarde", "01/01/1970"),
        &crate::common::card("R-9"),
        None,
    ));
    let mut harness = window(core, false, Screen::Applicants);
    harness.run();
    click(&mut harness, "Restaurer une sauvegarde…");
    fill(&mut harness, "Fichier de sauvegarde", &backup.display().to_string());
    fill(&mut harness, "Compte qui détient les clés", "admin");
    fill(&mut harness, "Mot de passe de ce compte", "mauvais-mot-de-passe");
    click(&mut harness, "Restaurer");
    assert!(has_text(&harness, "Mot de passe incorrect"), "{:#?}", harness.root());
    fill(&mut harness, "Mot de passe de ce compte", "admin-demo-2026");
    click(&mut harness, "Restaurer");
    assert!(has_text(&harness, "restaurée et vérifiée"), "{:#?}", harness.root());
    assert!(has_text(&harness, "L'ancienne base est gardée"));
    log_in(&mut harness, "agent", "agent-demo-2026");
    fill(&mut harness, "Rechercher", "ZZ123456");
    assert!(
        has_text(&harness, "aucun résultat"),
        "the applicant added after the backup is gone: {:#?}",
        harness.root()
    );
}

#[test]
fn the_dossiers_screen_is_a_worklist_that_filters_sorts_and_opens() {
    use daftar::domain::dossier::Status;
    let mut core = core_with(ok(daftar::store::Store::open_in_memory()));
    let (session, _) = ok(demo::create_demo_site(&mut core));
    ok(demo::populate(&mut core, &session, 60, 7));
    let mut harness = window(core, false, Screen::Dossiers);
    harness.run();
    log_in(&mut harness, "agent", "agent-demo-2026");
    let rows = |harness: &Harness<'_, DaftarApp>| {
        harness.state().dossiers().list.rows.as_ref().map(|p| p.rows.clone()).unwrap_or_default()
    };
    // A clerk first sees what waits for a clerk.
    let waiting = rows(&harness);
    assert!(!waiting.is_empty(), "{:#?}", harness.root());
    assert!(waiting.iter().all(|l| matches!(l.status, Status::Depose | Status::EnInstruction)), "{waiting:?}");
    choose(&mut harness, "Statut des dossiers", "Tous");
    let all = rows(&harness);
    assert!(all.len() > waiting.len());
    // A column header sorts; a second click reverses.
    click(&mut harness, "Bénéficiaire");
    let names: Vec<String> = rows(&harness).into_iter().map(|l| l.name.to_lowercase()).collect();
    assert!(names.windows(2).all(|w| w[0] <= w[1]), "{names:?}");
    click(&mut harness, "Bénéficiaire");
    let names: Vec<String> = rows(&harness).into_iter().map(|l| l.name.to_lowercase()).collect();
    assert!(names.windows(2).all(|w| w[0] >= w[1]), "{names:?}");
    // A filter by kind.
    // (The option, not the kind shown in the rows.)
    click(&mut harness, "Type de projet");
    harness.get_by_role_and_label(Role::Button, "Coopérative").click();
    harness.run();
    let cooperatives = rows(&harness);
    assert!(!cooperatives.is_empty() && cooperatives.len() < all.len(), "{cooperatives:?}");
    assert!(cooperatives.iter().all(|l| l.kind == daftar::domain::project::ProjectKind::Cooperative));
    choose(&mut harness, "Type de projet", "Tous");
    // The unpadded number finds the dossier; Enter opens it, whose header names the person.
    let first = all[0].clone();
    let (year, sequence) =
        first.number.rsplit_once('-').map(|(head, seq)| (&head[head.len() - 4..], seq)).unwrap_or_default();
    fill(&mut harness, "Rechercher un dossier", &format!("{year}-{}", sequence.trim_start_matches('0')));
    assert_eq!(rows(&harness).len(), 1, "{:?}", rows(&harness));
    harness.key_press(egui::Key::Enter);
    harness.run();
    assert!(has_text(&harness, &format!("{} — ", first.number)), "{:#?}", harness.root());
    assert!(has_text(&harness, &format!("CIN {}", first.cin)));
    click(&mut harness, "Retour à la liste des dossiers");
    assert!(has(&harness, "Rechercher un dossier"));
}

#[test]
fn a_double_click_on_a_step_moves_the_dossier_once() {
    let (harness, number) = app_with_complete_dossier();
    // Quick frames: two clicks a tenth of a second apart make a double click.
    let app = harness.into_state();
    let mut harness = Harness::builder()
        .with_size([1280.0, 900.0])
        .with_step_dt(0.05)
        .build_ui_state(|ui, app: &mut DaftarApp| app.show(ui), app);
    daftar::ui::theme::apply(&harness.ctx);
    harness.run();
    log_in(&mut harness, "agent", "agent-demo-2026");
    open_dossier(&mut harness, &number);
    // Complet → back to instruction; the next button in that place would declare it complete.
    let at = harness.get_by_label("Remettre en instruction").rect().center();
    for _ in 0..2 {
        harness.event(egui::Event::PointerMoved(at));
        for pressed in [true, false] {
            harness.event(egui::Event::PointerButton {
                pos: at,
                button: egui::PointerButton::Primary,
                pressed,
                modifiers: egui::Modifiers::default(),
            });
        }
        harness.step();
        harness.step();
    }
    harness.run();
    let history = harness.state().dossiers().view.as_ref().map(|v| v.dossier.value.history.len()).unwrap_or_default();
    assert!(has_text(&harness, "de « Complet » à « En instruction »"), "{:#?}", harness.root());
    assert_eq!(history, 3, "deposit→instruction→complete, then one step back only");
    assert!(has_text(&harness, "— En instruction"), "{:#?}", harness.root());
}

#[test]
fn a_project_with_a_dossier_in_progress_opens_it_and_a_second_one_is_asked_for() {
    let (mut harness, number) = app_with_complete_dossier();
    harness.run();
    log_in(&mut harness, "agent", "agent-demo-2026");
    click(&mut harness, "Bénéficiaires");
    fill(&mut harness, "Rechercher", "JB123456");
    harness.get_by_label_contains("JB123456  El Alaoui").click();
    harness.run();
    assert!(!has_text(&harness, "Déposer un dossier"), "no plain creation beside a dossier in progress");
    click(&mut harness, &format!("Dossier {number}"));
    assert!(has_text(&harness, &format!("{number} — ")), "{:#?}", harness.root());
    click(&mut harness, "Bénéficiaires");
    harness.get_by_label_contains("JB123456  El Alaoui").click();
    harness.run();
    click(&mut harness, "Nouveau dossier pour « Couture Tiznit »…");
    assert!(has_text(&harness, "Un second dossier ne se justifie que"), "{:#?}", harness.root());
    click(&mut harness, "Annuler");
    assert!(!has_text(&harness, "Un second dossier ne se justifie que"));
    click(&mut harness, "Nouveau dossier pour « Couture Tiznit »…");
    click(&mut harness, "Déposer quand même un second dossier");
    assert!(has_text(&harness, "-2026-00002 — "), "{:#?}", harness.root());
    // The project's page lists both, each number opening its dossier.
    harness.get_by_role_and_label(Role::Button, "Projets").click();
    harness.run();
    harness.get_by_label_contains("Couture Tiznit — ").click();
    harness.run();
    click(&mut harness, &format!("Dossier {number}"));
    assert_eq!(harness.state().screen(), Screen::Dossiers);
    assert!(has_text(&harness, &format!("{number} — ")), "{:#?}", harness.root());
}

#[test]
fn after_a_wrong_password_the_cursor_is_back_in_it_and_enter_on_empty_counts_nothing() {
    let mut harness = demo_app();
    harness.run();
    log_in(&mut harness, "agent", "pas-le-bon");
    assert!(has_text(&harness, "mot de passe incorrect"), "{:#?}", harness.root());
    assert!(harness.get_by_label("Mot de passe").accesskit_node().is_focused(), "the cursor is in the password");
    // Enter (and the button) with the password empty send nothing: were they counted, the
    // account would be locked before the right password comes.
    for _ in 0..6 {
        harness.key_press(egui::Key::Enter);
        harness.run();
    }
    assert!(has_text(&harness, "mot de passe incorrect"), "{:#?}", harness.root());
    click(&mut harness, "Se connecter");
    assert!(has_text(&harness, "Tapez votre identifiant et votre mot de passe"));
    // The right password still opens the session: nothing was locked.
    fill(&mut harness, "Mot de passe", "agent-demo-2026");
    harness.key_press(egui::Key::Enter);
    harness.run();
    assert!(harness.state().logged_in());
}

/// Scrolls to what is labelled `label` (a long screen), then clicks it.
fn click_seen(harness: &mut Harness<'_, DaftarApp>, label: &str) {
    harness.get_by_label(label).scroll_to_me();
    harness.run();
    click(harness, label);
}

/// Scrolls to the field labelled `label`, then fills it.
fn fill_seen(harness: &mut Harness<'_, DaftarApp>, label: &str, text: &str) {
    harness.get_by_label(label).scroll_to_me();
    harness.run();
    fill(harness, label, text);
}

/// The fingerprint of the identity file at `path`.
fn fingerprint_of(path: &std::path::Path) -> String {
    let identity: daftar::app::IdentityFile = ok(serde_json::from_slice(&ok(std::fs::read(path))));
    identity.keys.fingerprint()
}

#[test]
fn an_office_and_its_delegation_are_linked_from_the_window_then_exchange_a_bundle() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let stick = dir.path().join("cle");
    let stick_text = stick.display().to_string();
    let mut office = crate::common::office(None);
    crate::common::applicant(&mut office, "JB123456", "Youssef", "El Alaoui", "12/04/1975");
    let (dp, _) = crate::sync::delegation_at(&dir.path().join("dp.sqlite"), 11, "DP-TIZNIT");
    let mut bl = window(office.core, false, Screen::Settings);
    let mut dp = window(dp, false, Screen::Settings);
    for harness in [&mut bl, &mut dp] {
        harness.run();
        log_in(harness, "admin", crate::common::ADMIN_PASSWORD);
        // Each writes its identity file onto the stick; its fingerprint is shown to be read aloud.
        fill_seen(harness, "Dossier où écrire le fichier d'identité (la clé USB)", &stick_text);
        click_seen(harness, "Exporter le fichier d'identité");
        assert!(has_text(harness, "Fichier d'identité écrit"), "{:#?}", harness.root());
    }
    let (dp_file, bl_file) = (stick.join("identite-DP-TIZNIT.json"), stick.join("identite-BL-TIZNIT.json"));
    assert!(has_text(&bl, &fingerprint_of(&bl_file).replace('-', "  ")), "the fingerprint in groups of four");
    // The office enrolls its delegation: a fingerprint misread is refused, the right one links.
    fill_seen(&mut bl, "Fichier d'identité du site", &dp_file.display().to_string());
    fill_seen(&mut bl, "Empreinte lue sur son formulaire", "0000-1111-2222-3333-4444-5555-6666-7777");
    click_seen(&mut bl, "Enrôler");
    assert!(has_text(&bl, "ne correspond pas"), "{:#?}", bl.root());
    fill_seen(&mut bl, "Empreinte lue sur son formulaire", &fingerprint_of(&dp_file));
    click_seen(&mut bl, "Enrôler");
    assert!(has_text(&bl, "DP-TIZNIT (Délégation provinciale de Tiznit) enrôlé — délégation de rattachement"));
    // The delegation enrolls the office.
    fill_seen(&mut dp, "Fichier d'identité du site", &bl_file.display().to_string());
    fill_seen(&mut dp, "Empreinte lue sur son formulaire", &fingerprint_of(&bl_file));
    click_seen(&mut dp, "Enrôler");
    assert!(has_text(&dp, "BL-TIZNIT (Bureau local de Tiznit) enrôlé — site supervisé"), "{:#?}", dp.root());
    // A bundle goes up, from one window to the other.
    bl.get_by_role_and_label(Role::Button, "Synchronisation").click();
    bl.run();
    fill(&mut bl, "Dossier de la clé USB", &stick_text);
    click(&mut bl, "Exporter le paquet");
    assert!(has_text(&bl, "Vous pouvez retirer la clé"), "{:#?}", bl.root());
    dp.get_by_role_and_label(Role::Button, "Synchronisation").click();
    dp.run();
    fill(&mut dp, "Fichiers ou dossier à importer", &stick.join("BL-TIZNIT-000001.daftar").display().to_string());
    click(&mut dp, "Importer");
    assert!(has_text(&dp, "Paquet de BL-TIZNIT importé"), "{:#?}", dp.root());
    // The delegation revokes the office's key, with a reason.
    dp.get_by_role_and_label(Role::Button, "Paramètres").click();
    dp.run();
    fill_seen(&mut dp, "Motif de révocation de BL-TIZNIT", "PC volé");
    click_seen(&mut dp, "Révoquer la clé de BL-TIZNIT");
    assert!(has_text(&dp, "Clé de BL-TIZNIT révoquée"), "{:#?}", dp.root());
    assert!(has_text(&dp, "clé révoquée le"));
}

#[test]
fn ctrl_f_and_ctrl_n_work_from_every_screen_and_the_arrows_walk_the_results() {
    let mut harness = demo_app();
    harness.run();
    log_in(&mut harness, "agent", "agent-demo-2026");
    harness.get_by_role_and_label(Role::Button, "Programmes").click();
    harness.run();
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::F);
    harness.run();
    assert_eq!(harness.state().screen(), Screen::Applicants);
    assert!(harness.get_by_label("Rechercher").accesskit_node().is_focused(), "the cursor is in the search");
    harness.get_by_label("Rechercher").type_text("ou");
    harness.run();
    let shown = |harness: &Harness<'_, DaftarApp>| harness.state().applicants().detail.as_ref().map(|d| d.row.meta.id);
    let rows: Vec<uuid::Uuid> =
        harness.state().applicants().pages.get(&0).map(|p| p.iter().map(|l| l.id).collect()).unwrap_or_default();
    assert!(rows.len() >= 2, "{rows:?}");
    harness.key_press(egui::Key::ArrowDown);
    harness.run();
    assert_eq!(shown(&harness), Some(rows[0]));
    harness.key_press(egui::Key::ArrowDown);
    harness.run();
    assert_eq!(shown(&harness), Some(rows[1]));
    harness.key_press(egui::Key::ArrowUp);
    harness.run();
    assert_eq!(shown(&harness), Some(rows[0]));
    // Ctrl+N from the dossiers' list opens the registration form.
    harness.get_by_role_and_label(Role::Button, "Dossiers").click();
    harness.run();
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::N);
    harness.run();
    assert_eq!(harness.state().screen(), Screen::Applicants);
    assert!(harness.state().applicants().form.is_some(), "{:#?}", harness.root());
}

#[test]
fn enter_and_escape_in_an_open_choice_list_only_choose_and_close() {
    let mut harness = demo_app();
    harness.run();
    log_in(&mut harness, "agent", "agent-demo-2026");
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::N);
    harness.run();
    fill(&mut harness, "CIN", "JB99");
    // Escape closes the list, not the form.
    click(&mut harness, "Sexe");
    assert!(egui::Popup::is_any_open(&harness.ctx), "the list is open");
    harness.key_press(egui::Key::Escape);
    harness.run();
    assert!(harness.state().applicants().form.is_some(), "the form stays");
    assert!(!has_text(&harness, "Abandonner les modifications"), "nothing asks to leave");
    // Enter in the list does not save the form.
    click(&mut harness, "Sexe");
    harness.key_press(egui::Key::Enter);
    harness.run();
    assert!(!has_text(&harness, "rien n'a été enregistré"), "{:#?}", harness.root());
    assert_eq!(harness.get_by_label("CIN").value().as_deref(), Some("JB99"));
}

#[test]
fn a_spreadsheet_is_imported_from_the_window_all_or_nothing() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let header = "CIN;Nom;Prénom;Sexe;Date_naissance;Lien;Carte;Province\r\n";
    let good = "JB100001;Bennani;Mohamed;M;05/03/1962;titulaire;R-100;581\r\nJB100002;Bennani;Fatima;F;12/11/1965;veuve;R-100;581\r\n";
    let bad = format!("{header}{good}JB100003;Tazi;Youssef;M;31/02/1990;fils;R-200;581\r\n");
    let (bad_file, good_file) = (dir.path().join("mauvais.csv"), dir.path().join("bon.csv"));
    ok(std::fs::write(&bad_file, bad));
    ok(std::fs::write(&good_file, format!("{header}{good}")));
    let office = crate::common::office(None);
    let mut harness = window(office.core, false, Screen::Applicants);
    harness.run();
    log_in(&mut harness, "agent", crate::common::AGENT_PASSWORD);
    click(&mut harness, "Importer un tableur…");
    assert!(has_text(&harness, "cin (obligatoire)"), "the columns are listed: {:#?}", harness.root());
    fill(&mut harness, "Fichier (Excel ou CSV)", &bad_file.display().to_string());
    click(&mut harness, "Importer le fichier");
    assert!(has_text(&harness, "rien n'a été importé"), "{:#?}", harness.root());
    assert!(has_text(&harness, "ligne 4 :"), "the bad line is named: {:#?}", harness.root());
    fill(&mut harness, "Fichier (Excel ou CSV)", &good_file.display().to_string());
    click(&mut harness, "Importer le fichier");
    assert!(has_text(&harness, "2 ligne(s) importée(s)"), "{:#?}", harness.root());
    // An Excel workbook as it is, its second sheet named.
    let workbook = dir.path().join("registre.xlsx");
    let mut book = rust_xlsxwriter::Workbook::new();
    ok(book.add_worksheet().set_name("Notes").map(drop).map_err(|e| e.to_string()));
    let sheet = ok(book.add_worksheet().set_name("Liste").map_err(|e| e.to_string()));
    for (r, row) in [
        header.trim_end().split(';').collect::<Vec<_>>(),
        vec!["JB100004", "Bennani", "Omar", "M", "01/02/1990", "fils", "R-100", "581"],
    ]
    .iter()
    .enumerate()
    {
        for (c, value) in row.iter().enumerate() {
            ok(sheet.write_string(r as u32, c as u16, *value).map(drop).map_err(|e| e.to_string()));
        }
    }
    ok(book.save(&workbook).map_err(|e| e.to_string()));
    fill(&mut harness, "Fichier (Excel ou CSV)", &workbook.display().to_string());
    fill(&mut harness, "Feuille du classeur", "Liste");
    click(&mut harness, "Importer le fichier");
    assert!(has_text(&harness, "1 ligne(s) importée(s)"), "{:#?}", harness.root());
    click(&mut harness, "Fermer l'import");
    assert!(has_text(&harness, "JB100002"), "the register shows them: {:#?}", harness.root());
    assert!(has_text(&harness, "JB100004"), "and the workbook's: {:#?}", harness.root());
}

#[test]
fn the_demo_office_stands_apart_from_the_installation_and_asks_first() {
    let core = core_with(ok(daftar::store::Store::open_in_memory()));
    let mut harness = window(core, true, Screen::Dashboard);
    harness.run();
    click(&mut harness, "Créer un bureau de démonstration…");
    assert!(has(&harness, "Créer un bureau de démonstration ?"), "{:#?}", harness.root());
    // Changing one's mind leaves the installation form as it was.
    click(&mut harness, "Non, revenir à l'installation");
    assert!(!has(&harness, "Créer un bureau de démonstration ?"));
    assert!(has(&harness, "Installer"));
    click(&mut harness, "Créer un bureau de démonstration…");
    click(&mut harness, "Oui, créer la démonstration");
    assert!(has_text(&harness, "Comptes : "), "{:#?}", harness.root());
    assert!(has(&harness, "Se connecter"), "{:#?}", harness.root());
}

#[test]
fn the_applicant_form_helps_as_it_is_filled() {
    let mut core = core_with(ok(daftar::store::Store::open_in_memory()));
    let (_admin, _) = ok(demo::create_demo_site(&mut core));
    let agent = ok(core.login("agent", "agent-demo-2026"));
    let draft = crate::common::draft("JB123456", "Youssef", "El Alaoui", "12/04/1975");
    ok(core.add_applicant(&agent, &draft, &crate::common::card("R-1"), None));
    let mut harness = window(core, false, Screen::Applicants);
    harness.run();
    log_in(&mut harness, "agent", "agent-demo-2026");
    click(&mut harness, "Nouveau bénéficiaire (Ctrl+N)");
    assert!(has(&harness, "Les champs marqués * sont obligatoires."));
    // Saved empty: every problem at once, the card's among them.
    click(&mut harness, "Enregistrer");
    for problem in ["Indiquez le numéro de la CIN.", "Indiquez le numéro de la carte de résistant.", "Indiquez le sexe"]
    {
        assert!(has_text(&harness, problem), "{problem}: {:#?}", harness.root());
    }
    // Each goes as soon as its field is right; the others stay until they are.
    fill(&mut harness, "CIN", "JB 12");
    assert!(!has_text(&harness, "Indiquez le numéro de la CIN."));
    assert!(has_text(&harness, "Indiquez le numéro de la carte de résistant."));
    fill(&mut harness, "N° carte de résistant", "R-9");
    assert!(!has_text(&harness, "Indiquez le numéro de la carte de résistant."));
    // The CIN's shape is told as it is typed.
    fill(&mut harness, "CIN", "JB1234567");
    assert!(has_text(&harness, "a une forme inhabituelle"), "{:#?}", harness.root());
    fill(&mut harness, "CIN", "JB12_4");
    assert!(has_text(&harness, "n'est pas un numéro de CIN"));
    // Leaving a whole identity runs the duplicate search by itself.
    fill_all(
        &mut harness,
        &[("CIN", "JB765432"), ("Nom", "El Alaoui"), ("Prénom", "Youssef"), ("Date de naissance", "12/04/1975")],
    );
    fill(&mut harness, "Téléphone", "0612345678");
    assert!(has_text(&harness, "peuvent être la même personne"), "{:#?}", harness.root());
    assert!(has(&harness, "Motif (autre personne)"));
    assert_eq!(harness.get_by_label("Téléphone").value().as_deref(), Some("0612345678"), "the cursor stayed");
}

/// A lone Arabic field, as the forms draw it, with what the test reads back.
#[derive(Default)]
struct ArabicField {
    text: String,
    id: Option<egui::Id>,
    /// Where the caret stands before each logical character and after the last.
    places: Vec<f32>,
    /// The drawn glyphs in visual order: (character, left, right).
    drawn: Vec<(char, f32, f32)>,
}

#[test]
fn arabic_reads_right_to_left_as_it_is_typed_and_the_caret_follows() {
    use daftar::ui::{bidi, rtl_edit};
    let mut harness = Harness::builder().with_size([480.0, 80.0]).build_ui_state(
        |ui, field: &mut ArabicField| {
            let label = ui.label("Nom (arabe)");
            field.id = Some(ui.next_auto_id());
            rtl_edit::singleline(ui, &mut field.text, 300.0, "").labelled_by(label.id);
            field.places = rtl_edit::caret_places(&rtl_edit::layout(ui, &field.text));
            let shown = bidi::visual(&field.text);
            let font = egui::TextStyle::Body.resolve(ui.style());
            let galley = ui.fonts_mut(|f| f.layout_no_wrap(shown, font, egui::Color32::BLACK));
            field.drawn =
                galley.rows[0].row.glyphs.iter().map(|g| (g.chr, g.pos.x, g.pos.x + g.advance_width)).collect();
        },
        ArabicField::default(),
    );
    daftar::ui::theme::apply(&harness.ctx);
    harness.run();
    let cursor = |harness: &Harness<'_, ArabicField>| -> usize {
        let id = harness.state().id.unwrap_or_else(|| panic!("no field"));
        let state = egui::text_edit::TextEditState::load(&harness.ctx, id).unwrap_or_else(|| panic!("no state"));
        state.cursor.char_range().map_or(usize::MAX, |r| r.primary.index.into())
    };
    harness.get_by_label("Nom (arabe)").focus();
    harness.run();
    let typed = "محمد بن 12 علي";
    for (n, c) in typed.chars().enumerate() {
        harness.get_by_label("Nom (arabe)").type_text(&c.to_string());
        harness.run();
        let field = harness.state();
        assert_eq!(field.text, typed.chars().take(n + 1).collect::<String>());
        // The caret stands after the letter just typed: an Arabic letter typed last is drawn
        // leftmost (the line runs right to left), the caret at its left; after a digit, the
        // caret is right of the digit's glyph.
        assert_eq!(cursor(&harness), n + 1);
        let expected = if c.is_ascii_digit() {
            field.drawn.iter().find(|(g, _, _)| *g == c).map_or(f32::NAN, |(_, _, right)| *right)
        } else {
            field.drawn.iter().map(|(_, left, _)| *left).fold(f32::INFINITY, f32::min)
        };
        if c != ' ' {
            assert!((field.places[n + 1] - expected).abs() < 0.5, "after {c}: {:?} vs {expected}", field.places);
        }
    }
    // The words read right to left, the number left to right inside them.
    let x = |c: char| {
        let field = harness.state();
        field.drawn.iter().find(|(g, _, _)| *g == c).map_or(f32::NAN, |(_, left, _)| *left)
    };
    assert!(x('ح') > x('ب') && x('ب') > x('2') && x('1') < x('2') && x('1') > x('ع'), "{:?}", harness.state().drawn);
    // The line stands against the field's right edge, where its reader starts.
    let field = harness.get_by_label("Nom (arabe)");
    let node = field.accesskit_node();
    let run = node.children().find(|c| c.role() == Role::TextRun).and_then(|r| r.bounding_box());
    let (Some(edges), Some(run)) = (node.bounding_box(), run) else { panic!("no text run: {:#?}", harness.root()) };
    assert!(edges.x1 - run.x1 < 12.0 && run.x0 - edges.x0 > 100.0, "field {edges:?}, text {run:?}");
    // Backspace takes the last letter typed; Right moves the caret one place to the right.
    harness.key_press(egui::Key::Backspace);
    harness.run();
    assert_eq!(harness.state().text, "محمد بن 12 عل");
    assert_eq!(cursor(&harness), 13);
    harness.key_press(egui::Key::ArrowRight);
    harness.run();
    assert_eq!(cursor(&harness), 12, "right of ل is before it");
    harness.key_press(egui::Key::ArrowLeft);
    harness.run();
    assert_eq!(cursor(&harness), 13);
    harness.key_press(egui::Key::ArrowLeft);
    harness.run();
    assert_eq!(cursor(&harness), 13, "nothing left of the end");
}

#[test]
fn ticked_dossiers_print_their_receipts_as_one_document() {
    let (mut harness, number) = app_with_complete_dossier();
    harness.run();
    log_in(&mut harness, "chef", "chef-demo-2026");
    assert!(harness.get_by_label("Imprimer les récépissés (0)").accesskit_node().is_disabled());
    click(&mut harness, &format!("Cocher le dossier {number}"));
    click(&mut harness, "Imprimer les récépissés (1)");
    let written = harness.state().opened().last().cloned().unwrap_or_default();
    assert!(written.to_string_lossy().ends_with("-1-dossiers.pdf"), "{written:?}: {:#?}", harness.root());
    assert!(ok(std::fs::read(&written)).starts_with(b"%PDF-"));
    // A dossier with no decision has no notification: said, nothing printed.
    click(&mut harness, "Imprimer les notifications (1)");
    assert!(shows_eventually(&mut harness, "Rien n'a été imprimé"), "{:#?}", harness.root());
    assert!(harness.state().work().is_none());
    click(&mut harness, "Tout décocher");
    assert!(has(&harness, "Imprimer les récépissés (0)"));
}

#[test]
fn today_s_work_leads_from_the_dashboard_to_the_dossiers_it_counts() {
    let (mut harness, number) = app_with_complete_dossier();
    harness.run();
    log_in(&mut harness, "chef", "chef-demo-2026");
    harness.get_by_role_and_label(Role::Button, "Tableau de bord").click();
    harness.run();
    assert!(has(&harness, "Aujourd'hui"), "{:#?}", harness.root());
    let line = "1 — Dossiers complets à transmettre à la commission (depuis";
    let Some(item) = harness.query_all_by_label_contains(line).next() else {
        panic!("no line « {line} »: {:#?}", harness.root())
    };
    item.click();
    harness.run();
    assert_eq!(harness.state().screen(), Screen::Dossiers);
    assert!(has(&harness, &number), "{:#?}", harness.root());
    let filter = harness.get_by_label("Statut des dossiers").accesskit_node().value();
    assert_eq!(filter.as_deref(), Some("Complet"));
}

#[test]
fn a_follow_up_of_today_s_work_opens_the_dossiers_that_await_it() {
    let mut harness = demo_app();
    harness.run();
    log_in(&mut harness, "chef", "chef-demo-2026");
    harness.get_by_role_and_label(Role::Button, "Tableau de bord").click();
    harness.run();
    let line = "Dossiers financés sans attestation délivrée";
    let Some(item) = harness.query_all_by_label_contains(line).next() else {
        panic!("no line « {line} »: {:#?}", harness.root())
    };
    let count: usize = item.accesskit_node().label().and_then(|l| l.split(' ').next()?.parse().ok()).unwrap_or(0);
    assert!(count > 0, "the demo office has financed dossiers without a certificate");
    item.click();
    harness.run();
    assert_eq!(harness.state().screen(), Screen::Dossiers);
    assert!(has_text(&harness, "Seulement les dossiers financés, sans attestation délivrée."), "{:#?}", harness.root());
    let shown = harness.query_all_by_label_contains("Financé").count();
    assert_eq!(shown, count.min(50), "the list holds the dossiers the line counts");
    // The filter is said, and taken off in one click.
    click(&mut harness, "Retirer ce filtre");
    assert!(!has_text(&harness, "Seulement les dossiers"), "{:#?}", harness.root());
}

#[test]
fn a_rejection_takes_its_reason_from_the_commission_s_list() {
    let (mut harness, number) = app_with_complete_dossier();
    harness.run();
    log_in(&mut harness, "chef", "chef-demo-2026");
    open_dossier(&mut harness, &number);
    click(&mut harness, "Transmettre à la commission");
    choose(&mut harness, "Motif du rejet", "La viabilité économique du projet n'est pas démontrée");
    fill(&mut harness, "Précision", "étude de marché absente");
    click(&mut harness, "Rejeter");
    click(&mut harness, "Confirmer : rejeter");
    let said = "« Rejeté » (chef) — La viabilité économique du projet n'est pas démontrée (étude de marché absente)";
    assert!(has_text(&harness, said), "{:#?}", harness.root());
}

#[test]
fn ticked_financed_dossiers_get_their_certificates_in_one_pdf() {
    let mut harness = demo_app();
    harness.run();
    log_in(&mut harness, "chef", "chef-demo-2026");
    harness.get_by_role_and_label(Role::Button, "Tableau de bord").click();
    harness.run();
    // From today's work: the financed dossiers without a certificate, the whole page ticked.
    let line = "Dossiers financés sans attestation délivrée";
    let Some(item) = harness.query_all_by_label_contains(line).next() else { panic!("{:#?}", harness.root()) };
    item.click();
    harness.run();
    click(&mut harness, "Cocher toute la page");
    let Some(button) = harness.query_all_by_label_contains("Délivrer les attestations (").next() else {
        panic!("{:#?}", harness.root())
    };
    let ticked: usize = button
        .accesskit_node()
        .label()
        .and_then(|l| l.trim_end_matches(')').rsplit('(').next()?.parse().ok())
        .unwrap_or(0);
    assert!(ticked > 0);
    button.click();
    harness.run();
    let written = harness.state().opened().last().cloned().unwrap_or_default();
    assert!(written.to_string_lossy().contains("/attestation"), "{written:?}: {:#?}", harness.root());
    let pdf = ok(std::fs::read(&written));
    let text = String::from_utf8_lossy(&pdf).replace("/Type /", "/Type/");
    let pages = text.matches("/Type/Page").count() - text.matches("/Type/Pages").count();
    assert!(pages >= ticked, "{pages} pages for {ticked} certificates");
    // Again: they all exist now; nothing is issued and the reason is said.
    click(&mut harness, &format!("Délivrer les attestations ({ticked})"));
    assert!(has_text(&harness, "est déjà délivrée et valide"), "{:#?}", harness.root());
}

#[test]
fn a_session_of_the_commission_is_decided_in_one_screen_and_its_minutes_printed() {
    let mut harness = demo_app();
    harness.run();
    log_in(&mut harness, "chef", "chef-demo-2026");
    click(&mut harness, "Commission");
    click(&mut harness, "Nouvelle session…");
    // The day is today's unless changed.
    fill_all(&mut harness, &[("Référence du PV", "PV-GUI-1"), ("Lieu", "Tiznit")]);
    fill(&mut harness, "Membres présents, un par ligne (« Nom, qualité »)", "Le chef du bureau, président");
    click(&mut harness, "Ouvrir la session");
    assert!(has_text(&harness, "Session PV-GUI-1 ouverte"), "{:#?}", harness.root());
    let Some(listed) = harness.query_all_by_label_contains("Ordre du jour : ").next() else {
        panic!("{:#?}", harness.root())
    };
    let listed: usize = listed
        .accesskit_node()
        .value()
        .and_then(|v| v.trim_start_matches("Ordre du jour : ").split(' ').next()?.parse().ok())
        .unwrap_or(0);
    assert!(listed >= 2, "{listed} dossiers on the agenda");

    // The first dossier approved on the HCAR budget, the second rejected with a reason.
    let Some(first) = harness.query_all_by_label("Décision").next() else { panic!("{:#?}", harness.root()) };
    first.click();
    harness.run();
    click(&mut harness, "Approuvé");
    fill(&mut harness, "Budget HCAR", "50 000");
    let Some(second) = harness.query_all_by_label("Décision").nth(1) else { panic!("{:#?}", harness.root()) };
    second.click();
    harness.run();
    click(&mut harness, "Rejeté");
    choose(&mut harness, "Motif", "La viabilité économique du projet n'est pas démontrée");
    click(&mut harness, "Enregistrer les décisions (2)");
    let said = "1 dossier(s) approuvé(s) pour 50\u{a0}000,00\u{a0}DH, 1 rejeté(s), 0 ajourné(s)";
    assert!(has_text(&harness, said), "{:#?}", harness.root());
    // The decided dossiers leave the agenda.
    let left = format!("Ordre du jour : {} dossier(s)", listed - 2);
    assert!(has_text(&harness, &left), "{:#?}", harness.root());

    click(&mut harness, "Imprimer le procès-verbal");
    let written = harness.state().opened().last().cloned().unwrap_or_default();
    assert!(written.to_string_lossy().contains("proces-verbal-PV-GUI-1"), "{written:?}");
    assert!(ok(std::fs::read(&written)).starts_with(b"%PDF-"));
}

#[test]
fn f1_shows_the_guide_for_the_screen_in_use() {
    let mut harness = demo_app();
    harness.run();
    // At the log-in form already.
    harness.key_press(egui::Key::F1);
    harness.run();
    assert!(has_text(&harness, "La connexion") && has(&harness, "Fermer l'aide"), "{:#?}", harness.root());
    log_in(&mut harness, "agent", "agent-demo-2026");
    assert!(
        has_text(&harness, "Le tableau de bord") && has_text(&harness, "le travail du jour"),
        "{:#?}",
        harness.root()
    );
    harness.get_by_role_and_label(Role::Button, "Dossiers").click();
    harness.run();
    assert!(has_text(&harness, "est la liste de travail"), "the help follows the screen: {:#?}", harness.root());
    // The import form has its own part.
    harness.get_by_role_and_label(Role::Button, "Bénéficiaires").click();
    harness.run();
    click(&mut harness, "Importer un tableur…");
    assert!(has_text(&harness, "Tout le fichier est importé, ou rien"), "{:#?}", harness.root());
    harness.get_by_role_and_label(Role::Button, "Dossiers").click();
    harness.run();
    // Another page of the guide, chosen from the list.
    choose(&mut harness, "Page du guide", "La délégation");
    assert!(has_text(&harness, "La session de la commission"), "{:#?}", harness.root());
    click(&mut harness, "Fermer l'aide");
    assert!(!has(&harness, "Fermer l'aide"));
    click(&mut harness, "Aide (F1)");
    assert!(has_text(&harness, "est la liste de travail"), "opened again on the screen's part: {:#?}", harness.root());
}

#[test]
fn at_1024_pixels_the_bar_keeps_its_buttons_and_a_project_form_its_fields() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let crate::delegation::Province { mut tiznit, .. } = crate::delegation::province(&dir.path().join("dp.sqlite"));
    // Changes to deliver: the bar counts them beside its buttons.
    for n in 0..12 {
        let (cin, birth) = (format!("JB3000{n:02}"), format!("03/09/19{:02}", 50 + n));
        crate::common::applicant(&mut tiznit, &cin, "Fatima", "Zahraoui", &birth);
    }
    let mut harness = window_of_size(tiznit.core, false, Screen::Dashboard, [1024.0, 768.0]);
    harness.run();
    log_in(&mut harness, "chef", crate::common::CHEF_PASSWORD);
    assert!(has_text(&harness, "Modifications non livrées"), "{:#?}", harness.root());
    for button in ["Se déconnecter", "Aide (F1)"] {
        let right = harness.get_by_role_and_label(Role::Button, button).rect().max.x;
        assert!(right <= 1024.0, "{button} ends at {right}");
    }
    harness.get_by_role_and_label(Role::Button, "Bénéficiaires").click();
    harness.run();
    assert!(shows_eventually(&mut harness, "JB300000"));
    harness.get_by_label_contains("JB300000").click();
    harness.run();
    let statement = harness.get_by_label("Relevé des données (loi 09-08)").rect();
    click(&mut harness, "Nouveau projet");
    // The button stays in its place, greyed: the next one does not slide under the pointer.
    assert!(harness.get_by_role_and_label(Role::Button, "Nouveau projet").accesskit_node().is_disabled());
    assert_eq!(harness.get_by_label("Relevé des données (loi 09-08)").rect(), statement);
    choose(&mut harness, "Type de projet", "PME");
    for field in ["Nom du projet", "Secteur", "ICE", "Emplois prévus"] {
        let right = harness.get_by_label(field).rect().max.x;
        assert!(right <= 1024.0, "the field {field} ends at {right}, past the window");
    }
}
