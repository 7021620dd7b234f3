//! Lines of text as placed glyphs: ordered with the Unicode bidi algorithm, each character set in
//! the face that has it (Arabic script in Naskh, the rest in Noto Sans), shaped with rustybuzz.
//! Each glyph keeps the characters it stands for, so the PDF stays searchable and extractable.

use rustybuzz::{BufferClusterLevel, Direction, UnicodeBuffer};
use unicode_bidi::{BidiInfo, Level};

use super::fonts::{Face, Weight, is_arabic_script};

/// The direction a paragraph reads in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Base {
    /// Left to right (French).
    Ltr,
    /// Right to left (Arabic).
    Rtl,
}

/// One glyph placed on a line.
#[derive(Debug, Clone, PartialEq)]
pub struct Glyph {
    /// The face it comes from.
    pub face: Face,
    /// Its id in that face (the original font's numbering).
    pub gid: u16,
    /// Horizontal position from the line's left edge, in points.
    pub x: f32,
    /// Vertical offset from the baseline, in points (marks).
    pub dy: f32,
    /// The characters it stands for, in logical order ("" for the 2nd glyph of a cluster).
    pub text: String,
}

/// A shaped line, in visual order from left to right.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Line {
    /// The glyphs.
    pub glyphs: Vec<Glyph>,
    /// Its advance width, in points.
    pub width: f32,
}

/// The face a character is set in; `previous` is the face of the character before it, which
/// spaces and punctuation keep when it has them (so an Arabic phrase is shaped as one piece).
fn face_for(c: char, previous: Option<Face>, weight: Weight) -> Face {
    let latin = Face::of(false, weight);
    let arabic = Face::of(true, weight);
    if is_arabic_script(c) {
        return arabic;
    }
    let neutral = !c.is_alphanumeric();
    match previous {
        Some(face) if neutral && face.covers(c) => face,
        _ if latin.covers(c) => latin,
        _ if arabic.covers(c) => arabic,
        _ => latin,
    }
}

/// Splits `text` into runs of one face, in logical order.
fn face_runs(text: &str, weight: Weight) -> Vec<(Face, &str)> {
    let mut runs: Vec<(Face, usize, usize)> = Vec::new();
    for (i, c) in text.char_indices() {
        let face = face_for(c, runs.last().map(|r| r.0), weight);
        match runs.last_mut() {
            Some(run) if run.0 == face => run.2 = i + c.len_utf8(),
            _ => runs.push((face, i, i + c.len_utf8())),
        }
    }
    runs.into_iter().map(|(face, start, end)| (face, &text[start..end])).collect()
}

/// The shaping plan of `face` for a direction and a script, made once (making one reads the
/// font's layout tables: most of the time of shaping a short line).
fn plan(face: Face, direction: Direction, script: rustybuzz::Script) -> &'static rustybuzz::ShapePlan {
    type Plans = std::collections::HashMap<(Face, Direction, rustybuzz::Script), &'static rustybuzz::ShapePlan>;
    static PLANS: std::sync::OnceLock<std::sync::Mutex<Plans>> = std::sync::OnceLock::new();
    let plans = PLANS.get_or_init(Default::default);
    let mut plans = plans.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    plans.entry((face, direction, script)).or_insert_with(|| {
        // A few faces, two directions, two or three scripts: kept for the life of the program.
        Box::leak(Box::new(rustybuzz::ShapePlan::new(face.shaper(), direction, Some(script), None, &[])))
    })
}

/// Shapes one piece of one face in one direction, appending its glyphs from `pen` on.
fn shape_piece(piece: &str, face: Face, rtl: bool, size: f32, pen: &mut f32, out: &mut Vec<Glyph>) {
    let shaper = face.shaper();
    let scale = size / f32::from(shaper.units_per_em() as u16);
    let mut buffer = UnicodeBuffer::new();
    buffer.push_str(piece);
    buffer.set_direction(if rtl { Direction::RightToLeft } else { Direction::LeftToRight });
    buffer.set_cluster_level(BufferClusterLevel::MonotoneCharacters);
    buffer.guess_segment_properties();
    let shaped = rustybuzz::shape_with_plan(shaper, plan(face, buffer.direction(), buffer.script()), buffer);
    let mut starts: Vec<usize> = shaped.glyph_infos().iter().map(|g| g.cluster as usize).collect();
    starts.sort_unstable();
    starts.dedup();
    let cluster_text = |start: usize| {
        let end = starts.iter().find(|&&s| s > start).copied().unwrap_or(piece.len());
        piece.get(start..end).unwrap_or_default().to_owned()
    };
    let mut seen = std::collections::HashSet::new();
    for (info, pos) in shaped.glyph_infos().iter().zip(shaped.glyph_positions()) {
        let cluster = info.cluster as usize;
        let mut text = if seen.insert(cluster) { cluster_text(cluster) } else { String::new() };
        if rtl {
            // A right-to-left run draws a mirrored glyph for brackets and quotes: the glyph
            // stands for the character it shows, or extraction would swap them.
            text = text.chars().map(mirrored).collect();
        }
        out.push(Glyph {
            face,
            gid: u16::try_from(info.glyph_id).unwrap_or(0),
            x: *pen + pos.x_offset as f32 * scale,
            dy: pos.y_offset as f32 * scale,
            text,
        });
        *pen += pos.x_advance as f32 * scale;
    }
}

