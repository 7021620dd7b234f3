//! Every document kind filled with stress data — the longest source labels with their
//! references, co-funding from four sources, names over three lines in both scripts, long project
//! names — is laid out so that no two lines of text overlap, none leaves the page, and every name
//! and amount is printed whole.

use daftar::app::{CertificateSubject, Document, Move, Verdict};
use daftar::documents::canvas::{TextBox, record_layout};
use daftar::domain::Money;
use daftar::domain::commission::Outcome;
use daftar::domain::dossier::Status;
use daftar::domain::funding::{Envelope, FundingSource, Grant, Programme};
use daftar::domain::project::ProjectDraft;

use crate::common::{Office, card, date, draft, office, ok};

const LAST: &str = "Ait Ben Haddou El Idrissi Ouled Sidi Mohammed Amrani";
const FIRST: &str = "Mohammed Amine Abdelkrim Fatima-Zahra";
const LAST_AR: &str = "آيت بن حدو الإدريسي أولاد سيدي محمد العمراني";
const FIRST_AR: &str = "محمد أمين عبد الكريم فاطمة الزهراء";
const HOLDER: &str = "Abdelouahed Ben Mohammed Ait Ouarzazate El Alaoui El Ismaili";
const HOLDER_AR: &str = "عبد الواحد بن محمد آيت ورزازات العلوي الإسماعيلي";
const PROJECT: &str =
    "Coopérative agricole féminine de valorisation de l'huile d'argan et des plantes aromatiques de la vallée";
const PROGRAMME: &str =
    "Convention de partenariat pour la promotion économique et sociale des provinces du Sud du Royaume";
const PROGRAMME_AR: &str = "اتفاقية الشراكة من أجل النهوض الاقتصادي والاجتماعي بأقاليم جنوب المملكة";
const INDH_REF: &str = "CPDH-TIZNIT-2026-0147-PROGRAMME-AMELIORATION-REVENU-JEUNES";
const SESSION: &str = "PV-2026-03-TIZNIT-COMMISSION-PROVINCIALE";
const SECTOR: &str = "Ministère de l'Agriculture, de la Pêche Maritime, du Développement Rural et des Eaux et Forêts";

/// A standalone office with one dossier of the stress data approved on four sources, and a
/// second one transmitted (for the commission list) and a third rejected; returns the numbers.
fn stressed() -> (Office, [String; 3]) {
    let mut o = office(None);
    let mut programme = ok(Programme::validate("AGENCE-SUD", PROGRAMME, PROGRAMME_AR, "convention"));
    programme.set_envelope(Envelope { year: 2026, amount: ok(Money::parse_fr("9 000 000")), target_projects: None });
    ok(o.core.save_programme(&o.chef, &programme));
    let mut person = draft("JB123456", FIRST, LAST, "12/04/1975");
    person.first_name_ar = FIRST_AR.into();
    person.last_name_ar = LAST_AR.into();
    let card =
        daftar::app::CardRef { holder_name: HOLDER.into(), holder_name_ar: HOLDER_AR.into(), ..card("R-123456789") };
    let promoter = ok(o.core.add_applicant(&o.agent, &person, &card, None)).id;
    let members = [
        format!("{HOLDER}, délégué provincial du Haut-Commissariat, président de la commission"),
        format!("{FIRST_AR} {LAST_AR}، ممثل المبادرة الوطنية للتنمية البشرية"),
        format!("{FIRST} {LAST}, représentant de la province"),
        "Khadija Benjelloun, cheffe du bureau local".to_owned(),
        "Rachid El Amrani, représentant de l'Agence du Sud".to_owned(),
    ];
    ok(o.core.open_commission_session(
        &o.chef,
        SESSION,
        "05/03/2026",
        &format!("Tiznit, {PROGRAMME}"),
        &members.join("\n"),
    ));
    let mut numbers = Vec::new();
    for (n, outcome) in ["approuve", "transmis", "rejete"].iter().enumerate() {
        let project = ProjectDraft {
            kind: "cooperative".into(),
            name: format!("{PROJECT} {}", n + 1),
            jobs_total: "12".into(),
            jobs_family: "7".into(),
            ..ProjectDraft::default()
        };
        let project = ok(o.core.add_project(&o.agent, &project, promoter, vec![]));
        let list = ok(daftar::store::reference::checklist(
            o.core.store().conn(),
            ok(daftar::domain::project::ProjectKind::parse("cooperative")),
        ));
        let docs: Vec<String> = list.iter().map(|item| item.code.clone()).collect();
        let requested = Money::parse_fr("1 234 567,89").ok();
        let row = ok(o.core.open_dossier(&o.agent, project, date(2, 2, 2026), requested, &docs));
        for to in [Status::EnInstruction, Status::Complet, Status::Transmis] {
            ok(o.core.move_dossier(&o.chef, row.meta.id, Move::to(to, date(1, 3, 2026))));
        }
        let outcome = match *outcome {
            "approuve" => Outcome::Approve(vec![
                Grant { source: FundingSource::HcarBudget, amount: ok(Money::parse_fr("1 100 000,50")) },
                Grant {
                    source: FundingSource::Indh { committee_ref: INDH_REF.into() },
                    amount: ok(Money::parse_fr("57 000")),
                },
                Grant {
                    source: FundingSource::Convention { programme_code: "AGENCE-SUD".into() },
                    amount: ok(Money::parse_fr("999 999,99")),
                },
                Grant {
                    source: FundingSource::OtherSector { name: SECTOR.into() },
                    amount: ok(Money::parse_fr("77 500")),
                },
            ]),
            "rejete" => Outcome::Reject(
                "viabilite: l'étude de faisabilité jointe ne chiffre ni les charges ni le marché local de l'activité"
                    .into(),
            ),
            _ => {
                numbers.push(row.value.number.to_string());
                continue;
            }
        };
        let verdict = Verdict::on(&row.value.number.to_string(), outcome);
        ok(o.core.record_session(&o.chef, SESSION, &[verdict], None));
        numbers.push(row.value.number.to_string());
    }
    let numbers: [String; 3] = numbers.try_into().unwrap_or_else(|_| panic!("three dossiers"));
    (o, numbers)
}

