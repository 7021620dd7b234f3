//! The documents of a dossier: the *récépissé de dépôt* a clerk hands over at the counter, the
//! *fiche dossier* (everything about it, over as many pages as needed) and the *notification de
//! décision* sent to the applicant once the commission has decided.

use chrono::NaiveDate;

use super::canvas::{Align, Canvas, Style};
use super::letterhead::{self, Issuer, MARGIN, RIGHT, TEXT_WIDTH};
use super::text::isolate;
use crate::domain::Money;
use crate::domain::dates::{format_date_fr, long_date_ar, long_date_fr};
use crate::domain::print::PrintMargins;

/// One document of the checklist and when it came in.
#[derive(Debug, Clone)]
pub struct DocumentLine {
    /// French label.
    pub label_fr: String,
    /// Arabic label.
    pub label_ar: String,
    /// Whether it is required.
    pub required: bool,
    /// When it was received.
    pub received_on: Option<NaiveDate>,
}

/// What the documents of a dossier say about it.
#[derive(Debug, Clone)]
pub struct DossierFacts {
    /// Dossier number.
    pub number: String,
    /// Deposit date.
    pub deposited_on: NaiveDate,
    /// Status, French and Arabic.
    pub status: (String, String),
    /// Applicant: Latin name, Arabic name, CIN.
    pub applicant: (String, String, String),
    /// Applicant's relationship to the card holder and the card number.
    pub entitlement: String,
    /// Applicant's address and phone.
    pub contact: String,
    /// Project name.
    pub project: String,
    /// Project kind, French and Arabic.
    pub project_kind: (String, String),
    /// Project details (identifiers, sector, commune), French.
    pub project_details: Vec<String>,
    /// Jobs planned: total, for the family.
    pub jobs: (u32, u32),
    /// Amount asked.
    pub requested: Option<Money>,
    /// The checklist.
    pub documents: Vec<DocumentLine>,
    /// History lines, French.
    pub history: Vec<String>,
    /// Funding lines with their disbursements, French.
    pub funding: Vec<String>,
    /// Follow-up visits, French.
    pub visits: Vec<String>,
}

/// The commission's decision as the notice states it.
#[derive(Debug, Clone)]
pub struct DecisionFacts {
    /// Approved or rejected.
    pub approved: bool,
    /// Date of the meeting.
    pub decided_on: NaiveDate,
    /// Reference of its minutes.
    pub commission_ref: Option<String>,
    /// Grants: source French, source Arabic, amount.
    pub grants: Vec<(String, String, Money)>,
    /// The reason of a rejection, in French and in Arabic (see `reference::reason_in_both`).
    pub reason: Option<(String, String)>,
}

fn header(c: &mut Canvas, issuer: &Issuer, today: NaiveDate, number: &str) -> f32 {
    let y = letterhead::dated(c, issuer, today);
    letterhead::both(c, y, &format!("Dossier n° {number}"), &format!("ملف رقم {}", isolate(number)), 10.0)
}

/// One line of a section: the label in French and in Arabic, and the value.
pub type Labelled = (String, String, String);

/// A line labelled in both languages.
pub fn labelled(fr: &str, ar: &str, value: String) -> Labelled {
    (fr.to_owned(), ar.to_owned(), value)
}

/// A value without a label (a line of a list).
pub fn unlabelled(value: String) -> Labelled {
    (String::new(), String::new(), value)
}

/// A label in French (left) and in Arabic (right), the value between them, wrapped in its
/// column; returns the next `y`.
fn field(c: &mut Canvas, y: f32, (fr, ar, value): &Labelled) -> f32 {
    const FR: f32 = 40.0;
    const AR: f32 = 36.0;
    let below_fr = c.paragraph(MARGIN, y, FR - 2.0, Align::Left, fr, Style::fr(9.5).bold());
    let below_ar = c.paragraph(RIGHT - AR + 2.0, y, AR - 2.0, Align::Right, ar, Style::ar(9.5).bold());
    let below = c.paragraph(MARGIN + FR, y, TEXT_WIDTH - FR - AR, Align::Left, value, Style::fr(9.5));
    below.max(below_fr).max(below_ar)
}

