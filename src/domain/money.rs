//! Money in dirhams: exact decimals with two places, stored as integer centimes.

use std::fmt;

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive as _;
use serde::{Deserialize, Serialize};

/// An amount of dirhams (DH), never negative, with at most two decimals (centimes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize)]
#[serde(try_from = "i64", into = "i64")]
pub struct Money(i64);

/// The largest amount accepted: one hundred billion dirhams, far above any envelope.
const MAX_CENTIMES: i64 = 10_000_000_000_000;

impl Money {
    /// Zero dirhams.
    pub const ZERO: Money = Money(0);

    /// An amount from integer centimes; `None` when negative or absurdly large.
    pub fn from_centimes(centimes: i64) -> Option<Money> {
        (0..=MAX_CENTIMES).contains(&centimes).then_some(Money(centimes))
    }

    /// The amount in centimes (what SQLite stores, so that SQL sums are exact).
    pub fn centimes(self) -> i64 {
        self.0
    }

    /// The amount as an exact decimal number of dirhams.
    pub fn to_decimal(self) -> Decimal {
        Decimal::new(self.0, 2)
    }

    /// An amount from a decimal number of dirhams: refused when negative, with more than two
    /// decimals, or too large.
    pub fn from_decimal(value: Decimal) -> Result<Money, String> {
        if value.is_sign_negative() && !value.is_zero() {
            return Err("Le montant ne peut pas être négatif.".into());
        }
        let scaled = value * Decimal::ONE_HUNDRED;
        if scaled.fract() != Decimal::ZERO {
            return Err("Le montant a plus de deux décimales (les centimes).".into());
        }
        scaled.to_i64().and_then(Money::from_centimes).ok_or_else(|| "Le montant est trop grand.".into())
    }

    /// Parses an amount as a clerk types it: `1250`, `1 250,50`, `1.250,50`, `1250.5`,
    /// optionally followed by `DH` or `MAD`.
    pub fn parse_fr(raw: &str) -> Result<Money, String> {
        let trimmed = raw.trim();
        let not_a_number =
            || format!("« {trimmed} » n'est pas un montant : écrivez des chiffres, par exemple 1 250,50.");
        let number_part = trimmed.trim_end_matches(|c: char| c.is_alphabetic() || c.is_whitespace());
        let unit = trimmed[number_part.len()..].trim().to_uppercase();
        if !matches!(unit.as_str(), "" | "DH" | "DHS" | "MAD") {
            return Err(not_a_number());
        }
        let mut text: String =
            number_part.chars().filter(|c| !matches!(c, ' ' | '\u{a0}' | '\u{202f}' | '\'')).collect();
        if text.is_empty() {
            return Err("Indiquez un montant en dirhams, par exemple 1 250,50.".into());
        }
        if text.contains(',') {
            // French style: points (if any) group thousands, the comma marks decimals.
            text = text.replace('.', "").replace(',', ".");
        } else if text.matches('.').count() > 1 {
            text = text.replace('.', "");
        } else if text.split_once('.').is_some_and(|(_, decimals)| decimals.len() == 3) {
            // "25.000": thousands in French usage, 25 dirhams in English. Ask rather than guess.
            return Err(format!(
                "« {trimmed} » est ambigu : écrivez {} pour des milliers, ou une virgule pour les centimes.",
                text.replace('.', " ")
            ));
        }
        if text.starts_with('-') {
            return Err("Le montant ne peut pas être négatif.".into());
        }
        if !text.chars().all(|c| c.is_ascii_digit() || c == '.') || text.starts_with('.') {
            return Err(not_a_number());
        }
        let value: Decimal = text.parse().map_err(|_| not_a_number())?;
        Money::from_decimal(value)
    }

    /// The sum of two amounts; `None` on overflow of the cap.
    pub fn checked_add(self, other: Money) -> Option<Money> {
        self.0.checked_add(other.0).and_then(Money::from_centimes)
    }

    /// `self - other` when it is not negative.
    pub fn checked_sub(self, other: Money) -> Option<Money> {
        self.0.checked_sub(other.0).and_then(Money::from_centimes)
    }

    /// French display without the unit: `1 234 567,50` (narrow no-break spaces group thousands).
    pub fn format_number_fr(self) -> String {
        format!("{},{:02}", group_thousands_fr(self.0 / 100), self.0 % 100)
    }
}

/// A whole number with French thousands grouping: `43 073 578` (narrow no-break spaces).
pub fn group_thousands_fr(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut grouped = String::with_capacity(digits.len() * 2);
    if n < 0 {
        grouped.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push('\u{202f}');
        }
        grouped.push(c);
    }
    grouped
}

impl fmt::Display for Money {
    /// `1 234 567,50 DH`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}\u{a0}DH", self.format_number_fr())
    }
}

impl From<Money> for i64 {
    fn from(m: Money) -> i64 {
        m.0
    }
}

impl TryFrom<i64> for Money {
    type Error = String;
    fn try_from(centimes: i64) -> Result<Money, String> {
        Money::from_centimes(centimes).ok_or_else(|| format!("montant invalide : {centimes} centimes"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_what_clerks_type() {
        let cases = [
            ("1250", 125_000),
            ("1 250,50", 125_050),
            ("1\u{202f}250,5 DH", 125_050),
            ("1.250,50", 125_050),
            ("1250.5", 125_050),
            ("43 073 578", 4_307_357_800),
            ("0", 0),
            ("0,01 MAD", 1),
        ];
        for (raw, centimes) in cases {
            assert_eq!(Money::parse_fr(raw).map(Money::centimes), Ok(centimes), "{raw}");
        }
    }

    #[test]
    fn refuses_bad_amounts_in_french() {
        assert!(Money::parse_fr("-5").unwrap_err().contains("négatif"));
        assert!(Money::parse_fr("1,234").unwrap_err().contains("deux décimales"));
        assert!(Money::parse_fr("abc").unwrap_err().contains("n'est pas un montant"));
        assert!(Money::parse_fr("12 euros").unwrap_err().contains("n'est pas un montant"));
        assert!(Money::parse_fr("").unwrap_err().contains("Indiquez"));
        assert!(Money::parse_fr("25.000").unwrap_err().contains("ambigu"));
        assert!(Money::parse_fr("999999999999999999").unwrap_err().contains("trop grand"));
    }

    #[test]
    fn sums_are_exact_where_floats_are_not() {
        let tenth = Money::parse_fr("0,10").unwrap_or_default();
        let mut total = Money::ZERO;
        for _ in 0..10 {
            total = total.checked_add(tenth).unwrap_or_default();
        }
        assert_eq!(total, Money::parse_fr("1").unwrap_or_default());
        assert_eq!(total.to_decimal().to_string(), "1.00");
        let parts = ["7 854 330", "35 219 248"].map(|s| Money::parse_fr(s).unwrap_or_default());
        assert_eq!(parts[0].checked_add(parts[1]).map(Money::centimes), Some(4_307_357_800));
    }

    #[test]
    fn formats_in_french() {
        let m = Money::from_centimes(123_456_750).unwrap_or_default();
        assert_eq!(m.to_string(), "1\u{202f}234\u{202f}567,50\u{a0}DH");
        assert_eq!(Money::ZERO.format_number_fr(), "0,00");
        assert_eq!(Money::from_centimes(99_999).unwrap_or_default().format_number_fr(), "999,99");
    }

    #[test]
    fn never_negative() {
        assert_eq!(Money::from_centimes(-1), None);
        assert_eq!(Money::ZERO.checked_sub(Money::from_centimes(1).unwrap_or_default()), None);
        assert!(serde_json::from_str::<Money>("-3").is_err());
    }
}
