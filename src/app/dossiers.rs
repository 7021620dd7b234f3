//! Dossiers: opening, the documents received, the workflow, the commission's decision, funding
//! lines and disbursements.

use chrono::{Datelike as _, NaiveDate};
use uuid::Uuid;

use super::{AppError, Core, Session};
use crate::domain::Money;
use crate::domain::applicant::Applicant;
use crate::domain::codes::DossierNumber;
use crate::domain::dossier::{ChecklistItem, Dossier, MoveContext, ReceivedDocument, Status, Transition, check_move};
use crate::domain::funding::{
    Decision, Disbursement, FundingLine, FundingSource, Grant, Programme, check_disbursement,
};
use crate::domain::project::Project;
use crate::domain::role::Action;
use crate::store::StoreError;
use crate::store::records::{Row, Writer, find, get_live};
use crate::store::reference::checklist;
use crate::store::site::next_counter;
use crate::store::worklist::{WorklistPage, WorklistQuery};

/// Everything about one dossier, for the detail screen, `daftar dossier show` and the dossier
/// sheet.
#[derive(Debug, Clone)]
pub struct DossierView {
    /// The dossier.
    pub dossier: Row<Dossier>,
    /// The checklist of its kind, each item with the date it was received.
    pub checklist: Vec<(ChecklistItem, Option<NaiveDate>)>,
    /// The commission's decision, once made.
    pub decision: Option<Row<Decision>>,
    /// The last time a session of the commission put it off, while it waits for its decision.
    pub adjourned: Option<crate::domain::commission::Adjournment>,
    /// Funding lines, each with its disbursements.
    pub funding: Vec<(Row<FundingLine>, Vec<Row<Disbursement>>)>,
    /// The applicant who deposited it (none when not held here).
    pub applicant: Option<Row<Applicant>>,
    /// The project it supports (none when not held here).
    pub project: Option<Row<Project>>,
    /// What the user who asked may do with it now.
    pub may: DossierRights,
}

/// What a user may do with a dossier as it stands: the window shows these buttons only, so that
/// it never decides workflow rights itself (the core checks them again on every act).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DossierRights {
    /// The steps of the workflow they may take, in the workflow's order (a decision already
    /// recorded at the delegation is not taken again; funding comes with the first payment).
    pub moves: Vec<Status>,
    /// Change the request (amount, deposit date) and tick the documents received.
    pub edit: bool,
    /// Record a disbursement.
    pub pay: bool,
    /// Add a co-funding line to the decision.
    pub add_funding: bool,
    /// Record a follow-up visit.
    pub visit: bool,
    /// Print the deposit receipt.
    pub print_receipt: bool,
    /// Issue the beneficiary certificate.
    pub certify: bool,
    /// Delete the dossier.
    pub delete: bool,
}

impl DossierRights {
    /// What `session`'s user may do with `dossier` (`decided`: a decision is recorded).
    fn of(session: &Session, dossier: &Dossier, decided: bool) -> DossierRights {
        let may = |action| session.require(action).is_ok();
        let status = dossier.status;
        let moves = status
            .next()
            .iter()
            .copied()
            .filter(|&to| status.action_to(to).is_some_and(may))
            .filter(|&to| to != Status::Finance && !(decided && matches!(to, Status::Approuve | Status::Rejete)))
            .collect();
        let decided_or_funded = matches!(status, Status::Approuve | Status::Finance);
        DossierRights {
            moves,
            edit: may(Action::RegisterDossier) && status < Status::Transmis,
            pay: may(Action::RecordDisbursement) && decided_or_funded,
            add_funding: may(Action::RecordDecision) && decided_or_funded,
            visit: may(Action::RecordVisit) && status >= Status::Finance,
            print_receipt: may(Action::RegisterDossier),
            certify: may(Action::IssueCertificate)
                && matches!(status, Status::Approuve | Status::Finance | Status::Cloture),
            delete: may(Action::DeleteRecord),
        }
    }
}

/// Changes to a dossier still at the office.
#[derive(Debug, Clone, Default)]
pub struct DossierEdit {
    /// A new amount asked for.
    pub requested: Option<Money>,
    /// A new deposit date (same year: the number depends on it).
    pub deposited_on: Option<NaiveDate>,
    /// Checklist codes of documents received.
    pub documents: Vec<String>,
    /// When those documents were received.
    pub received_on: NaiveDate,
    /// The programme or convention it is presented under (a programme's code; blank clears it).
    pub programme: Option<String>,
}