/// The character a bracket or quote becomes when drawn in a right-to-left run.
fn mirrored(c: char) -> char {
    match c {
        '(' => ')',
        ')' => '(',
        '[' => ']',
        ']' => '[',
        '{' => '}',
        '}' => '{',
        '<' => '>',
        '>' => '<',
        '«' => '»',
        '»' => '«',
        '‹' => '›',
        '›' => '‹',
        other => other,
    }
}

/// True for the invisible characters that only steer the bidi algorithm.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{200E}' | '\u{200F}' | '\u{061C}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Shapes one line of `text` (no line breaks) at `size` points.
pub fn shape(text: &str, size: f32, weight: Weight, base: Base) -> Line {
    let level = match base {
        Base::Ltr => Level::ltr(),
        Base::Rtl => Level::rtl(),
    };
    let info = BidiInfo::new(text, Some(level));
    let mut line = Line::default();
    let mut pen = 0.0;
    for paragraph in &info.paragraphs {
        let (levels, runs) = info.visual_runs(paragraph, paragraph.range.clone());
        for run in runs {
            let rtl = levels.get(run.start).is_some_and(|l| l.is_rtl());
            // Bidi controls (isolates, marks) order the text; they are not drawn.
            let visible: String = text[run].chars().filter(|&c| !is_bidi_control(c)).collect();
            let mut pieces = face_runs(&visible, weight);
            if rtl {
                // The pieces of a right-to-left run are laid out from its right end.
                pieces.reverse();
            }
            for (face, piece) in pieces {
                shape_piece(piece, face, rtl, size, &mut pen, &mut line.glyphs);
            }
        }
    }
    line.width = pen;
    line
}

/// How far `face`'s glyph `gid` moves the pen at `size` points, as the font states it (what a
/// PDF viewer advances by after drawing it).
pub fn advance(face: Face, gid: u16, size: f32) -> f32 {
    let shaper = face.shaper();
    let units = shaper.glyph_hor_advance(rustybuzz::ttf_parser::GlyphId(gid)).unwrap_or(0);
    f32::from(units) * size / f32::from(shaper.units_per_em() as u16)
}

/// The width of `text` at `size` points.
pub fn width(text: &str, size: f32, weight: Weight, base: Base) -> f32 {
    shaped(text, size, weight, base).width
}

/// [`shape`], remembered: a document repeats its letterhead, titles and labels, and a batch
/// repeats them on every page (the last few thousand lines are kept, per thread).
pub fn shaped(text: &str, size: f32, weight: Weight, base: Base) -> std::rc::Rc<Line> {
    type Key = (String, u32, Weight, Base);
    thread_local! {
        static SHAPED: std::cell::RefCell<std::collections::HashMap<Key, std::rc::Rc<Line>>> =
            std::cell::RefCell::new(std::collections::HashMap::new());
    }
    let key = (text.to_owned(), size.to_bits(), weight, base);
    if let Some(line) = SHAPED.with(|s| s.borrow().get(&key).cloned()) {
        return line;
    }
    let line = std::rc::Rc::new(shape(text, size, weight, base));
    SHAPED.with(|s| {
        let mut s = s.borrow_mut();
        if s.len() >= 4096 {
            s.clear();
        }
        s.insert(key, line.clone());
    });
    line
}

/// Breaks `text` into lines no wider than `max_width` points, at spaces; a word longer than the
/// line (a long reference) is broken after a hyphen or a slash where it can be, else between
/// two characters. Explicit line breaks are kept.
pub fn wrap(text: &str, size: f32, weight: Weight, base: Base, max_width: f32) -> Vec<String> {
    let fits = |s: &str| width(s, size, weight, base) <= max_width;
    // A line is as wide as its words and the spaces between them: letters join and kern within
    // a word, never across a space. Each word is measured once.
    let space = width(" ", size, weight, base);
    let mut lines = Vec::new();
    for paragraph in text.split('\n') {
        let (mut current, mut used) = (String::new(), 0.0);
        let words = paragraph.split(' ').filter(|w| !w.is_empty()).flat_map(|w| pieces(w, &fits));
        for word in words {
            let wide = width(&word, size, weight, base);
            if !current.is_empty() && used + space + wide > max_width {
                lines.push(std::mem::take(&mut current));
                used = 0.0;
            }
            if !current.is_empty() {
                current.push(' ');
                used += space;
            }
            current.push_str(&word);
            used += wide;
        }
        lines.push(current);
    }
    lines
}

