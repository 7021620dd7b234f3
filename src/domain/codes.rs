//! Identifiers with a format: site codes, CIN, ICE, RC, phone numbers, dossier numbers.
//! Each parses from what a clerk types into a normalised value, or says in French what is wrong.

use std::fmt;

use serde::{Deserialize, Serialize};

/// The code of an installation (a site): 2 to 16 upper-case letters, digits and `-`,
/// e.g. `BL-TIZNIT`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct SiteCode(String);

impl SiteCode {
    /// Parses a site code; lower case is accepted and raised.
    pub fn parse(raw: &str) -> Result<SiteCode, String> {
        let code = raw.trim().to_uppercase();
        let ok_chars = code.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-');
        if !(2..=16).contains(&code.len()) || !ok_chars || code.starts_with('-') || code.ends_with('-') {
            return Err(format!(
                "« {} » n'est pas un code de site : 2 à 16 caractères parmi A–Z, 0–9 et « - », par exemple BL-TIZNIT.",
                raw.trim()
            ));
        }
        Ok(SiteCode(code))
    }

    /// The code as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for SiteCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for SiteCode {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        SiteCode::parse(&s)
    }
}

impl From<SiteCode> for String {
    fn from(c: SiteCode) -> String {
        c.0
    }
}

/// A national identity card number (CIN / CNIE), normalised: upper case, no spaces.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Cin(String);

/// The outcome of reading a CIN: the value, and a warning when its shape is unusual.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedCin {
    /// The normalised number.
    pub cin: Cin,
    /// Set when the number does not look like `^[A-Z]{1,2}[0-9]{1,6}$`: worth a second look,
    /// but not refused (DESIGN §2: warn, do not block).
    pub warning: Option<String>,
}

impl Cin {
    /// The CIN of an anonymised applicant (see [`crate::domain::applicant::anonymous_code`]).
    pub fn anonymous(id: uuid::Uuid) -> Cin {
        Cin(crate::domain::applicant::anonymous_code(id))
    }

    /// Normalises a CIN; refuses only what cannot be one (empty, or characters other than
    /// letters and digits once spaces, dots and dashes are removed).
    pub fn parse(raw: &str) -> Result<ParsedCin, String> {
        let cin: String = raw
            .chars()
            .filter(|c| !c.is_whitespace() && !matches!(c, '-' | '.' | '/'))
            .flat_map(char::to_uppercase)
            .collect();
        if cin.is_empty() {
            return Err("Indiquez le numéro de la CIN.".into());
        }
        if !cin.chars().all(|c| c.is_ascii_alphanumeric()) || cin.len() > 12 {
            return Err(format!(
                "« {} » n'est pas un numéro de CIN : lettres latines et chiffres seulement, par exemple JB123456.",
                raw.trim()
            ));
        }
        let letters = cin.chars().take_while(char::is_ascii_uppercase).count();
        let digits = cin.len() - letters;
        let typical = (1..=2).contains(&letters)
            && (1..=6).contains(&digits)
            && cin[letters..].chars().all(|c| c.is_ascii_digit());
        let warning = (!typical).then(|| {
            format!("Le numéro de CIN « {cin} » a une forme inhabituelle (1 ou 2 lettres puis 1 à 6 chiffres) : vérifiez-le.")
        });
        Ok(ParsedCin { cin: Cin(cin), warning })
    }

    /// The normalised number.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Cin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The *Identifiant Commun de l'Entreprise*: exactly 15 digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Ice(String);

impl Ice {
    /// Parses an ICE; spaces are ignored.
    pub fn parse(raw: &str) -> Result<Ice, String> {
        let digits: String = raw.chars().filter(|c| !c.is_whitespace()).collect();
        if digits.len() != 15 || !digits.chars().all(|c| c.is_ascii_digit()) {
            return Err(format!(
                "L'ICE doit compter exactement 15 chiffres (« {} » en a {}).",
                raw.trim(),
                digits.chars().filter(char::is_ascii_digit).count()
            ));
        }
        Ok(Ice(digits))
    }

    /// The 15 digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A trade register entry: the commercial court (*tribunal*) and the number in its register.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Rc {
    /// The city of the court keeping the register, e.g. `Agadir`.
    pub court: String,
    /// The number in that court's register.
    pub number: String,
}

impl Rc {
    /// Builds an RC from its two parts; both are needed.
    pub fn parse(court: &str, number: &str) -> Result<Rc, String> {
        let (court, number) = (court.trim(), number.trim());
        match (court.is_empty(), number.is_empty()) {
            (true, true) => Err("Indiquez le registre du commerce : tribunal et numéro.".into()),
            (true, false) => Err("Indiquez le tribunal du registre du commerce (par exemple Agadir).".into()),
            (false, true) => Err("Indiquez le numéro au registre du commerce.".into()),
            (false, false) if !number.chars().all(|c| c.is_ascii_digit()) => {
                Err(format!("Le numéro de RC « {number} » ne doit contenir que des chiffres."))
            }
            (false, false) => Ok(Rc { court: court.to_owned(), number: number.to_owned() }),
        }
    }
}

impl fmt::Display for Rc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RC {} {}", self.court, self.number)
    }
}

/// A Moroccan phone number normalised as `+212` followed by nine digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Phone(String);

