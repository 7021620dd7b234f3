//! Funding: sources, the commission's decisions, funding lines, disbursements, and the
//! programmes/conventions with their yearly envelopes.
//!
//! Dossiers are counted, dirhams are summed: a dossier funded by two sources has two lines.

use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::money::Money;
use super::text::{self, Fields, FreeText};

/// Who pays.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum FundingSource {
    /// The Haut-Commissariat's own budget.
    #[serde(rename = "hcar")]
    HcarBudget,
    /// The National Initiative for Human Development, with its provincial committee's reference.
    Indh {
        /// Reference of the INDH provincial committee's decision.
        committee_ref: String,
    },
    /// A partner convention (e.g. Agence du Sud), named by its programme code.
    Convention {
        /// The programme/convention's code.
        programme_code: String,
    },
    /// Another public sector.
    #[serde(rename = "autre")]
    OtherSector {
        /// Its name.
        name: String,
    },
}

impl FundingSource {
    /// The source's family code: `hcar`, `indh`, `convention`, `autre` (the reference list's keys).
    pub fn kind_code(&self) -> &'static str {
        match self {
            FundingSource::HcarBudget => "hcar",
            FundingSource::Indh { .. } => "indh",
            FundingSource::Convention { .. } => "convention",
            FundingSource::OtherSector { .. } => "autre",
        }
    }

    /// Parses `hcar`, `indh:REF`, `convention:CODE` or `autre:NOM`.
    pub fn parse(raw: &str) -> Result<FundingSource, String> {
        let raw = raw.trim();
        let (kind, detail) = raw.split_once(':').map_or((raw, ""), |(k, d)| (k, d.trim()));
        let needs = |what: &str| {
            format!(
                "Précisez {what} après « {kind}: », par exemple {kind}:{}.",
                match kind {
                    "indh" => "CPDH-TIZ-2026-14",
                    "convention" => "AGENCE-SUD",
                    _ => "Agriculture",
                }
            )
        };
        match kind.trim().to_lowercase().as_str() {
            "hcar" => Ok(FundingSource::HcarBudget),
            "indh" if detail.is_empty() => Err(needs("la référence du comité provincial INDH")),
            "indh" => Ok(FundingSource::Indh { committee_ref: detail.to_owned() }),
            "convention" if detail.is_empty() => Err(needs("le code de la convention")),
            "convention" => Ok(FundingSource::Convention { programme_code: detail.to_uppercase() }),
            "autre" if detail.is_empty() => Err(needs("le secteur")),
            "autre" => Ok(FundingSource::OtherSector { name: detail.to_owned() }),
            _ => {
                Err(format!("« {raw} » : source inconnue ; écrivez hcar, indh:RÉF, convention:CODE ou autre:SECTEUR."))
            }
        }
    }
}

impl FundingSource {
    /// The source in Arabic, for documents.
    pub fn label_ar(&self) -> String {
        match self {
            FundingSource::HcarBudget => "ميزانية المندوبية السامية".into(),
            FundingSource::Indh { committee_ref } => {
                format!("المبادرة الوطنية للتنمية البشرية (\u{2068}{committee_ref}\u{2069})")
            }
            FundingSource::Convention { programme_code } => format!("اتفاقية شراكة (\u{2068}{programme_code}\u{2069})"),
            FundingSource::OtherSector { name } => format!("قطاع عمومي آخر (\u{2068}{name}\u{2069})"),
        }
    }
}

impl fmt::Display for FundingSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FundingSource::HcarBudget => f.write_str("Budget HCAR"),
            FundingSource::Indh { committee_ref } => write!(f, "INDH ({committee_ref})"),
            FundingSource::Convention { programme_code } => write!(f, "Convention {programme_code}"),
            FundingSource::OtherSector { name } => write!(f, "Autre secteur : {name}"),
        }
    }
}

/// An amount granted by one source in a decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Grant {
    /// The source.
    pub source: FundingSource,
    /// The amount.
    pub amount: Money,
}

/// The commission's decision on a dossier: owned by the site that decides.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decision {
    /// The dossier decided on.
    pub dossier_id: Uuid,
    /// Approved (with grants) or rejected (with a reason).
    pub approved: bool,
    /// Amounts granted per source (empty for a rejection).
    #[serde(default)]
    pub grants: Vec<Grant>,
    /// The reason of a rejection.
    pub reason: Option<String>,
    /// Date of the commission's meeting.
    pub decided_on: NaiveDate,
    /// Reference of the commission's minutes (*procès-verbal*).
    pub commission_ref: Option<String>,
    /// When the retention rules erased its reason (the person anonymised).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub anonymised_on: Option<NaiveDate>,
    /// The commission's session that took it (none for a decision recorded on its own).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_id: Option<Uuid>,
    /// A decision of the years before Daftar, entered as history by the office (its reference is
    /// the old paper one): the one case where an office writes a decision.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub history: bool,
}