/// A titled section (French and Arabic titles on a grey band) of label–value lines, continued on
/// new pages as needed; moves `y` below it.
pub(crate) fn section(c: &mut Canvas, y: &mut f32, title_fr: &str, title_ar: &str, lines: &[Labelled]) {
    if *y > 250.0 {
        c.new_page();
        *y = 20.0;
    }
    c.rect(MARGIN, *y - 4.5, TEXT_WIDTH, 6.5, Some(0.9));
    c.line(MARGIN + 1.5, *y, Align::Left, title_fr, Style::fr(10.5).bold());
    c.line(RIGHT - 1.5, *y, Align::Right, title_ar, Style::ar(10.5).bold());
    *y += 7.5;
    for line in lines {
        if *y > 272.0 {
            c.new_page();
            *y = 20.0;
        }
        *y = field(c, *y, line);
    }
    *y += 2.0;
}

/// The *récépissé de dépôt*: numbered by its dossier, lists what was received and what is
/// missing; no signature.
pub fn receipt(issuer: &Issuer, today: NaiveDate, d: &DossierFacts, shift: PrintMargins) -> Vec<u8> {
    let mut c = Canvas::new(&format!("Récépissé de dépôt {}", d.number), shift);
    draw_receipt(&mut c, issuer, today, d);
    c.finish()
}

/// The receipts of several dossiers in one PDF, one page each, in the order given.
pub fn receipts(issuer: &Issuer, today: NaiveDate, dossiers: &[DossierFacts], shift: PrintMargins) -> Vec<u8> {
    let mut c = Canvas::new(&format!("Récépissés de dépôt ({})", dossiers.len()), shift);
    // Drawing a receipt cannot fail.
    let _ = c.batch(dossiers, |c, d| {
        draw_receipt(c, issuer, today, d);
        Ok(())
    });
    c.finish()
}

fn draw_receipt(c: &mut Canvas, issuer: &Issuer, today: NaiveDate, d: &DossierFacts) {
    let first_page = c.page_count();
    let y = header(c, issuer, today, &d.number);
    let mut y = letterhead::title(c, y + 4.0, "وصل الإيداع", "Récépissé de dépôt");
    let ar = format!(
        "تسلم {} ملف طلب الدعم المودع بتاريخ {} من طرف {} ({}، بطاقة التعريف الوطنية رقم {}) لمشروع «{}».",
        issuer.name_ar,
        long_date_ar(d.deposited_on),
        if d.applicant.1.is_empty() { isolate(&d.applicant.0) } else { d.applicant.1.clone() },
        d.project_kind.1,
        isolate(&d.applicant.2),
        isolate(&d.project),
    );
    let fr = format!(
        "Le {} a reçu le {} le dossier de demande de soutien déposé par {} (CIN {}) pour le projet «\u{a0}{}\u{a0}» ({}).",
        issuer.name_fr,
        long_date_fr(d.deposited_on),
        d.applicant.0,
        d.applicant.2,
        d.project,
        super::text::in_sentence(&d.project_kind.0)
    );
    y = letterhead::paragraphs(c, y + 2.0, &ar, &fr, 11.0);
    if let Some(requested) = d.requested {
        y = letterhead::both(
            c,
            y + 1.0,
            &format!("Montant demandé : {requested}"),
            &format!("المبلغ المطلوب: {} درهم", isolate(&requested.format_number_fr())),
            10.5,
        );
    }
    y = letterhead::both(c, y + 3.0, "Pièces reçues :", "الوثائق المتوصل بها:", 11.0);
    for doc in d.documents.iter().filter(|doc| doc.received_on.is_some()) {
        let on = doc.received_on.map(format_date_fr).unwrap_or_default();
        y = letterhead::both(c, y, &format!("– {} (le {on})", doc.label_fr), &format!("– {}", doc.label_ar), 9.5);
    }
    let missing: Vec<&DocumentLine> =
        d.documents.iter().filter(|doc| doc.required && doc.received_on.is_none()).collect();
    if !missing.is_empty() {
        y = letterhead::both(
            c,
            y + 3.0,
            "Pièces à fournir pour compléter le dossier :",
            "الوثائق الواجب الإدلاء بها لإتمام الملف:",
            11.0,
        );
        for doc in missing {
            y = letterhead::both(c, y, &format!("– {}", doc.label_fr), &format!("– {}", doc.label_ar), 9.5);
        }
    }
    // The closing sentences go with the signature.
    y = letterhead::keep_room(c, y + 5.0, 16.0 + letterhead::SIGNATURE);
    y = letterhead::paragraphs(
        c,
        y,
        "لا يعتبر هذا الوصل قرارا بالموافقة على الطلب. يرجى الاحتفاظ به والإدلاء به عند كل استفسار.",
        "Ce récépissé ne vaut pas décision sur la demande. Conservez-le et présentez-le pour toute démarche.",
        9.5,
    );
    letterhead::sign(c, y, 0.0, &issuer.function_ar, &issuer.function_fr, "");
    let reference = format!("Récépissé — dossier {}", d.number);
    c.on_pages_from(first_page, |c, page, pages| letterhead::footer(c, issuer, &reference, page, pages));
}

