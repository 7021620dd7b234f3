//! Projects of the four kinds, with their legal identifiers, members and planned jobs.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::codes::{Ice, Rc};
use super::dates::parse_past_date_fr;
use super::errors::{FieldErrors, non_empty};
use super::text::{self, Fields, FreeText};

/// The four kinds of project the Haut-Commissariat supports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ProjectKind {
    /// A small or medium company (*PME*).
    Pme,
    /// A cooperative (ODCO register).
    Cooperative,
    /// An association (*récépissé* of declaration).
    Association,
    /// An individual income-generating activity.
    ProjetIndividuel,
}

impl ProjectKind {
    /// Every kind.
    pub const ALL: [ProjectKind; 4] =
        [ProjectKind::Pme, ProjectKind::Cooperative, ProjectKind::Association, ProjectKind::ProjetIndividuel];

    /// The code used in files and on the command line.
    pub fn code(self) -> &'static str {
        match self {
            ProjectKind::Pme => "pme",
            ProjectKind::Cooperative => "cooperative",
            ProjectKind::Association => "association",
            ProjectKind::ProjetIndividuel => "projet-individuel",
        }
    }

    /// The French label.
    pub fn label_fr(self) -> &'static str {
        match self {
            ProjectKind::Pme => "PME",
            ProjectKind::Cooperative => "Coopérative",
            ProjectKind::Association => "Association",
            ProjectKind::ProjetIndividuel => "Projet individuel",
        }
    }

    /// A short French label for narrow table columns.
    pub fn abbrev_fr(self) -> &'static str {
        match self {
            ProjectKind::Pme => "PME",
            ProjectKind::Cooperative => "Coop.",
            ProjectKind::Association => "Assoc.",
            ProjectKind::ProjetIndividuel => "Indiv.",
        }
    }

    /// Arabic label (glossary).
    pub fn label_ar(self) -> &'static str {
        match self {
            ProjectKind::Pme => "مقاولة صغرى ومتوسطة",
            ProjectKind::Cooperative => "تعاونية",
            ProjectKind::Association => "جمعية",
            ProjectKind::ProjetIndividuel => "مشروع فردي",
        }
    }

    /// Parses the code or the label, any case.
    pub fn parse(raw: &str) -> Result<ProjectKind, String> {
        let wanted = raw.trim().to_lowercase();
        ProjectKind::ALL.into_iter().find(|k| k.code() == wanted || k.label_fr().to_lowercase() == wanted).ok_or_else(
            || {
                format!(
                    "« {} » : type de projet inconnu ; choisissez pme, cooperative, association ou projet-individuel.",
                    raw.trim()
                )
            },
        )
    }
}

/// A member of a project (the promoter of an individual project, the members of a cooperative).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    /// The applicant.
    pub applicant_id: Uuid,
    /// Their role in the project (*président*, *trésorier*, *membre*, *gérant*…).
    pub role: String,
}

/// Jobs of a project: total, and how many of them go to the resistance family.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Jobs {
    /// All jobs.
    pub total: u32,
    /// Of which for the family of resistance members (never more than `total`).
    pub family: u32,
}

impl Jobs {
    /// Parses the two counts; the family's share may not exceed the total.
    pub fn parse(
        total: &str,
        family: &str,
        errors: &mut FieldErrors,
        fields: (&'static str, &'static str),
    ) -> Option<Jobs> {
        let count = |raw: &str| -> Result<u32, String> {
            let raw = raw.trim();
            if raw.is_empty() {
                return Ok(0);
            }
            raw.parse::<u32>()
                .ok()
                .filter(|n| *n <= 100_000)
                .ok_or_else(|| format!("« {raw} » n'est pas un nombre d'emplois (un entier positif)."))
        };
        let total = errors.check(fields.0, count(total));
        let family = errors.check(fields.1, count(family));
        let (total, family) = total.zip(family)?;
        if family > total {
            errors.add(
                fields.1,
                format!(
                    "Les emplois pour la famille de la résistance ({family}) ne peuvent dépasser le total ({total})."
                ),
            );
            return None;
        }
        Some(Jobs { total, family })
    }
}

/// A project supported by the Haut-Commissariat.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Project {
    /// Its kind.
    pub kind: ProjectKind,
    /// Its name (company name, cooperative name, activity).
    pub name: String,
    /// The applicant who carries the project.
    pub promoter_id: Uuid,
    /// Sector of activity (agriculture, artisanat, commerce, services…).
    pub sector: String,
    /// Where it is (commune).
    pub commune: String,
    /// Province code.
    pub province_code: Option<String>,
    /// Date of legal creation, when created.
    pub created_on: Option<NaiveDate>,
    /// ICE (PME, cooperative).
    pub ice: Option<Ice>,
    /// Trade register (PME).
    pub rc: Option<Rc>,
    /// ODCO register number (cooperative).
    pub odco_number: Option<String>,
    /// Declaration receipt (association).
    pub association_receipt: Option<String>,
    /// Members besides the promoter.
    #[serde(default)]
    pub members: Vec<Member>,
    /// Jobs planned in the dossier.
    pub jobs_planned: Jobs,
}

