//! Single-line fields that show Arabic right to left *as it is typed*.
//!
//! egui's `TextEdit` shapes Arabic letters but lays the words of a line out left to right, and
//! puts its caret after each character's glyph as if all text ran left to right. The field keeps
//! egui's editing (typing, Backspace, selection, copy and paste, undo) on the logical text and
//! changes only what is shown and where the caret goes:
//! - the line is laid out in visual order ([`bidi::visual_chars`]);
//! - the galley handed back to egui lists one glyph per *logical* character, placed where the
//!   caret before that character belongs (right of a right-to-left letter, left of a left-to-right
//!   one), so that the caret follows the last letter typed;
//! - Left and Right move to the nearest caret place on that side (visual movement), and a click
//!   puts the caret at the place nearest to the pointer;
//! - a text whose first letter reads right to left is aligned on the field's right edge.

use std::sync::Arc;

use eframe::egui::{self, Galley, Ui};

use super::bidi;

/// A single-line field over `value` (logical text) with right-to-left display.
pub fn singleline(ui: &mut Ui, value: &mut String, width: f32, hint: &str) -> egui::Response {
    let id = ui.next_auto_id();
    let rtl = bidi::has_rtl(value);
    let focused = ui.memory(|m| m.has_focus(id));
    // Left and Right are taken before egui sees them: they move visually.
    let step = if rtl && focused { visual_step(ui) } else { None };
    let mut layouter = |ui: &Ui, text: &dyn egui::TextBuffer, _wrap: f32| layout(ui, text.as_str());
    let right_aligned = bidi::reads_right_to_left(value);
    let mut edit = egui::TextEdit::singleline(value).id(id).desired_width(width).hint_text(hint);
    if right_aligned {
        let mut align = ui.layout().align2();
        align.set_x(egui::Align::RIGHT);
        edit = edit.align(align);
    }
    let mut output = edit.layouter(&mut layouter).show(ui);
    if !bidi::has_rtl(value) {
        return output.response.response;
    }
    let galley = output.galley.clone();
    let places = caret_places(&galley);
    let here = output.state.cursor.char_range().map_or(places.len().saturating_sub(1), |r| r.primary.index.into());
    let moved = if let Some(right) = step {
        nearest_on_side(&places, here, right)
    } else if (output.response.response.clicked() && !output.response.response.double_clicked())
        || output.response.response.drag_started()
    {
        output.response.response.interact_pointer_pos().map(|pointer| {
            let x = pointer.x - output.galley_pos.x;
            nearest_to(&places, x)
        })
    } else {
        None
    };
    if let Some(index) = moved {
        let cursor = egui::text::CCursor::new(index);
        output.state.cursor.set_char_range(Some(egui::text::CCursorRange::one(cursor)));
        output.state.store(ui.ctx(), id);
        ui.ctx().request_repaint();
    }
    output.response.response
}

/// Left or Right pressed (without modifiers), taken from egui's input: `Some(true)` for Right.
fn visual_step(ui: &Ui) -> Option<bool> {
    ui.input_mut(|i| {
        if i.consume_key(egui::Modifiers::NONE, egui::Key::ArrowLeft) {
            Some(false)
        } else if i.consume_key(egui::Modifiers::NONE, egui::Key::ArrowRight) {
            Some(true)
        } else {
            None
        }
    })
}

/// The caret place nearest `from`'s on the left (or right), if any.
fn nearest_on_side(places: &[f32], from: usize, right: bool) -> Option<usize> {
    let x = *places.get(from)?;
    places
        .iter()
        .enumerate()
        .filter(|(_, p)| if right { **p > x + 0.5 } else { **p < x - 0.5 })
        .min_by(|(_, a), (_, b)| (**a - x).abs().total_cmp(&(**b - x).abs()))
        .map(|(i, _)| i)
}

/// The caret place nearest `x`.
fn nearest_to(places: &[f32], x: f32) -> usize {
    places.iter().enumerate().min_by(|(_, a), (_, b)| (**a - x).abs().total_cmp(&(**b - x).abs())).map_or(0, |(i, _)| i)
}