/// `word` as it fits on lines: whole when it fits, else in pieces, each cut after the last
/// hyphen or slash that keeps it within the line (between two characters when there is none).
fn pieces(word: &str, fits: &dyn Fn(&str) -> bool) -> Vec<String> {
    if fits(word) {
        return vec![word.to_owned()];
    }
    let chars: Vec<char> = word.chars().collect();
    let mut out = Vec::new();
    let mut start = 0;
    while start < chars.len() {
        // The longest run from `start` that fits (one character at least).
        let mut end = start + 1;
        while end < chars.len() && fits(&chars[start..=end].iter().collect::<String>()) {
            end += 1;
        }
        if end < chars.len()
            && let Some(cut) = (start + 1..end).rev().find(|&i| matches!(chars[i - 1], '-' | '/'))
        {
            end = cut;
        }
        out.push(chars[start..end].iter().collect());
        start = end;
    }
    out
}

/// `label` inside a French sentence: lower case, except an acronym (« PME » stays « PME »).
pub fn in_sentence(label: &str) -> String {
    if label.chars().filter(|c| c.is_alphabetic()).all(char::is_uppercase) {
        label.to_owned()
    } else {
        label.to_lowercase()
    }
}

/// Whether `value` holds Arabic letters.
pub fn has_arabic(value: &str) -> bool {
    value.chars().any(is_arabic_script)
}

/// Wraps `value` in first-strong isolates (U+2068…U+2069) so that a CIN, an amount or a Latin
/// name inside an Arabic sentence keeps its own direction and does not pull its neighbours.
pub fn isolate(value: &str) -> String {
    format!("\u{2068}{value}\u{2069}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn logical_text(line: &Line) -> Vec<String> {
        line.glyphs.iter().map(|g| g.text.clone()).filter(|t| !t.is_empty()).collect()
    }

    #[test]
    fn arabic_is_shaped_right_to_left_with_joined_forms() {
        let line = shape("محمد", 12.0, Weight::Regular, Base::Rtl);
        assert!(line.glyphs.iter().all(|g| g.face == Face::Arabic && g.gid != 0));
        // Visual order: the first letter typed is drawn rightmost.
        assert_eq!(line.glyphs.last().map(|g| g.text.as_str()), Some("م"));
        // Joined forms: the two mims are different glyphs (initial and medial/final).
        let mims: Vec<u16> = line.glyphs.iter().filter(|g| g.text == "م").map(|g| g.gid).collect();
        assert_eq!(mims.len(), 2);
        assert_ne!(mims[0], mims[1]);
    }

    #[test]
    fn a_cin_inside_arabic_keeps_its_order_and_font() {
        let text = format!("رقم البطاقة {} صالحة", isolate("AB123456"));
        let line = shape(&text, 12.0, Weight::Regular, Base::Rtl);
        let latin: String = line.glyphs.iter().filter(|g| g.face == Face::Latin).map(|g| g.text.as_str()).collect();
        assert_eq!(latin.trim(), "AB123456", "the CIN reads left to right, in Noto Sans");
        // "صالحة" comes after the CIN in logical order, so it is drawn to its left.
        let x_of = |t: &str| line.glyphs.iter().find(|g| g.text == t).map(|g| g.x).unwrap_or(f32::NAN);
        assert!(x_of("ص") < x_of("A"), "{:?}", logical_text(&line));
        assert!(x_of("ر") > x_of("6"));
    }

    #[test]
    fn french_stays_left_to_right_and_every_character_is_kept() {
        let text = "Attestation n° 12 — 1\u{202f}250,00 DH";
        let line = shape(text, 10.0, Weight::Bold, Base::Ltr);
        assert!(line.glyphs.iter().all(|g| g.gid != 0), "no missing glyph");
        assert_eq!(logical_text(&line).concat(), text);
        assert!(line.glyphs.windows(2).all(|w| w[0].x <= w[1].x));
        assert!(line.width > 100.0 && line.width < 200.0, "{}", line.width);
    }

    #[test]
    fn wrapping_keeps_words_and_width() {
        let text = "Pour servir et valoir ce que de droit auprès des administrations et des banques.";
        let lines = wrap(text, 11.0, Weight::Regular, Base::Ltr, 150.0);
        assert!(lines.len() > 2);
        assert_eq!(lines.join(" "), text);
        assert!(lines.iter().all(|l| width(l, 11.0, Weight::Regular, Base::Ltr) <= 150.0 || !l.contains(' ')));
    }
}
