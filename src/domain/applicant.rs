//! Resistance card holders and applicants (*bénéficiaires*, *ayants droit*).

use chrono::{Datelike as _, NaiveDate};
use serde::{Deserialize, Serialize};

use super::codes::{Cin, Phone};
use super::dates::parse_past_date_fr;
use super::errors::{FieldErrors, non_empty};
use super::text::{self, Fields, FreeText};

/// A former resistance member or member of the Liberation Army, holder of a resistance card:
/// the root of eligibility.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CardHolder {
    /// The card number (*numéro de la carte d'ancien résistant*).
    pub card_number: String,
    /// Full name in Latin script.
    pub name_latin: String,
    /// Full name in Arabic script (may be empty when unknown).
    #[serde(default)]
    pub name_arabic: String,
    /// Date of death, when the holder has died.
    #[serde(default)]
    pub deceased_on: Option<NaiveDate>,
    /// When the retention rules anonymised it (law 09-08).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub anonymised_on: Option<NaiveDate>,
}

/// What replaces an erased identifier (CIN, card number): `ANON` and eight hex digits of the
/// row's id, unique and recognisable, never a real number.
pub fn anonymous_code(id: uuid::Uuid) -> String {
    format!("ANON{}", &id.simple().to_string()[24..]).to_uppercase()
}

/// What replaces an erased name.
pub const ANONYMOUS_NAME: &str = "Anonymisé";
/// What replaces an erased name in Arabic script.
pub const ANONYMOUS_NAME_AR: &str = "مجهول";

impl CardHolder {
    /// Erases what identifies the holder (retention rules): card number and names.
    pub fn anonymise(&mut self, id: uuid::Uuid, on: NaiveDate) {
        self.card_number = anonymous_code(id);
        self.name_latin = ANONYMOUS_NAME.to_owned();
        self.name_arabic = ANONYMOUS_NAME_AR.to_owned();
        self.deceased_on = None;
        self.anonymised_on = Some(on);
    }

    /// Validates a card holder typed in a form or read from a file.
    pub fn validate(card_number: &str, name_latin: &str, name_arabic: &str) -> Result<CardHolder, FieldErrors> {
        let card = card_number.trim();
        let named = non_empty(name_latin).is_some() || non_empty(name_arabic).is_some();
        CardHolder::problems(card, named).into_result(|| CardHolder {
            card_number: card.to_owned(),
            name_latin: name_latin.trim().to_owned(),
            name_arabic: name_arabic.trim().to_owned(),
            deceased_on: None,
            anonymised_on: None,
        })
    }

    /// What is wrong with a card number, and with its holder's name when `named` is false (a
    /// card already known, or held by the applicant in person, needs no name).
    pub fn problems(card_number: &str, named: bool) -> FieldErrors {
        let mut errors = FieldErrors::new();
        let card = card_number.trim();
        if card.is_empty() {
            errors.add("card_number", "Indiquez le numéro de la carte de résistant.");
        } else if card.len() > 32 || card.chars().any(char::is_control) {
            errors.add("card_number", "Le numéro de carte est trop long ou contient des caractères invalides.");
        }
        if !named {
            errors.add("card_holder_name", "Indiquez le nom du titulaire de la carte (en lettres latines ou arabes).");
        }
        errors
    }
}

/// Sex, as on the identity card.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Sex {
    /// *Masculin*.
    M,
    /// *Féminin*.
    F,
}

impl Sex {
    /// « homme » or « femme ».
    pub fn label_fr(self) -> &'static str {
        match self {
            Sex::M => "homme",
            Sex::F => "femme",
        }
    }

    /// Parses `M`/`H`/`homme`/`masculin` or `F`/`femme`/`féminin`.
    pub fn parse(raw: &str) -> Result<Sex, String> {
        match raw.trim().to_lowercase().as_str() {
            "m" | "h" | "homme" | "masculin" | "ذكر" => Ok(Sex::M),
            "f" | "femme" | "féminin" | "feminin" | "أنثى" | "انثى" => Ok(Sex::F),
            "" => Err("Indiquez le sexe (M ou F).".into()),
            other => Err(format!("« {other} » : indiquez M ou F.")),
        }
    }
}

