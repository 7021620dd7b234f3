//! Documents and the certificate register: issuing, numbering, reprints, revocation, offline
//! verification, and PDFs whose bytes depend only on their content.

use daftar::app::{AppError, CertificateSubject, Move};
use daftar::documents::bilan_files::BilanFormat;
use daftar::domain::Money;
use daftar::domain::certificate::Verdict;
use daftar::domain::dossier::Status;
use daftar::domain::funding::{FundingSource, Grant};
use daftar::domain::project::ProjectDraft;
use uuid::Uuid;

use crate::common::{Office, applicant, date, office, ok};

/// An approved dossier co-funded by the HCAR budget and INDH; returns its number.
pub fn approved_dossier(o: &mut Office) -> String {
    let grants = [
        Grant { source: FundingSource::HcarBudget, amount: ok(Money::parse_fr("1 000")) },
        Grant { source: FundingSource::Indh { committee_ref: "CPDH-7".into() }, amount: ok(Money::parse_fr("250")) },
    ];
    approved(o, ("JB123456", "Youssef", "El Alaoui", "12/04/1975"), "Couture Tiznit", &grants, Some("PV-3"))
}

/// A complete dossier of a new applicant (`cin`, first, last name, birth date) for an
/// individual project, transmitted and approved with `grants`; returns its number.
fn approved(
    o: &mut Office,
    person: (&str, &str, &str, &str),
    project: &str,
    grants: &[Grant],
    pv: Option<&str>,
) -> String {
    let (cin, first, last, born) = person;
    let promoter = applicant(o, cin, first, last, born);
    approved_project_of(o, promoter, project, grants, pv)
}

/// An individual project of `promoter` with every piece, approved with `grants`; returns its
/// dossier's number.
fn approved_project_of(o: &mut Office, promoter: Uuid, project: &str, grants: &[Grant], pv: Option<&str>) -> String {
    let draft = ProjectDraft {
        kind: "projet-individuel".into(),
        name: project.into(),
        jobs_total: "2".into(),
        jobs_family: "1".into(),
        ..ProjectDraft::default()
    };
    let project = ok(o.core.add_project(&o.agent, &draft, promoter, vec![]));
    let docs: Vec<String> = ["demande", "cin", "qualite", "naissance", "fiche", "devis"].map(String::from).to_vec();
    let row = ok(o.core.open_dossier(&o.agent, project, date(2, 2, 2026), None, &docs));
    let id = row.meta.id;
    for to in [Status::EnInstruction, Status::Complet, Status::Transmis] {
        ok(o.core.move_dossier(&o.chef, id, Move::to(to, date(1, 3, 2026))));
    }
    ok(o.core.move_dossier(&o.chef, id, Move::to(Status::Approuve, date(5, 3, 2026)).granting(grants, pv)));
    row.value.number.to_string()
}

#[test]
fn a_head_of_office_issues_numbered_signed_certificates_that_verify() {
    let mut o = office(None);
    let number = approved_dossier(&mut o);
    let subject = CertificateSubject::Dossier(number.clone());
    assert!(matches!(o.core.issue_certificate(&o.agent, &subject), Err(AppError::Refused(_))), "a clerk does not sign");
    let (first, pdf) = ok(o.core.issue_certificate(&o.chef, &subject));
    assert!(pdf.starts_with(b"%PDF-"));
    assert_eq!(first.value.number, "BL-TIZNIT-ATT-2026-00001");
    assert_eq!(first.value.facts.total(), ok(Money::parse_fr("1 250")));
    assert_eq!(first.value.facts.grants.len(), 2);
    let (second, _) = ok(o.core.issue_certificate(&o.chef, &CertificateSubject::Applicant("JB123456".into())));
    assert_eq!(second.value.number, "BL-TIZNIT-ATT-2026-00002", "one sequence per office and year");
    assert_eq!(second.value.facts.relationship_fr, "Fils");
    match ok(o.core.verify_certificate(&first.value.payload)) {
        Verdict::Authentic { summary, in_register } => {
            assert!(in_register);
            assert_eq!(summary.cin, "JB123456");
            assert_eq!(summary.total, ok(Money::parse_fr("1 250")));
        }
        other => panic!("{other}"),
    }
    // One changed character: the signature no longer matches.
    let altered = first.value.payload.replace("|125000|", "|925000|");
    assert!(matches!(ok(o.core.verify_certificate(&altered)), Verdict::Altered { .. }));
    assert!(o.core.verify_certificate("n'importe quoi").is_err());
}

