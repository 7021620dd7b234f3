//! An A4 canvas measured in millimetres from the top-left corner, which writes text (shaped, see
//! [`super::text`]), rules, boxes and QR codes, and saves a PDF whose bytes depend only on what
//! was drawn: fixed font names, dates and document ID.

use std::collections::HashMap;
use std::sync::OnceLock;

use printpdf::{
    Codepoint, Color, FontId, Greyscale, Line, LinePoint, Mm, Op, PaintMode, ParsedFont, PdfDocument, PdfFont,
    PdfFontHandle, PdfPage, PdfSaveOptions, Point, Pt, Rect, TextItem, TextMatrix,
};
use sha2::{Digest, Sha256};

use super::fonts::{Face, Weight};
use super::text::{self, Base, Line as TextLine};
use crate::domain::print::PrintMargins;

/// A4 width, in millimetres.
pub const PAGE_WIDTH: f32 = 210.0;
/// A4 height, in millimetres.
pub const PAGE_HEIGHT: f32 = 297.0;
const PT_PER_MM: f32 = 72.0 / 25.4;

/// Where a line of text hangs from its anchor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    /// The anchor is the line's left end.
    Left,
    /// The anchor is the line's middle.
    Center,
    /// The anchor is the line's right end.
    Right,
}

/// How a run of text is set.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Style {
    /// Size in points.
    pub size: f32,
    /// Weight.
    pub weight: Weight,
    /// Paragraph direction.
    pub base: Base,
    /// Grey level, 0 = black.
    pub grey: f32,
}

impl Style {
    /// French body text at `size`.
    pub fn fr(size: f32) -> Style {
        Style { size, weight: Weight::Regular, base: Base::Ltr, grey: 0.0 }
    }

    /// Arabic body text at `size`.
    pub fn ar(size: f32) -> Style {
        Style { size, weight: Weight::Regular, base: Base::Rtl, grey: 0.0 }
    }

    /// The same, bold.
    pub fn bold(self) -> Style {
        Style { weight: Weight::Bold, ..self }
    }

    /// The same, in grey.
    pub fn grey(self, grey: f32) -> Style {
        Style { grey, ..self }
    }

    /// The height of a line of this style, in millimetres.
    pub fn leading(self) -> f32 {
        // Naskh needs more room than Latin for its ascenders and descenders.
        let factor = if self.base == Base::Rtl { 1.75 } else { 1.4 };
        self.size * factor / PT_PER_MM
    }
}

/// A line of text as a canvas drew it: its page (from 1), its box in millimetres from the
/// top-left corner of the page (before calibration) and its text.
#[derive(Debug, Clone, PartialEq)]
pub struct TextBox {
    /// The page, from 1.
    pub page: usize,
    /// Left edge.
    pub left: f32,
    /// Top edge (the ascenders).
    pub top: f32,
    /// Right edge.
    pub right: f32,
    /// Bottom edge (the descenders).
    pub bottom: f32,
    /// The text, in logical order.
    pub text: String,
}

impl TextBox {
    /// Whether this box and `other` share more than a sliver of the same page.
    pub fn overlaps(&self, other: &TextBox) -> bool {
        const SLIVER: f32 = 0.2;
        self.page == other.page
            && self.left.max(other.left) + SLIVER < self.right.min(other.right)
            && self.top.max(other.top) + SLIVER < self.bottom.min(other.bottom)
    }
}

thread_local! {
    static RECORDING: std::cell::RefCell<Option<Vec<TextBox>>> = const { std::cell::RefCell::new(None) };
}

/// Runs `draw` and returns its result with the boxes of every line of text the canvases drew
/// meanwhile on this thread: what the layout tests check (nothing overlaps, nothing leaves the
/// page, every name is whole).
pub fn record_layout<R>(draw: impl FnOnce() -> R) -> (R, Vec<TextBox>) {
    RECORDING.with(|r| *r.borrow_mut() = Some(Vec::new()));
    let result = draw();
    let boxes = RECORDING.with(|r| r.borrow_mut().take()).unwrap_or_default();
    (result, boxes)
}

/// A document being drawn, page by page.
pub struct Canvas {
    title: String,
    pages: Vec<Vec<Op>>,
    ops: Vec<Op>,
    face_on_page: Option<(Face, f32)>,
    to_unicode: HashMap<(Face, u16), String>,
    shift: PrintMargins,
    /// The page drawn on again by [`Canvas::on_every_page`] (none: the last one).
    revisiting: Option<usize>,
    /// Who issues the document and on which day (its metadata).
    author: Option<String>,
    dated: Option<chrono::NaiveDate>,
    /// A canvas that only measures (never saved) records no layout.
    measuring: bool,
}

