//! The registry of indicators: every figure of the bilan under a stable key, with what it
//! counts, whether it is a flow for the period or a stock, and which date decides
//! (`docs/indicators.md` is written from this table).
//!
//! A key is a family and a detail: `projets_finances.pme`, `dh_engages.convention.AGENCE-SUD`,
//! `emplois_prevus.famille`. Dossiers are counted, dirhams are summed: a dossier funded by two
//! sources counts once in the dossier counts and in both sources' sums.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::dossier::Status;
use super::project::ProjectKind;

/// What a figure measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// Dossiers, projects or people.
    Count,
    /// Jobs.
    Jobs,
    /// Dirhams, held in centimes.
    Centimes,
}

impl Unit {
    /// The unit's name in files.
    pub fn code(self) -> &'static str {
        match self {
            Unit::Count => "nombre",
            Unit::Jobs => "emplois",
            Unit::Centimes => "DH",
        }
    }
}

impl Unit {
    /// A value in French: thousands grouped, dirhams with their centimes.
    pub fn format_fr(self, value: i64) -> String {
        match self {
            Unit::Centimes => {
                super::Money::from_centimes(value).map_or_else(|| "—".into(), super::Money::format_number_fr)
            }
            Unit::Count | Unit::Jobs => super::money::group_thousands_fr(value),
        }
    }
}

/// Over which time a figure counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Span {
    /// What happened in the period.
    Period,
    /// Everything from the start of the register to the end of the period.
    Cumulative,
    /// The register as it stands the day the report is made.
    Current,
}

impl Span {
    /// In French, for tables and files.
    pub fn label_fr(self) -> &'static str {
        match self {
            Span::Period => "flux de la période",
            Span::Cumulative => "cumul à la fin de la période",
            Span::Current => "état à la date d'édition",
        }
    }
}

/// A family of indicators: one definition, several details (project kinds, sources…).
#[derive(Debug, Clone, Copy)]
pub struct Family {
    /// The stable key prefix.
    pub key: &'static str,
    /// French title.
    pub label_fr: &'static str,
    /// Arabic title.
    pub label_ar: &'static str,
    /// Unit.
    pub unit: Unit,
    /// Flow or stock.
    pub span: Span,
    /// The date that decides whether something counts.
    pub date: &'static str,
    /// What is counted, in French.
    pub counts: &'static str,
}