/// A requested move of a dossier: where to, when, and what the step needs.
#[derive(Debug, Clone, Copy)]
pub struct Move<'a> {
    /// The new status.
    pub to: Status,
    /// The date of the move.
    pub on: NaiveDate,
    /// Why (required for a rejection); blank counts as none.
    pub reason: Option<&'a str>,
    /// For an approval: the amounts granted per source.
    pub grants: &'a [Grant],
    /// The commission's minutes, for a decision.
    pub commission_ref: Option<&'a str>,
}

impl<'a> Move<'a> {
    /// A move to `to` on `on`, with no reason or grants.
    pub fn to(to: Status, on: NaiveDate) -> Move<'a> {
        Move { to, on, reason: None, grants: &[], commission_ref: None }
    }

    /// With a reason.
    pub fn because(self, reason: &'a str) -> Move<'a> {
        self.because_opt(Some(reason))
    }

    /// With a reason, if there is one.
    pub fn because_opt(self, reason: Option<&'a str>) -> Move<'a> {
        Move { reason: reason.map(str::trim).filter(|r| !r.is_empty()), ..self }
    }

    /// With the commission's grants and minutes.
    pub fn granting(self, grants: &'a [Grant], commission_ref: Option<&'a str>) -> Move<'a> {
        Move { grants, commission_ref, ..self }
    }
}

impl DossierView {
    /// Committed in all sources.
    pub fn committed(&self) -> Money {
        self.funding.iter().fold(Money::ZERO, |sum, (line, _)| sum.checked_add(line.value.committed).unwrap_or(sum))
    }

    /// Disbursed in all sources.
    pub fn disbursed(&self) -> Money {
        self.funding
            .iter()
            .flat_map(|(_, paid)| paid)
            .fold(Money::ZERO, |sum, d| sum.checked_add(d.value.amount).unwrap_or(sum))
    }
}

fn paid_on_line(conn: &rusqlite::Connection, line_id: Uuid) -> Result<Vec<Row<Disbursement>>, StoreError> {
    find::<Disbursement>(conn, "funding_line_id = ?1", &line_id.to_string())
}

impl Core {
    /// Opens a dossier for a project: numbered `<OFFICE>-<YEAR>-<NNNNN>` from the deposit year,
    /// status *déposé*, with the documents already received.
    pub fn open_dossier(
        &mut self,
        session: &Session,
        project_id: Uuid,
        deposited_on: NaiveDate,
        requested: Option<Money>,
        documents: &[String],
    ) -> Result<Row<Dossier>, AppError> {
        session.require(Action::RegisterDossier)?;
        let today = self.clock.today();
        if deposited_on > today {
            return Err(AppError::Rule(format!(
                "La date de dépôt ({}) est dans le futur.",
                deposited_on.format("%d/%m/%Y")
            )));
        }
        let project = get_live::<Project>(self.store.conn(), project_id)?;
        let list = checklist(self.store.conn(), project.value.kind)?;
        let documents = received(&list, documents, deposited_on)?;
        let site_code = session.site.code.clone();
        let id = self.write(session, |w, ids| {
            let year = deposited_on.year();
            let sequence = next_counter(w.conn, &format!("dossier:{year}"))?;
            let dossier = Dossier {
                number: DossierNumber::new(&site_code, year, u32::try_from(sequence).unwrap_or(u32::MAX)),
                year,
                project_id,
                applicant_id: project.value.promoter_id,
                kind: project.value.kind,
                deposited_on,
                requested,
                status: Status::Depose,
                documents,
                history: vec![],
                anonymised_on: None,
                paper_reference: None,
                programme: None,
            };
            let id = ids.new_id();
            w.insert(id, &dossier)?;
            Ok(id)
        })?;
        Ok(get_live(self.store.conn(), id)?)
    }

    /// Ticks documents as received (before the dossier is transmitted).
    pub fn receive_documents(
        &mut self,
        session: &Session,
        dossier_id: Uuid,
        codes: &[String],
        on: NaiveDate,
    ) -> Result<(), AppError> {
        let edit = DossierEdit { documents: codes.to_vec(), received_on: on, ..DossierEdit::default() };
        self.edit_dossier(session, dossier_id, &edit)
    }