/// How an applicant relates to the card holder.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Relationship {
    /// The card holder in person.
    Himself,
    /// The holder's widow.
    Widow,
    /// A son.
    Son,
    /// A daughter.
    Daughter,
    /// A grandchild (where a programme allows it).
    Grandchild,
}

impl Relationship {
    /// The sex the link implies: a widow and a daughter are women, a son a man.
    pub fn implied_sex(self) -> Option<Sex> {
        match self {
            Relationship::Widow | Relationship::Daughter => Some(Sex::F),
            Relationship::Son => Some(Sex::M),
            Relationship::Himself | Relationship::Grandchild => None,
        }
    }

    /// Every relationship.
    pub const ALL: [Relationship; 5] = [
        Relationship::Himself,
        Relationship::Widow,
        Relationship::Son,
        Relationship::Daughter,
        Relationship::Grandchild,
    ];

    /// The code used in files and on the command line.
    pub fn code(self) -> &'static str {
        match self {
            Relationship::Himself => "titulaire",
            Relationship::Widow => "veuve",
            Relationship::Son => "fils",
            Relationship::Daughter => "fille",
            Relationship::Grandchild => "petit-enfant",
        }
    }

    /// The French label.
    pub fn label_fr(self) -> &'static str {
        match self {
            Relationship::Himself => "Titulaire de la carte",
            Relationship::Widow => "Veuve",
            Relationship::Son => "Fils",
            Relationship::Daughter => "Fille",
            Relationship::Grandchild => "Petit-enfant",
        }
    }

    /// Arabic label (glossary: ابن، بنت، أرملة).
    pub fn label_ar(self) -> &'static str {
        match self {
            Relationship::Himself => "صاحب البطاقة",
            Relationship::Widow => "أرملة",
            Relationship::Son => "ابن",
            Relationship::Daughter => "بنت",
            Relationship::Grandchild => "حفيد(ة)",
        }
    }

    /// Parses [`Relationship::code`] (or the French label, any case).
    pub fn parse(raw: &str) -> Result<Relationship, String> {
        let wanted = raw.trim().to_lowercase();
        Relationship::ALL.into_iter().find(|r| r.code() == wanted || r.label_fr().to_lowercase() == wanted).ok_or_else(
            || {
                if wanted.is_empty() {
                    "Indiquez le lien avec le titulaire de la carte.".to_owned()
                } else {
                    format!(
                        "« {} » : lien inconnu ; choisissez titulaire, veuve, fils, fille ou petit-enfant.",
                        raw.trim()
                    )
                }
            },
        )
    }
}

/// The basic health insurance (AMO) regime covering an applicant — health data, sensitive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AmoRegime {
    /// Private-sector employees and, since 2022, the self-employed.
    Cnss,
    /// Public-sector employees.
    Cnops,
    /// AMO Tadamon (formerly RAMED), for people without means.
    Tadamon,
    /// Another regime (FAR, …).
    Other,
}

impl AmoRegime {
    /// Parses `cnss`, `cnops`, `tadamon` (or `ramed`), `autre`.
    pub fn parse(raw: &str) -> Result<AmoRegime, String> {
        match raw.trim().to_lowercase().as_str() {
            "cnss" => Ok(AmoRegime::Cnss),
            "cnops" => Ok(AmoRegime::Cnops),
            "tadamon" | "amo tadamon" | "ramed" => Ok(AmoRegime::Tadamon),
            "autre" | "other" => Ok(AmoRegime::Other),
            other => Err(format!("« {other} » : régime AMO inconnu ; choisissez cnss, cnops, tadamon ou autre.")),
        }
    }

    /// The regime's name.
    pub fn label_fr(self) -> &'static str {
        match self {
            AmoRegime::Cnss => "CNSS",
            AmoRegime::Cnops => "CNOPS",
            AmoRegime::Tadamon => "AMO Tadamon",
            AmoRegime::Other => "autre régime",
        }
    }
}

/// An applicant's AMO health cover, as last checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AmoCover {
    /// The regime.
    pub regime: AmoRegime,
    /// The member number in that regime.
    pub number: String,
    /// When the office last checked the cover.
    pub checked_on: Option<NaiveDate>,
}