#[test]
fn a_reprint_is_a_duplicate_and_a_revoked_certificate_says_so() {
    let mut o = office(None);
    let number = approved_dossier(&mut o);
    let (cert, original) = ok(o.core.issue_certificate(&o.chef, &CertificateSubject::Dossier(number)));
    let n = cert.value.number.clone();
    let twice = o.core.issue_certificate(
        &o.chef,
        &CertificateSubject::Dossier(cert.value.facts.dossier_number.clone().unwrap_or_default()),
    );
    assert!(twice.err().is_some_and(|e| e.to_string().contains("déjà délivrée")), "one valid original per dossier");
    let duplicate = ok(o.core.reprint_certificate(&o.chef, &n));
    assert_ne!(duplicate, original, "the duplicate carries its mention");
    assert_eq!(ok(o.core.certificate(&o.chef, &n)).value.reprints.len(), 1);
    assert!(o.core.revoke_certificate(&o.chef, &n, "  ").is_err(), "a revocation needs a reason");
    ok(o.core.revoke_certificate(&o.chef, &n, "Montant erroné"));
    match ok(o.core.verify_certificate(&cert.value.payload)) {
        Verdict::Revoked { revocation, .. } => assert_eq!(revocation.reason, "Montant erroné"),
        other => panic!("{other}"),
    }
    assert!(ok(o.core.verify_certificate(&cert.value.payload)).to_string().starts_with("RÉVOQUÉE"));
    assert!(o.core.reprint_certificate(&o.chef, &n).is_err(), "a revoked certificate is not reprinted");
    assert!(o.core.revoke_certificate(&o.chef, &n, "encore").is_err());
}

#[test]
fn another_installation_does_not_know_the_issuer() {
    let mut issuing = office(None);
    let number = approved_dossier(&mut issuing);
    let (cert, _) = ok(issuing.core.issue_certificate(&issuing.chef, &CertificateSubject::Dossier(number)));
    // Same site code, other keys: a forged office cannot pass for the real one.
    let other = crate::common::office_seeded(None, 99);
    assert!(matches!(ok(other.core.verify_certificate(&cert.value.payload)), Verdict::Altered { .. }));
    let foreign = cert.value.payload.replace("|BL-TIZNIT|", "|BL-AGADIR|");
    assert!(matches!(ok(other.core.verify_certificate(&foreign)), Verdict::UnknownIssuer { .. }));
}

#[test]
fn certificates_need_an_approved_dossier_or_an_entitled_person() {
    let mut o = office(None);
    let promoter = applicant(&mut o, "JB123456", "Youssef", "El Alaoui", "12/04/1975");
    let draft = ProjectDraft { kind: "projet-individuel".into(), name: "Couture".into(), ..ProjectDraft::default() };
    let project = ok(o.core.add_project(&o.agent, &draft, promoter, vec![]));
    let row = ok(o.core.open_dossier(&o.agent, project, date(2, 2, 2026), None, &[]));
    let err = o.core.issue_certificate(&o.chef, &CertificateSubject::Dossier(row.value.number.to_string()));
    assert!(err.err().is_some_and(|e| e.to_string().contains("suit l'approbation")));
    assert!(o.core.issue_certificate(&o.chef, &CertificateSubject::Applicant("ZZ999999".into())).is_err());
    assert_eq!(crate::common::count(&o.core, "certificates"), 0, "a refusal writes nothing");
}