/// Every family, in the bilan's order.
pub const FAMILIES: [Family; 22] = [
    Family {
        key: "dossiers_deposes",
        label_fr: "Dossiers déposés",
        label_ar: "الملفات المودعة",
        unit: Unit::Count,
        span: Span::Period,
        date: "date de dépôt du dossier",
        counts: "les dossiers déposés, par type de projet",
    },
    Family {
        key: "dossiers_approuves",
        label_fr: "Dossiers approuvés",
        label_ar: "الملفات المقبولة",
        unit: Unit::Count,
        span: Span::Period,
        date: "date de la décision de la commission",
        counts: "les dossiers approuvés par la commission, par type de projet",
    },
    Family {
        key: "dossiers_rejetes",
        label_fr: "Dossiers rejetés",
        label_ar: "الملفات المرفوضة",
        unit: Unit::Count,
        span: Span::Period,
        date: "date de la décision de la commission",
        counts: "les dossiers rejetés par la commission, par type de projet",
    },
    Family {
        key: "projets_finances",
        label_fr: "Projets financés",
        label_ar: "المشاريع الممولة",
        unit: Unit::Count,
        span: Span::Period,
        date: "date du premier décaissement du projet",
        counts: "les projets financés (créés), une fois chacun même avec plusieurs dossiers ou sources",
    },
    Family {
        key: "projets_finances_cumul",
        label_fr: "Projets financés — cumul",
        label_ar: "المشاريع الممولة — المجموع التراكمي",
        unit: Unit::Count,
        span: Span::Cumulative,
        date: "date du premier décaissement du projet",
        counts: "les projets financés depuis l'ouverture du registre",
    },
    Family {
        key: "emplois_prevus",
        label_fr: "Emplois prévus des projets financés",
        label_ar: "مناصب الشغل المتوقعة",
        unit: Unit::Jobs,
        span: Span::Period,
        date: "date du premier décaissement du projet",
        counts: "les emplois prévus des projets financés dans la période, dont pour la famille de la résistance",
    },
    Family {
        key: "emplois_prevus_cumul",
        label_fr: "Emplois prévus — cumul",
        label_ar: "مناصب الشغل المتوقعة — المجموع التراكمي",
        unit: Unit::Jobs,
        span: Span::Cumulative,
        date: "date du premier décaissement du projet",
        counts: "les emplois prévus de tous les projets financés",
    },
    Family {
        key: "emplois_constates_cumul",
        label_fr: "Emplois constatés — cumul",
        label_ar: "مناصب الشغل المعاينة",
        unit: Unit::Jobs,
        span: Span::Cumulative,
        date: "date de la dernière visite de suivi (au plus tard la fin de la période)",
        counts: "les emplois constatés à la dernière visite de chaque projet financé",
    },
    Family {
        key: "dh_engages",
        label_fr: "Soutien engagé (DH)",
        label_ar: "الدعم الملتزم به (درهم)",
        unit: Unit::Centimes,
        span: Span::Period,
        date: "année budgétaire de la ligne de financement",
        counts: "les montants engagés, par source (budget HCAR, INDH, chaque convention, autres secteurs)",
    },
    Family {
        key: "dossiers_finances_source",
        label_fr: "Dossiers financés par source",
        label_ar: "الملفات الممولة حسب المصدر",
        unit: Unit::Count,
        span: Span::Period,
        date: "année budgétaire de la ligne de financement",
        counts: "les dossiers qui ont un engagement de la source dans l'année budgétaire ; un dossier cofinancé compte sous chacune de ses sources, une seule fois dans le total",
    },
    Family {
        key: "dossiers_finances_type",
        label_fr: "Dossiers financés par source et type de projet",
        label_ar: "الملفات الممولة حسب المصدر ونوع المشروع",
        unit: Unit::Count,
        span: Span::Period,
        date: "année budgétaire de la ligne de financement",
        counts: "les dossiers financés par chaque source (SOURCE.TYPE), par type de projet",
    },
    Family {
        key: "dh_engages_type",
        label_fr: "Soutien engagé par source et type de projet (DH)",
        label_ar: "الدعم الملتزم به حسب المصدر ونوع المشروع (درهم)",
        unit: Unit::Centimes,
        span: Span::Period,
        date: "année budgétaire de la ligne de financement",
        counts: "les montants engagés par chaque source (SOURCE.TYPE), par type de projet",
    },
    Family {
        key: "dossiers_cofinances",
        label_fr: "Dossiers cofinancés",
        label_ar: "الملفات ذات التمويل المشترك",
        unit: Unit::Count,
        span: Span::Period,
        date: "année budgétaire de la ligne de financement",
        counts: "les dossiers financés par deux sources ou plus dans l'année budgétaire, par type de projet",
    },
    Family {
        key: "dh_decaisses",
        label_fr: "Soutien décaissé (DH)",
        label_ar: "الدعم المصروف (درهم)",
        unit: Unit::Centimes,
        span: Span::Period,
        date: "date de paiement de la tranche",
        counts: "les tranches payées, par source de leur ligne de financement",
    },
    Family {
        key: "projets_crees",
        label_fr: "Projets créés",
        label_ar: "المشاريع المحدثة",
        unit: Unit::Count,
        span: Span::Period,
        date: "date de création du projet (à défaut, date de son enregistrement)",
        counts: "les projets créés dans la période, financés ou non (une association créée sans dossier compte), par type",
    },
    Family {
        key: "projets_crees_cumul",
        label_fr: "Projets créés — cumul",
        label_ar: "المشاريع المحدثة — المجموع التراكمي",
        unit: Unit::Count,
        span: Span::Cumulative,
        date: "date de création du projet (à défaut, date de son enregistrement)",
        counts: "les projets créés depuis l'ouverture du registre (historique compris), financés ou non, par type",
    },
    Family {
        key: "emplois_projets_crees",
        label_fr: "Emplois prévus des projets créés",
        label_ar: "مناصب الشغل المتوقعة للمشاريع المحدثة",
        unit: Unit::Jobs,
        span: Span::Period,
        date: "date de création du projet (à défaut, date de son enregistrement)",
        counts: "les emplois prévus des projets créés dans la période, dont pour la famille de la résistance",
    },
    Family {
        key: "emplois_projets_crees_cumul",
        label_fr: "Emplois prévus des projets créés — cumul",
        label_ar: "مناصب الشغل المتوقعة للمشاريع المحدثة — المجموع التراكمي",
        unit: Unit::Jobs,
        span: Span::Cumulative,
        date: "date de création du projet (à défaut, date de son enregistrement)",
        counts: "les emplois prévus de tous les projets créés, dont pour la famille de la résistance",
    },
    Family {
        key: "beneficiaires_finances_cumul",
        label_fr: "Porteurs de projets financés",
        label_ar: "حاملو المشاريع الممولة",
        unit: Unit::Count,
        span: Span::Cumulative,
        date: "date du premier décaissement du projet",
        counts: "les bénéficiaires (une fois chacun) porteurs d'un dossier financé",
    },
    Family {
        key: "amo_couverts_cumul",
        label_fr: "dont couverts par l'AMO",
        label_ar: "منهم المستفيدون من التغطية الصحية",
        unit: Unit::Count,
        span: Span::Cumulative,
        date: "date du premier décaissement du projet",
        counts: "les porteurs de projets financés dont la couverture AMO est enregistrée",
    },
    Family {
        key: "dossiers_statut",
        label_fr: "Dossiers par statut",
        label_ar: "الملفات حسب الوضعية",
        unit: Unit::Count,
        span: Span::Current,
        date: "aucune : tous les dossiers, quelle que soit leur date",
        counts: "les dossiers par statut ; à la délégation, un dossier transmis sur lequel la commission a statué compte comme approuvé ou rejeté",
    },
    Family {
        key: "enveloppes",
        label_fr: "Enveloppes des programmes",
        label_ar: "الأغلفة المالية للبرامج",
        unit: Unit::Centimes,
        span: Span::Period,
        date: "année budgétaire",
        counts: "le montant de chaque enveloppe annuelle (CODE.ANNÉE.montant) et ce qui y est engagé (CODE.ANNÉE.engage)",
    },
];