impl Decision {
    /// Erases its reason (it may name people), once the person is anonymised.
    pub fn anonymise(&mut self, on: NaiveDate) {
        self.reason = None;
        self.anonymised_on = Some(on);
    }
}

/// Money committed to a dossier by one source for one year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FundingLine {
    /// The dossier funded.
    pub dossier_id: Uuid,
    /// The source.
    pub source: FundingSource,
    /// The amount committed.
    pub committed: Money,
    /// The budget year.
    pub year: i32,
    /// The decision it comes from.
    pub decision_ref: Option<String>,
}

/// A payment (tranche) on a funding line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Disbursement {
    /// The line paid from.
    pub funding_line_id: Uuid,
    /// The dossier (kept for direct queries).
    pub dossier_id: Uuid,
    /// Tranche number, from 1.
    pub tranche: u32,
    /// When it was paid.
    pub paid_on: NaiveDate,
    /// How much.
    pub amount: Money,
    /// Payment reference (order, transfer).
    pub reference: String,
}

/// Checks that a new disbursement of `amount` keeps a line within its commitment.
pub fn check_disbursement(line: &FundingLine, already_paid: Money, amount: Money) -> Result<(), String> {
    if amount == Money::ZERO {
        return Err("Un décaissement nul n'a pas de sens : indiquez le montant versé.".into());
    }
    let remaining = line.committed.checked_sub(already_paid).unwrap_or(Money::ZERO);
    if amount > remaining {
        return Err(format!(
            "Ce décaissement ({amount}) dépasse le reste engagé sur la ligne {} ({remaining} sur {}).",
            line.source, line.committed
        ));
    }
    Ok(())
}

/// A programme or convention: a named envelope per year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Programme {
    /// Stable code, e.g. `AGENCE-SUD`.
    pub code: String,
    /// French name.
    pub name: String,
    /// Arabic name.
    #[serde(default)]
    pub name_ar: String,
    /// The family of the source that pays (`hcar`, `indh`, `convention`, `autre`).
    pub source_kind: String,
    /// Yearly envelopes.
    #[serde(default)]
    pub envelopes: Vec<Envelope>,
}

/// A programme's envelope for one year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Envelope {
    /// The year.
    pub year: i32,
    /// The amount available.
    pub amount: Money,
    /// The number of projects it aims to fund, when stated (e.g. 64 PME).
    pub target_projects: Option<u32>,
}

impl Envelope {
    /// Validates an envelope typed in a form: no year and no amount means none.
    pub fn validate(year: &str, amount: &str, target: &str) -> Result<Option<Envelope>, super::FieldErrors> {
        let mut errors = super::FieldErrors::new();
        if year.trim().is_empty() && amount.trim().is_empty() {
            return Ok(None);
        }
        let year = match year.trim().parse::<i32>() {
            Ok(y) if (2000..=2100).contains(&y) => y,
            _ => {
                errors.add("year", "Indiquez l'année de l'enveloppe (ex. 2026).");
                0
            }
        };
        let amount = Money::parse_fr(amount).unwrap_or_else(|e| {
            errors.add("amount", format!("Montant de l'enveloppe : {e}"));
            Money::ZERO
        });
        let target_projects = match target.trim() {
            "" => None,
            t => t.parse::<u32>().map(Some).unwrap_or_else(|_| {
                errors.add("target", "Le nombre de projets visés est un nombre entier (ex. 64).");
                None
            }),
        };
        errors.into_result(|| Some(Envelope { year, amount, target_projects }))
    }
}

impl Programme {
    /// Validates a programme typed in a form.
    pub fn validate(code: &str, name: &str, name_ar: &str, source_kind: &str) -> Result<Programme, super::FieldErrors> {
        let mut errors = super::FieldErrors::new();
        let code = code.trim().to_uppercase();
        if code.len() < 2 || code.len() > 24 || !code.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
            errors.add("code", "Le code du programme compte 2 à 24 caractères parmi A–Z, 0–9 et « - ».");
        }
        if name.trim().is_empty() {
            errors.add("name", "Indiquez le nom du programme.");
        }
        if !matches!(source_kind, "hcar" | "indh" | "convention" | "autre") {
            errors.add("source_kind", "Choisissez la source : hcar, indh, convention ou autre.");
        }
        errors.into_result(|| Programme {
            code,
            name: name.trim().to_owned(),
            name_ar: name_ar.trim().to_owned(),
            source_kind: source_kind.to_owned(),
            envelopes: vec![],
        })
    }

    /// Sets (or replaces) the envelope of `envelope.year`.
    pub fn set_envelope(&mut self, envelope: Envelope) {
        self.envelopes.retain(|e| e.year != envelope.year);
        self.envelopes.push(envelope);
        self.envelopes.sort_by_key(|e| e.year);
    }
}