/// The purposes an applicant consented to (law 09-08).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ConsentPurpose {
    /// Handling the applicant's dossiers.
    DossierHandling,
    /// Anonymous statistics in the delegation's figures.
    Statistics,
    /// Being contacted by phone about programmes.
    Contact,
}

impl ConsentPurpose {
    /// What the person consented to, in French.
    pub fn label_fr(self) -> &'static str {
        match self {
            ConsentPurpose::DossierHandling => "traitement de ses dossiers",
            ConsentPurpose::Statistics => "statistiques anonymes de la délégation",
            ConsentPurpose::Contact => "être contacté(e) au sujet des programmes",
        }
    }
}

/// A person registered by an office.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Applicant {
    /// National identity card number.
    pub cin: Cin,
    /// Family name in Latin script.
    pub last_name: String,
    /// Given name(s) in Latin script.
    pub first_name: String,
    /// Family name in Arabic script.
    #[serde(default)]
    pub last_name_ar: String,
    /// Given name(s) in Arabic script.
    #[serde(default)]
    pub first_name_ar: String,
    /// Sex.
    pub sex: Sex,
    /// Date of birth.
    pub birth_date: NaiveDate,
    /// The card holder through whom the applicant is eligible (id of a card-holder row).
    pub card_holder_id: Option<uuid::Uuid>,
    /// Relationship to that card holder.
    pub relationship: Relationship,
    /// Phone, normalised `+212…`.
    #[serde(default)]
    pub phone: Option<Phone>,
    /// Postal address.
    #[serde(default)]
    pub address: String,
    /// Commune.
    #[serde(default)]
    pub commune: String,
    /// Province or prefecture code (HCP), from the reference list.
    #[serde(default)]
    pub province_code: Option<String>,
    /// AMO health cover, when known.
    #[serde(default)]
    pub amo: Option<AmoCover>,
    /// What the applicant agreed the data may be used for.
    #[serde(default)]
    pub consents: Vec<ConsentPurpose>,
    /// When the retention rules anonymised the record (law 09-08).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub anonymised_on: Option<NaiveDate>,
    /// Why the sex and the family link disagree (a son recorded as a woman…), confirmed by the
    /// person who saved it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link_note: Option<String>,
}

impl Applicant {
    /// Erases what identifies the person (retention rules, once every dossier is closed for the
    /// set number of years): CIN, names, phone, address, AMO number; the birth date keeps only its
    /// year. What the figures need stays: sex, year of birth, relationship, province, AMO regime.
    pub fn anonymise(&mut self, id: uuid::Uuid, on: NaiveDate) {
        self.cin = Cin::anonymous(id);
        self.last_name = ANONYMOUS_NAME.to_owned();
        self.first_name = String::new();
        self.last_name_ar = ANONYMOUS_NAME_AR.to_owned();
        self.first_name_ar = String::new();
        self.birth_date = NaiveDate::from_ymd_opt(self.birth_date.year(), 1, 1).unwrap_or(self.birth_date);
        self.phone = None;
        self.address.clear();
        self.commune.clear();
        if let Some(amo) = &mut self.amo {
            amo.number.clear();
        }
        self.anonymised_on = Some(on);
    }

    /// The name shown in lists: Latin when there is one, else Arabic.
    pub fn display_name(&self) -> String {
        let latin = format!("{} {}", self.last_name, self.first_name);
        if latin.trim().is_empty() {
            format!("{} {}", self.first_name_ar, self.last_name_ar).trim().to_owned()
        } else {
            latin.trim().to_owned()
        }
    }

    /// The full name in Arabic script, given name first as written in Arabic.
    pub fn arabic_name(&self) -> String {
        format!("{} {}", self.first_name_ar, self.last_name_ar).trim().to_owned()
    }
}