/// The family of `key`, if the key belongs to the registry.
pub fn family_of(key: &str) -> Option<&'static Family> {
    let prefix = key.split_once('.').map_or(key, |(f, _)| f);
    FAMILIES.iter().find(|f| f.key == prefix)
}

/// The detail of a key for a project kind (`pme`, `projet_individuel`).
pub fn kind_detail(kind: ProjectKind) -> String {
    kind.code().replace('-', "_")
}

/// The detail of a key for a status (`en_instruction`).
pub fn status_detail(status: Status) -> String {
    status.code().replace('-', "_")
}

/// The detail of a key for a funding source: `hcar`, `indh`, `convention.CODE`, `autre`.
pub fn source_detail(kind: &str, programme_code: Option<&str>) -> String {
    match (kind, programme_code) {
        ("convention", Some(code)) => format!("convention.{code}"),
        _ => kind.to_owned(),
    }
}

/// How figures are broken down.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Breakdown {
    /// By the office that owns the dossier.
    Office,
    /// By the beneficiary's province of residence.
    Province,
    /// By the region of that province.
    Region,
    /// By funding source, where it makes sense: the dirhams by their line's source (they add up);
    /// a funded dossier's counts and jobs under each of its sources (a co-funded dossier in each:
    /// those groups do not add up to the total); figures that no source decides (deposits,
    /// rejections, statuses, projects created, envelopes) are not broken down.
    Source,
}

impl Breakdown {
    /// Parses `office`, `province`, `region` (or their French names).
    pub fn parse(raw: &str) -> Result<Breakdown, String> {
        match raw.trim().to_lowercase().as_str() {
            "office" | "bureau" => Ok(Breakdown::Office),
            "province" => Ok(Breakdown::Province),
            "region" | "région" => Ok(Breakdown::Region),
            "source" => Ok(Breakdown::Source),
            other => {
                Err(format!("« {other} » : ventilation inconnue ; choisissez office, province, region ou source."))
            }
        }
    }

    /// The column title.
    pub fn label_fr(self) -> &'static str {
        match self {
            Breakdown::Office => "Bureau",
            Breakdown::Province => "Province",
            Breakdown::Region => "Région",
            Breakdown::Source => "Source",
        }
    }
}

/// The group a figure falls in when nothing is known of it (a beneficiary without province).
pub const UNKNOWN_GROUP: &str = "non renseigné";

/// One figure: its total and, when broken down, its value per group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Figure {
    /// Its key.
    pub key: String,
    /// The total.
    pub value: i64,
    /// Per group (office, province or region code).
    pub by_group: BTreeMap<String, i64>,
}

/// The bilan of a period: every figure of the registry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bilan {
    /// First day counted.
    pub from: NaiveDate,
    /// Last day counted.
    pub to: NaiveDate,
    /// The breakdown asked for.
    pub by: Option<Breakdown>,
    /// The groups met, sorted.
    pub groups: Vec<String>,
    /// The figures, in the registry's order.
    pub figures: Vec<Figure>,
}

impl Bilan {
    /// The value of `key` (0 when nothing counted).
    pub fn value(&self, key: &str) -> i64 {
        self.figures.iter().find(|f| f.key == key).map_or(0, |f| f.value)
    }

