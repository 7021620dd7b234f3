//! Dossiers: requests for support, their checklist of documents and their status workflow.
//!
//! *déposé → en instruction → complet → transmis* are the office's steps; the commission then
//! decides *approuvé* or *rejeté (motif)*; an approved dossier becomes *financé* with its first
//! disbursement and is finally *clôturé*. Every transition is dated and attributed.

use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::codes::DossierNumber;
use super::funding::Grant;
use super::money::Money;
use super::project::ProjectKind;
use super::role::Action;
use super::text::{self, Fields, FreeText};

/// Where a dossier stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// Deposited at the office.
    Depose,
    /// Being examined by the office.
    EnInstruction,
    /// Every required document received.
    Complet,
    /// Sent to the commission.
    Transmis,
    /// Approved by the commission, with amounts per source.
    Approuve,
    /// Rejected by the commission, with a reason.
    Rejete,
    /// At least one disbursement made.
    Finance,
    /// Closed.
    Cloture,
}

impl Status {
    /// Every status, in workflow order.
    pub const ALL: [Status; 8] = [
        Status::Depose,
        Status::EnInstruction,
        Status::Complet,
        Status::Transmis,
        Status::Approuve,
        Status::Rejete,
        Status::Finance,
        Status::Cloture,
    ];

    /// The code used in files and on the command line.
    pub fn code(self) -> &'static str {
        match self {
            Status::Depose => "depose",
            Status::EnInstruction => "en-instruction",
            Status::Complet => "complet",
            Status::Transmis => "transmis",
            Status::Approuve => "approuve",
            Status::Rejete => "rejete",
            Status::Finance => "finance",
            Status::Cloture => "cloture",
        }
    }

    /// The French label.
    pub fn label_fr(self) -> &'static str {
        match self {
            Status::Depose => "Déposé",
            Status::EnInstruction => "En instruction",
            Status::Complet => "Complet",
            Status::Transmis => "Transmis",
            Status::Approuve => "Approuvé",
            Status::Rejete => "Rejeté",
            Status::Finance => "Financé",
            Status::Cloture => "Clôturé",
        }
    }

    /// Arabic label (glossary).
    pub fn label_ar(self) -> &'static str {
        match self {
            Status::Depose => "مودع",
            Status::EnInstruction => "قيد الدراسة",
            Status::Complet => "مكتمل",
            Status::Transmis => "محال",
            Status::Approuve => "مقبول",
            Status::Rejete => "مرفوض",
            Status::Finance => "ممول",
            Status::Cloture => "مغلق",
        }
    }

    /// Parses [`Status::code`] (accents and case ignored).
    pub fn parse(raw: &str) -> Result<Status, String> {
        let wanted = super::names::fold_latin(raw.trim()).replace(' ', "-");
        Status::ALL.into_iter().find(|s| s.code() == wanted).ok_or_else(|| {
            format!("« {} » : statut inconnu ; choisissez parmi depose, en-instruction, complet, transmis, approuve, rejete, finance, cloture.", raw.trim())
        })
    }

    /// The statuses a dossier may move to from this one.
    pub fn next(self) -> &'static [Status] {
        match self {
            Status::Depose => &[Status::EnInstruction],
            Status::EnInstruction => &[Status::Complet],
            Status::Complet => &[Status::Transmis, Status::EnInstruction],
            Status::Transmis => &[Status::Approuve, Status::Rejete],
            Status::Approuve => &[Status::Finance],
            Status::Finance => &[Status::Cloture],
            Status::Rejete | Status::Cloture => &[],
        }
    }

    /// The permission a move from `self` to `to` needs, or `None` when the move does not exist.
    pub fn action_to(self, to: Status) -> Option<Action> {
        if !self.next().contains(&to) {
            return None;
        }
        Some(match to {
            Status::EnInstruction | Status::Complet => Action::InstructDossier,
            Status::Transmis => Action::TransmitDossier,
            Status::Approuve | Status::Rejete => Action::RecordDecision,
            Status::Finance => Action::RecordDisbursement,
            Status::Cloture => Action::CloseDossier,
            Status::Depose => return None,
        })
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label_fr())
    }
}