    /// Changes what was asked (amount, deposit date) and ticks documents received, while the
    /// office still instructs the dossier: one write, all or nothing.
    pub fn edit_dossier(&mut self, session: &Session, dossier_id: Uuid, edit: &DossierEdit) -> Result<(), AppError> {
        session.require(Action::RegisterDossier)?;
        let mut row = get_live::<Dossier>(self.store.conn(), dossier_id)?;
        if row.value.status >= Status::Transmis {
            return Err(AppError::Rule(format!(
                "Le dossier {} est transmis : il ne se modifie plus.",
                row.value.number
            )));
        }
        if let Some(requested) = edit.requested {
            row.value.requested = Some(requested);
        }
        if let Some(on) = edit.deposited_on {
            if on > self.clock.today() || row.value.history.first().is_some_and(|t| t.on < on) {
                return Err(AppError::Rule(
                    "La date de dépôt ne peut être ni future ni postérieure à la première étape.".into(),
                ));
            }
            if on.year() != row.value.year {
                return Err(AppError::Rule(format!(
                    "Le dossier {} est numéroté dans l'année {} : sa date de dépôt reste dans cette année.",
                    row.value.number, row.value.year
                )));
            }
            row.value.deposited_on = on;
        }
        if let Some(code) = &edit.programme {
            let code = code.trim().to_uppercase();
            if !code.is_empty() && find::<Programme>(self.store.conn(), "code = ?1", &code)?.is_empty() {
                return Err(AppError::Rule(format!(
                    "Aucun programme de code « {code} » : vérifiez le code (écran Programmes)."
                )));
            }
            row.value.programme = Some(code).filter(|c| !c.is_empty());
        }
        let list = checklist(self.store.conn(), row.value.kind)?;
        for doc in received(&list, &edit.documents, edit.received_on)? {
            if !row.value.documents.iter().any(|d| d.code == doc.code) {
                row.value.documents.push(doc);
            }
        }
        self.write(session, |w, _| Ok(w.update(dossier_id, &row.value, None).map(|_| ())?))
    }