fn pt(mm: f32) -> Pt {
    Pt(mm * PT_PER_MM)
}

fn font_id(face: Face) -> FontId {
    // Six capitals: printpdf uses them as the subset tag; fixed so the bytes are reproducible.
    FontId(
        match face {
            Face::Latin => "DAFTRA",
            Face::LatinBold => "DAFTRB",
            Face::Arabic => "DAFTRC",
            Face::ArabicBold => "DAFTRD",
        }
        .to_owned(),
    )
}

/// The tag of `face`'s subset: six capitals drawn from a digest of the glyphs it holds (the
/// same glyphs, the same tag: the bytes still depend only on the content).
fn subset_tag(face: Face, glyphs: &HashMap<(Face, u16), String>) -> FontId {
    let mut gids: Vec<u16> = glyphs.keys().filter(|(f, _)| *f == face).map(|(_, gid)| *gid).collect();
    gids.sort_unstable();
    let mut hasher = Sha256::new();
    hasher.update(font_id(face).0.as_bytes());
    for gid in gids {
        hasher.update(gid.to_be_bytes());
    }
    FontId(hasher.finalize().iter().take(6).map(|b| char::from(b'A' + b % 26)).collect())
}

/// The faces parsed for printpdf, once.
fn parsed(face: Face) -> Option<&'static ParsedFont> {
    static PARSED: OnceLock<Vec<Option<ParsedFont>>> = OnceLock::new();
    PARSED
        .get_or_init(|| Face::ALL.iter().map(|f| ParsedFont::from_bytes(f.bytes(), 0, &mut Vec::new())).collect())
        .get(face as usize)
        .and_then(Option::as_ref)
}

impl Canvas {
    /// An empty document called `title`, drawn shifted back by the printer's calibration.
    pub fn new(title: &str, shift: PrintMargins) -> Canvas {
        Canvas {
            title: title.to_owned(),
            pages: Vec::new(),
            ops: Vec::new(),
            face_on_page: None,
            to_unicode: HashMap::new(),
            shift,
            revisiting: None,
            author: None,
            dated: None,
            measuring: false,
        }
    }

    /// A canvas to measure what drawing would take (how far down it goes), never saved.
    pub fn measuring() -> Canvas {
        Canvas { measuring: true, ..Canvas::new("", PrintMargins::default()) }
    }

    /// Names the site that issues the document (the PDF's author).
    pub fn set_author(&mut self, author: &str) {
        self.author = Some(author.to_owned());
    }

    /// Dates the document (the PDF's creation date: the day it states, not the day it is drawn
    /// again, so that its bytes depend only on its content).
    pub fn set_date(&mut self, on: chrono::NaiveDate) {
        self.dated = Some(on);
    }

    /// The point of the page at `x`, `y` millimetres from the top-left corner, calibrated.
    fn at(&self, x: f32, y: f32) -> Point {
        Point { x: pt(x - self.shift.left_mm), y: pt(PAGE_HEIGHT - y + self.shift.top_mm) }
    }

    /// Starts a new page (the first one starts by itself).
    pub fn new_page(&mut self) {
        self.pages.push(std::mem::take(&mut self.ops));
        self.face_on_page = None;
    }

    /// How many pages so far, counting the one being drawn.
    pub fn page_count(&self) -> usize {
        self.pages.len() + 1
    }

    /// Draws on every page once they are all known (footers with "page n/N"): `draw` gets the
    /// canvas on page `n` (from 1) and the page count.
    pub fn on_every_page(&mut self, draw: impl FnMut(&mut Canvas, usize, usize)) {
        self.on_pages_from(1, draw);
    }

    /// Draws on each page from `first` (from 1) to the current one with `draw(canvas, n, count)`,
    /// `n` counted from `first`: the footers of one document of a batch.
    pub fn on_pages_from(&mut self, first: usize, mut draw: impl FnMut(&mut Canvas, usize, usize)) {
        self.new_page();
        let pages = self.pages.len();
        let first = first.clamp(1, pages);
        for n in first - 1..pages {
            self.ops = std::mem::take(&mut self.pages[n]);
            self.face_on_page = None;
            self.revisiting = Some(n + 1);
            draw(self, n + 2 - first, pages + 1 - first);
            self.pages[n] = std::mem::take(&mut self.ops);
        }
        self.revisiting = None;
        // Drawing goes on on the last page.
        self.ops = self.pages.pop().unwrap_or_default();
        self.face_on_page = None;
    }