/// One document of a checklist (reference data, per project kind).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChecklistItem {
    /// Stable code, e.g. `cin`, `statuts`.
    pub code: String,
    /// The kind of project it applies to.
    pub kind: ProjectKind,
    /// French label.
    pub label_fr: String,
    /// Arabic label.
    pub label_ar: String,
    /// Whether the dossier cannot be complete without it.
    pub required: bool,
}

/// The checklist of one project kind as a delegation publishes it (reference data).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checklist {
    /// The kind of project.
    pub kind: ProjectKind,
    /// Its documents, in the order they are listed.
    pub items: Vec<ChecklistItem>,
}

impl Checklist {
    /// A checklist of `kind` from its items; French errors for an empty list, an item without a
    /// code or label, a code used twice, or an item of another kind.
    pub fn validate(kind: ProjectKind, items: Vec<ChecklistItem>) -> Result<Checklist, String> {
        let checklist = Checklist { kind, items };
        checklist.check()?;
        Ok(checklist)
    }

    /// See [`Checklist::validate`] (also what a received row must hold).
    pub fn check(&self) -> Result<(), String> {
        if self.items.is_empty() || self.items.len() > 100 {
            return Err("une liste de pièces compte de 1 à 100 pièces".into());
        }
        let mut codes = std::collections::HashSet::new();
        for (i, item) in self.items.iter().enumerate() {
            let n = i + 1;
            let code_ok = !item.code.is_empty()
                && item.code.len() <= 40
                && item.code.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
            if !code_ok {
                return Err(format!(
                    "pièce {n} : code « {} » invalide (lettres minuscules sans accent, chiffres, - ou _)",
                    item.code
                ));
            }
            if item.label_fr.trim().is_empty() || item.label_fr.len() > 300 || item.label_ar.len() > 300 {
                return Err(format!("pièce {n} ({}) : libellé français manquant ou trop long", item.code));
            }
            if item.kind != self.kind {
                return Err(format!("pièce {n} ({}) : d'un autre type de projet", item.code));
            }
            if !codes.insert(item.code.as_str()) {
                return Err(format!("pièce {n} : le code « {} » figure deux fois", item.code));
            }
        }
        Ok(())
    }
}

/// A document the office received for a dossier.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceivedDocument {
    /// The checklist item's code.
    pub code: String,
    /// When it was received.
    pub received_on: NaiveDate,
}

/// One move of a dossier: dated, attributed, with its reason when one is needed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transition {
    /// Status before.
    pub from: Status,
    /// Status after.
    pub to: Status,
    /// Date of the move.
    pub on: NaiveDate,
    /// Login of the user who made it (or the delegation's, for a decision that came in a reply).
    pub by: String,
    /// Why (mandatory for a rejection).
    pub reason: Option<String>,
}

/// A request for support for a project.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dossier {
    /// Human number, unique per office and year.
    pub number: DossierNumber,
    /// The year of the number.
    pub year: i32,
    /// The project supported.
    pub project_id: Uuid,
    /// The applicant who deposited it (the project's promoter).
    pub applicant_id: Uuid,
    /// The project's kind (decides the checklist).
    pub kind: ProjectKind,
    /// When it was deposited.
    pub deposited_on: NaiveDate,
    /// The amount asked for, when stated.
    pub requested: Option<Money>,
    /// Current status.
    pub status: Status,
    /// Documents received.
    #[serde(default)]
    pub documents: Vec<ReceivedDocument>,
    /// Every move so far, oldest first.
    #[serde(default)]
    pub history: Vec<Transition>,
    /// When the retention rules erased its notes (its applicant anonymised).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub anonymised_on: Option<NaiveDate>,
    /// For a dossier of the years before Daftar, entered as history: its old paper reference.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paper_reference: Option<String>,
    /// The programme or convention it is presented under (its code), when the office says so:
    /// the commission's agenda can be read programme by programme.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub programme: Option<String>,
}

impl Dossier {
    /// Erases the free text of its history (reasons may name people), once its applicant is
    /// anonymised; statuses, dates and who moved it stay.
    pub fn anonymise(&mut self, on: NaiveDate) {
        for step in &mut self.history {
            step.reason = None;
        }
        self.anonymised_on = Some(on);
    }

