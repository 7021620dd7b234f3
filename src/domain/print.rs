//! Printer calibration: office printers rarely put the page exactly where the PDF says, so the
//! office measures the shift once and every document is drawn shifted back by it.

use serde::{Deserialize, Serialize};

use super::FieldErrors;

/// The largest shift accepted, in millimetres (beyond it the printer needs repair, not a setting).
pub const MAX_SHIFT_MM: f32 = 20.0;

/// How far the office's printer shifts a page, in millimetres: positive `top_mm` moves the
/// printed content down, positive `left_mm` moves it right. Documents move by the opposite.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct PrintMargins {
    /// Downward shift.
    pub top_mm: f32,
    /// Rightward shift.
    pub left_mm: f32,
}

fn shift(raw: &str, field: &'static str, errors: &mut FieldErrors) -> f32 {
    let text = raw.trim().replace(',', ".");
    if text.is_empty() {
        return 0.0;
    }
    match text.parse::<f32>() {
        Ok(mm) if mm.is_finite() && mm.abs() <= MAX_SHIFT_MM => (mm * 10.0).round() / 10.0,
        _ => {
            errors.add(
                field,
                format!("Indiquez un décalage en millimètres entre -{MAX_SHIFT_MM} et {MAX_SHIFT_MM} (ex. 2,5)."),
            );
            0.0
        }
    }
}

impl PrintMargins {
    /// Reads the two shifts typed in the settings (empty = 0, decimal comma accepted,
    /// rounded to a tenth of a millimetre).
    pub fn parse(top: &str, left: &str) -> Result<PrintMargins, FieldErrors> {
        let mut errors = FieldErrors::new();
        let top_mm = shift(top, "top", &mut errors);
        let left_mm = shift(left, "left", &mut errors);
        errors.into_result(|| PrintMargins { top_mm, left_mm })
    }

    /// The shifts as a French form shows them (`2,5`).
    pub fn format_fr(self) -> (String, String) {
        let f = |mm: f32| format!("{mm:.1}").replace('.', ",");
        (f(self.top_mm), f(self.left_mm))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shifts_read_with_a_comma_and_stay_small() {
        let m = PrintMargins::parse(" 2,54 ", "-1.5").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(m, PrintMargins { top_mm: 2.5, left_mm: -1.5 });
        assert_eq!(m.format_fr(), ("2,5".to_owned(), "-1,5".to_owned()));
        assert_eq!(PrintMargins::parse("", ""), Ok(PrintMargins::default()));
        let errors = PrintMargins::parse("25", "abc").unwrap_err();
        assert_eq!(errors.0.len(), 2, "{errors}");
        assert!(errors.to_string().contains("entre -20 et 20"));
        assert!(PrintMargins::parse("NaN", "inf").is_err());
    }
}
