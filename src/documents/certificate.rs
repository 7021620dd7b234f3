//! The two certificates: *attestation de bénéficiaire* and *attestation d'ayant droit*. Arabic
//! first, French second, amounts in figures and in words, a QR code with the signed summary.

use chrono::NaiveDate;

use super::canvas::{Align, Canvas, PAGE_WIDTH, Style};
use super::letterhead::{self, Issuer, MARGIN};
use super::text::isolate;
use crate::domain::certificate::{CertificateFacts, CertificateKind};
use crate::domain::dates::{format_date_fr, long_date_ar, long_date_fr};
use crate::domain::print::PrintMargins;

/// A certificate ready to print.
#[derive(Debug, Clone)]
pub struct CertificateDocument<'a> {
    /// Its number.
    pub number: &'a str,
    /// Date of issue.
    pub issued_on: NaiveDate,
    /// What it states.
    pub facts: &'a CertificateFacts,
    /// The site.
    pub issuer: &'a Issuer,
    /// The QR code's text.
    pub payload: &'a str,
    /// The content hash (printed in the footer).
    pub content_hash: &'a str,
    /// A reprint: marked DUPLICATA.
    pub duplicate: bool,
}

/// The Arabic and French statements.
fn statements(f: &CertificateFacts) -> (String, String) {
    let (mr, ne, titular) = if f.female { ("Mme", "née", "titulaire") } else { ("M.", "né", "titulaire") };
    let (sayed, hamil, mazdad) = if f.female {
        ("السيدة", "الحاملة", "المزدادة")
    } else {
        ("السيد", "الحامل", "المزداد")
    };
    let himself = f.relationship_fr == crate::domain::applicant::Relationship::Himself.label_fr();
    let card_fr = format!("titulaire de la carte d'ancien résistant n° {}", f.card_number);
    let card_ar = format!("صاحب بطاقة المقاوم رقم {}", isolate(&f.card_number));
    let (link_fr, link_ar) = if himself {
        (card_fr, card_ar)
    } else {
        (
            format!("{} de {}, {card_fr}", f.relationship_fr.to_lowercase(), f.card_holder),
            format!("{} المقاوم {}، {card_ar}", f.relationship_ar, f.card_holder_ar),
        )
    };
    let who_fr = format!(
        "{mr} {}, {titular} de la CIN n° {}, {ne} le {}, {link_fr}",
        f.name,
        f.cin,
        format_date_fr(f.birth_date)
    );
    let who_ar = format!(
        "{sayed} {}، {hamil} لبطاقة التعريف الوطنية رقم {}، {mazdad} في {}، {link_ar}",
        if f.name_ar.is_empty() { isolate(&f.name) } else { f.name_ar.clone() },
        isolate(&f.cin),
        long_date_ar(f.birth_date)
    );
    match f.kind {
        CertificateKind::Beneficiary => {
            let project = f.project.clone().unwrap_or_default();
            let year = f.year.map(|y| y.to_string()).unwrap_or_default();
            let dossier = f.dossier_number.clone().unwrap_or_default();
            (
                format!(
                    "تشهد المندوبية السامية لقدماء المقاومين وأعضاء جيش التحرير أن {who_ar}، قد استفاد{} من دعم مالي لمشروع «{}» ({}) برسم سنة {}، موضوع الملف رقم {}، كما يلي:",
                    if f.female { "ت" } else { "" },
                    isolate(&project),
                    f.project_kind_ar.clone().unwrap_or_default(),
                    isolate(&year),
                    isolate(&dossier)
                ),
                format!(
                    "Le Haut-Commissariat aux Anciens Résistants et Anciens Membres de l'Armée de Libération atteste que {who_fr}, a bénéficié d'un soutien financier pour le projet «\u{a0}{project}\u{a0}» ({}) au titre de l'année {year}, dossier n° {dossier}, comme suit :",
                    super::text::in_sentence(f.project_kind_fr.as_deref().unwrap_or_default())
                ),
            )
        }
        CertificateKind::Entitlement => (
            format!(
                "تشهد المندوبية السامية لقدماء المقاومين وأعضاء جيش التحرير أن {who_ar}، من ذوي الحقوق بهذه الصفة."
            ),
            format!(
                "Le Haut-Commissariat aux Anciens Résistants et Anciens Membres de l'Armée de Libération atteste que {who_fr}, a, à ce titre, la qualité d'ayant droit."
            ),
        ),
    }
}

/// The certificate as PDF bytes.
pub fn render(doc: &CertificateDocument<'_>, shift: PrintMargins) -> Result<Vec<u8>, String> {
    let mut c = Canvas::new(&format!("{} {}", doc.facts.kind.title_fr(), doc.number), shift);
    c.set_date(doc.issued_on);
    draw(&mut c, doc)?;
    Ok(c.finish())
}

