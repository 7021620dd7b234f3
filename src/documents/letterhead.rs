//! What every document shares: the letterhead (Arabic on the right, French on the left), the
//! bilingual title, the signature block, the footer with page numbers, and the QR code.

use super::canvas::{Align, Canvas, PAGE_WIDTH, Style};

/// Left and right margins, in millimetres.
pub const MARGIN: f32 = 18.0;
/// The right edge of the text.
pub const RIGHT: f32 = PAGE_WIDTH - MARGIN;
/// The width of the text.
pub const TEXT_WIDTH: f32 = PAGE_WIDTH - 2.0 * MARGIN;

/// Who the document comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issuer {
    /// Site code.
    pub code: String,
    /// French name of the site (`Bureau local de Tiznit`).
    pub name_fr: String,
    /// Arabic name of the site (`المكتب المحلي – تيزنيت`).
    pub name_ar: String,
    /// The town it sits in, for "Fait à …" (French).
    pub town_fr: String,
    /// The same in Arabic.
    pub town_ar: String,
    /// Who signs for the site (`Le chargé du bureau local`).
    pub function_fr: String,
    /// The same in Arabic (`المكلف بالمكتب المحلي`).
    pub function_ar: String,
    /// The number of the site's declaration to the CNDP (law 09-08), printed at the foot of
    /// documents that carry personal data, when the site has recorded it.
    pub cndp: Option<String>,
}

const KINGDOM_AR: &str = "المملكة المغربية";
const KINGDOM_FR: &str = "Royaume du Maroc";
const HCAR_AR: &str = "المندوبية السامية لقدماء المقاومين وأعضاء جيش التحرير";
const HCAR_FR: &str = "Haut-Commissariat aux Anciens Résistants et Anciens Membres de l'Armée de Libération";

/// Draws the letterhead; returns the `y` below it.
pub fn letterhead(canvas: &mut Canvas, issuer: &Issuer) -> f32 {
    canvas.set_author(&issuer.name_fr);
    let column = TEXT_WIDTH * 0.46;
    let right_center = RIGHT - column / 2.0;
    let left_center = MARGIN + column / 2.0;
    canvas.line(right_center, 20.0, Align::Center, KINGDOM_AR, Style::ar(13.0).bold());
    canvas.paragraph(RIGHT - column, 27.0, column, Align::Center, HCAR_AR, Style::ar(10.5));
    canvas.line(right_center, 40.0, Align::Center, &issuer.name_ar, Style::ar(10.5).bold());
    canvas.line(left_center, 20.0, Align::Center, &KINGDOM_FR.to_uppercase(), Style::fr(10.5).bold());
    canvas.paragraph(MARGIN, 26.0, column, Align::Center, HCAR_FR, Style::fr(8.5));
    canvas.line(left_center, 40.0, Align::Center, &issuer.name_fr, Style::fr(9.5).bold());
    canvas.rule((MARGIN, 45.0), (RIGHT, 45.0), 0.8);
    52.0
}

/// The letterhead, then "Tiznit, le …" / "حرر ب… في …" on one line; returns the `y` below.
pub fn dated(canvas: &mut Canvas, issuer: &Issuer, today: chrono::NaiveDate) -> f32 {
    use crate::domain::dates::{long_date_ar, long_date_fr};
    canvas.set_date(today);
    let y = letterhead(canvas, issuer);
    both(
        canvas,
        y + 2.0,
        &format!("{}, le {}", issuer.town_fr, long_date_fr(today)),
        &format!("حرر ب{} في {}", issuer.town_ar, long_date_ar(today)),
        10.0,
    )
}

/// The title in Arabic then French, centred; returns the `y` below it.
pub fn title(canvas: &mut Canvas, y: f32, ar: &str, fr: &str) -> f32 {
    let center = PAGE_WIDTH / 2.0;
    canvas.line(center, y + 6.0, Align::Center, ar, Style::ar(18.0).bold());
    canvas.line(center, y + 14.0, Align::Center, fr, Style::fr(15.0).bold());
    y + 22.0
}

/// The French text on the left half and the Arabic on the right half, each wrapped within its
/// half; returns the `y` below the longer.
pub fn both(canvas: &mut Canvas, y: f32, fr: &str, ar: &str, size: f32) -> f32 {
    const GUTTER: f32 = 4.0;
    let half = (TEXT_WIDTH - GUTTER) / 2.0;
    let below_fr = canvas.paragraph(MARGIN, y, half, Align::Left, fr, Style::fr(size));
    let below_ar = canvas.paragraph(RIGHT - half, y, half, Align::Right, ar, Style::ar(size));
    below_fr.max(below_ar).max(y + Style::ar(size).leading())
}

/// Where the text goes on when a document continues on a new page.
pub const CONTINUED: f32 = 30.0;

/// A paragraph in Arabic (right-aligned) then its French version; returns the `y` below.
pub fn paragraphs(canvas: &mut Canvas, y: f32, ar: &str, fr: &str, size: f32) -> f32 {
    let y = canvas.paragraph(MARGIN, y, TEXT_WIDTH, Align::Right, ar, Style::ar(size));
    canvas.paragraph(MARGIN, y + 2.0, TEXT_WIDTH, Align::Left, fr, Style::fr(size - 0.5)) + 2.0
}