    /// The value of `key` in `group`.
    pub fn value_in(&self, key: &str, group: &str) -> i64 {
        self.figures.iter().find(|f| f.key == key).and_then(|f| f.by_group.get(group)).copied().unwrap_or(0)
    }
}

/// A figure that is no longer what was frozen: its key, its group (`None`: the total), the
/// frozen value and today's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Difference {
    /// The indicator.
    pub key: String,
    /// The group, or `None` for the total.
    pub group: Option<String>,
    /// As frozen.
    pub frozen: i64,
    /// As computed now.
    pub now: i64,
}

impl Difference {
    /// The difference in French, the indicator named `name`: `name [group] : gelé X → aujourd'hui Y`.
    pub fn describe_fr(&self, name: &str) -> String {
        let unit = family_of(&self.key).map_or(Unit::Count, |f| f.unit);
        let within = self.group.as_deref().map(|g| format!(" [{g}]")).unwrap_or_default();
        format!("{name}{within} : gelé {} → aujourd'hui {}", unit.format_fr(self.frozen), unit.format_fr(self.now))
    }
}

/// What differs between the frozen figures and today's (same period and breakdown), totals
/// first, in the registry's order.
pub fn differences(frozen: &Bilan, now: &Bilan) -> Vec<Difference> {
    let mut keys: Vec<&str> = frozen.figures.iter().map(|f| f.key.as_str()).collect();
    // A family the year was closed without (added by a later version) is not compared: its
    // figures were never frozen. A new detail of a frozen family (a new convention) is.
    let frozen_families: Vec<&str> = frozen.figures.iter().filter_map(|f| family_of(&f.key)).map(|f| f.key).collect();
    keys.extend(now.figures.iter().map(|f| f.key.as_str()).filter(|k| {
        frozen.figures.iter().all(|f| f.key != *k) && family_of(k).is_some_and(|f| frozen_families.contains(&f.key))
    }));
    let mut out = Vec::new();
    for key in keys {
        let (was, is) = (frozen.value(key), now.value(key));
        if was != is {
            out.push(Difference { key: key.to_owned(), group: None, frozen: was, now: is });
        }
        let mut groups: Vec<&String> = frozen.groups.iter().chain(&now.groups).collect();
        groups.sort();
        groups.dedup();
        for group in groups {
            let (was, is) = (frozen.value_in(key, group), now.value_in(key, group));
            if was != is {
                out.push(Difference { key: key.to_owned(), group: Some(group.clone()), frozen: was, now: is });
            }
        }
    }
    out
}

/// FNV-1a: the tally hashes a short key for every contribution, millions of times per bilan;
/// the keys come from the register, not from an adversary, so a fast hash is the right one.
#[derive(Debug, Clone, Copy)]
pub struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl std::hash::Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for byte in bytes {
            self.0 = (self.0 ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3);
        }
    }
}

/// Adds contributions up into a [`Bilan`]; the details every bilan shows are there even at 0.
#[derive(Debug)]
pub struct Tally {
    index: HashMap<String, usize, std::hash::BuildHasherDefault<Fnv>>,
    figures: Vec<Figure>,
}

impl Default for Tally {
    fn default() -> Tally {
        let mut tally = Tally { index: HashMap::default(), figures: Vec::new() };
        let kinds: Vec<String> = ProjectKind::ALL.iter().map(|k| kind_detail(*k)).collect();
        for family in ["dossiers_deposes", "dossiers_approuves", "dossiers_rejetes", "projets_finances"] {
            for detail in kinds.iter().map(String::as_str).chain(["total"]) {
                tally.add(&format!("{family}.{detail}"), None, 0);
            }
        }
        for detail in kinds.iter().map(String::as_str).chain(["total"]) {
            tally.add(&format!("projets_finances_cumul.{detail}"), None, 0);
        }
        for family in ["emplois_prevus", "emplois_prevus_cumul", "emplois_constates_cumul"] {
            for detail in ["total", "famille"] {
                tally.add(&format!("{family}.{detail}"), None, 0);
            }
        }
        for family in ["dh_engages", "dh_decaisses"] {
            for detail in ["hcar", "indh", "autre", "total"] {
                tally.add(&format!("{family}.{detail}"), None, 0);
            }
        }
        tally.add("beneficiaires_finances_cumul.total", None, 0);
        tally.add("amo_couverts_cumul.total", None, 0);
        for status in Status::ALL {
            tally.add(&format!("dossiers_statut.{}", status_detail(status)), None, 0);
        }
        tally
    }
}