/// Certificates printed together: one PDF, each on its own pages, the fonts embedded once.
pub fn render_all(docs: &[CertificateDocument<'_>], shift: PrintMargins) -> Result<Vec<u8>, String> {
    let mut c = Canvas::new(&format!("Attestations ({})", docs.len()), shift);
    if let Some(first) = docs.first() {
        c.set_date(first.issued_on);
    }
    c.batch(docs, draw)?;
    Ok(c.finish())
}

/// Draws one certificate from the current page on (it may take two).
fn draw(c: &mut Canvas, doc: &CertificateDocument<'_>) -> Result<(), String> {
    let first_page = c.page_count();
    let f = doc.facts;
    let mut y = letterhead::letterhead(c, doc.issuer);
    y = letterhead::both(c, y + 2.0, &format!("N° {}", doc.number), &format!("رقم: {}", isolate(doc.number)), 10.0);
    letterhead::both(
        c,
        y,
        &format!("{}, le {}", doc.issuer.town_fr, long_date_fr(doc.issued_on)),
        &format!("حرر ب{} في {}", doc.issuer.town_ar, long_date_ar(doc.issued_on)),
        10.0,
    );
    y = letterhead::title(c, y + 6.0, f.kind.title_ar(), f.kind.title_fr());
    if doc.duplicate {
        c.rect(PAGE_WIDTH / 2.0 - 30.0, y - 3.0, 60.0, 9.0, None);
        c.line(PAGE_WIDTH / 2.0, y + 3.5, Align::Center, "DUPLICATA — نظير", Style::ar(12.0).bold().grey(0.3));
        y += 11.0;
    }
    let (ar, fr) = statements(f);
    y = letterhead::paragraphs(c, y + 4.0, &ar, &fr, 11.5);
    if f.kind == CertificateKind::Beneficiary {
        y = grants_table(c, y + 2.0, f);
    }
    // The closing, the signature and the QR code go together: on the next page when the
    // statement and the grants leave no room for them on this one.
    let continued = y + 4.0 + CLOSING > LATEST_BLOCK;
    if continued {
        c.new_page();
        y = letterhead::CONTINUED;
    }
    let closing_ar = "سلمت هذه الشهادة للمعني(ة) بالأمر بطلب منه(ا) للإدلاء بها عند الحاجة.";
    y = letterhead::paragraphs(c, y + 4.0, closing_ar, "Pour servir et valoir ce que de droit.", 11.0);
    let issuer = doc.issuer;
    let block = if continued { y } else { y.max(LAST_BLOCK) };
    // Side by side: the QR code, how to check it, and the signature with room for the stamp
    // under it (stacked, they pushed a widow's duplicate onto a second page).
    letterhead::qr_code(c, MARGIN, block + 2.0, QR_SIZE, doc.payload)?;
    letterhead::signature_block(c, block + 6.0, &issuer.function_ar, &issuer.function_fr, &f.signatory);
    let how_ar = "للتحقق من صحة هذه الشهادة: يُمسح الرمز لدى أي مكتب محلي أو مندوبية تابعة للمندوبية السامية.";
    let how_fr = "Pour vérifier cette attestation : faire scanner le code dans tout bureau local ou délégation du Haut-Commissariat.";
    let (left, width) = (MARGIN + QR_SIZE + 2.0, HOW_WIDTH);
    let below = c.paragraph(left, block + 8.0, width, Align::Right, how_ar, Style::ar(8.0).grey(0.3));
    c.paragraph(left, below + 1.0, width, Align::Left, how_fr, Style::fr(7.5).grey(0.3));
    let fingerprint: String = doc.content_hash.chars().take(16).collect();
    let reference = format!("{} — empreinte {fingerprint}", doc.number);
    c.on_pages_from(first_page, |c, page, pages| letterhead::footer(c, issuer, &reference, page, pages));
    Ok(())
}

/// Where the signature and QR block starts when the text leaves room above it.
const LAST_BLOCK: f32 = 205.0;
/// Where it starts at the latest: the QR code (and the stamp beside it) then ends 4 mm above the
/// footer's rule.
const LATEST_BLOCK: f32 = 236.0;
/// The QR code's side, quiet zone included, in millimetres.
const QR_SIZE: f32 = 40.0;
/// The width of the lines on checking the code, between the QR code and the signature.
const HOW_WIDTH: f32 = 58.0;
/// The height of the closing sentences.
const CLOSING: f32 = 16.0;

/// The table of grants, the total, and the total in words in both languages.
fn grants_table(c: &mut Canvas, y: f32, f: &CertificateFacts) -> f32 {
    let grants: Vec<(&str, &str, crate::domain::Money)> =
        f.grants.iter().map(|g| (g.source_fr.as_str(), g.source_ar.as_str(), g.amount)).collect();
    letterhead::grants_table(c, y, &grants)
}