/// An applicant as typed in a form or read from a CSV line: raw strings.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ApplicantDraft {
    /// CIN as typed.
    pub cin: String,
    /// Family name, Latin script.
    pub last_name: String,
    /// Given names, Latin script.
    pub first_name: String,
    /// Family name, Arabic script.
    pub last_name_ar: String,
    /// Given names, Arabic script.
    pub first_name_ar: String,
    /// `M` or `F`.
    pub sex: String,
    /// `dd/mm/yyyy`.
    pub birth_date: String,
    /// Relationship code.
    pub relationship: String,
    /// Phone as typed (optional).
    pub phone: String,
    /// Address (optional).
    pub address: String,
    /// Commune (optional).
    pub commune: String,
    /// Province code (optional).
    pub province_code: String,
    /// AMO regime (optional).
    pub amo_regime: String,
    /// AMO number (optional; needed with a regime).
    pub amo_number: String,
    /// When the AMO cover was checked (optional).
    pub amo_checked_on: String,
    /// Why the sex and the family link disagree, when they do and it is right (asked before
    /// saving).
    pub link_note: String,
}

/// A valid applicant and the warnings worth showing before saving.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidApplicant {
    /// The typed value (its `card_holder_id` is set by the caller).
    pub applicant: Applicant,
    /// Things worth a second look that do not block saving.
    pub warnings: Vec<String>,
}

fn is_arabic_letter(c: char) -> bool {
    matches!(c, '\u{0600}'..='\u{06FF}' | '\u{0750}'..='\u{077F}' | '\u{08A0}'..='\u{08FF}' | '\u{FB50}'..='\u{FDFF}' | '\u{FE70}'..='\u{FEFF}')
}

fn check_name(errors: &mut FieldErrors, field: &'static str, value: &str, arabic: bool) {
    let value = value.trim();
    if let Some(problem) = text::problem("Nom", value, text::NAME) {
        errors.add(field, problem);
    } else if value.chars().any(|c| c.is_ascii_digit()) {
        errors.add(field, "Un nom ne contient pas de chiffres.");
    } else if arabic && value.chars().any(|c| c.is_alphabetic() && !is_arabic_letter(c)) {
        errors.add(field, "Écrivez ce nom en lettres arabes (le nom latin a son propre champ).");
    } else if !arabic && value.chars().any(is_arabic_letter) {
        errors.add(field, "Écrivez ce nom en lettres latines (le nom arabe a son propre champ).");
    }
}

/// Who a draft says the person is: what the duplicate search compares (the CIN, the names in
/// both scripts, the birth date).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// The CIN.
    pub cin: Cin,
    /// The birth date.
    pub birth_date: NaiveDate,
    /// The names, trimmed.
    pub last_name: String,
    /// First name.
    pub first_name: String,
    /// Family name in Arabic.
    pub last_name_ar: String,
    /// First name in Arabic.
    pub first_name_ar: String,
}

impl ApplicantDraft {
    /// The fields of the person's identity only (the duplicate search runs on them before the
    /// rest is filled in); their problems, or the identity and its warnings.
    pub fn identity(&self, today: NaiveDate) -> Result<(Identity, Vec<String>), FieldErrors> {
        let mut errors = FieldErrors::new();
        let mut warnings = Vec::new();
        let found = self.check_identity(&mut errors, &mut warnings, today);
        match found {
            Some(identity) if errors.is_empty() => Ok((identity, warnings)),
            _ => Err(errors),
        }
    }

    /// Checks the identity's fields into `errors` and `warnings`.
    fn check_identity(
        &self,
        errors: &mut FieldErrors,
        warnings: &mut Vec<String>,
        today: NaiveDate,
    ) -> Option<Identity> {
        let cin = errors.check("cin", Cin::parse(&self.cin)).map(|parsed| {
            warnings.extend(parsed.warning);
            parsed.cin
        });
        check_name(errors, "last_name", &self.last_name, false);
        check_name(errors, "first_name", &self.first_name, false);
        check_name(errors, "last_name_ar", &self.last_name_ar, true);
        check_name(errors, "first_name_ar", &self.first_name_ar, true);
        let has_latin = non_empty(&self.last_name).is_some() && non_empty(&self.first_name).is_some();
        let has_arabic = non_empty(&self.last_name_ar).is_some() && non_empty(&self.first_name_ar).is_some();
        if !has_latin && !has_arabic {
            errors.add(
                "last_name",
                "Indiquez le nom et le prénom, en lettres latines ou arabes (de préférence les deux).",
            );
        }
        let birth_date = errors.check("birth_date", parse_past_date_fr(&self.birth_date, today));
        Some(Identity {
            cin: cin?,
            birth_date: birth_date?,
            last_name: self.last_name.trim().to_owned(),
            first_name: self.first_name.trim().to_owned(),
            last_name_ar: self.last_name_ar.trim().to_owned(),
            first_name_ar: self.first_name_ar.trim().to_owned(),
        })
    }