impl Tally {
    /// Adds `value` to `key`, and to its value in `group` when given.
    pub fn add(&mut self, key: &str, group: Option<&str>, value: i64) {
        let i = self.figure(key);
        let figure = &mut self.figures[i];
        figure.value = figure.value.saturating_add(value);
        if let Some(group) = group {
            add_to_group(figure, group, value);
        }
    }

    /// Adds `value` to `key` in `group` only, not to its total (a co-funded dossier counted under
    /// each of its sources, once in the total).
    pub fn add_to_group_only(&mut self, key: &str, group: &str, value: i64) {
        let i = self.figure(key);
        add_to_group(&mut self.figures[i], group, value);
    }

    fn figure(&mut self, key: &str) -> usize {
        match self.index.get(key) {
            Some(i) => *i,
            None => {
                self.figures.push(Figure { key: key.to_owned(), value: 0, by_group: BTreeMap::new() });
                self.index.insert(key.to_owned(), self.figures.len() - 1);
                self.figures.len() - 1
            }
        }
    }

    /// The bilan, figures in the registry's order (details as first met, `total` last).
    pub fn finish(self, from: NaiveDate, to: NaiveDate, by: Option<Breakdown>) -> Bilan {
        let mut figures = self.figures;
        // A total closes its family's list, except for jobs: "total, dont famille".
        let rank = |key: &str| {
            let family = family_of(key);
            let position = FAMILIES.iter().position(|f| Some(f.key) == family.map(|f| f.key));
            let last = key.ends_with(".total") && family.is_some_and(|f| f.unit != Unit::Jobs);
            (position.unwrap_or(usize::MAX), last)
        };
        // Stable: within a family and kind of line, the order of first addition.
        figures.sort_by_key(|f| rank(&f.key));
        let mut groups: Vec<String> = figures.iter().flat_map(|f| f.by_group.keys().cloned()).collect();
        groups.sort();
        groups.dedup();
        Bilan { from, to, by, groups, figures }
    }
}

/// Adds `value` to `figure` in `group`.
fn add_to_group(figure: &mut Figure, group: &str, value: i64) {
    match figure.by_group.get_mut(group) {
        Some(cell) => *cell = cell.saturating_add(value),
        None => {
            figure.by_group.insert(group.to_owned(), value);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_belongs_to_a_family_and_totals_come_last() {
        let mut tally = Tally::default();
        tally.add("dh_engages.convention.AGENCE-SUD", Some("BL-TIZNIT"), 150);
        tally.add("dh_engages.total", Some("BL-TIZNIT"), 150);
        let date = NaiveDate::default();
        let bilan = tally.finish(date, date, Some(Breakdown::Office));
        assert!(bilan.figures.iter().all(|f| family_of(&f.key).is_some()), "{:?}", bilan.figures);
        let engaged: Vec<&str> =
            bilan.figures.iter().filter(|f| f.key.starts_with("dh_engages.")).map(|f| f.key.as_str()).collect();
        assert_eq!(
            engaged,
            [
                "dh_engages.hcar",
                "dh_engages.indh",
                "dh_engages.autre",
                "dh_engages.convention.AGENCE-SUD",
                "dh_engages.total"
            ]
        );
        assert_eq!((bilan.value("dh_engages.total"), bilan.value_in("dh_engages.total", "BL-TIZNIT")), (150, 150));
        assert_eq!(bilan.groups, ["BL-TIZNIT"]);
    }

    #[test]
    fn a_family_the_year_was_closed_without_is_not_compared() {
        let date = NaiveDate::default();
        let mut before = Tally::default();
        before.add("dh_engages.hcar", None, 100);
        before.add("dh_engages.total", None, 100);
        let frozen = before.finish(date, date, None);
        let mut after = Tally::default();
        after.add("dh_engages.hcar", None, 100);
        after.add("dh_engages.convention.NOUVELLE", None, 50);
        after.add("dh_engages.total", None, 150);
        after.add("projets_crees.pme", None, 7);
        let now = after.finish(date, date, None);
        let keys: Vec<String> = differences(&frozen, &now).into_iter().map(|d| d.key).collect();
        assert_eq!(keys, ["dh_engages.total", "dh_engages.convention.NOUVELLE"]);
    }

    #[test]
    fn every_family_is_documented() {
        let doc = include_str!("../../docs/indicators.md");
        for family in FAMILIES {
            assert!(doc.contains(&format!("| `{}` | {} |", family.key, family.label_fr)), "{}", family.key);
        }
    }

    #[test]
    fn breakdowns_parse_in_both_languages() {
        assert_eq!(Breakdown::parse("bureau"), Ok(Breakdown::Office));
        assert_eq!(Breakdown::parse("Région"), Ok(Breakdown::Region));
        assert!(Breakdown::parse("commune").is_err());
    }
}