    /// Unticks a piece ticked by mistake, while the dossier is still instructed (déposé or en
    /// instruction): the reason is required and goes to the audit trail with the change.
    pub fn unreceive_document(
        &mut self,
        session: &Session,
        dossier_id: Uuid,
        code: &str,
        reason: &str,
    ) -> Result<(), AppError> {
        session.require(Action::RegisterDossier)?;
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(AppError::Rule(
                "Dites pourquoi la pièce est retirée (par exemple « cochée par erreur ») : le motif est gardé dans l'historique.".into(),
            ));
        }
        if let Some(problem) = crate::domain::text::problem("Motif", reason, crate::domain::text::NOTE) {
            return Err(AppError::Rule(problem));
        }
        let mut row = get_live::<Dossier>(self.store.conn(), dossier_id)?;
        if row.value.status >= Status::Complet {
            return Err(AppError::Rule(format!(
                "Le dossier {} est « {} » : ses pièces ne se retirent plus.",
                row.value.number,
                row.value.status.label_fr()
            )));
        }
        let before = row.value.documents.len();
        row.value.documents.retain(|d| d.code != code);
        if row.value.documents.len() == before {
            return Err(AppError::Rule(format!("Cette pièce n'est pas cochée sur le dossier {}.", row.value.number)));
        }
        let label = checklist(self.store.conn(), row.value.kind)?
            .into_iter()
            .find(|item| item.code == code)
            .map_or_else(|| code.to_owned(), |item| item.label_fr);
        let why = format!("pièce « {label} » retirée : {reason}");
        self.write(session, |w, _| Ok(w.update(dossier_id, &row.value, Some(&why)).map(|_| ())?))
    }

    /// Moves a dossier as `mv` says. A rejection needs a reason; an approval (standalone office
    /// or delegation) needs grants, which become the dossier's funding lines.
    pub fn move_dossier(&mut self, session: &Session, dossier_id: Uuid, mv: Move<'_>) -> Result<(), AppError> {
        session.require(Action::ViewRegister)?;
        let site = self.site()?;
        let conn = self.store.conn();
        let mut row = get_live::<Dossier>(conn, dossier_id)?;
        if let Some(action) = row.value.status.action_to(mv.to) {
            session.require(action)?;
        }
        let deciding = matches!(mv.to, Status::Approuve | Status::Rejete);
        // A delegation decides on its offices' dossiers: the decision is its own row, and the
        // office moves its dossier when the decision reaches it.
        let office_dossier = row.meta.owner != site.code.as_str();
        if office_dossier && decision_of(conn, dossier_id)?.is_some() {
            return Err(AppError::Rule(format!(
                "La commission a déjà statué sur le dossier {} : sa décision est en route vers le bureau.",
                row.value.number
            )));
        }
        if mv.on > self.clock.today() {
            return Err(AppError::Rule(format!("La date {} est dans le futur.", mv.on.format("%d/%m/%Y"))));
        }
        let list = checklist(conn, row.value.kind)?;
        let missing: Vec<&str> = row.value.missing_documents(&list).iter().map(|i| i.label_fr.as_str()).collect();
        let has_disbursement = !find::<Disbursement>(conn, "dossier_id = ?1", &dossier_id.to_string())?.is_empty();
        let ctx = MoveContext { missing_documents: missing, reason: mv.reason, grants: mv.grants, has_disbursement };
        check_move(&row.value, mv.to, mv.on, &ctx).map_err(AppError::Rule)?;
        for grant in mv.grants {
            check_convention_exists(conn, &grant.source)?;
        }
        if mv.to == Status::Finance {
            return Err(AppError::Rule(
                "Un dossier devient « Financé » en enregistrant son premier décaissement.".into(),
            ));
        }
        row.value.history.push(Transition {
            from: row.value.status,
            to: mv.to,
            on: mv.on,
            by: session.login.clone(),
            reason: mv.reason.map(str::to_owned),
        });
        row.value.status = mv.to;
        self.write(session, |w, ids| {
            if deciding {
                record_decision(w, ids, dossier_id, &mv, None)?;
            }
            if !office_dossier {
                w.update(dossier_id, &row.value, mv.reason)?;
            }
            Ok(())
        })
    }

    /// Adds a funding line to an approved dossier (co-funding decided later).
    pub fn add_funding(
        &mut self,
        session: &Session,
        dossier_id: Uuid,
        source: FundingSource,
        committed: Money,
        year: i32,
        decision_ref: Option<&str>,
    ) -> Result<Uuid, AppError> {
        session.require(Action::RecordDecision)?;
        let row = get_live::<Dossier>(self.store.conn(), dossier_id)?;
        let approved_here = decision_of(self.store.conn(), dossier_id)?
            .is_some_and(|d| d.meta.owner != row.meta.owner && d.value.approved);
        if !matches!(row.value.status, Status::Approuve | Status::Finance) && !approved_here {
            return Err(AppError::Rule(format!(
                "Le dossier {} est « {} » : seul un dossier approuvé reçoit des financements.",
                row.value.number, row.value.status
            )));
        }
        if committed == Money::ZERO {
            return Err(AppError::Rule("Le montant engagé ne peut être nul.".into()));
        }
        check_convention_exists(self.store.conn(), &source)?;
        let line = FundingLine { dossier_id, source, committed, year, decision_ref: decision_ref.map(str::to_owned) };
        self.write(session, |w, ids| {
            let id = ids.new_id();
            w.insert(id, &line)?;
            Ok(id)
        })
    }

    /// Records a disbursement (tranche) on a funding line; the first one makes the dossier
    /// *financé*.
    pub fn disburse(
        &mut self,
        session: &Session,
        funding_line_id: Uuid,
        amount: Money,
        paid_on: NaiveDate,
        reference: &str,
    ) -> Result<Uuid, AppError> {
        session.require(Action::RecordDisbursement)?;
        let conn = self.store.conn();
        if paid_on > self.clock.today() {
            return Err(AppError::Rule(format!(
                "La date de paiement ({}) est dans le futur.",
                paid_on.format("%d/%m/%Y")
            )));
        }
        let line = get_live::<FundingLine>(conn, funding_line_id)?;
        let mut dossier = get_live::<Dossier>(conn, line.value.dossier_id)?;
        if !matches!(dossier.value.status, Status::Approuve | Status::Finance) {
            return Err(AppError::Rule(format!(
                "Le dossier {} est « {} » : on ne décaisse que sur un dossier approuvé.",
                dossier.value.number, dossier.value.status
            )));
        }
        let paid = paid_on_line(conn, funding_line_id)?;
        let already = paid.iter().fold(Money::ZERO, |s, d| s.checked_add(d.value.amount).unwrap_or(s));
        check_disbursement(&line.value, already, amount).map_err(AppError::Rule)?;
        let disbursement = Disbursement {
            funding_line_id,
            dossier_id: line.value.dossier_id,
            tranche: u32::try_from(paid.len()).unwrap_or(u32::MAX).saturating_add(1),
            paid_on,
            amount,
            reference: reference.trim().to_owned(),
        };
        let becomes_funded = dossier.value.status == Status::Approuve;
        if becomes_funded {
            check_move(
                &dossier.value,
                Status::Finance,
                paid_on,
                &MoveContext { has_disbursement: true, ..MoveContext::default() },
            )
            .map_err(AppError::Rule)?;
            dossier.value.history.push(Transition {
                from: Status::Approuve,
                to: Status::Finance,
                on: paid_on,
                by: session.login.clone(),
                reason: None,
            });
            dossier.value.status = Status::Finance;
        }
        self.write(session, |w, ids| {
            let id = ids.new_id();
            w.insert(id, &disbursement)?;
            if becomes_funded {
                w.update(disbursement.dossier_id, &dossier.value, None)?;
            }
            Ok(id)
        })
    }

    /// Everything about one dossier.
    pub fn dossier_view(&self, session: &Session, dossier_id: Uuid) -> Result<DossierView, AppError> {
        session.require(Action::ViewRegister)?;
        let conn = self.store.conn();
        let dossier = crate::store::records::get::<Dossier>(conn, dossier_id)?
            .ok_or_else(|| StoreError::NotFound(format!("Dossier {dossier_id}")))?;
        let id = dossier_id.to_string();
        let checklist = checklist(conn, dossier.value.kind)?
            .into_iter()
            .map(|item| {
                let on = dossier.value.documents.iter().find(|d| d.code == item.code).map(|d| d.received_on);
                (item, on)
            })
            .collect();
        let decision = decision_of(conn, dossier_id)?;
        let funding = find::<FundingLine>(conn, "dossier_id = ?1", &id)?
            .into_iter()
            .map(|line| {
                let paid = paid_on_line(conn, line.meta.id)?;
                Ok((line, paid))
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        let applicant = crate::store::records::get::<Applicant>(conn, dossier.value.applicant_id)?;
        let project = crate::store::records::get::<Project>(conn, dossier.value.project_id)?;
        let may = DossierRights::of(session, &dossier.value, decision.is_some());
        let adjourned = match (&decision, dossier.value.status) {
            (None, Status::Transmis) => find::<crate::domain::commission::Adjournment>(conn, "dossier_id = ?1", &id)?
                .into_iter()
                .map(|a| a.value)
                .max_by_key(|a| a.on),
            _ => None,
        };
        Ok(DossierView { dossier, checklist, decision, adjourned, funding, applicant, project, may })
    }

    /// Finds a dossier by its number.
    pub fn dossier_by_number(&self, session: &Session, number: &str) -> Result<Row<Dossier>, AppError> {
        session.require(Action::ViewRegister)?;
        Ok(crate::store::search::dossier_by_number(self.store.conn(), number)?
            .ok_or_else(|| StoreError::NotFound(format!("Dossier {}", number.trim())))?)
    }

    /// The dossiers an applicant deposited.
    pub fn dossiers_of_applicant(&self, session: &Session, applicant_id: Uuid) -> Result<Vec<Row<Dossier>>, AppError> {
        session.require(Action::ViewRegister)?;
        Ok(crate::store::search::dossiers_of_applicant(self.store.conn(), applicant_id)?)
    }

    /// A page of the dossiers as a worklist: filtered, sorted, searched (see
    /// [`crate::store::worklist`]).
    pub fn worklist(&self, session: &Session, query: &WorklistQuery) -> Result<WorklistPage, AppError> {
        session.require(Action::ViewRegister)?;
        crate::store::worklist::refresh(self.store.conn())?;
        Ok(crate::store::worklist::page(self.store.conn(), query, &self.follow_up_rules()?)?)
    }

    /// Every dossier the filters of `query` keep, in number order, handed to `each` (`daftar
    /// dossier list`): a whole register in the memory of one row.
    pub fn each_dossier_line(
        &self,
        session: &Session,
        query: &WorklistQuery,
        each: &mut dyn FnMut(crate::store::worklist::WorklistLine) -> Result<(), StoreError>,
    ) -> Result<(), AppError> {
        session.require(Action::ViewRegister)?;
        crate::store::worklist::refresh(self.store.conn())?;
        Ok(crate::store::worklist::each(self.store.conn(), query, &self.follow_up_rules()?, each)?)
    }

    /// The dossiers of a project.
    pub fn dossiers_of_project(&self, session: &Session, project_id: Uuid) -> Result<Vec<Row<Dossier>>, AppError> {
        session.require(Action::ViewRegister)?;
        Ok(find::<Dossier>(self.store.conn(), "project_id = ?1", &project_id.to_string())?)
    }
}

/// Writes the decision record (taken in the commission's session `session_id`, if any) and, for
/// an approval, one funding line per grant.
pub(super) fn record_decision(
    w: &Writer<'_>,
    ids: &mut super::IdMaker<'_>,
    dossier_id: Uuid,
    mv: &Move<'_>,
    session_id: Option<Uuid>,
) -> Result<(), AppError> {
    let approved = mv.to == Status::Approuve;
    let decision = Decision {
        dossier_id,
        approved,
        grants: if approved { mv.grants.to_vec() } else { vec![] },
        reason: mv.reason.map(str::to_owned),
        decided_on: mv.on,
        commission_ref: mv.commission_ref.map(str::to_owned),
        anonymised_on: None,
        session_id,
        history: false,
    };
    w.insert(ids.new_id(), &decision)?;
    if approved {
        for grant in mv.grants.iter().filter(|g| g.amount > Money::ZERO) {
            let line = FundingLine {
                dossier_id,
                source: grant.source.clone(),
                committed: grant.amount,
                year: mv.on.year(),
                decision_ref: mv.commission_ref.map(str::to_owned),
            };
            w.insert(ids.new_id(), &line)?;
        }
    }
    Ok(())
}

/// The live decision on a dossier, if the commission has decided.
pub(super) fn decision_of(conn: &rusqlite::Connection, dossier_id: Uuid) -> Result<Option<Row<Decision>>, AppError> {
    Ok(find::<Decision>(conn, "dossier_id = ?1", &dossier_id.to_string())?.into_iter().last())
}

/// Moves one of this site's dossiers as the delegation's commission (`commission`, its code)
/// decided, when the decision reaches it in a reply. Returns whether the dossier moved (it does
/// once, from *transmis*).
pub(crate) fn follow_decision(w: &Writer<'_>, decision: &Decision, commission: &str) -> Result<bool, AppError> {
    // A delegation receives its offices' decisions on their dossiers: not its own to move.
    if crate::store::records::owner_of::<Dossier>(w.conn(), decision.dossier_id)?.as_deref() != Some(w.site()) {
        return Ok(false);
    }
    let Some(mut row) = crate::store::records::get::<Dossier>(w.conn(), decision.dossier_id)? else {
        return Ok(false);
    };
    if row.meta.owner != w.site() || row.meta.deleted_at.is_some() || row.value.status != Status::Transmis {
        return Ok(false);
    }
    let to = if decision.approved { Status::Approuve } else { Status::Rejete };
    row.value.history.push(Transition {
        from: Status::Transmis,
        to,
        on: decision.decided_on,
        by: format!("commission {commission}"),
        reason: decision.reason.clone(),
    });
    row.value.status = to;
    w.update(decision.dossier_id, &row.value, decision.reason.as_deref())?;
    Ok(true)
}

/// The documents named by `codes` as received on `on`; unknown codes are refused.
fn received(list: &[ChecklistItem], codes: &[String], on: NaiveDate) -> Result<Vec<ReceivedDocument>, AppError> {
    codes
        .iter()
        .map(|code| {
            let code = code.trim().to_lowercase();
            if list.iter().any(|item| item.code == code) {
                Ok(ReceivedDocument { code, received_on: on })
            } else {
                let known: Vec<&str> = list.iter().map(|i| i.code.as_str()).collect();
                Err(AppError::Rule(format!(
                    "« {code} » n'est pas une pièce de ce type de dossier (pièces : {}).",
                    known.join(", ")
                )))
            }
        })
        .collect()
}

/// A convention's money counts against its programme: the programme must exist.
pub(super) fn check_convention_exists(conn: &rusqlite::Connection, source: &FundingSource) -> Result<(), AppError> {
    if let FundingSource::Convention { programme_code } = source
        && find::<Programme>(conn, "code = ?1", programme_code)?.is_empty()
    {
        return Err(AppError::Rule(format!(
            "Aucune convention de code « {programme_code} » : vérifiez le code (écran Programmes) ou faites-la enregistrer."
        )));
    }
    Ok(())
}