    /// Draws each of `items` from a new page of its own, in order: a batch of certificates,
    /// notifications or receipts. Long batches are drawn on every core, each core on a canvas of
    /// its own, the pages then put together; while the layout is recorded (tests), all is drawn
    /// here.
    pub fn batch<T: Sync>(
        &mut self,
        items: &[T],
        draw: impl Fn(&mut Canvas, &T) -> Result<(), String> + Sync,
    ) -> Result<(), String> {
        const LONG: usize = 16;
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get()).clamp(1, 4);
        let recording = RECORDING.with(|r| r.borrow().is_some());
        if items.len() < LONG || cores == 1 || recording {
            return self.draw_each(items, &draw);
        }
        let shift = self.shift;
        let draw = &draw;
        let parts: Vec<Result<Canvas, String>> = std::thread::scope(|scope| {
            let workers: Vec<_> = items
                .chunks(items.len().div_ceil(cores))
                .map(|share| {
                    scope.spawn(move || {
                        let mut part = Canvas::new("", shift);
                        part.draw_each(share, draw).map(|()| part)
                    })
                })
                .collect();
            workers
                .into_iter()
                .map(|worker| worker.join().unwrap_or_else(|_| Err("Le dessin d'un document a échoué.".to_owned())))
                .collect()
        });
        for part in parts {
            self.append(part?);
        }
        Ok(())
    }

    /// Draws each of `items` from a new page of its own, here.
    fn draw_each<T>(
        &mut self,
        items: &[T],
        draw: &impl Fn(&mut Canvas, &T) -> Result<(), String>,
    ) -> Result<(), String> {
        for item in items {
            if !self.is_blank() {
                self.new_page();
            }
            draw(self, item)?;
        }
        Ok(())
    }

    /// Whether nothing is drawn yet.
    fn is_blank(&self) -> bool {
        self.pages.is_empty() && self.ops.is_empty()
    }

    /// Puts `other`'s pages after this canvas's, from a new page; drawing goes on on the last.
    fn append(&mut self, mut other: Canvas) {
        if other.is_blank() {
            return;
        }
        if !self.is_blank() {
            self.new_page();
        }
        other.new_page();
        self.pages.append(&mut other.pages);
        self.ops = self.pages.pop().unwrap_or_default();
        self.face_on_page = None;
        for (glyph, text) in other.to_unicode {
            let mapped = self.to_unicode.entry(glyph).or_default();
            if mapped.is_empty() {
                *mapped = text;
            }
        }
    }

    /// Draws one shaped line with its baseline at `y`; returns its width in millimetres.
    pub fn line(&mut self, x: f32, y: f32, align: Align, value: &str, style: Style) -> f32 {
        let shaped = text::shaped(value, style.size, style.weight, style.base);
        let width = shaped.width / PT_PER_MM;
        let left = match align {
            Align::Left => x,
            Align::Center => x - width / 2.0,
            Align::Right => x - width,
        };
        self.glyphs(left, y, &shaped, style);
        if !value.trim().is_empty() && !self.measuring {
            // Naskh reaches higher and lower than Latin.
            let size = style.size / PT_PER_MM;
            let (up, down) = if text::has_arabic(value) { (0.8, 0.35) } else { (0.72, 0.22) };
            let page = self.revisiting.unwrap_or_else(|| self.page_count());
            let drawn = TextBox {
                page,
                left,
                top: y - up * size,
                right: left + width,
                bottom: y + down * size,
                text: value.to_owned(),
            };
            RECORDING.with(|r| r.borrow_mut().as_mut().map(|boxes| boxes.push(drawn)));
        }
        width
    }

    fn glyphs(&mut self, left: f32, y: f32, shaped: &TextLine, style: Style) {
        if shaped.glyphs.is_empty() {
            return;
        }
        let origin = self.at(left, y);
        self.ops.push(Op::StartTextSection);
        self.ops.push(Op::SetFillColor { col: Color::Greyscale(Greyscale::new(style.grey, None)) });
        // One text-showing operation per run of glyphs of one face on the baseline, each placed
        // by a kerning number from where the one before leaves the pen (a mark raised or lowered
        // has a run of its own): a page holds a few hundred operations, not one per glyph.
        let glyphs = &shaped.glyphs;
        let mut i = 0;
        while i < glyphs.len() {
            let first = &glyphs[i];
            if self.face_on_page != Some((first.face, style.size)) {
                self.ops.push(Op::SetFont { font: PdfFontHandle::External(font_id(first.face)), size: Pt(style.size) });
                self.face_on_page = Some((first.face, style.size));
            }
            let mut end = i + 1;
            if first.dy == 0.0 {
                while end < glyphs.len() && glyphs[end].face == first.face && glyphs[end].dy == 0.0 {
                    end += 1;
                }
            }
            let mut run = Vec::with_capacity(end - i);
            for (k, glyph) in glyphs[i..end].iter().enumerate() {
                // One mapping per glyph for the whole document: the first text seen for it.
                let mapped = self.to_unicode.entry((glyph.face, glyph.gid)).or_insert_with(|| glyph.text.clone());
                if mapped.is_empty() && !glyph.text.is_empty() {
                    mapped.clone_from(&glyph.text);
                }
                let cid = if glyph.text.is_empty() { String::new() } else { mapped.clone() };
                let offset = match glyphs[i..end].get(k + 1) {
                    Some(next) => {
                        let pen = glyph.x + text::advance(glyph.face, glyph.gid, style.size);
                        (pen - next.x) * 1000.0 / style.size
                    }
                    None => 0.0,
                };
                run.push(Codepoint { gid: glyph.gid, offset, cid: Some(cid) });
            }
            self.ops.push(Op::SetTextMatrix {
                matrix: TextMatrix::Translate(Pt(origin.x.0 + first.x), Pt(origin.y.0 + first.dy)),
            });
            self.ops.push(Op::ShowText { items: vec![TextItem::GlyphIds(run)] });
            i = end;
        }
        self.ops.push(Op::EndTextSection);
        // A text section resets nothing, but a font change outside it must be re-sent.
        self.face_on_page = None;
    }

    /// Draws `value` wrapped to `width` millimetres from `y` down (baseline of the first line);
    /// returns the `y` below the last line.
    pub fn paragraph(&mut self, x: f32, y: f32, width: f32, align: Align, value: &str, style: Style) -> f32 {
        let mut y = y;
        for line in text::wrap(value, style.size, style.weight, style.base, width * PT_PER_MM) {
            let anchor = match align {
                Align::Left => x,
                Align::Center => x + width / 2.0,
                Align::Right => x + width,
            };
            self.line(anchor, y, align, &line, style);
            y += style.leading();
        }
        y
    }

    /// A straight rule from (`x1`, `y1`) to (`x2`, `y2`), `thickness` points thick.
    pub fn rule(&mut self, (x1, y1): (f32, f32), (x2, y2): (f32, f32), thickness: f32) {
        let points =
            vec![LinePoint { p: self.at(x1, y1), bezier: false }, LinePoint { p: self.at(x2, y2), bezier: false }];
        self.ops.push(Op::SetOutlineColor { col: Color::Greyscale(Greyscale::new(0.0, None)) });
        self.ops.push(Op::SetOutlineThickness { pt: Pt(thickness) });
        self.ops.push(Op::DrawLine { line: Line { points, is_closed: false } });
    }

    /// A rectangle whose top-left corner is (`x`, `y`): outlined, or filled in `grey`.
    pub fn rect(&mut self, x: f32, y: f32, width: f32, height: f32, fill: Option<f32>) {
        let corner = self.at(x, y + height);
        let mode = match fill {
            Some(grey) => {
                self.ops.push(Op::SetFillColor { col: Color::Greyscale(Greyscale::new(grey, None)) });
                PaintMode::Fill
            }
            None => {
                self.ops.push(Op::SetOutlineColor { col: Color::Greyscale(Greyscale::new(0.0, None)) });
                self.ops.push(Op::SetOutlineThickness { pt: Pt(0.6) });
                PaintMode::Stroke
            }
        };
        self.ops.push(Op::DrawRectangle {
            rectangle: Rect {
                x: corner.x,
                y: corner.y,
                width: pt(width),
                height: pt(height),
                mode: Some(mode),
                winding_order: None,
            },
        });
    }

    /// Dark squares of `module` millimetres from (`x`, `y`); `rows` are the QR code's rows from
    /// the top, `true` for dark. One path for the whole code, in module units (a matrix scales
    /// them and turns the rows downward), a rectangle per horizontal run, filled once: a few
    /// kilobytes of small integers where an operation per run took a third of a batch's time.
    pub fn modules(&mut self, x: f32, y: f32, module: f32, rows: &[Vec<bool>]) {
        use std::fmt::Write as _;
        let origin = self.at(x, y);
        let scale = pt(module).0;
        let mut path = format!("q {scale:.4} 0 0 {:.4} {:.3} {:.3} cm", -scale, origin.x.0, origin.y.0);
        for (r, row) in rows.iter().enumerate() {
            let mut c = 0;
            while c < row.len() {
                if !row[c] {
                    c += 1;
                    continue;
                }
                let start = c;
                while c < row.len() && row[c] {
                    c += 1;
                }
                let _ = write!(path, "\n{start} {r} {} 1 re", c - start);
            }
        }
        path.push_str("\nf Q");
        self.ops.push(Op::SetFillColor { col: Color::Greyscale(Greyscale::new(0.0, None)) });
        // printpdf writes an operator it does not know as it is (once told it may, on saving).
        self.ops.push(Op::Unknown { key: path, value: Vec::new() });
    }

    /// The PDF: fonts embedded as subsets, fixed metadata, an ID made from the content.
    pub fn finish(mut self) -> Vec<u8> {
        self.new_page();
        let mut doc = PdfDocument::new(&self.title);
        doc.metadata.info.author = self.author.clone().unwrap_or_else(|| "Daftar".into());
        doc.metadata.info.creator = "Daftar".into();
        doc.metadata.info.producer = format!("Daftar {}", env!("CARGO_PKG_VERSION"));
        let mut used: Vec<Face> = self.to_unicode.keys().map(|(face, _)| *face).collect();
        used.sort_unstable();
        used.dedup();
        // Each subset is tagged by its glyphs: two files merged by any tool never share a tag
        // for different subsets (a viewer would then draw one's glyphs with the other's font).
        let tags: HashMap<String, FontId> =
            used.iter().map(|&face| (font_id(face).0, subset_tag(face, &self.to_unicode))).collect();
        for ops in &mut self.pages {
            for op in ops.iter_mut() {
                if let Op::SetFont { font: PdfFontHandle::External(id), .. } = op
                    && let Some(tag) = tags.get(&id.0)
                {
                    *id = tag.clone();
                }
            }
        }
        for face in used {
            if let Some(font) = parsed(face) {
                doc.resources.fonts.map.insert(subset_tag(face, &self.to_unicode), PdfFont::new(font.clone()));
            }
        }
        let pages = self.pages.into_iter().map(|ops| PdfPage::new(Mm(PAGE_WIDTH), Mm(PAGE_HEIGHT), ops)).collect();
        // Not `secure`: the QR codes' paths are written as raw operators (see `modules`).
        let options = PdfSaveOptions { secure: false, ..PdfSaveOptions::default() };
        let mut document = doc.with_pages(pages).to_lopdf_document(&options, &mut Vec::new());
        compress_streams(&mut document);
        let mut bytes = Vec::new();
        // Writing into memory cannot fail.
        let _ = document.save_to(&mut bytes);
        true_metadata(&mut bytes, self.dated);
        fix_document_id(&mut bytes);
        bytes
    }
}

