//! Free text people type (names, addresses, notes, reasons, labels): one rule for every field,
//! the same at every door — the forms, the CSV import, the writer, the bundle reader, `check`.
//!
//! A field has a length limit and says whether it may hold line breaks. Control characters, the
//! bidi embedding, override and isolate controls (U+202A–U+202E, U+2066–U+2069) and the invisible
//! direction marks (U+200E, U+200F, U+061C) are refused: one of them inside a Latin name
//! reverses the words around it on a certificate. The zero-width joiner and non-joiner stay
//! allowed: Arabic writing needs them.

/// How much a field may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    /// At most this many characters.
    pub max_chars: usize,
    /// Whether line breaks are allowed (notes, observations).
    pub lines: bool,
}

/// A name (person, card holder, project).
pub const NAME: Limit = Limit { max_chars: 120, lines: false };
/// A short reference or code typed by a person (a PV, a receipt number, a court).
pub const REFERENCE: Limit = Limit { max_chars: 80, lines: false };
/// An address, a commune, a sector, a label.
pub const LINE: Limit = Limit { max_chars: 250, lines: false };
/// A reason or a note (a few sentences).
pub const NOTE: Limit = Limit { max_chars: 2_000, lines: true };
/// A long text (a visit's observations, a certificate's signed payload).
pub const LONG: Limit = Limit { max_chars: 8_000, lines: true };

/// Whether `c` is never allowed in free text (a line break is judged apart).
pub fn is_forbidden(c: char) -> bool {
    (c.is_control() && c != '\n')
        || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
}

/// What is wrong with `value` for a field named `field` (French) under `limit`, if anything.
pub fn problem(field: &str, value: &str, limit: Limit) -> Option<String> {
    let count = value.chars().count();
    if count > limit.max_chars {
        return Some(format!("« {field} » compte {count} caractères : {} au plus. Raccourcissez-le.", limit.max_chars));
    }
    if let Some(c) = value.chars().find(|c| is_forbidden(*c) || (*c == '\n' && !limit.lines)) {
        let what = if c == '\n' {
            "un saut de ligne".to_owned()
        } else if c.is_control() {
            format!("un caractère de contrôle (U+{:04X})", u32::from(c))
        } else {
            format!(
                "une marque invisible de sens d'écriture (U+{:04X}), qui inverse le texte à l'impression",
                u32::from(c)
            )
        };
        return Some(format!("« {field} » contient {what} : retirez-le et enregistrez de nouveau."));
    }
    None
}

/// Records under `field` what is wrong with a form's `value` (the field named `label` in French).
pub fn check_field(errors: &mut super::FieldErrors, field: &'static str, label: &str, value: &str, limit: Limit) {
    if let Some(problem) = problem(label, value.trim(), limit) {
        errors.add(field, problem);
    }
}

/// Whether a stored row's JSON may break a rule and is worth decoding: it holds a forbidden
/// character, an escape (controls and line breaks are escaped in JSON), or a string longer than
/// the shortest limit. `false` means no field of it can break a rule; the scan of a whole
/// register stays a pass over its bytes.
pub fn worth_a_look(json: &str) -> bool {
    let bytes = json.as_bytes();
    let (mut in_string, mut run, mut i) = (false, 0usize, 0usize);
    while i < bytes.len() {
        match (in_string, bytes[i]) {
            (false, b'"') => (in_string, run) = (true, 0),
            (true, b'"') => in_string = false,
            (true, b'\\') => match bytes.get(i + 1) {
                Some(b'"' | b'\\' | b'/') => {
                    run += 1;
                    i += 1;
                }
                _ => return true,
            },
            (true, _) => {
                run += 1;
                if run > REFERENCE.max_chars {
                    return true;
                }
            }
            (false, _) => {}
        }
        i += 1;
    }
    json.chars().any(is_forbidden)
}

/// The characters that make a spreadsheet read a cell as a formula when they come first.
const FORMULA_STARTS: [char; 4] = ['=', '+', '-', '@'];

