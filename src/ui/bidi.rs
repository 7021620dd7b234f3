//! Right-to-left display for egui.
//!
//! egui shapes Arabic (letters join, each word is laid out right to left) but lays its text
//! runs out left to right, so the words of an Arabic name come out in the wrong order. Before
//! handing a line to egui, [`visual`] reorders it with the Unicode bidi algorithm: runs in visual
//! order, and inside each right-to-left run the words reversed (each word keeps its logical
//! letters, which egui's shaper draws right to left). Text being typed stays logical; only what
//! is displayed goes through here.

use unicode_bidi::BidiInfo;

/// True when `text` holds any right-to-left letter (Arabic, Hebrew…).
pub fn has_rtl(text: &str) -> bool {
    text.chars().any(|c| matches!(c, '\u{0590}'..='\u{08FF}' | '\u{FB1D}'..='\u{FDFF}' | '\u{FE70}'..='\u{FEFF}'))
}

/// True when `text` reads right to left as a whole: its first letter with a direction is
/// right to left (the Unicode bidi algorithm's paragraph direction). Such a field is aligned on
/// the right, where its reader starts.
pub fn reads_right_to_left(text: &str) -> bool {
    has_rtl(text) && BidiInfo::new(text, None).paragraphs.first().is_some_and(|p| p.level.is_rtl())
}

/// The text of one line in visual order for egui (see the module's documentation). Text with no
/// right-to-left letters is returned as is.
pub fn visual(text: &str) -> String {
    if !has_rtl(text) {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len());
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.extend(visual_chars(line).into_iter().map(|c| c.chr));
    }
    out
}

/// One character of a line as displayed: the character drawn (paired punctuation mirrored in
/// right-to-left runs), where it stands in the logical text, and whether it is laid out right
/// to left.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VisualChar {
    /// The character drawn.
    pub chr: char,
    /// Its index among the logical text's characters.
    pub logical: usize,
    /// Whether its bidi level is right to left.
    pub rtl: bool,
}

/// The characters of one line (no line break) in the order egui must be given them: runs in
/// visual order, and inside each right-to-left run the words reversed (each word keeps its
/// logical letters, which egui's shaper draws right to left).
pub fn visual_chars(line: &str) -> Vec<VisualChar> {
    let char_index: std::collections::HashMap<usize, usize> =
        line.char_indices().enumerate().map(|(n, (byte, _))| (byte, n)).collect();
    let info = BidiInfo::new(line, None);
    let mut out = Vec::with_capacity(char_index.len());
    for paragraph in &info.paragraphs {
        let (levels, runs) = info.visual_runs(paragraph, paragraph.range.clone());
        for run in runs {
            let rtl = levels[run.start].is_rtl();
            let chars: Vec<VisualChar> = line[run.clone()]
                .char_indices()
                .map(|(at, chr)| VisualChar { chr, logical: char_index[&(run.start + at)], rtl })
                .collect();
            if rtl {
                push_words_reversed(&chars, &mut out);
            } else {
                out.extend(chars);
            }
        }
    }
    out
}

/// Appends `run` with its words (and the spaces between them) in reverse order.
fn push_words_reversed(run: &[VisualChar], out: &mut Vec<VisualChar>) {
    let mut pieces: Vec<&[VisualChar]> = Vec::new();
    let mut start = 0;
    for i in 1..run.len() {
        if run[i].chr.is_whitespace() != run[i - 1].chr.is_whitespace() {
            pieces.push(&run[start..i]);
            start = i;
        }
    }
    pieces.push(&run[start..]);
    for piece in pieces.iter().rev() {
        out.extend(piece.iter().map(|c| VisualChar { chr: mirror(c.chr), ..*c }));
    }
}