#[test]
fn documents_depend_only_on_their_content() {
    let mut o = office(None);
    let number = approved_dossier(&mut o);
    let (cert, first) = ok(o.core.issue_certificate(&o.chef, &CertificateSubject::Dossier(number.clone())));
    let again = ok(o.core.certificate_pdf(&o.chef, &cert.value, false));
    assert_eq!(first, again, "same certificate, same bytes");
    assert_eq!(ok(o.core.receipt_pdf(&o.agent, &number)), ok(o.core.receipt_pdf(&o.agent, &number)));
    let sheet = ok(o.core.dossier_sheet_pdf(&o.agent, &number));
    assert_eq!(sheet, ok(o.core.dossier_sheet_pdf(&o.agent, &number)));
    let notice = ok(o.core.decision_notice_pdf(&o.agent, &number));
    assert!(notice.len() > 10_000 && notice.len() < 200_000, "{} bytes: fonts are subset", notice.len());
    for pdf in [&first, &sheet, &notice] {
        // Creation dates are fixed: nothing of the clock or of a random source leaks in.
        let text = String::from_utf8_lossy(pdf);
        assert!(text.contains("/Producer"), "metadata present");
        assert!(!text.contains("/CreationDate (D:2026"), "no wall-clock date");
    }
}

#[test]
fn the_commission_list_is_printed_where_the_commission_decides() {
    let o = office(None);
    // Nothing transmitted waits: the list is empty but printable.
    assert!(ok(o.core.commission_list_pdf(&o.chef)).starts_with(b"%PDF-"));
    assert!(matches!(o.core.commission_list_pdf(&o.agent), Err(AppError::Refused(_))));
    let under = office(Some("DP-TIZNIT"));
    let refused = under.core.commission_list_pdf(&under.chef).err().map(|e| e.to_string()).unwrap_or_default();
    assert!(refused.contains("commission de la délégation"), "{refused}");
}

#[test]
fn the_bilan_counts_by_the_dates_it_states() {
    let mut o = office(None);
    let number = approved_dossier(&mut o);
    let id = ok(o.core.dossier_by_number(&o.chef, &number)).meta.id;
    let line = ok(o.core.dossier_view(&o.chef, id)).funding[0].0.meta.id;
    ok(o.core.disburse(&o.chef, line, ok(Money::parse_fr("400")), date(10, 3, 2026), "OV-1"));
    ok(o.core.disburse(&o.chef, line, ok(Money::parse_fr("100")), date(10, 7, 2026), "OV-2"));
    let figures = |from, to| ok(o.core.bilan(&o.agent, from, to, None));
    let first_half = figures(date(1, 1, 2026), date(30, 6, 2026));
    assert_eq!(first_half.value("dossiers_deposes.projet_individuel"), 1);
    assert_eq!(first_half.value("projets_finances.projet_individuel"), 1, "first payment in March");
    assert_eq!(first_half.value("dh_decaisses.hcar"), 40_000, "only what was paid in the period");
    assert_eq!(first_half.value("dh_decaisses.total"), 40_000);
    let jobs = (first_half.value("emplois_prevus.total"), first_half.value("emplois_prevus.famille"));
    assert_eq!(jobs, (2, 1));
    let second_half = figures(date(1, 7, 2026), date(31, 12, 2026));
    assert_eq!(second_half.value("projets_finances.total"), 0, "financed once, in the period of its first payment");
    assert_eq!(second_half.value("projets_finances_cumul.projet_individuel"), 1);
    assert_eq!(second_half.value("dh_decaisses.hcar"), 10_000);
    // Budget years: the 2026 commitments count for any period within 2026.
    assert_eq!((second_half.value("dh_engages.hcar"), second_half.value("dh_engages.indh")), (100_000, 25_000));
    let pdf = ok(o.core.bilan_file(&o.agent, date(1, 1, 2026), date(31, 12, 2026), None, BilanFormat::Pdf));
    assert!(pdf.starts_with(b"%PDF-"));
    let backwards = o.core.bilan_file(&o.agent, date(31, 12, 2026), date(1, 1, 2026), None, BilanFormat::Pdf);
    assert!(backwards.is_err(), "a period runs forward");
}