/// The *fiche dossier*: identity, project, checklist, history, funding, visits; pages break
/// where needed, each with its footer.
pub fn sheet(issuer: &Issuer, today: NaiveDate, d: &DossierFacts, shift: PrintMargins) -> Vec<u8> {
    let mut c = Canvas::new(&format!("Fiche dossier {}", d.number), shift);
    let y = header(&mut c, issuer, today, &d.number);
    let mut y = letterhead::title(&mut c, y + 4.0, "بطاقة الملف", "Fiche dossier");
    section(
        &mut c,
        &mut y,
        "Dossier",
        "الملف",
        &[
            labelled("Statut", "الوضعية", format!("{} — {}", d.status.0, d.status.1)),
            labelled("Déposé le", "تاريخ الإيداع", format_date_fr(d.deposited_on)),
            labelled("Montant demandé", "المبلغ المطلوب", d.requested.map_or("—".into(), |m| m.to_string())),
        ],
    );
    section(
        &mut c,
        &mut y,
        "Demandeur",
        "صاحب الطلب",
        &[
            labelled("Nom", "الاسم", format!("{} — {}", d.applicant.0, d.applicant.1)),
            labelled("CIN", "البطاقة الوطنية", d.applicant.2.clone()),
            labelled("Qualité", "الصفة", d.entitlement.clone()),
            labelled("Coordonnées", "العنوان والهاتف", d.contact.clone()),
        ],
    );
    let mut project = vec![
        labelled("Projet", "المشروع", format!("{} — {} — {}", d.project, d.project_kind.0, d.project_kind.1)),
        labelled(
            "Emplois prévus",
            "مناصب الشغل المتوقعة",
            format!("{} dont {} pour la famille de la résistance", d.jobs.0, d.jobs.1),
        ),
    ];
    project.extend(d.project_details.iter().map(|line| unlabelled(line.clone())));
    section(&mut c, &mut y, "Projet", "المشروع", &project);
    let documents: Vec<Labelled> = d
        .documents
        .iter()
        .map(|doc| {
            let (state, state_ar) = match (doc.received_on, doc.required) {
                (Some(on), _) => (format!("reçue le {}", format_date_fr(on)), "مسلمة"),
                (None, true) => ("MANQUANTE".to_owned(), "ناقصة"),
                (None, false) => ("facultative".to_owned(), "اختيارية"),
            };
            (String::new(), format!("{} — {state_ar}", doc.label_ar), format!("{} — {state}", doc.label_fr))
        })
        .collect();
    section(&mut c, &mut y, "Pièces", "الوثائق", &documents);
    let list = |lines: &[String]| -> Vec<Labelled> {
        if lines.is_empty() {
            vec![unlabelled("—".to_owned())]
        } else {
            lines.iter().map(|l| unlabelled(l.clone())).collect()
        }
    };
    section(&mut c, &mut y, "Historique", "مراحل الملف", &list(&d.history));
    section(&mut c, &mut y, "Financements et décaissements", "التمويلات والصرف", &list(&d.funding));
    section(&mut c, &mut y, "Visites de suivi", "زيارات التتبع", &list(&d.visits));
    let reference = format!("Fiche dossier {} — éditée le {}", d.number, format_date_fr(today));
    c.on_every_page(|c, page, pages| letterhead::footer(c, issuer, &reference, page, pages));
    c.finish()
}

/// The *notification de décision*: approval with the support per source and its total in words,
/// or rejection with its reason.
pub fn decision_notice(
    issuer: &Issuer,
    today: NaiveDate,
    d: &DossierFacts,
    decision: &DecisionFacts,
    signatory: &str,
    shift: PrintMargins,
) -> Vec<u8> {
    let mut c = Canvas::new(&format!("Notification de décision {}", d.number), shift);
    draw_decision_notice(&mut c, issuer, today, d, decision, signatory);
    c.finish()
}