/// The table of grants of a decision — each source in French (left) and Arabic (right), its
/// amount between them — then the total and the total in words in both languages; returns the
/// `y` below. A label too long for its column wraps and its row grows: nothing runs over the
/// amounts.
pub fn grants_table(canvas: &mut Canvas, y: f32, grants: &[(&str, &str, crate::domain::Money)]) -> f32 {
    const FR: (f32, f32) = (MARGIN + 4.0, 64.0);
    const AMOUNT_RIGHT: f32 = PAGE_WIDTH / 2.0 + 17.0;
    const AR: (f32, f32) = (AMOUNT_RIGHT + 4.0, RIGHT - 4.0 - (AMOUNT_RIGHT + 4.0));
    let row = |canvas: &mut Canvas, y: f32, fr: &str, ar: &str, amount: &str, bold: bool| -> f32 {
        let (style_fr, style_ar) =
            if bold { (Style::fr(10.5).bold(), Style::ar(10.5).bold()) } else { (Style::fr(10.5), Style::ar(10.5)) };
        let below_fr = canvas.paragraph(FR.0, y, FR.1, Align::Left, fr, style_fr);
        canvas.line(AMOUNT_RIGHT, y, Align::Right, amount, style_fr);
        let below_ar = canvas.paragraph(AR.0, y, AR.1, Align::Right, ar, style_ar);
        below_fr.max(below_ar).max(y + 7.0)
    };
    let mut y = y;
    canvas.rule((MARGIN, y - 4.5), (RIGHT, y - 4.5), 0.4);
    let mut total = crate::domain::Money::ZERO;
    for (fr, ar, amount) in grants {
        total = total.checked_add(*amount).unwrap_or(total);
        y = row(canvas, y + 1.0, fr, ar, &amount.to_string(), false) - 1.0;
    }
    canvas.rule((MARGIN, y - 4.0), (RIGHT, y - 4.0), 0.4);
    y = row(canvas, y + 1.0, "Total", "المجموع", &total.to_string(), true) + 1.0;
    let words_ar = format!("أي ما مجموعه: {}", crate::domain::amount_words::arabic(total.centimes()));
    let words_fr = format!("Soit : {}.", crate::domain::amount_words::french(total.centimes()));
    y = canvas.paragraph(MARGIN, y, TEXT_WIDTH, Align::Right, &words_ar, Style::ar(11.0).bold());
    canvas.paragraph(MARGIN, y + 1.0, TEXT_WIDTH, Align::Left, &words_fr, Style::fr(10.5).bold())
}

/// The lowest a signature block may start: it then ends above the footer.
const LAST_SIGNATURE: f32 = 252.0;
/// The height a signature block takes under its text.
pub const SIGNATURE: f32 = 28.0;
/// The lowest text may reach above the footer.
const TEXT_BOTTOM: f32 = 278.0;

/// `y`, or the top of a new page when less than `needed` millimetres remain above the footer:
/// what follows (a closing sentence with its signature) stays together.
pub fn keep_room(canvas: &mut Canvas, y: f32, needed: f32) -> f32 {
    if y + needed > TEXT_BOTTOM {
        canvas.new_page();
        CONTINUED
    } else {
        y
    }
}

/// The signature block under text that ends at `y`, no higher than `earliest`; on a new page
/// (with a line saying so) when the page has no room left for it — it never runs into the
/// footer nor stays alone far from its text.
pub fn sign(canvas: &mut Canvas, y: f32, earliest: f32, function_ar: &str, function_fr: &str, name: &str) {
    let mut at = y.max(earliest) + 8.0;
    if at > LAST_SIGNATURE {
        canvas.new_page();
        at = CONTINUED;
    }
    signature_block(canvas, at, function_ar, function_fr, name);
}

/// The signature block on the right: the function in both languages, the name, the mention
/// "signature et cachet".
pub fn signature_block(canvas: &mut Canvas, y: f32, function_ar: &str, function_fr: &str, name: &str) {
    let center = RIGHT - 35.0;
    canvas.line(center, y, Align::Center, function_ar, Style::ar(11.0).bold());
    canvas.line(center, y + 6.0, Align::Center, function_fr, Style::fr(10.0).bold());
    canvas.line(center, y + 11.5, Align::Center, name, Style::fr(10.0));
    canvas.line(center, y + 17.0, Align::Center, "التوقيع والختم — Signature et cachet", Style::ar(8.5).grey(0.4));
}

/// The footer: a rule, `left` (a reference) and the page number.
pub fn footer(canvas: &mut Canvas, issuer: &Issuer, left: &str, page: usize, pages: usize) {
    canvas.rule((MARGIN, 282.0), (RIGHT, 282.0), 0.4);
    // A long reference (a person's full name) is set smaller rather than run into the page
    // number.
    let room = (RIGHT - 22.0 - MARGIN) * 72.0 / 25.4;
    let size = [7.5, 7.0, 6.5, 6.0, 5.5]
        .into_iter()
        .find(|&size| super::text::width(left, size, super::fonts::Weight::Regular, super::text::Base::Ltr) <= room)
        .unwrap_or(5.0);
    canvas.line(MARGIN, 287.0, Align::Left, left, Style::fr(size).grey(0.35));
    if let Some(cndp) = &issuer.cndp {
        let law = format!("Données personnelles traitées conformément à la loi 09-08 — déclaration CNDP n° {cndp}");
        canvas.line(MARGIN, 291.0, Align::Left, &law, Style::fr(6.5).grey(0.45));
    }
    canvas.line(RIGHT, 287.0, Align::Right, &format!("Page {page}/{pages}"), Style::fr(7.5).grey(0.35));
}

/// The QR code of `payload`, `size` millimetres wide (quiet zone included), top-left at (x, y).
pub fn qr_code(canvas: &mut Canvas, x: f32, y: f32, size: f32, payload: &str) -> Result<(), String> {
    let rows = super::qr::modules(payload.as_bytes())?;
    const QUIET: usize = 4;
    let module = size / (rows.len() + 2 * QUIET) as f32;
    canvas.modules(x + QUIET as f32 * module, y + QUIET as f32 * module, module, &rows);
    Ok(())
}