/// What is wrong with the lines of one document: overlaps, lines off the page, a page that
/// holds nothing but a signature block.
fn problems(kind: &str, boxes: &[TextBox]) -> Vec<String> {
    let mut found = Vec::new();
    let pages = boxes.iter().map(|b| b.page).max().unwrap_or(1);
    for page in 2..=pages {
        let body = boxes.iter().filter(|b| b.page == page && b.top < 282.0).count();
        if body <= 4 {
            found.push(format!("{kind}: page {page} holds only {body} lines (a signature left alone?)"));
        }
    }
    for (i, a) in boxes.iter().enumerate() {
        if a.left < 5.0 || a.right > 205.0 || a.top < 5.0 || a.bottom > 295.0 {
            found.push(format!(
                "{kind}: « {} » leaves the page ({:.1}, {:.1})–({:.1}, {:.1})",
                a.text, a.left, a.top, a.right, a.bottom
            ));
        }
        // The footer's rule is at 282 mm: the text stays above it, the footer below it.
        if a.top < 282.0 && a.bottom > 281.5 {
            found.push(format!("{kind}: « {} » runs into the footer ({:.1}–{:.1})", a.text, a.top, a.bottom));
        }
        for b in &boxes[i + 1..] {
            if a.overlaps(b) {
                found.push(format!("{kind}: « {} » overlaps « {} » on page {}", a.text, b.text, a.page));
            }
        }
    }
    found
}

/// Whether `whole` is printed whole: in one line, or across the lines it wrapped onto (spaces,
/// line breaks and direction isolates aside).
fn printed_whole(boxes: &[TextBox], whole: &str) -> bool {
    let bare = |s: &str| -> String {
        s.chars().filter(|c| !c.is_whitespace() && !matches!(c, '\u{2068}' | '\u{2069}')).collect()
    };
    let joined: String = boxes.iter().map(|b| bare(&b.text)).collect();
    joined.contains(&bare(whole))
}