/// A project as typed: raw strings.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProjectDraft {
    /// Kind code.
    pub kind: String,
    /// Name.
    pub name: String,
    /// Sector.
    pub sector: String,
    /// Commune.
    pub commune: String,
    /// Province code.
    pub province_code: String,
    /// Creation date `dd/mm/yyyy` (optional).
    pub created_on: String,
    /// ICE (optional).
    pub ice: String,
    /// RC court (optional, with the number).
    pub rc_court: String,
    /// RC number.
    pub rc_number: String,
    /// ODCO number (cooperatives).
    pub odco_number: String,
    /// Association receipt.
    pub association_receipt: String,
    /// Planned jobs, total.
    pub jobs_total: String,
    /// Planned jobs for the family.
    pub jobs_family: String,
}

impl ProjectDraft {
    /// The draft that edits an existing project.
    pub fn from_project(p: &Project) -> ProjectDraft {
        ProjectDraft {
            kind: p.kind.code().into(),
            name: p.name.clone(),
            sector: p.sector.clone(),
            commune: p.commune.clone(),
            province_code: p.province_code.clone().unwrap_or_default(),
            created_on: p.created_on.map(|d| d.format("%d/%m/%Y").to_string()).unwrap_or_default(),
            ice: p.ice.as_ref().map(|i| i.as_str().to_owned()).unwrap_or_default(),
            rc_court: p.rc.as_ref().map(|rc| rc.court.clone()).unwrap_or_default(),
            rc_number: p.rc.as_ref().map(|rc| rc.number.clone()).unwrap_or_default(),
            odco_number: p.odco_number.clone().unwrap_or_default(),
            association_receipt: p.association_receipt.clone().unwrap_or_default(),
            jobs_total: p.jobs_planned.total.to_string(),
            jobs_family: p.jobs_planned.family.to_string(),
        }
    }

    /// Checks the draft; the promoter and members are chosen apart (they are records).
    pub fn validate(
        &self,
        promoter_id: Uuid,
        members: Vec<Member>,
        today: NaiveDate,
        province_exists: &dyn Fn(&str) -> bool,
    ) -> Result<Project, FieldErrors> {
        let mut errors = FieldErrors::new();
        let kind = errors.check("kind", ProjectKind::parse(&self.kind));
        let name = non_empty(&self.name);
        if name.is_none() {
            errors.add("name", "Indiquez le nom du projet.");
        } else if self.name.trim().chars().count() > 120 {
            errors.add("name", "Le nom du projet est trop long (120 caractères au plus).");
        }
        let ice = non_empty(&self.ice).and_then(|raw| errors.check("ice", Ice::parse(raw)));
        let rc = match (non_empty(&self.rc_court), non_empty(&self.rc_number)) {
            (None, None) => None,
            _ => errors.check("rc", Rc::parse(&self.rc_court, &self.rc_number)),
        };
        let created_on =
            non_empty(&self.created_on).and_then(|raw| errors.check("created_on", parse_past_date_fr(raw, today)));
        let province_code = non_empty(&self.province_code).map(str::to_owned);
        if let Some(code) = &province_code
            && !province_exists(code)
        {
            errors.add("province_code", format!("« {code} » n'est pas un code de province ou préfecture connu."));
        }
        let odco_number = non_empty(&self.odco_number).map(str::to_owned);
        let association_receipt = non_empty(&self.association_receipt).map(str::to_owned);
        if let Some(kind) = kind {
            if rc.is_some() && kind != ProjectKind::Pme {
                errors.add("rc", "Seule une PME s'inscrit au registre du commerce.");
            }
            if odco_number.is_some() && kind != ProjectKind::Cooperative {
                errors.add("odco_number", "Le numéro ODCO ne concerne que les coopératives.");
            }
            if association_receipt.is_some() && kind != ProjectKind::Association {
                errors.add("association_receipt", "Le récépissé de déclaration ne concerne que les associations.");
            }
            if ice.is_some() && matches!(kind, ProjectKind::Association | ProjectKind::ProjetIndividuel) {
                errors.add("ice", "L'ICE concerne les PME et les coopératives.");
            }
        }
        if members.iter().any(|m| m.applicant_id == promoter_id) {
            errors.add("members", "Le porteur du projet est déjà membre : ne l'ajoutez pas deux fois.");
        }
        let jobs = Jobs::parse(&self.jobs_total, &self.jobs_family, &mut errors, ("jobs_total", "jobs_family"));
        match (kind, name, jobs) {
            (Some(kind), Some(name), Some(jobs_planned)) if errors.is_empty() => Ok(Project {
                kind,
                name: name.to_owned(),
                promoter_id,
                sector: self.sector.trim().to_owned(),
                commune: self.commune.trim().to_owned(),
                province_code,
                created_on,
                ice,
                rc,
                odco_number,
                association_receipt,
                members,
                jobs_planned,
            }),
            _ => Err(errors),
        }
    }
}

