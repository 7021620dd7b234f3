//! Tables that run over as many pages as they need, the header row repeated on each page.

use super::canvas::{Align, Canvas, Style};
use super::letterhead::MARGIN;
use super::text;

/// The lowest baseline a table row may use before the footer.
const BOTTOM: f32 = 274.0;
/// Where a table goes on when it continues on a new page.
const TOP: f32 = 22.0;
const ROW: f32 = 5.6;

/// A column: its title, width in millimetres and alignment; `arabic` columns are set right to
/// left.
#[derive(Debug, Clone, Copy)]
pub struct Column<'a> {
    /// Title.
    pub title: &'a str,
    /// Width, in millimetres.
    pub width: f32,
    /// Alignment in the cell.
    pub align: Align,
    /// Arabic text (right to left).
    pub arabic: bool,
}

impl<'a> Column<'a> {
    /// A left-aligned French column.
    pub fn text(title: &'a str, width: f32) -> Column<'a> {
        Column { title, width, align: Align::Left, arabic: false }
    }

    /// A right-aligned column of figures.
    pub fn figure(title: &'a str, width: f32) -> Column<'a> {
        Column { title, width, align: Align::Right, arabic: false }
    }

    /// A right-aligned Arabic column.
    pub fn arabic(title: &'a str, width: f32) -> Column<'a> {
        Column { title, width, align: Align::Right, arabic: true }
    }
}

/// `value` cut to fit `width` millimetres at `style`, with an ellipsis when it had to be cut.
fn fit(value: &str, width: f32, style: Style) -> String {
    let max = width * 72.0 / 25.4;
    let measure = |s: &str| text::width(s, style.size, style.weight, style.base);
    if measure(value) <= max {
        return value.to_owned();
    }
    let chars: Vec<char> = value.chars().collect();
    let (mut low, mut high) = (0, chars.len());
    while low < high {
        let mid = (low + high).div_ceil(2);
        let candidate: String = chars[..mid].iter().collect::<String>() + "…";
        if measure(&candidate) <= max { low = mid } else { high = mid - 1 }
    }
    chars[..low].iter().collect::<String>() + "…"
}

fn header(c: &mut Canvas, y: f32, columns: &[Column<'_>]) -> f32 {
    let total: f32 = columns.iter().map(|col| col.width).sum();
    c.rect(MARGIN, y - 4.2, total, 6.0, Some(0.88));
    let mut x = MARGIN;
    for col in columns {
        let style = if col.arabic { Style::ar(8.0).bold() } else { Style::fr(8.0).bold() };
        cell(c, x, y, col, &fit(col.title, col.width - 2.0, style), style);
        x += col.width;
    }
    y + 6.5
}

fn cell(c: &mut Canvas, x: f32, y: f32, col: &Column<'_>, value: &str, style: Style) {
    let anchor = match col.align {
        Align::Left => x + 1.0,
        Align::Center => x + col.width / 2.0,
        Align::Right => x + col.width - 1.0,
    };
    c.line(anchor, y, col.align, value, style);
}

/// Draws `rows` under a header from `y` on, breaking pages where needed (with `on_new_page`
/// called for each new page, e.g. to draw its heading); returns the `y` below the table. A value
/// too long for its column wraps and its row grows: nothing is cut, nothing runs over the next
/// column.
pub fn table(
    c: &mut Canvas,
    y: f32,
    columns: &[Column<'_>],
    rows: &[Vec<String>],
    on_new_page: &mut dyn FnMut(&mut Canvas),
) -> f32 {
    let mut y = header(c, y, columns);
    let total: f32 = columns.iter().map(|col| col.width).sum();
    for (i, row) in rows.iter().enumerate() {
        let cells: Vec<(Vec<String>, Style)> = columns
            .iter()
            .zip(row)
            .map(|(col, value)| {
                let style = if col.arabic || (text::has_arabic(value) && col.align == Align::Right) {
                    Style::ar(8.5)
                } else {
                    Style::fr(8.5)
                };
                let width = (col.width - 2.0) * 72.0 / 25.4;
                (text::wrap(value, style.size, style.weight, style.base, width), style)
            })
            .collect();
        let extra = cells
            .iter()
            .map(|(lines, style)| lines.len().saturating_sub(1) as f32 * style.leading())
            .fold(0.0, f32::max);
        if y + extra > BOTTOM {
            c.new_page();
            on_new_page(c);
            y = header(c, TOP, columns);
        }
        if i % 2 == 1 {
            c.rect(MARGIN, y - 4.0, total, ROW + extra, Some(0.96));
        }
        let mut x = MARGIN;
        for (col, (lines, style)) in columns.iter().zip(&cells) {
            let mut line_y = y;
            for line in lines {
                cell(c, x, line_y, col, line, *style);
                line_y += style.leading();
            }
            x += col.width;
        }
        y += ROW + extra;
    }
    c.rule((MARGIN, y - 3.5), (MARGIN + total, y - 3.5), 0.4);
    y + 2.0
}