    /// The required items of `checklist` not yet received.
    pub fn missing_documents<'a>(&self, checklist: &'a [ChecklistItem]) -> Vec<&'a ChecklistItem> {
        checklist
            .iter()
            .filter(|item| item.kind == self.kind && item.required)
            .filter(|item| !self.documents.iter().any(|d| d.code == item.code))
            .collect()
    }
}

/// What the core knows about a dossier when checking a move.
#[derive(Debug, Clone, Default)]
pub struct MoveContext<'a> {
    /// Required documents not yet received (French labels).
    pub missing_documents: Vec<&'a str>,
    /// The reason given, if any.
    pub reason: Option<&'a str>,
    /// For an approval: the amounts granted.
    pub grants: &'a [Grant],
    /// Whether any disbursement has been recorded.
    pub has_disbursement: bool,
}

/// Checks that `dossier` may move to `to` on `on`; the error says why not, in French.
/// Permissions are checked apart ([`Status::action_to`] then [`super::role::permits`]).
pub fn check_move(dossier: &Dossier, to: Status, on: NaiveDate, ctx: &MoveContext<'_>) -> Result<(), String> {
    let from = dossier.status;
    if from.action_to(to).is_none() {
        let allowed: Vec<&str> = from.next().iter().map(|s| s.label_fr()).collect();
        return Err(if allowed.is_empty() {
            format!("Le dossier {} est « {} » : il ne peut plus changer de statut.", dossier.number, from.label_fr())
        } else {
            format!(
                "Le dossier {} est « {} » : il ne peut pas passer à « {} » (possible : {}).",
                dossier.number,
                from.label_fr(),
                to.label_fr(),
                allowed.join(", ")
            )
        });
    }
    let last = dossier.history.last().map_or(dossier.deposited_on, |t| t.on);
    if on < last {
        return Err(format!(
            "La date du changement ({}) précède la dernière étape du dossier ({}).",
            on.format("%d/%m/%Y"),
            last.format("%d/%m/%Y")
        ));
    }
    match to {
        Status::Complet if !ctx.missing_documents.is_empty() => Err(format!(
            "Le dossier {} ne peut être complet : il manque {}.",
            dossier.number,
            ctx.missing_documents.join(", ")
        )),
        Status::Rejete if ctx.reason.is_none_or(|r| r.trim().is_empty()) => {
            Err("Un rejet doit être motivé : indiquez le motif.".into())
        }
        Status::Approuve if ctx.grants.is_empty() => {
            Err("Une approbation indique les montants accordés par source de financement.".into())
        }
        Status::Approuve if ctx.grants.iter().all(|g| g.amount == Money::ZERO) => {
            Err("Le montant total accordé ne peut être nul : rejetez le dossier ou indiquez les montants.".into())
        }
        Status::Finance if !ctx.has_disbursement => {
            Err("Le dossier devient « Financé » avec son premier décaissement : enregistrez-le.".into())
        }
        _ => Ok(()),
    }
}

impl FreeText for Dossier {
    fn free_text(&self) -> Fields<'_> {
        let mut fields: Fields<'_> =
            self.documents.iter().map(|d| ("Pièce reçue", d.code.as_str(), text::REFERENCE)).collect();
        for step in &self.history {
            fields.push(("Auteur d'une étape", &step.by, text::REFERENCE));
            fields.extend(step.reason.as_deref().map(|r| ("Motif d'une étape", r, text::NOTE)));
        }
        fields
    }
}