/// A text cell as a CSV file carries it: text a spreadsheet would run as a formula (`=`, `+`,
/// `-`, `@` first) gets a leading `'`, which spreadsheets show as text. Numbers are written as
/// they are, never through this.
pub fn spreadsheet_safe(cell: &str) -> std::borrow::Cow<'_, str> {
    if cell.starts_with(FORMULA_STARTS) || cell.starts_with('\'') && cell[1..].starts_with(FORMULA_STARTS) {
        std::borrow::Cow::Owned(format!("'{cell}"))
    } else {
        std::borrow::Cow::Borrowed(cell)
    }
}

/// A cell read from a CSV file, its [`spreadsheet_safe`] quote removed: a phone `'+212…` written
/// by Daftar (or by a spreadsheet told to keep it as text) reads back as `+212…`.
pub fn from_spreadsheet(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest)
            if rest.starts_with(FORMULA_STARTS) || rest.starts_with('\'') && rest[1..].starts_with(FORMULA_STARTS) =>
        {
            rest
        }
        _ => cell,
    }
}

/// A value's free-text fields: French name, value, limit.
pub type Fields<'a> = Vec<(&'static str, &'a str, Limit)>;

/// A value made of free text, checked the same way wherever it enters.
pub trait FreeText {
    /// Every free-text field it holds.
    fn free_text(&self) -> Fields<'_>;

    /// The first field that breaks its rule, in French.
    fn text_problem(&self) -> Option<String> {
        self.free_text().into_iter().find_map(|(field, value, limit)| problem(field, value, limit))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bidi_controls_and_controls_are_refused_joiners_are_not() {
        for bad in ["Ali\u{202E}654321", "Ali\u{2066}x", "a\u{200F}", "b\u{061C}", "tab\there", "nul\0"] {
            assert!(problem("Nom", bad, NAME).is_some(), "{bad:?}");
        }
        assert!(problem("Nom", "لا\u{200D}ئحة\u{200C}", NAME).is_none());
        assert!(problem("Note", "ligne 1\nligne 2", NOTE).is_none());
        assert!(problem("Nom", "ligne 1\nligne 2", NAME).unwrap().contains("saut de ligne"));
    }

    #[test]
    fn only_rows_that_may_break_a_rule_are_worth_a_look() {
        assert!(!worth_a_look(r#"{"last_name":"El Alaoui","address":"12 rue \"Al Massira\""}"#));
        assert!(worth_a_look(r#"{"note":"ligne 1\nligne 2"}"#));
        assert!(worth_a_look("{\"last_name\":\"El\u{202E}Alaoui\"}"));
        assert!(worth_a_look(&format!(r#"{{"address":"{}"}}"#, "x".repeat(81))));
        // Whatever breaks a rule is looked at.
        for (field, limit) in [("a", REFERENCE), ("b", NAME), ("c", LINE)] {
            let value = "é".repeat(limit.max_chars + 1);
            let json = format!(r#"{{"{field}":"{value}"}}"#);
            assert!(problem(field, &value, limit).is_some() && worth_a_look(&json));
        }
    }

    #[test]
    fn formulas_are_neutralised_in_csv_and_read_back_as_typed() {
        for typed in ["+212661234567", "=HYPERLINK(\"http://x\")", "-5", "@SUM(A1)", "'=déjà cité", "El Alaoui", ""]
        {
            let written = spreadsheet_safe(typed);
            assert!(!written.starts_with(FORMULA_STARTS), "{written}");
            assert_eq!(from_spreadsheet(&written), typed);
        }
        assert_eq!(spreadsheet_safe("El Alaoui"), "El Alaoui");
        assert_eq!(from_spreadsheet("'ordinaire"), "'ordinaire", "a quote of the person's own stays");
    }

    #[test]
    fn the_limit_counts_characters_not_bytes() {
        let arabic = "ع".repeat(120);
        assert!(problem("Nom", &arabic, NAME).is_none());
        let message = problem("Adresse", &"x".repeat(2_000_000), LINE).unwrap();
        assert!(message.contains("2000000 caractères") && message.contains("250 au plus"), "{message}");
    }
}