/// Where the caret stands before each logical character, and after the last (`n + 1` places).
pub fn caret_places(galley: &Galley) -> Vec<f32> {
    let Some(row) = galley.rows.first() else { return vec![0.0] };
    let mut places: Vec<f32> = row.row.glyphs.iter().map(|g| g.pos.x).collect();
    places.push(row.row.size.x);
    places
}

/// The galley egui edits `text` with: glyphs drawn in visual order, listed in logical order at
/// their caret places (see the module's documentation). Text without right-to-left letters, or
/// on several lines, is laid out as egui would.
pub fn layout(ui: &Ui, text: &str) -> Arc<Galley> {
    let font = egui::TextStyle::Body.resolve(ui.style());
    let color = ui.visuals().widgets.inactive.text_color();
    let job = |text: String| {
        let mut job = egui::text::LayoutJob::simple_singleline(text, font.clone(), color);
        job.keep_trailing_whitespace = true;
        job
    };
    if !bidi::has_rtl(text) || text.contains('\n') {
        return ui.fonts_mut(|f| f.layout_job(job(text.to_owned())));
    }
    let order = bidi::visual_chars(text);
    let shown: String = order.iter().map(|c| c.chr).collect();
    let drawn = ui.fonts_mut(|f| f.layout_job(job(shown)));
    let mut galley = (*drawn).clone();
    // When egui's glyphs do not follow the pattern read below, the field shows egui's own
    // layout (words left to right, as before) rather than misplaced letters.
    let own = || ui.fonts_mut(|f| f.layout_job(job(text.to_owned())));
    let Some(placed) = galley.rows.first_mut() else { return own() };
    let row = Arc::make_mut(&mut placed.row);
    let Some(edges) = char_edges(&row.glyphs, &order) else { return own() };
    // The caret before a character: right of a right-to-left glyph, left of another.
    let logical: Vec<char> = text.chars().collect();
    let mut glyphs = vec![row.glyphs[0]; logical.len()];
    let mut end = 0.0_f32;
    for (c, (left, right)) in order.iter().zip(edges) {
        let glyph = &mut glyphs[c.logical];
        glyph.chr = logical[c.logical];
        glyph.pos.x = if c.rtl { right } else { left };
        glyph.advance_width = 0.0;
        if c.logical + 1 == logical.len() {
            end = if c.rtl { left } else { right };
        }
    }
    row.glyphs = glyphs;
    // After the last character: egui puts the caret at the row's width.
    let width = row.size.x;
    row.size.x = end;
    galley.rect.max.x = galley.rect.min.x + width.max(end);
    Arc::make_mut(&mut galley.job).text = text.to_owned();
    Arc::new(galley)
}

/// The left and right edges of each displayed character (in `order`'s order), read from the
/// glyphs egui laid out for them. egui shapes a word of Arabic letters into one glyph per letter
/// in visual order (a ligature's second letter has no width), then adds a zero-width glyph for
/// each letter but the first; anything else has one glyph per character. `None` when the glyphs
/// do not follow that pattern (the field then shows egui's own layout).
fn char_edges(glyphs: &[egui::epaint::text::Glyph], order: &[bidi::VisualChar]) -> Option<Vec<(f32, f32)>> {
    let mut edges = vec![(0.0, 0.0); order.len()];
    let (mut next, mut k) = (0, 0);
    while k < order.len() {
        let word = order[k..].iter().take_while(|c| is_arabic_letter(c.chr)).count().max(1);
        let shaped = is_arabic_letter(order[k].chr);
        let drawn = glyphs.get(next..next + word)?;
        for (j, glyph) in drawn.iter().enumerate() {
            // A shaped word's glyphs run right to left over its letters.
            let at = if shaped { k + word - 1 - j } else { k + j };
            edges[at] = (glyph.pos.x, glyph.pos.x + glyph.advance_width);
        }
        next += if shaped { 2 * word - 1 } else { word };
        k += word;
    }
    (next == glyphs.len()).then_some(edges)
}

/// An Arabic letter (what egui shapes into joined glyphs).
fn is_arabic_letter(c: char) -> bool {
    matches!(c, '\u{0620}'..='\u{064A}' | '\u{066E}'..='\u{06D3}' | '\u{06FA}'..='\u{06FC}')
}