impl FreeText for Checklist {
    fn free_text(&self) -> Fields<'_> {
        self.items
            .iter()
            .flat_map(|item| {
                [
                    ("Code d'une pièce", item.code.as_str(), text::REFERENCE),
                    ("Intitulé d'une pièce", item.label_fr.as_str(), text::LINE),
                    ("Intitulé d'une pièce (arabe)", item.label_ar.as_str(), text::LINE),
                ]
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::codes::SiteCode;
    use crate::domain::funding::FundingSource;

    fn date(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, d).unwrap_or_default()
    }

    fn dossier(status: Status) -> Dossier {
        Dossier {
            number: DossierNumber::new(&SiteCode::parse("BL-TIZNIT").unwrap_or_else(|e| panic!("{e}")), 2026, 1),
            year: 2026,
            project_id: Uuid::nil(),
            applicant_id: Uuid::nil(),
            kind: ProjectKind::Pme,
            deposited_on: date(1),
            requested: None,
            status,
            documents: vec![],
            history: vec![],
            anonymised_on: None,
            paper_reference: None,
            programme: None,
        }
    }

    #[test]
    fn only_the_workflow_moves_exist() {
        let mut allowed = 0;
        for from in Status::ALL {
            for to in Status::ALL {
                let exists = from.action_to(to).is_some();
                allowed += usize::from(exists);
                let ctx = MoveContext {
                    reason: Some("motif"),
                    grants: &[],
                    has_disbursement: true,
                    ..MoveContext::default()
                };
                if !exists {
                    assert!(check_move(&dossier(from), to, date(2), &ctx).is_err(), "{from:?} -> {to:?}");
                }
            }
        }
        assert_eq!(allowed, 8);
        assert_eq!(Status::Complet.action_to(Status::Transmis), Some(Action::TransmitDossier));
        assert_eq!(Status::Transmis.action_to(Status::Rejete), Some(Action::RecordDecision));
        assert_eq!(Status::Approuve.action_to(Status::Finance), Some(Action::RecordDisbursement));
        assert_eq!(Status::Finance.action_to(Status::Cloture), Some(Action::CloseDossier));
        assert_eq!(Status::Depose.action_to(Status::Complet), None);
    }

    #[test]
    fn each_step_checks_its_condition() {
        let none = MoveContext::default();
        assert!(check_move(&dossier(Status::Depose), Status::EnInstruction, date(2), &none).is_ok());
        let missing = MoveContext { missing_documents: vec!["Copie de la CIN"], ..MoveContext::default() };
        let err = check_move(&dossier(Status::EnInstruction), Status::Complet, date(2), &missing).unwrap_err();
        assert!(err.contains("il manque Copie de la CIN"), "{err}");
        assert!(check_move(&dossier(Status::Transmis), Status::Rejete, date(2), &none).unwrap_err().contains("motivé"));
        let with_reason = MoveContext { reason: Some("Projet hors éligibilité"), ..MoveContext::default() };
        assert!(check_move(&dossier(Status::Transmis), Status::Rejete, date(2), &with_reason).is_ok());
        assert!(
            check_move(&dossier(Status::Transmis), Status::Approuve, date(2), &none).unwrap_err().contains("montants")
        );
        let grants =
            [Grant { source: FundingSource::HcarBudget, amount: Money::from_centimes(5_000_000).unwrap_or_default() }];
        let approve = MoveContext { grants: &grants, ..MoveContext::default() };
        assert!(check_move(&dossier(Status::Transmis), Status::Approuve, date(2), &approve).is_ok());
        assert!(
            check_move(&dossier(Status::Approuve), Status::Finance, date(2), &none)
                .unwrap_err()
                .contains("décaissement")
        );
        assert!(
            check_move(&dossier(Status::Rejete), Status::Approuve, date(2), &approve)
                .unwrap_err()
                .contains("ne peut plus")
        );
    }

    #[test]
    fn a_move_cannot_be_dated_before_the_previous_one() {
        let err = check_move(
            &dossier(Status::Depose),
            Status::EnInstruction,
            NaiveDate::from_ymd_opt(2026, 2, 1).unwrap_or_default(),
            &MoveContext::default(),
        )
        .unwrap_err();
        assert!(err.contains("précède"), "{err}");
    }

    #[test]
    fn missing_documents_follow_the_kind() {
        let item = |code: &str, kind, required| ChecklistItem {
            code: code.into(),
            kind,
            label_fr: code.into(),
            label_ar: String::new(),
            required,
        };
        let checklist = vec![
            item("cin", ProjectKind::Pme, true),
            item("rc", ProjectKind::Pme, true),
            item("photo", ProjectKind::Pme, false),
            item("statuts", ProjectKind::Cooperative, true),
        ];
        let mut d = dossier(Status::EnInstruction);
        d.documents.push(ReceivedDocument { code: "cin".into(), received_on: date(1) });
        let missing: Vec<&str> = d.missing_documents(&checklist).iter().map(|i| i.code.as_str()).collect();
        assert_eq!(missing, ["rc"]);
    }
}