/// The notifications of several decisions in one PDF, one page each, in the order given.
pub fn decision_notices(
    issuer: &Issuer,
    today: NaiveDate,
    notices: &[(DossierFacts, DecisionFacts)],
    signatory: &str,
    shift: PrintMargins,
) -> Vec<u8> {
    let mut c = Canvas::new(&format!("Notifications de décision ({})", notices.len()), shift);
    // Drawing a notification cannot fail.
    let _ = c.batch(notices, |c, (d, decision)| {
        draw_decision_notice(c, issuer, today, d, decision, signatory);
        Ok(())
    });
    c.finish()
}

fn draw_decision_notice(
    c: &mut Canvas,
    issuer: &Issuer,
    today: NaiveDate,
    d: &DossierFacts,
    decision: &DecisionFacts,
    signatory: &str,
) {
    let first_page = c.page_count();
    let y = header(c, issuer, today, &d.number);
    let mut y = letterhead::title(c, y + 4.0, "تبليغ القرار", "Notification de décision");
    let to_ar = if d.applicant.1.is_empty() { isolate(&d.applicant.0) } else { d.applicant.1.clone() };
    y = letterhead::both(
        c,
        y,
        &format!("À : {} (CIN {})", d.applicant.0, d.applicant.2),
        &format!("إلى: {to_ar}"),
        10.5,
    );
    let pv = decision.commission_ref.as_deref().map(|r| format!(" (procès-verbal {r})")).unwrap_or_default();
    let pv_ar = decision.commission_ref.as_deref().map(|r| format!(" (محضر {})", isolate(r))).unwrap_or_default();
    let (ar, fr) = if decision.approved {
        (
            format!(
                "يشرفنا أن نخبركم بأن اللجنة قررت خلال اجتماعها بتاريخ {}{pv_ar} الموافقة على طلب دعم مشروعكم «{}» موضوع الملف رقم {}، وذلك كما يلي:",
                long_date_ar(decision.decided_on),
                isolate(&d.project),
                isolate(&d.number)
            ),
            format!(
                "Nous avons l'honneur de vous informer que la commission, réunie le {}{pv}, a approuvé la demande de soutien de votre projet «\u{a0}{}\u{a0}», dossier n° {}, comme suit :",
                long_date_fr(decision.decided_on),
                d.project,
                d.number
            ),
        )
    } else {
        // The reason of the list in each language; a reason typed freely stays as typed.
        let (reason, reason_ar) = decision.reason.clone().unwrap_or_default();
        let reason_ar = if super::text::has_arabic(&reason_ar) { reason_ar } else { isolate(&reason_ar) };
        (
            format!(
                "نأسف لإخباركم بأن اللجنة قررت خلال اجتماعها بتاريخ {}{pv_ar} عدم الموافقة على طلب دعم مشروعكم «{}» موضوع الملف رقم {}، للسبب التالي: {}.",
                long_date_ar(decision.decided_on),
                isolate(&d.project),
                isolate(&d.number),
                reason_ar
            ),
            format!(
                "Nous avons le regret de vous informer que la commission, réunie le {}{pv}, n'a pas retenu la demande de soutien de votre projet «\u{a0}{}\u{a0}», dossier n° {}, pour le motif suivant : {reason}.",
                long_date_fr(decision.decided_on),
                d.project,
                d.number
            ),
        )
    };
    y = letterhead::paragraphs(c, y + 3.0, &ar, &fr, 11.0);
    if decision.approved {
        let grants: Vec<(&str, &str, Money)> =
            decision.grants.iter().map(|(fr, ar, amount)| (fr.as_str(), ar.as_str(), *amount)).collect();
        // The grants, their total in words and the signature go together.
        let table = letterhead::grants_table(&mut Canvas::measuring(), 0.0, &grants);
        y = letterhead::keep_room(c, y + 4.0, table + 8.0 + letterhead::SIGNATURE);
        y = letterhead::grants_table(c, y, &grants);
    }
    letterhead::sign(c, y, 200.0, &issuer.function_ar, &issuer.function_fr, signatory);
    let reference = format!("Notification — dossier {}", d.number);
    c.on_pages_from(first_page, |c, page, pages| letterhead::footer(c, issuer, &reference, page, pages));
}