/// Compresses every stream (the pages' contents, the fonts) as printpdf would on saving, the
/// streams dealt out over the processor's cores, largest first.
fn compress_streams(document: &mut lopdf::Document) {
    let mut streams: Vec<&mut lopdf::Stream> = document
        .objects
        .values_mut()
        .filter_map(|object| match object {
            lopdf::Object::Stream(stream) if stream.allows_compression => Some(stream),
            _ => None,
        })
        .collect();
    streams.sort_by_key(|stream| std::cmp::Reverse(stream.content.len()));
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get()).clamp(1, 4);
    let mut shares: Vec<Vec<&mut lopdf::Stream>> = (0..cores).map(|_| Vec::new()).collect();
    for (i, stream) in streams.into_iter().enumerate() {
        shares[i % cores].push(stream);
    }
    std::thread::scope(|scope| {
        for share in shares {
            scope.spawn(move || {
                for stream in share {
                    // A stream that does not compress stays as it is, as in printpdf.
                    let _ = stream.compress();
                }
            });
        }
    });
}

/// Overwrites, byte for byte (the cross-reference offsets stay right), what printpdf writes
/// untrue in the document's information: the creation and modification dates of 1970 by the
/// document's own day, and the empty PDF/X version key (which makes viewers take the file for
/// PDF/X) by spaces.
fn true_metadata(bytes: &mut [u8], dated: Option<chrono::NaiveDate>) {
    fn replace_all(bytes: &mut [u8], from: &[u8], to: &[u8]) {
        let mut i = 0;
        while let Some(at) = bytes[i..].windows(from.len()).position(|w| w == from) {
            bytes[i + at..i + at + from.len()].copy_from_slice(to);
            i += at + from.len();
        }
    }
    if let Some(day) = dated {
        let stamp = format!("(D:{}000000+00'00')", day.format("%Y%m%d"));
        replace_all(bytes, b"(D:19700101000000+00'00')", stamp.as_bytes());
    }
    let key = b"/GTS_PDFXVersion()";
    replace_all(bytes, key, &[b' '; 18]);
}