#[test]
fn a_persons_data_statement_is_printed_and_audited() {
    let mut o = office(None);
    let id = applicant(&mut o, "JB123456", "Youssef", "El Alaoui", "12/04/1975");
    let mut moved = crate::common::draft("JB123456", "Youssef", "El Alaoui", "12/04/1975");
    moved.address = "12 rue Hassan II".into();
    ok(o.core.edit_applicant(&o.agent, id, &moved, None));
    let pdf = ok(o.core.data_statement_pdf(&o.agent, "jb123456"));
    assert!(pdf.starts_with(b"%PDF-"));
    let printed: i64 = ok(o.core.store().conn().query_row(
        "SELECT count(*) FROM audit_log WHERE action = 'person.statement' AND actor = 'agent'",
        [],
        |r| r.get(0),
    ));
    assert_eq!(printed, 1, "printing someone's data is itself recorded");
    let history = ok(daftar::store::audit::history_of(o.core.store().conn(), &id.to_string()));
    assert_eq!(
        history.iter().map(|(_, _, action)| action.as_str()).collect::<Vec<_>>(),
        ["applicant.create", "applicant.update"]
    );
    assert!(o.core.data_statement_pdf(&o.agent, "ZZ999999").is_err(), "an unknown CIN says so");
}

/// How many pages a PDF has.
fn pages(pdf: &[u8]) -> usize {
    let text = String::from_utf8_lossy(pdf).replace("/Type /", "/Type/");
    text.matches("/Type/Page").count() - text.matches("/Type/Pages").count()
}

#[test]
fn the_documents_of_ticked_dossiers_print_as_one_pdf_with_one_set_of_fonts() {
    let mut o = office(None);
    let decided = approved_dossier(&mut o);
    let promoter = applicant(&mut o, "JB223344", "Fatima", "Zahra", "02/03/1980");
    let draft = ProjectDraft {
        kind: "projet-individuel".into(),
        name: "Épicerie".into(),
        jobs_total: "1".into(),
        jobs_family: "1".into(),
        ..ProjectDraft::default()
    };
    let project = ok(o.core.add_project(&o.agent, &draft, promoter, vec![]));
    let waiting = ok(o.core.open_dossier(&o.agent, project, date(3, 2, 2026), None, &[])).value.number.to_string();
    let both = [decided.clone(), waiting.clone()];
    let receipts = ok(o.core.receipts_pdf(&o.agent, &both));
    assert_eq!(pages(&receipts), 2);
    let single = ok(o.core.receipt_pdf(&o.agent, &decided));
    let fonts = |pdf: &[u8]| pdf.windows(10).filter(|w| *w == b"/FontFile2").count();
    assert_eq!(fonts(&receipts), fonts(&single), "each font embedded once for the whole batch");
    // Notifications: all or nothing, naming the dossier that has no decision yet.
    let refused = o.core.decision_notices_pdf(&o.agent, &both).err().map(|e| e.to_string()).unwrap_or_default();
    assert!(refused.contains(&waiting) && refused.contains("Rien n'a été imprimé"), "{refused}");
    assert_eq!(pages(&ok(o.core.decision_notices_pdf(&o.agent, &[decided]))), 1);
    assert!(o.core.receipts_pdf(&o.agent, &[]).is_err(), "nothing ticked, nothing printed");
}

/// A second approved dossier, of Fatima Zahra (HCAR only); returns its number.
fn second_approved(o: &mut Office) -> String {
    let grants = [Grant { source: FundingSource::HcarBudget, amount: ok(Money::parse_fr("3 000")) }];
    approved(o, ("JB223344", "Fatima", "Zahra", "02/03/1980"), "Épicerie", &grants, None)
}