    /// Checks every field against `today` and the known province codes; returns the applicant or
    /// every field's problem, in French.
    pub fn validate(
        &self,
        today: NaiveDate,
        province_exists: &dyn Fn(&str) -> bool,
    ) -> Result<ValidApplicant, FieldErrors> {
        let mut errors = FieldErrors::new();
        let mut warnings = Vec::new();
        let identity = self.check_identity(&mut errors, &mut warnings, today);
        let sex = errors.check("sex", Sex::parse(&self.sex));
        let birth_date = identity.as_ref().map(|i| i.birth_date);
        let relationship = errors.check("relationship", Relationship::parse(&self.relationship));
        let phone = match non_empty(&self.phone) {
            Some(raw) => errors.check("phone", Phone::parse(raw)),
            None => None,
        };
        let province_code = non_empty(&self.province_code).map(str::to_owned);
        if let Some(code) = &province_code
            && !province_exists(code)
        {
            errors.add(
                "province_code",
                format!("« {code} » n'est pas un code de province ou préfecture connu (la liste des provinces donne les codes)."),
            );
        }
        let amo = match (non_empty(&self.amo_regime), non_empty(&self.amo_number)) {
            (None, None) => None,
            (None, Some(_)) => {
                errors.add("amo_regime", "Indiquez le régime AMO de ce numéro (cnss, cnops, tadamon ou autre).");
                None
            }
            (Some(_), None) => {
                errors.add("amo_number", "Indiquez le numéro d'immatriculation AMO.");
                None
            }
            (Some(regime), Some(number)) => {
                let regime = errors.check("amo_regime", AmoRegime::parse(regime));
                let checked_on = match non_empty(&self.amo_checked_on) {
                    Some(raw) => errors.check("amo_checked_on", parse_past_date_fr(raw, today)).map(Some),
                    None => Some(None),
                };
                regime.zip(checked_on).map(|(regime, checked_on)| AmoCover {
                    regime,
                    number: number.to_owned(),
                    checked_on,
                })
            }
        };
        text::check_field(&mut errors, "address", "Adresse", &self.address, text::LINE);
        text::check_field(&mut errors, "commune", "Commune", &self.commune, text::LINE);
        text::check_field(&mut errors, "amo_number", "N° AMO", &self.amo_number, text::REFERENCE);
        text::check_field(&mut errors, "link_note", "Raison", &self.link_note, text::NOTE);
        let link_note = non_empty(&self.link_note).map(str::to_owned);
        if let (Some(sex), Some(relationship)) = (sex, relationship)
            && relationship.implied_sex().is_some_and(|implied| implied != sex)
            && link_note.is_none()
        {
            errors.add(
                "link_note",
                format!(
                    "Le lien « {} » ne correspond pas au sexe « {} » : corrigez l'un des deux, ou, si c'est juste, indiquez pourquoi dans « Raison » et enregistrez de nouveau.",
                    relationship.label_fr(),
                    sex.label_fr()
                ),
            );
        }
        if let (Some(birth), Some(Relationship::Himself)) = (birth_date, relationship)
            && birth > NaiveDate::from_ymd_opt(1962, 12, 31).unwrap_or(birth)
        {
            warnings
                .push("Un titulaire de la carte de résistant né après 1962 est inhabituel : vérifiez le lien.".into());
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        match (identity, sex, relationship) {
            (Some(identity), Some(sex), Some(relationship)) => Ok(ValidApplicant {
                applicant: Applicant {
                    cin: identity.cin,
                    last_name: identity.last_name,
                    first_name: identity.first_name,
                    last_name_ar: identity.last_name_ar,
                    first_name_ar: identity.first_name_ar,
                    sex,
                    birth_date: identity.birth_date,
                    card_holder_id: None,
                    relationship,
                    phone,
                    address: self.address.trim().to_owned(),
                    commune: self.commune.trim().to_owned(),
                    province_code,
                    amo,
                    consents: vec![ConsentPurpose::DossierHandling],
                    anonymised_on: None,
                    link_note: link_note.filter(|_| relationship.implied_sex().is_some_and(|implied| implied != sex)),
                },
                warnings,
            }),
            _ => Err(errors),
        }
    }

    /// The draft that edits an existing applicant.
    pub fn from_applicant(a: &Applicant) -> ApplicantDraft {
        ApplicantDraft {
            cin: a.cin.to_string(),
            last_name: a.last_name.clone(),
            first_name: a.first_name.clone(),
            last_name_ar: a.last_name_ar.clone(),
            first_name_ar: a.first_name_ar.clone(),
            sex: match a.sex {
                Sex::M => "M".into(),
                Sex::F => "F".into(),
            },
            birth_date: a.birth_date.format("%d/%m/%Y").to_string(),
            relationship: a.relationship.code().into(),
            phone: a.phone.as_ref().map(|p| p.national()).unwrap_or_default(),
            address: a.address.clone(),
            link_note: a.link_note.clone().unwrap_or_default(),
            commune: a.commune.clone(),
            province_code: a.province_code.clone().unwrap_or_default(),
            amo_regime: a.amo.as_ref().map(|c| format!("{:?}", c.regime).to_lowercase()).unwrap_or_default(),
            amo_number: a.amo.as_ref().map(|c| c.number.clone()).unwrap_or_default(),
            amo_checked_on: a
                .amo
                .as_ref()
                .and_then(|c| c.checked_on)
                .map(|d| d.format("%d/%m/%Y").to_string())
                .unwrap_or_default(),
        }
    }
}

impl FreeText for CardHolder {
    fn free_text(&self) -> Fields<'_> {
        vec![
            ("N° de carte de résistant", &self.card_number, text::REFERENCE),
            ("Nom du titulaire de la carte", &self.name_latin, text::NAME),
            ("Nom du titulaire de la carte (arabe)", &self.name_arabic, text::NAME),
        ]
    }
}