/// Mirrors paired punctuation, which is drawn reversed in right-to-left text.
fn mirror(c: char) -> char {
    match c {
        '(' => ')',
        ')' => '(',
        '[' => ']',
        ']' => '[',
        '«' => '»',
        '»' => '«',
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_text_reads_right_to_left_when_its_first_letter_does() {
        assert!(reads_right_to_left("محمد بن 12 علي"));
        assert!(reads_right_to_left("12 محمد"));
        assert!(!reads_right_to_left("Ouchen عبد الله"));
        assert!(!reads_right_to_left("2026-42"));
        assert!(!reads_right_to_left(""));
    }

    #[test]
    fn latin_text_is_untouched() {
        assert_eq!(visual("Youssef El Alaoui"), "Youssef El Alaoui");
    }

    #[test]
    fn arabic_words_are_reversed_not_their_letters() {
        assert_eq!(visual("يوسف العلوي"), "العلوي يوسف");
        assert_eq!(visual("محمد بن علي"), "علي بن محمد");
    }

    #[test]
    fn mixed_runs_keep_their_own_order() {
        // An Arabic sentence holding a CIN: the CIN stays left to right, placed by the algorithm.
        let shown = visual("بطاقة رقم JB123456");
        assert!(shown.starts_with("JB123456"), "{shown}");
        assert!(shown.ends_with("بطاقة"), "{shown}");
        // A Latin line with an Arabic name inside keeps its Latin order.
        assert_eq!(visual("Nom : يوسف العلوي"), "Nom : العلوي يوسف");
    }
}

#[cfg(test)]
mod glyph_tests {
    use eframe::egui::{self, Color32, FontId};

    /// The x position of each character's glyph as egui lays `text` out.
    pub(super) fn glyph_x(text: &str) -> Vec<(char, f32)> {
        let ctx = egui::Context::default();
        crate::ui::theme::install_fonts(&ctx);
        ctx.run_ui(egui::RawInput::default(), |_| {}).textures_delta.clear();
        let galley = ctx.fonts_mut(|f| f.layout_no_wrap(text.to_owned(), FontId::proportional(16.0), Color32::BLACK));
        galley.rows.iter().flat_map(|row| row.row.glyphs.iter().map(|g| (g.chr, g.pos.x))).collect()
    }

    /// The glyphs left and right of the first space, each as (char, x) in visual order; a char's
    /// first occurrence is its glyph (egui appends zero-width continuations after a cluster).
    type Glyphs = Vec<(char, f32)>;

    fn halves(glyphs: &[(char, f32)]) -> (Glyphs, Glyphs) {
        let space = glyphs.iter().position(|(c, _)| *c == ' ').unwrap_or(glyphs.len());
        (glyphs[..space].to_vec(), glyphs[space.saturating_add(1).min(glyphs.len())..].to_vec())
    }

    fn x_of(glyphs: &[(char, f32)], c: char) -> f32 {
        glyphs.iter().find(|(g, _)| *g == c).map_or(f32::NAN, |(_, x)| *x)
    }

    #[test]
    fn egui_alone_puts_arabic_words_left_to_right() {
        // What the module works around: laid out as typed, the first word comes out on the left.
        let (left, right) = halves(&glyph_x("يوسف العلوي"));
        assert!(left.iter().any(|(c, _)| *c == 'ف') && right.iter().any(|(c, _)| *c == 'ع'), "{left:?} | {right:?}");
    }

    #[test]
    fn displayed_names_read_right_to_left() {
        // After reordering, the first word (يوسف) lies right of the second (العلوي)…
        let (left, right) = halves(&glyph_x(&super::visual("يوسف العلوي")));
        assert!(left.iter().any(|(c, _)| *c == 'ع') && !left.iter().any(|(c, _)| *c == 'ف'), "{left:?}");
        assert!(right.iter().any(|(c, _)| *c == 'ف') && !right.iter().any(|(c, _)| *c == 'ع'), "{right:?}");
        // …and inside a word the letters run right to left: ي (first) right of ف (last).
        assert!(x_of(&right, 'ي') > x_of(&right, 'ف'), "{right:?}");
        // A CIN inside Arabic text keeps its digits left to right, left of the Arabic word.
        let mixed = glyph_x(&super::visual("رقم JB123456"));
        assert!(x_of(&mixed, 'J') < x_of(&mixed, '1') && x_of(&mixed, '1') < x_of(&mixed, '6'), "{mixed:?}");
        assert!(x_of(&mixed, '6') < x_of(&mixed, 'ر'), "{mixed:?}");
    }
}
