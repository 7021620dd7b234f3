//! Reference data shipped in `assets/reference/`: regions and provinces, dossier checklists,
//! funding sources. Compiled into the binary, loaded into the database at set-up, versioned.

use std::sync::OnceLock;

use serde::Deserialize;

use crate::domain::dossier::ChecklistItem;
use crate::domain::project::ProjectKind;

/// The version of the shipped reference data (`assets/reference/VERSION`).
pub const VERSION: &str = include_str!("../assets/reference/VERSION");

const REGIONS_PROVINCES_CSV: &str = include_str!("../assets/reference/regions-provinces.csv");
const CHECKLISTS_CSV: &str = include_str!("../assets/reference/checklists.csv");
const FUNDING_SOURCES_CSV: &str = include_str!("../assets/reference/funding-sources.csv");
const REASONS_CSV: &str = include_str!("../assets/reference/reasons.csv");

/// A region (decree 2-15-40 of 2015).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Region {
    /// Two-digit code, `01`–`12`.
    pub code: String,
    /// French name.
    pub name_fr: String,
    /// Arabic name.
    pub name_ar: String,
}

/// A prefecture or province.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Province {
    /// Three-digit HCP code (text: some start with 0).
    pub code: String,
    /// Its region's code.
    pub region_code: String,
    /// French name.
    pub name_fr: String,
    /// Arabic name.
    pub name_ar: String,
    /// True for a *préfecture*, false for a *province*.
    pub prefecture: bool,
}

/// A family of funding sources.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct FundingSourceKind {
    /// `hcar`, `indh`, `convention`, `autre`.
    pub code: String,
    /// French label.
    pub label_fr: String,
    /// Arabic label.
    pub label_ar: String,
    /// What detail the source needs (empty for none).
    pub detail_fr: String,
}

/// A reason the commission gives, in both languages: a rejection's, or an adjournment's.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Reason {
    /// Stable code, e.g. `hors-programme`.
    pub code: String,
    /// French wording.
    pub label_fr: String,
    /// Arabic wording.
    pub label_ar: String,
    /// `rejet` or `ajournement`.
    #[serde(rename = "use")]
    pub used_for: String,
}

/// A decision's reason as stored (`code`, `code: note`, or free text of before the list) in
/// French and in Arabic, from `reasons` (the shipped list and those a delegation added): the
/// list's wording with the note after it; free text as it was typed.
pub fn reason_in_both(stored: &str, reasons: &[Reason]) -> (String, String) {
    let stored = stored.trim();
    let (code, note) = match stored.split_once(':') {
        Some((code, note)) => (code.trim(), note.trim()),
        None => (stored, ""),
    };
    match reasons.iter().find(|r| r.code == code) {
        Some(reason) if note.is_empty() => (reason.label_fr.clone(), reason.label_ar.clone()),
        Some(reason) => (
            format!("{} ({note})", reason.label_fr),
            format!("{} ({})", reason.label_ar, crate::documents::text::isolate(note)),
        ),
        None => (stored.to_owned(), stored.to_owned()),
    }
}

/// All reference lists.
#[derive(Debug, Clone)]
pub struct Reference {
    /// Version of the lists.
    pub version: String,
    /// The 12 regions.
    pub regions: Vec<Region>,
    /// The 75 prefectures and provinces.
    pub provinces: Vec<Province>,
    /// Documents required per project kind.
    pub checklist: Vec<ChecklistItem>,
    /// Funding source families.
    pub funding_sources: Vec<FundingSourceKind>,
    /// The commission's reasons.
    pub reasons: Vec<Reason>,
}

#[derive(Deserialize)]
struct PlaceRow {
    kind: String,
    code: String,
    name_fr: String,
    name_ar: String,
    region_code: String,
    #[serde(rename = "type")]
    place_type: String,
}

#[derive(Deserialize)]
struct ChecklistRow {
    kind: String,
    code: String,
    label_fr: String,
    label_ar: String,
    required: u8,
}

/// A shipped list that does not parse: a build defect, caught by the tests.
#[derive(Debug, thiserror::Error)]
#[error("données de référence illisibles ({file}) : {message}")]
pub struct ReferenceError {
    file: &'static str,
    message: String,
}