/// Money committed in one budget year by one source (a sum over funding lines).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CommittedSum {
    /// The source's family code (`hcar`, `indh`, `convention`, `autre`).
    pub source_kind: String,
    /// The convention's programme code, for conventions.
    pub programme_code: Option<String>,
    /// The budget year.
    pub year: i32,
    /// The amount committed.
    pub committed: Money,
    /// How many funding lines.
    pub lines: i64,
}

/// How much of a programme's yearly envelope is committed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EnvelopeUse {
    /// The programme's code.
    pub code: String,
    /// The programme's French name.
    pub name: String,
    /// The envelope.
    pub envelope: Envelope,
    /// Committed against it.
    pub committed: Money,
    /// How many funding lines it pays.
    pub lines: i64,
}

impl EnvelopeUse {
    /// The share of the envelope committed, in percent (0 for an empty envelope).
    pub fn percent(&self) -> f64 {
        let amount = self.envelope.amount.centimes();
        if amount == 0 { 0.0 } else { self.committed.centimes() as f64 * 100.0 / amount as f64 }
    }
}

impl Programme {
    /// Whether money from this source counts against this programme: a convention counts the
    /// lines that name it; a programme of another family (the HCAR budget, INDH, other sectors)
    /// is that family's envelope and counts all its lines.
    pub fn counts(&self, source_kind: &str, programme_code: Option<&str>) -> bool {
        source_kind == self.source_kind && (self.source_kind != "convention" || programme_code == Some(&self.code))
    }
}

/// The consumption of every envelope of `programmes`, by programme code then year.
pub fn envelope_use(programmes: &[Programme], sums: &[CommittedSum]) -> Vec<EnvelopeUse> {
    let mut out = Vec::new();
    for p in programmes {
        for envelope in &p.envelopes {
            let matching = sums
                .iter()
                .filter(|s| s.year == envelope.year && p.counts(&s.source_kind, s.programme_code.as_deref()));
            let (committed, lines) = matching
                .fold((Money::ZERO, 0), |(sum, n), s| (sum.checked_add(s.committed).unwrap_or(sum), n + s.lines));
            out.push(EnvelopeUse {
                code: p.code.clone(),
                name: p.name.clone(),
                envelope: envelope.clone(),
                committed,
                lines,
            });
        }
    }
    out
}

impl FundingSource {
    /// The text typed for the source, if any: a committee reference, a programme code, a name.
    pub fn typed_text(&self) -> Option<(&'static str, &str, text::Limit)> {
        match self {
            FundingSource::HcarBudget => None,
            FundingSource::Indh { committee_ref } => Some(("Référence INDH", committee_ref, text::REFERENCE)),
            FundingSource::Convention { programme_code } => Some(("Convention", programme_code, text::REFERENCE)),
            FundingSource::OtherSector { name } => Some(("Autre source", name, text::LINE)),
        }
    }
}

impl FreeText for Decision {
    fn free_text(&self) -> Fields<'_> {
        let mut fields: Fields<'_> = self.grants.iter().filter_map(|g| g.source.typed_text()).collect();
        fields.extend(self.reason.as_deref().map(|r| ("Motif de la décision", r, text::NOTE)));
        fields.extend(self.commission_ref.as_deref().map(|r| ("Référence du PV", r, text::REFERENCE)));
        fields
    }
}

impl FreeText for FundingLine {
    fn free_text(&self) -> Fields<'_> {
        let mut fields: Fields<'_> = self.source.typed_text().into_iter().collect();
        fields.extend(self.decision_ref.as_deref().map(|r| ("Référence de la décision", r, text::REFERENCE)));
        fields
    }
}

impl FreeText for Disbursement {
    fn free_text(&self) -> Fields<'_> {
        vec![("Référence du paiement", &self.reference, text::REFERENCE)]
    }
}

