//! Civil dates as clerks write them (`dd/mm/yyyy`) and as the store keeps them (ISO 8601).

use chrono::{Datelike as _, NaiveDate};

/// Parses `31/12/2025`, `31-12-2025`, `31.12.2025` or ISO `2025-12-31`.
pub fn parse_date_fr(raw: &str) -> Result<NaiveDate, String> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Err("Indiquez une date (jj/mm/aaaa).".into());
    }
    let parsed = if raw.len() == 10 && raw.as_bytes()[4] == b'-' {
        NaiveDate::parse_from_str(raw, "%Y-%m-%d")
    } else {
        let normalised = raw.replace(['-', '.'], "/");
        NaiveDate::parse_from_str(&normalised, "%d/%m/%Y")
    };
    let date = parsed
        .map_err(|_| format!("« {raw} » n'est pas une date valide : écrivez jj/mm/aaaa, par exemple 05/03/1962."))?;
    if !(1900..=2200).contains(&date.year()) {
        return Err(format!("L'année {} n'est pas plausible.", date.year()));
    }
    Ok(date)
}

/// Parses a date that must not lie after `today` (a birth date, a visit, a payment).
pub fn parse_past_date_fr(raw: &str, today: NaiveDate) -> Result<NaiveDate, String> {
    let date = parse_date_fr(raw)?;
    if date > today {
        return Err(format!("La date {} est dans le futur.", format_date_fr(date)));
    }
    Ok(date)
}

/// `05/03/1962`.
pub fn format_date_fr(date: NaiveDate) -> String {
    date.format("%d/%m/%Y").to_string()
}

/// `29 novembre 2026` (`1er` for the first of the month).
pub fn long_date_fr(date: NaiveDate) -> String {
    const MONTHS: [&str; 12] = [
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ];
    let day = if date.day() == 1 { "1er".to_owned() } else { date.day().to_string() };
    format!("{day} {} {}", MONTHS[date.month0() as usize], date.year())
}

/// `29 نونبر 2026`: the month names used in Morocco.
pub fn long_date_ar(date: NaiveDate) -> String {
    const MONTHS: [&str; 12] =
        ["يناير", "فبراير", "مارس", "أبريل", "ماي", "يونيو", "يوليوز", "غشت", "شتنبر", "أكتوبر", "نونبر", "دجنبر"];
    format!("{} {} {}", date.day(), MONTHS[date.month0() as usize], date.year())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_french_and_iso_dates() {
        let d = NaiveDate::from_ymd_opt(1962, 3, 5);
        for raw in ["05/03/1962", "5/3/1962", "05-03-1962", "05.03.1962", "1962-03-05"] {
            assert_eq!(parse_date_fr(raw).ok(), d, "{raw}");
        }
        assert!(parse_date_fr("31/02/2020").unwrap_err().contains("pas une date valide"));
        assert!(parse_date_fr("01/01/1800").unwrap_err().contains("plausible"));
        assert!(parse_date_fr("").is_err());
    }

    #[test]
    fn past_dates_refuse_the_future() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 29).unwrap_or_default();
        assert!(parse_past_date_fr("30/11/2026", today).unwrap_err().contains("futur"));
        assert!(parse_past_date_fr("29/11/2026", today).is_ok());
    }

    #[test]
    fn long_dates_in_both_languages() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap_or_default();
        assert_eq!(long_date_fr(d(2026, 11, 29)), "29 novembre 2026");
        assert_eq!(long_date_fr(d(2026, 8, 1)), "1er août 2026");
        assert_eq!(long_date_ar(d(2026, 8, 1)), "1 غشت 2026");
        assert_eq!(long_date_ar(d(2026, 12, 9)), "9 دجنبر 2026");
    }
}