impl FreeText for Applicant {
    fn free_text(&self) -> Fields<'_> {
        let mut fields: Fields<'_> = vec![
            ("Nom", &self.last_name, text::NAME),
            ("Prénom", &self.first_name, text::NAME),
            ("Nom (arabe)", &self.last_name_ar, text::NAME),
            ("Prénom (arabe)", &self.first_name_ar, text::NAME),
            ("Adresse", &self.address, text::LINE),
            ("Commune", &self.commune, text::LINE),
        ];
        fields.extend(self.province_code.as_deref().map(|p| ("Province", p, text::REFERENCE)));
        fields.extend(self.amo.as_ref().map(|a| ("N° AMO", a.number.as_str(), text::REFERENCE)));
        fields
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 29).unwrap_or_default()
    }

    fn good() -> ApplicantDraft {
        ApplicantDraft {
            cin: "jb 123456".into(),
            last_name: "El Alaoui".into(),
            first_name: "Youssef".into(),
            last_name_ar: "العلوي".into(),
            first_name_ar: "يوسف".into(),
            sex: "M".into(),
            birth_date: "12/04/1975".into(),
            relationship: "fils".into(),
            phone: "06 61 23 45 67".into(),
            province_code: "581".into(),
            ..ApplicantDraft::default()
        }
    }

    #[test]
    fn sex_and_family_link_agree_or_the_reason_is_given() {
        let son_as_woman = ApplicantDraft { sex: "F".into(), ..good() };
        let errors = son_as_woman.validate(today(), &|_| true).err().unwrap_or_default();
        let message = errors.for_field("link_note").unwrap_or_default();
        assert!(message.contains("« Fils »") && message.contains("« femme »"), "{message}");
        for (sex, link) in [("M", "veuve"), ("M", "fille"), ("F", "fils")] {
            let draft = ApplicantDraft { sex: sex.into(), relationship: link.into(), ..good() };
            assert!(draft.validate(today(), &|_| true).is_err(), "{sex} {link}");
        }
        let confirmed =
            ApplicantDraft { link_note: "Erreur de l'état civil, jugement n° 12/2019".into(), ..son_as_woman };
        let valid = confirmed.validate(today(), &|_| true).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(valid.applicant.link_note.as_deref(), Some("Erreur de l'état civil, jugement n° 12/2019"));
        // A reason typed where nothing disagrees is not kept.
        let needless = ApplicantDraft { link_note: "rien".into(), ..good() };
        assert_eq!(needless.validate(today(), &|_| true).map(|v| v.applicant.link_note).ok(), Some(None));
    }

    #[test]
    fn free_text_fields_refuse_direction_marks_and_overlong_text() {
        let reversed = ApplicantDraft { last_name: "El\u{202E}Alaoui".into(), ..good() };
        assert!(reversed.validate(today(), &|_| true).err().unwrap_or_default().for_field("last_name").is_some());
        let long = ApplicantDraft { address: "x".repeat(2_000_000), ..good() };
        let errors = long.validate(today(), &|_| true).err().unwrap_or_default();
        assert!(errors.for_field("address").unwrap_or_default().contains("250 au plus"), "{errors}");
    }

    #[test]
    fn a_good_draft_validates_and_normalises() {
        let valid = good().validate(today(), &|code| code == "581").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(valid.applicant.cin.as_str(), "JB123456");
        assert_eq!(valid.applicant.phone.as_ref().map(Phone::as_str), Some("+212661234567"));
        assert!(valid.warnings.is_empty());
        let again = ApplicantDraft::from_applicant(&valid.applicant).validate(today(), &|_| true);
        assert_eq!(again.map(|v| v.applicant), Ok(valid.applicant));
    }

    #[test]
    fn every_bad_field_is_reported_in_french() {
        let bad = ApplicantDraft {
            cin: "".into(),
            last_name: "El4laoui".into(),
            first_name_ar: "Youssef".into(),
            sex: "x".into(),
            birth_date: "31/02/1980".into(),
            relationship: "cousin".into(),
            phone: "12".into(),
            province_code: "999".into(),
            amo_number: "123".into(),
            ..good()
        };
        let errors = bad.validate(today(), &|code| code == "581").unwrap_err();
        for field in [
            "cin",
            "last_name",
            "first_name_ar",
            "sex",
            "birth_date",
            "relationship",
            "phone",
            "province_code",
            "amo_regime",
        ] {
            assert!(errors.for_field(field).is_some(), "no error for {field}: {errors}");
        }
        assert!(errors.for_field("birth_date").is_some_and(|m| m.contains("date valide")));
    }

    #[test]
    fn names_in_one_script_suffice_but_not_none() {
        let arabic_only = ApplicantDraft { last_name: String::new(), first_name: String::new(), ..good() };
        assert!(arabic_only.validate(today(), &|_| true).is_ok());
        let nothing = ApplicantDraft { last_name_ar: String::new(), first_name_ar: String::new(), ..arabic_only };
        assert!(nothing.validate(today(), &|_| true).unwrap_err().for_field("last_name").is_some());
    }

    #[test]
    fn unusual_cin_and_young_holder_warn_without_blocking() {
        let odd = ApplicantDraft { cin: "ABC1234567".into(), relationship: "titulaire".into(), ..good() };
        let valid = odd.validate(today(), &|_| true).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(valid.warnings.len(), 2, "{:?}", valid.warnings);
    }

    #[test]
    fn a_future_birth_date_is_refused() {
        let future = ApplicantDraft { birth_date: "01/01/2027".into(), ..good() };
        assert!(
            future
                .validate(today(), &|_| true)
                .unwrap_err()
                .for_field("birth_date")
                .is_some_and(|m| m.contains("futur"))
        );
    }

    #[test]
    fn card_holder_needs_number_and_name() {
        assert!(CardHolder::validate("R-1234", "Ahmed Bennani", "").is_ok());
        let errors = CardHolder::validate("", "", "").unwrap_err();
        assert!(errors.for_field("card_number").is_some() && errors.for_field("card_holder_name").is_some());
    }
}