impl FreeText for Programme {
    fn free_text(&self) -> Fields<'_> {
        vec![
            ("Code du programme", &self.code, text::REFERENCE),
            ("Intitulé du programme", &self.name, text::LINE),
            ("Intitulé du programme (arabe)", &self.name_ar, text::LINE),
            ("Source du programme", &self.source_kind, text::REFERENCE),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_kind_is_the_reference_code() {
        for raw in ["hcar", "indh:X", "convention:Y", "autre:Z"] {
            let source = FundingSource::parse(raw).unwrap_or_else(|e| panic!("{e}"));
            let json = serde_json::to_value(&source).unwrap_or_default();
            assert_eq!(json["kind"], source.kind_code());
        }
    }

    #[test]
    fn sources_parse_with_their_detail() {
        assert_eq!(FundingSource::parse("hcar"), Ok(FundingSource::HcarBudget));
        assert_eq!(FundingSource::parse("indh:CPDH-12"), Ok(FundingSource::Indh { committee_ref: "CPDH-12".into() }));
        assert_eq!(
            FundingSource::parse("convention:agence-sud"),
            Ok(FundingSource::Convention { programme_code: "AGENCE-SUD".into() })
        );
        assert!(FundingSource::parse("indh").unwrap_err().contains("comité"));
        assert!(FundingSource::parse("banque").unwrap_err().contains("source inconnue"));
    }

    #[test]
    fn disbursements_stay_within_the_commitment() {
        let line = FundingLine {
            dossier_id: Uuid::nil(),
            source: FundingSource::HcarBudget,
            committed: Money::from_centimes(10_000_000).unwrap_or_default(),
            year: 2026,
            decision_ref: None,
        };
        let m = |c| Money::from_centimes(c).unwrap_or_default();
        assert!(check_disbursement(&line, m(6_000_000), m(4_000_000)).is_ok());
        assert!(check_disbursement(&line, m(6_000_000), m(4_000_001)).unwrap_err().contains("dépasse"));
        assert!(check_disbursement(&line, Money::ZERO, Money::ZERO).is_err());
    }

    #[test]
    fn envelopes_are_one_per_year() {
        let mut p = Programme::validate("agence-sud", "Convention Agence du Sud", "", "convention")
            .unwrap_or_else(|e| panic!("{e}"));
        let m = |c| Money::from_centimes(c).unwrap_or_default();
        p.set_envelope(Envelope { year: 2026, amount: m(120_000_000), target_projects: Some(64) });
        p.set_envelope(Envelope { year: 2025, amount: m(1), target_projects: None });
        p.set_envelope(Envelope { year: 2026, amount: m(130_000_000), target_projects: Some(64) });
        assert_eq!(
            p.envelopes.iter().map(|e| (e.year, e.amount.centimes())).collect::<Vec<_>>(),
            [(2025, 1), (2026, 130_000_000)]
        );
        assert!(Programme::validate("x", "", "", "banque").is_err_and(|e| e.0.len() == 3));
        assert_eq!(Envelope::validate(" ", "", "x"), Ok(None));
        assert_eq!(
            Envelope::validate("2026", "1 200 000", "64"),
            Ok(Some(Envelope { year: 2026, amount: m(120_000_000), target_projects: Some(64) }))
        );
        assert!(Envelope::validate("26", "abc", "beaucoup").is_err_and(|e| e.0.len() == 3));
    }

    #[test]
    fn envelopes_count_their_own_source_and_year() {
        let m = |c| Money::from_centimes(c).unwrap_or_default();
        let mut sud =
            Programme::validate("agence-sud", "Agence du Sud", "", "convention").unwrap_or_else(|e| panic!("{e}"));
        sud.set_envelope(Envelope { year: 2026, amount: m(1_000_000), target_projects: None });
        let mut budget = Programme::validate("hcar", "Budget HCAR", "", "hcar").unwrap_or_else(|e| panic!("{e}"));
        budget.set_envelope(Envelope { year: 2026, amount: m(0), target_projects: None });
        let sum = |kind: &str, code: Option<&str>, year, c| CommittedSum {
            source_kind: kind.into(),
            programme_code: code.map(str::to_owned),
            year,
            committed: m(c),
            lines: 1,
        };
        let sums = [
            sum("convention", Some("AGENCE-SUD"), 2026, 250_000),
            sum("convention", Some("OTHER"), 2026, 1),
            sum("convention", Some("AGENCE-SUD"), 2025, 1),
            sum("hcar", None, 2026, 7),
            sum("hcar", None, 2026, 3),
        ];
        let uses = envelope_use(&[sud, budget], &sums);
        assert_eq!(
            uses.iter().map(|u| (u.code.as_str(), u.committed.centimes(), u.lines)).collect::<Vec<_>>(),
            [("AGENCE-SUD", 250_000, 1), ("HCAR", 10, 2)]
        );
        assert!((uses[0].percent() - 25.0).abs() < 1e-9);
        assert!(uses[1].percent().abs() < 1e-9, "an empty envelope is 0 %, not a division by zero");
    }
}