/// The roles a member holds in a cooperative or association's bureau.
pub const MEMBER_ROLES: [&str; 6] = ["président", "vice-président", "trésorier", "secrétaire", "gérant", "membre"];

/// Reads a typed member list: entries separated by commas or new lines, each a CIN followed by
/// an optional role (`AB123456 trésorier`; `membre` when none). Returns (CIN, role) pairs.
pub fn parse_members(raw: &str) -> Result<Vec<(String, String)>, String> {
    let mut members = Vec::new();
    for entry in raw.split([',', '\n', ';']).map(str::trim).filter(|e| !e.is_empty()) {
        let (cin, role) = entry.split_once(char::is_whitespace).unwrap_or((entry, "membre"));
        let role = role.trim().to_lowercase();
        let Some(&role) = MEMBER_ROLES.iter().find(|r| super::names::fold(r) == super::names::fold(&role)) else {
            return Err(format!(
                "« {entry} » : rôle inconnu ; écrivez la CIN puis l'un de ces rôles : {}.",
                MEMBER_ROLES.join(", ")
            ));
        };
        members.push((cin.to_owned(), role.to_owned()));
    }
    Ok(members)
}

impl FreeText for Project {
    fn free_text(&self) -> Fields<'_> {
        let mut fields: Fields<'_> = vec![
            ("Nom du projet", &self.name, text::NAME),
            ("Secteur", &self.sector, text::LINE),
            ("Commune", &self.commune, text::LINE),
        ];
        fields.extend(self.province_code.as_deref().map(|p| ("Province", p, text::REFERENCE)));
        fields.extend(self.odco_number.as_deref().map(|n| ("N° ODCO", n, text::REFERENCE)));
        fields.extend(self.association_receipt.as_deref().map(|n| ("Récépissé de l'association", n, text::REFERENCE)));
        fields.extend(self.members.iter().map(|m| ("Rôle d'un membre", m.role.as_str(), text::REFERENCE)));
        fields
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 29).unwrap_or_default()
    }

    fn pme() -> ProjectDraft {
        ProjectDraft {
            kind: "pme".into(),
            name: "Atelier Souss Menuiserie".into(),
            sector: "Artisanat".into(),
            ice: "001234567000089".into(),
            rc_court: "Agadir".into(),
            rc_number: "12345".into(),
            jobs_total: "6".into(),
            jobs_family: "4".into(),
            ..ProjectDraft::default()
        }
    }

    #[test]
    fn a_pme_with_its_identifiers_validates() {
        let p = pme().validate(Uuid::nil(), vec![], today(), &|_| true).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(p.jobs_planned, Jobs { total: 6, family: 4 });
        assert_eq!(p.rc.map(|rc| rc.to_string()), Some("RC Agadir 12345".into()));
    }

    #[test]
    fn family_jobs_cannot_exceed_total() {
        let draft = ProjectDraft { jobs_family: "7".into(), ..pme() };
        let errors = draft.validate(Uuid::nil(), vec![], today(), &|_| true).unwrap_err();
        assert!(errors.for_field("jobs_family").is_some_and(|m| m.contains("ne peuvent dépasser")));
    }

    #[test]
    fn identifiers_must_fit_the_kind() {
        let coop = ProjectDraft { kind: "cooperative".into(), association_receipt: "R-12".into(), ..pme() };
        let errors = coop.validate(Uuid::nil(), vec![], today(), &|_| true).unwrap_err();
        assert!(errors.for_field("rc").is_some());
        assert!(errors.for_field("association_receipt").is_some());
        let bad_ice = ProjectDraft { ice: "12345".into(), ..pme() };
        assert!(bad_ice.validate(Uuid::nil(), vec![], today(), &|_| true).unwrap_err().for_field("ice").is_some());
        let half_rc = ProjectDraft { rc_number: String::new(), ..pme() };
        assert!(half_rc.validate(Uuid::nil(), vec![], today(), &|_| true).unwrap_err().for_field("rc").is_some());
    }

    #[test]
    fn the_promoter_is_not_a_member_twice() {
        let id = Uuid::from_u128(7);
        let members = vec![Member { applicant_id: id, role: "membre".into() }];
        assert!(pme().validate(id, members, today(), &|_| true).unwrap_err().for_field("members").is_some());
    }

    #[test]
    fn member_lists_read_cin_and_role() {
        assert_eq!(
            parse_members("AB123456 Président, CD654321\nEF1 tresorier;").unwrap_or_else(|e| panic!("{e}")),
            [
                ("AB123456".to_owned(), "président".to_owned()),
                ("CD654321".to_owned(), "membre".to_owned()),
                ("EF1".to_owned(), "trésorier".to_owned())
            ]
        );
        assert!(parse_members("AB123456 chef").unwrap_err().contains("rôle inconnu"));
        assert_eq!(parse_members(" , "), Ok(vec![]));
    }
}