fn read_csv<T: for<'de> Deserialize<'de>>(file: &'static str, text: &str) -> Result<Vec<T>, ReferenceError> {
    csv::Reader::from_reader(text.as_bytes())
        .deserialize()
        .collect::<Result<Vec<T>, _>>()
        .map_err(|e| ReferenceError { file, message: e.to_string() })
}

impl Reference {
    /// Parses the lists compiled into the binary.
    pub fn parse_shipped() -> Result<Reference, ReferenceError> {
        let places: Vec<PlaceRow> = read_csv("regions-provinces.csv", REGIONS_PROVINCES_CSV)?;
        let mut regions = Vec::new();
        let mut provinces = Vec::new();
        for row in places {
            match row.kind.as_str() {
                "region" => regions.push(Region { code: row.code, name_fr: row.name_fr, name_ar: row.name_ar }),
                "province" => provinces.push(Province {
                    code: row.code,
                    region_code: row.region_code,
                    name_fr: row.name_fr,
                    name_ar: row.name_ar,
                    prefecture: row.place_type == "préfecture",
                }),
                other => {
                    return Err(ReferenceError {
                        file: "regions-provinces.csv",
                        message: format!("genre inconnu « {other} »"),
                    });
                }
            }
        }
        let checklist = read_csv::<ChecklistRow>("checklists.csv", CHECKLISTS_CSV)?
            .into_iter()
            .map(|row| {
                Ok(ChecklistItem {
                    kind: ProjectKind::parse(&row.kind)
                        .map_err(|message| ReferenceError { file: "checklists.csv", message })?,
                    code: row.code,
                    label_fr: row.label_fr,
                    label_ar: row.label_ar,
                    required: row.required == 1,
                })
            })
            .collect::<Result<Vec<_>, ReferenceError>>()?;
        let funding_sources = read_csv("funding-sources.csv", FUNDING_SOURCES_CSV)?;
        let reasons = read_csv("reasons.csv", REASONS_CSV)?;
        Ok(Reference { version: VERSION.trim().to_owned(), regions, provinces, checklist, funding_sources, reasons })
    }

    /// The lists compiled into the binary, parsed once.
    pub fn shipped() -> &'static Reference {
        static SHIPPED: OnceLock<Reference> = OnceLock::new();
        SHIPPED.get_or_init(|| {
            #[expect(clippy::expect_used, reason = "compiled-in data, parsed by a unit test on every build")]
            Reference::parse_shipped().expect("données de référence livrées")
        })
    }

    /// The province with this code.
    pub fn province(&self, code: &str) -> Option<&Province> {
        self.provinces.iter().find(|p| p.code == code.trim())
    }

    /// The region with this code.
    pub fn region(&self, code: &str) -> Option<&Region> {
        self.regions.iter().find(|r| r.code == code.trim())
    }

    /// The checklist of one project kind.
    pub fn checklist_for(&self, kind: ProjectKind) -> Vec<ChecklistItem> {
        self.checklist.iter().filter(|i| i.kind == kind).cloned().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_lists_parse_and_match_the_decree() {
        let r = Reference::parse_shipped().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(r.regions.len(), 12);
        assert_eq!(r.provinces.len(), 75);
        assert_eq!(r.provinces.iter().filter(|p| p.prefecture).count(), 13);
        let per_region: Vec<usize> =
            r.regions.iter().map(|reg| r.provinces.iter().filter(|p| p.region_code == reg.code).count()).collect();
        assert_eq!(per_region, [8, 8, 9, 7, 5, 9, 8, 5, 6, 4, 4, 2]);
        assert!(r.provinces.iter().all(|p| p.code.len() == 3 && !p.name_ar.is_empty()));
        assert_eq!(r.province("581").map(|p| p.name_fr.as_str()), Some("Tiznit"));
        assert_eq!(r.province("001").map(|p| p.region_code.as_str()), Some("09"));
        for kind in ProjectKind::ALL {
            let items = r.checklist_for(kind);
            assert!(items.iter().filter(|i| i.required).count() >= 5, "{kind:?}");
            assert!(items.iter().all(|i| !i.label_ar.is_empty()));
        }
        assert_eq!(
            r.funding_sources.iter().map(|s| s.code.as_str()).collect::<Vec<_>>(),
            ["hcar", "indh", "convention", "autre"]
        );
        assert_eq!(r.version, "2026.1");
    }
}