impl Phone {
    /// Accepts `06 12 34 56 78`, `0612345678`, `+212 6 12 34 56 78`, `00212612345678`,
    /// `212612345678`.
    pub fn parse(raw: &str) -> Result<Phone, String> {
        let compact: String = raw.chars().filter(|c| !matches!(c, ' ' | '.' | '-' | '(' | ')' | '\u{a0}')).collect();
        let national = if let Some(rest) = compact.strip_prefix("+212") {
            rest.trim_start_matches('0').to_owned()
        } else if let Some(rest) = compact.strip_prefix("00212") {
            rest.trim_start_matches('0').to_owned()
        } else if compact.len() == 12 && compact.starts_with("212") {
            compact[3..].to_owned()
        } else if compact.len() == 10 && compact.starts_with('0') {
            compact[1..].to_owned()
        } else {
            String::new()
        };
        let valid = national.len() == 9
            && national.chars().all(|c| c.is_ascii_digit())
            && matches!(national.as_bytes()[0], b'5'..=b'8');
        if !valid {
            return Err(format!(
                "« {} » n'est pas un numéro de téléphone marocain : 10 chiffres commençant par 05, 06, 07 ou 08, ou +212 suivi de 9 chiffres.",
                raw.trim()
            ));
        }
        Ok(Phone(format!("+212{national}")))
    }

    /// `+212612345678`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The national form, `0612345678`, as people dial and search it.
    pub fn national(&self) -> String {
        format!("0{}", self.0.strip_prefix("+212").unwrap_or(&self.0))
    }
}

// A phone read from a file or a bundle is checked like one typed: a crafted value never reaches
// the code that trusts its form.
impl TryFrom<String> for Phone {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        Phone::parse(&s)
    }
}

impl From<Phone> for String {
    fn from(p: Phone) -> String {
        p.0
    }
}

/// A dossier's human number, `<OFFICE>-<YEAR>-<NNNNN>`, unique per office and year.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct DossierNumber(String);

impl DossierNumber {
    /// The number of the `sequence`-th dossier of `year` at `office`.
    pub fn new(office: &SiteCode, year: i32, sequence: u32) -> DossierNumber {
        DossierNumber(format!("{office}-{year}-{sequence:05}"))
    }

    /// Reads a number back; returns its office, year and sequence.
    pub fn parse(raw: &str) -> Result<(SiteCode, i32, u32), String> {
        let raw = raw.trim().to_uppercase();
        let bad = || {
            format!(
                "« {raw} » n'est pas un numéro de dossier (forme BUREAU-ANNÉE-NNNNN, par exemple BL-TIZNIT-2026-00042)."
            )
        };
        let mut parts = raw.rsplitn(3, '-');
        let (Some(seq), Some(year), Some(office)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(bad());
        };
        let office = SiteCode::parse(office).map_err(|_| bad())?;
        let year: i32 = year.parse().ok().filter(|y| (1990..=2200).contains(y)).ok_or_else(bad)?;
        let seq: u32 = seq.parse().ok().filter(|s| *s > 0).ok_or_else(bad)?;
        Ok((office, year, seq))
    }

    /// The number as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for DossierNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn site_codes() {
        assert_eq!(SiteCode::parse("bl-tiznit").map(|c| c.0), Ok("BL-TIZNIT".into()));
        for bad in ["B", "BL_TIZNIT", "-BL", "BUREAU-LOCAL-TIZNIT-1", "BL TIZNIT", "BL-"] {
            assert!(SiteCode::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn cin_is_normalised_and_unusual_shapes_warn() {
        let p = Cin::parse(" jb 123 456 ").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(p.cin.as_str(), "JB123456");
        assert_eq!(p.warning, None);
        let odd = Cin::parse("ABC1234567").unwrap_or_else(|e| panic!("{e}"));
        assert!(odd.warning.is_some_and(|w| w.contains("inhabituelle")));
        assert!(Cin::parse("").is_err());
        assert!(Cin::parse("JB12345é").unwrap_err().contains("lettres latines"));
    }

    #[test]
    fn ice_has_fifteen_digits() {
        assert!(Ice::parse("001 234 567 000 089").is_ok());
        assert!(Ice::parse("00123456700008").unwrap_err().contains("14"));
        assert!(Ice::parse("00123456700008A").is_err());
    }

    #[test]
    fn rc_needs_court_and_number() {
        assert!(Rc::parse("Agadir", "12345").is_ok());
        assert!(Rc::parse("", "12345").unwrap_err().contains("tribunal"));
        assert!(Rc::parse("Agadir", "").unwrap_err().contains("numéro"));
        assert!(Rc::parse("Agadir", "12a").is_err());
    }

    #[test]
    fn phones_are_normalised_to_plus_212() {
        for raw in [
            "06 12 34 56 78",
            "0612345678",
            "+212 6 12 34 56 78",
            "00212612345678",
            "212612345678",
            "+212 (0)6-12-34-56-78",
        ] {
            assert_eq!(Phone::parse(raw).map(|p| p.0), Ok("+212612345678".into()), "{raw}");
        }
        for bad in ["0312345678", "061234567", "+33612345678", "téléphone"] {
            assert!(Phone::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(Phone::parse("0528123456").map(|p| p.national()), Ok("0528123456".into()));
    }

    #[test]
    fn dossier_numbers_round_trip() {
        let office = SiteCode::parse("BL-TIZNIT").unwrap_or_else(|e| panic!("{e}"));
        let n = DossierNumber::new(&office, 2026, 42);
        assert_eq!(n.as_str(), "BL-TIZNIT-2026-00042");
        assert_eq!(DossierNumber::parse(n.as_str()), Ok((office, 2026, 42)));
        assert!(DossierNumber::parse("BL-2026").is_err());
        assert!(DossierNumber::parse("BL-TIZNIT-2026-00000").is_err());
    }
}