#[test]
fn certificates_are_issued_in_a_batch_all_or_none_in_one_pdf() {
    let mut o = office(None);
    let first = approved_dossier(&mut o);
    let second = second_approved(&mut o);
    let subjects = [
        CertificateSubject::Dossier(first.clone()),
        CertificateSubject::Dossier(second.clone()),
        CertificateSubject::Applicant("JB123456".into()),
    ];
    // One already issued: nothing of the batch is issued nor numbered, and the message says which.
    let (alone, _) = ok(o.core.issue_certificate(&o.chef, &CertificateSubject::Dossier(second.clone())));
    let refused = o.core.issue_certificates(&o.chef, &subjects).err().map(|e| e.to_string()).unwrap_or_default();
    assert!(refused.contains("Aucune attestation") && refused.contains(&alone.value.number), "{refused}");
    let count = |o: &Office| ok(o.core.certificates(&o.chef, 100)).len();
    assert_eq!(count(&o), 1);
    ok(o.core.revoke_certificate(&o.chef, &alone.value.number, "Réémise avec les autres"));
    // The same subject twice is refused too.
    let twice = [CertificateSubject::Dossier(first.clone()), CertificateSubject::Dossier(first.clone())];
    let refused = o.core.issue_certificates(&o.chef, &twice).err().map(|e| e.to_string()).unwrap_or_default();
    assert!(refused.contains("demandé deux fois"), "{refused}");
    // Then the three together: numbered in order, one PDF, one page each, each font once.
    let (rows, pdf) = ok(o.core.issue_certificates(&o.chef, &subjects));
    if let Some(dir) = std::env::var_os("DAFTAR_LAYOUT_OUT") {
        ok(std::fs::write(std::path::Path::new(&dir).join("lot-attestations.pdf"), &pdf));
    }
    let numbers: Vec<&str> = rows.iter().map(|r| r.value.number.as_str()).collect();
    assert_eq!(numbers, ["BL-TIZNIT-ATT-2026-00002", "BL-TIZNIT-ATT-2026-00003", "BL-TIZNIT-ATT-2026-00004"]);
    assert_eq!(pages(&pdf), 3);
    let (_, single) = (0, ok(o.core.reprint_certificate(&o.chef, numbers[0])));
    let fonts = |pdf: &[u8]| pdf.windows(10).filter(|w| *w == b"/FontFile2").count();
    assert!(fonts(&pdf) <= 4 && fonts(&pdf) >= fonts(&single), "each face embedded once: {}", fonts(&pdf));
    for row in &rows {
        assert!(matches!(ok(o.core.verify_certificate(&row.value.payload)), Verdict::Authentic { .. }));
    }
}

#[test]
fn a_widow_s_duplicate_certificate_holds_on_one_page() {
    // The longest common case: a widow (her statement names her late husband), a duplicate (its
    // mark takes a line), co-funded by two sources.
    let mut o = office(None);
    let mut person = crate::common::draft("JB556677", "Khadija", "Ait Ouarzazate El Idrissi", "28/06/1935");
    (person.sex, person.relationship) = ("F".into(), "veuve".into());
    let card =
        daftar::app::CardRef { holder_name: "Mohammed Ait Ouarzazate El Idrissi".into(), ..crate::common::card("R-9") };
    let promoter = ok(o.core.add_applicant(&o.agent, &person, &card, None)).id;
    let grants = [
        Grant { source: FundingSource::HcarBudget, amount: ok(Money::parse_fr("23 500")) },
        Grant {
            source: FundingSource::Indh { committee_ref: "CPDH-TIZ-2026-07".into() },
            amount: ok(Money::parse_fr("8 000")),
        },
    ];
    let number = approved_project_of(&mut o, promoter, "Projet individuel Élevage caprin Aglou", &grants, None);
    let (row, original) = ok(o.core.issue_certificate(&o.chef, &CertificateSubject::Dossier(number)));
    let duplicate = ok(o.core.reprint_certificate(&o.chef, &row.value.number));
    if let Some(dir) = std::env::var_os("DAFTAR_LAYOUT_OUT") {
        ok(std::fs::write(std::path::Path::new(&dir).join("duplicata-veuve.pdf"), &duplicate));
    }
    assert_eq!((pages(&original), pages(&duplicate)), (1, 1));
}

#[test]
fn a_certificate_needs_every_name_in_both_scripts() {
    let mut o = office(None);
    // A son registered with his name in Latin script only, under a card whose holder has no
    // Arabic name either.
    let mut person = crate::common::draft("JB765432", "Karim", "Bennani", "01/01/1980");
    person.first_name_ar.clear();
    person.last_name_ar.clear();
    let card = daftar::app::CardRef { holder_name_ar: String::new(), ..crate::common::card("R-77") };
    ok(o.core.add_applicant(&o.agent, &person, &card, None));
    let refused = o.core.issue_certificate(&o.chef, &CertificateSubject::Applicant("JB765432".into())).err();
    let refused = refused.map(|e| e.to_string()).unwrap_or_default();
    for missing in ["son nom en arabe", "le nom du résistant en arabe", "Bénéficiaires"] {
        assert!(refused.contains(missing), "{missing}: {refused}");
    }
    assert_eq!(ok(o.core.certificates(&o.chef, 10)).len(), 0, "nothing numbered");
}