#[test]
fn no_document_overprints_cuts_or_leaves_the_page() {
    let (mut o, [approved, transmitted, rejected]) = stressed();
    let mut documents: Vec<(String, Vec<TextBox>)> = Vec::new();
    // DAFTAR_LAYOUT_OUT=DIR keeps the PDFs, to look at them (docs/documents/render.sh does).
    let out = std::env::var_os("DAFTAR_LAYOUT_OUT").map(std::path::PathBuf::from);
    let mut record = |kind: &str, draw: &mut dyn FnMut() -> Vec<u8>| {
        let (pdf, boxes) = record_layout(draw);
        assert!(pdf.starts_with(b"%PDF-"), "{kind}");
        if let Some(dir) = &out {
            let plain = |c: char| match c {
                'é' | 'è' | 'ê' => 'e',
                'à' => 'a',
                c if c.is_ascii_alphanumeric() => c,
                _ => '-',
            };
            let name: String = kind.chars().map(plain).collect();
            ok(std::fs::write(dir.join(format!("{name}.pdf")), &pdf));
        }
        assert!(!boxes.is_empty(), "{kind}: nothing recorded");
        documents.push((kind.to_owned(), boxes));
    };
    let chef = ok(o.core.login("chef", crate::common::CHEF_PASSWORD));
    record("attestation", &mut || {
        ok(o.core.issue_certificate(&chef, &CertificateSubject::Dossier(approved.clone()))).1
    });
    let number = ok(o.core.certificates(&chef, 10))[0].value.number.clone();
    record("duplicata", &mut || ok(o.core.reprint_certificate(&chef, &number)));
    record("attestation d'ayant droit", &mut || {
        ok(o.core.issue_certificate(&chef, &CertificateSubject::Applicant("JB123456".into()))).1
    });
    for (kind, document) in [
        ("récépissé", Document::Receipt(approved.clone())),
        ("fiche", Document::Sheet(approved.clone())),
        ("notification d'approbation", Document::DecisionNotice(approved.clone())),
        ("notification de rejet", Document::DecisionNotice(rejected.clone())),
        ("liste de la commission", Document::CommissionList),
        ("relevé des données", Document::DataStatement("JB123456".into())),
        ("récépissés en lot", Document::Receipts(vec![approved.clone(), transmitted.clone()])),
        ("notifications en lot", Document::DecisionNotices(vec![approved.clone(), rejected.clone()])),
        ("rapport de conservation", Document::RetentionReport),
        ("notifications de la session", Document::SessionNotices(SESSION.into())),
    ] {
        record(kind, &mut || ok(o.core.document_pdf(&chef, &document)));
    }
    let note = format!("complement: {PROJECT} — attestation bancaire et devis des équipements à fournir");
    let adjourned = Verdict::on(&transmitted, Outcome::Adjourn(note));
    ok(o.core.record_session(&chef, SESSION, &[adjourned], None));
    record("procès-verbal", &mut || ok(o.core.document_pdf(&chef, &Document::SessionMinutes(SESSION.into()))));
    record("bilan", &mut || {
        ok(o.core.bilan_file(
            &chef,
            date(1, 1, 2026),
            date(31, 12, 2026),
            None,
            daftar::documents::bilan_files::BilanFormat::Pdf,
        ))
    });

    record("rapport annuel", &mut || {
        ok(o.core.annual_report_file(&chef, 2026, daftar::documents::bilan_files::BilanFormat::Pdf))
    });

    // The bordereau, once the office is linked to its delegation and writes its stick.
    let dir = ok(tempfile::tempdir());
    let (mut dp, dp_admin) = crate::sync::delegation_at(&dir.path().join("dp.sqlite"), 11, "DP-TIZNIT");
    crate::sync::link(&mut o, &mut dp, &dp_admin);
    let chef = ok(o.core.login("chef", crate::common::CHEF_PASSWORD));
    let report = ok(o.core.export_bundle(&chef, &dir.path().join("cle"), None)).unwrap_or_else(|| panic!("nothing"));
    record("bordereau", &mut || ok(o.core.transmittal_pdf(&chef, &report)));

    let mut found = Vec::new();
    for (kind, boxes) in &documents {
        found.extend(problems(kind, boxes));
    }
    // The names and amounts each document states, whole.
    let names = [LAST, FIRST, LAST_AR, FIRST_AR];
    let wanted: Vec<(&str, Vec<&str>)> = vec![
        ("attestation", [&names[..], &["AGENCE-SUD", INDH_REF, SECTOR, "1 100 000,50", "999 999,99"]].concat()),
        ("duplicata", [&names[..], &["AGENCE-SUD", INDH_REF, SECTOR]].concat()),
        ("attestation d'ayant droit", [&names[..], &[HOLDER, HOLDER_AR]].concat()),
        ("récépissé", [&names[..], &[PROJECT]].concat()),
        ("fiche", [&names[..], &[PROJECT]].concat()),
        ("notification d'approbation", [&names[..], &[PROJECT, "AGENCE-SUD", INDH_REF, SECTOR]].concat()),
        // The reason of the commission's list, in both languages, with its precision.
        (
            "notification de rejet",
            [
                &names[..],
                &[
                    PROJECT,
                    "La viabilité économique du projet n'est pas démontrée",
                    "الجدوى الاقتصادية للمشروع غير مثبتة",
                    "ne chiffre ni les charges ni le marché local",
                ],
            ]
            .concat(),
        ),
        ("liste de la commission", vec![LAST, PROJECT]),
        ("relevé des données", names.to_vec()),
        (
            "procès-verbal",
            [
                &names[..],
                &[SESSION, HOLDER, PROJECT, INDH_REF, SECTOR, "1 100 000,50", "999 999,99", "attestation bancaire"],
            ]
            .concat(),
        ),
    ];
    for (kind, parts) in wanted {
        let Some((_, boxes)) = documents.iter().find(|(k, _)| k == kind) else { panic!("{kind}") };
        for part in parts {
            if !printed_whole(boxes, part) {
                found.push(format!("{kind}: « {part} » is not printed whole"));
            }
        }
    }
    assert!(found.is_empty(), "{} problems:\n{}", found.len(), found.join("\n"));
}