/// printpdf writes a random `/ID` in the trailer: replace both of its strings by a digest of the
/// rest of the file (same length, so the cross-reference offsets stay right).
fn fix_document_id(bytes: &mut [u8]) {
    const MARK: &[u8] = b"/ID";
    let Some(at) = bytes.windows(MARK.len()).rposition(|w| w == MARK) else { return };
    let mut hasher = Sha256::new();
    hasher.update(&bytes[..at]);
    let digest = hex::encode_upper(hasher.finalize());
    let mut strings = 0;
    let mut i = at + MARK.len();
    while strings < 2 && i < bytes.len() {
        match bytes[i] {
            b'(' | b'<' => {
                let close = if bytes[i] == b'(' { b')' } else { b'>' };
                let start = i + 1;
                let Some(len) = bytes[start..].iter().position(|&b| b == close) else { return };
                for (k, b) in bytes[start..start + len].iter_mut().enumerate() {
                    *b = digest.as_bytes()[k % digest.len()];
                }
                strings += 1;
                i = start + len + 1;
            }
            b']' => return,
            _ => i += 1,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_document_id_is_a_digest_of_the_content() {
        let draw = |text: &str| {
            let mut c = Canvas::new("Essai", PrintMargins::default());
            c.line(20.0, 30.0, Align::Left, text, Style::fr(12.0));
            c.finish()
        };
        let (a, b, other) = (draw("Royaume du Maroc"), draw("Royaume du Maroc"), draw("Royaume"));
        assert_eq!(a, b, "printpdf's random ID is replaced");
        let id = |pdf: &[u8]| {
            let at = pdf.windows(3).rposition(|w| w == b"/ID").unwrap_or(0);
            pdf[at..(at + 80).min(pdf.len())].to_vec()
        };
        assert_ne!(id(&a), id(&other));
    }

    #[test]
    fn a_long_batch_drawn_on_every_core_is_the_batch_drawn_here() {
        let items: Vec<String> = (1..=40).map(|i| format!("Attestation n° {i} — شهادة رقم {i}")).collect();
        let draw = || {
            let mut c = Canvas::new("Lot", PrintMargins::default());
            c.batch(&items, |c, item| {
                c.line(20.0, 30.0, Align::Left, item, Style::fr(12.0));
                c.line(190.0, 40.0, Align::Right, item, Style::ar(12.0));
                Ok(())
            })
            .map(|()| c.finish())
        };
        let on_every_core = draw();
        // While the layout is recorded, the batch is drawn on this thread alone.
        let (here, boxes) = record_layout(draw);
        assert!(on_every_core.is_ok());
        assert_eq!(on_every_core, here, "the same bytes, however it was drawn");
        assert_eq!(boxes.iter().map(|b| b.page).max(), Some(40), "one page each");
        assert_eq!(boxes.iter().find(|b| b.page == 40).map(|b| b.text.as_str()), Some(items[39].as_str()));
    }

    #[test]
    fn the_printer_shift_moves_everything_back() {
        let c = Canvas::new("Essai", PrintMargins { top_mm: 2.0, left_mm: -1.5 });
        let p = c.at(10.0, 10.0);
        assert!((p.x.0 - pt(11.5).0).abs() < 1e-3 && (p.y.0 - pt(PAGE_HEIGHT - 8.0).0).abs() < 1e-3);
    }
}
