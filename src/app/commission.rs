//! The commission's session (DESIGN §2): open it, read its agenda, record its decisions together
//! — approvals with their grants, rejections and adjournments with a reason of the bilingual list
//! — close it, and gather what its minutes (*procès-verbal*) print.
//!
//! A session's decisions are checked as a whole before anything is written: every problem is
//! listed, naming the dossier (or the file's line), and nothing is recorded unless all is right.

use std::collections::{HashMap, HashSet};

use chrono::{Datelike as _, NaiveDate};
use uuid::Uuid;

use super::dossiers::{check_convention_exists, decision_of, record_decision};
use super::{AppError, Core, Move, Session};
use crate::domain::Money;
use crate::domain::commission::{
    Adjournment, CommissionReason, CommissionSession, Minutes, MinutesLine, Outcome, Overrun,
};
use crate::domain::dossier::{Dossier, MoveContext, Status, Transition, check_move};
use crate::domain::funding::{Decision, FundingSource, Programme};
use crate::domain::project::ProjectKind;
use crate::domain::role::Action;
use crate::domain::text;
use crate::reference::{Reason, Reference};
use crate::store::records::{Row, all, find, get};
use crate::store::worklist::{FollowUp, WorklistQuery};

/// Which transmitted dossiers an agenda shows.
#[derive(Debug, Clone, Default)]
pub struct AgendaFilter {
    /// Only this office's dossiers.
    pub office: Option<String>,
    /// Only projects of this kind.
    pub kind: Option<ProjectKind>,
    /// Only the dossiers presented under this programme (its code).
    pub programme: Option<String>,
}

/// One dossier of a session's agenda: transmitted, its decision still to take.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgendaLine {
    /// The dossier's id.
    pub dossier_id: Uuid,
    /// Its number.
    pub number: String,
    /// The office that owns it.
    pub office: String,
    /// The applicant's CIN.
    pub cin: String,
    /// The applicant in Latin letters.
    pub name: String,
    /// The applicant in Arabic.
    pub name_ar: String,
    /// The project.
    pub project: String,
    /// Its kind.
    pub kind: ProjectKind,
    /// The deposit day.
    pub deposited_on: Option<NaiveDate>,
    /// The amount asked for.
    pub requested: Option<Money>,
    /// The last time a session put it off, and why (`code` or `code: note`).
    pub adjourned: Option<(NaiveDate, String)>,
}

/// What a session decides for one dossier, and how a problem names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    /// The dossier's number.
    pub number: String,
    /// The decision.
    pub outcome: Outcome,
    /// How a problem names this verdict: `dossier …`, or a file's `ligne 4`.
    pub label: String,
}

impl Verdict {
    /// A verdict on the dossier `number`, named by its number in problems.
    pub fn on(number: &str, outcome: Outcome) -> Verdict {
        Verdict { number: number.trim().to_owned(), outcome, label: format!("dossier {}", number.trim()) }
    }
}

/// What [`Core::record_session`] recorded.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SessionTally {
    /// Dossiers approved.
    pub approved: usize,
    /// Dossiers rejected.
    pub rejected: usize,
    /// Dossiers put off.
    pub adjourned: usize,
    /// The amounts granted, all sources.
    pub granted: Money,
}

impl SessionTally {
    /// One French sentence.
    pub fn summary_fr(&self) -> String {
        format!(
            "{} dossier(s) approuvé(s) pour {}, {} rejeté(s), {} ajourné(s).",
            self.approved, self.granted, self.rejected, self.adjourned
        )
    }
}

/// Whether `stored` (`code` or `code: note`) names a reason of `reasons` for `used_for`
/// (`rejet`, `ajournement`); the refusal lists the codes to choose from.
fn check_reason(stored: &str, used_for: &str, reasons: &[Reason]) -> Result<(), String> {
    let code = stored.split_once(':').map_or(stored, |(code, _)| code).trim();
    if reasons.iter().any(|r| r.code == code && r.used_for == used_for) {
        return Ok(());
    }
    let codes: Vec<&str> = reasons.iter().filter(|r| r.used_for == used_for).map(|r| r.code.as_str()).collect();
    let what = if used_for == "rejet" { "de rejet" } else { "d'ajournement" };
    Err(if code.is_empty() {
        format!("indiquez le motif {what} ({})", codes.join(", "))
    } else {
        format!("« {code} » n'est pas un motif {what} de la liste ({})", codes.join(", "))
    })
}

/// The commission's reasons held in `conn`: the list shipped with Daftar, then those added here
/// or by a parent (in code order).
pub(crate) fn reasons_in(conn: &rusqlite::Connection) -> Result<Vec<Reason>, AppError> {
    let mut list = Reference::shipped().reasons.clone();
    list.extend(all::<CommissionReason>(conn)?.into_iter().map(|row| {
        let r = row.value;
        Reason { code: r.code, label_fr: r.label_fr, label_ar: r.label_ar, used_for: r.used_for }
    }));
    Ok(list)
}

impl Core {
    /// The commission's reasons: the bilingual list shipped with Daftar and those the delegation
    /// (or this site, when it decides) added.
    pub fn reasons(&self) -> Result<Vec<Reason>, AppError> {
        reasons_in(self.store.conn())
    }

    /// Adds a reason to the commission's list (where programmes are defined: a delegation, an
    /// office that stands alone); it reaches the offices in their next reply. Returns the list.
    pub fn add_reason(
        &mut self,
        session: &Session,
        code: &str,
        label_fr: &str,
        label_ar: &str,
        used_for: &str,
    ) -> Result<Vec<Reason>, AppError> {
        session.require(Action::ManagePrograms)?;
        let list = self.reasons()?;
        let taken: Vec<&str> = list.iter().map(|r| r.code.as_str()).collect();
        let reason = CommissionReason::validate(code, label_fr, label_ar, used_for, &taken)?;
        self.write(session, |w, ids| Ok(w.insert(ids.new_id(), &reason).map(|_| ())?))?;
        self.reasons()
    }

    /// Opens a session of the commission (typed as in its form; `members` one per line).
    pub fn open_commission_session(
        &mut self,
        session: &Session,
        reference: &str,
        held_on: &str,
        place: &str,
        members: &str,
    ) -> Result<Row<CommissionSession>, AppError> {
        session.require(Action::RecordDecision)?;
        let value = CommissionSession::validate(reference, held_on, place, members, self.clock.today())?;
        if self.commission_session_row(&value.reference)?.is_some() {
            return Err(AppError::Rule(format!(
                "Une session de référence « {} » existe déjà : ouvrez-la, ou donnez une autre référence.",
                value.reference
            )));
        }
        self.write(session, |w, ids| {
            let id = ids.new_id();
            let meta = w.insert(id, &value)?;
            Ok(Row { meta, value })
        })
    }

    /// The commission's sessions held here, the latest first.
    pub fn commission_sessions(&self, session: &Session) -> Result<Vec<Row<CommissionSession>>, AppError> {
        session.require(Action::ViewRegister)?;
        let mut sessions = all::<CommissionSession>(self.store.conn())?;
        sessions.sort_by(|a, b| (b.value.held_on, &b.value.reference).cmp(&(a.value.held_on, &a.value.reference)));
        Ok(sessions)
    }

    /// The session whose minutes have this reference.
    pub fn commission_session(&self, session: &Session, reference: &str) -> Result<Row<CommissionSession>, AppError> {
        session.require(Action::ViewRegister)?;
        self.commission_session_row(reference)?.ok_or_else(|| {
            AppError::Rule(format!(
                "Aucune session de la commission de référence « {} » : vérifiez la référence (daftar session list) ou ouvrez-la.",
                reference.trim()
            ))
        })
    }

    fn commission_session_row(&self, reference: &str) -> Result<Option<Row<CommissionSession>>, AppError> {
        Ok(find::<CommissionSession>(self.store.conn(), "reference = ?1", reference.trim())?.into_iter().next())
    }

    /// The agenda: the transmitted dossiers whose decision is still to take, in number order,
    /// each with the last adjournment it had.
    pub fn agenda(&self, session: &Session, filter: &AgendaFilter) -> Result<Vec<AgendaLine>, AppError> {
        session.require(Action::RecordDecision)?;
        let query = WorklistQuery {
            follow_up: Some(FollowUp::Decision),
            office: filter.office.as_ref().map(|o| o.trim().to_uppercase()).filter(|o| !o.is_empty()),
            kind: filter.kind,
            ..WorklistQuery::default()
        };
        let mut lines = Vec::new();
        self.each_dossier_line(session, &query, &mut |line| {
            lines.push(AgendaLine {
                dossier_id: line.id,
                number: line.number,
                office: line.owner,
                cin: line.cin,
                name: line.name,
                name_ar: line.name_ar,
                project: line.project,
                kind: line.kind,
                deposited_on: line.deposited_on,
                requested: line.amount,
                adjourned: None,
            });
            Ok(())
        })?;
        let conn = self.store.conn();
        if let Some(code) = filter.programme.as_deref().map(|c| c.trim().to_uppercase()).filter(|c| !c.is_empty()) {
            let presented: HashSet<String> = conn
                .prepare(
                    "SELECT id FROM dossiers WHERE deleted_at IS NULL AND status = 'transmis'
                     AND json_extract(data, '$.programme') = ?1",
                )
                .and_then(|mut stmt| stmt.query_map([&code], |r| r.get(0))?.collect())
                .map_err(crate::store::StoreError::from)?;
            lines.retain(|l| presented.contains(&l.dossier_id.to_string()));
        }
        // The last adjournment of each dossier, read once (a few rows beside the agenda's).
        let mut adjourned: HashMap<Uuid, (NaiveDate, String)> = HashMap::new();
        for a in all::<Adjournment>(conn)?.into_iter().map(|a| a.value) {
            if adjourned.get(&a.dossier_id).is_none_or(|(on, _)| *on < a.on) {
                adjourned.insert(a.dossier_id, (a.on, a.reason));
            }
        }
        for line in &mut lines {
            line.adjourned = adjourned.remove(&line.dossier_id);
        }
        Ok(lines)
    }

    /// Records `verdicts` in the open session `reference`, all in one transaction, dated the
    /// session's day. Everything is checked first and every problem listed: a dossier not
    /// transmitted or already decided, twice in the list, a reason not of the list, an unknown
    /// convention, a grant that takes an envelope over its amount without `overrun_reason`
    /// (recorded on the session with the envelope's figures). Nothing is written unless all is
    /// right.
    pub fn record_session(
        &mut self,
        session: &Session,
        reference: &str,
        verdicts: &[Verdict],
        overrun_reason: Option<&str>,
    ) -> Result<SessionTally, AppError> {
        self.record_session_after(session, reference, verdicts, overrun_reason, Vec::new())
    }

    /// [`Core::record_session`], refused with `earlier` problems (a file's lines that did not
    /// read) listed first, when there are some: every problem is said at once.
    pub(super) fn record_session_after(
        &mut self,
        session: &Session,
        reference: &str,
        verdicts: &[Verdict],
        overrun_reason: Option<&str>,
        earlier: Vec<String>,
    ) -> Result<SessionTally, AppError> {
        session.require(Action::RecordDecision)?;
        let mut held = self.commission_session(session, reference)?;
        if let Some(closed) = held.value.closed_on {
            return Err(AppError::Rule(format!(
                "La session « {} » est close depuis le {} : ouvrez une nouvelle session pour ces dossiers.",
                held.value.reference,
                closed.format("%d/%m/%Y")
            )));
        }
        if verdicts.is_empty() && earlier.is_empty() {
            return Err(AppError::Rule("Aucune décision à enregistrer : choisissez-en au moins une.".into()));
        }
        let here = self.site()?.code.to_string();
        let on = held.value.held_on;
        let mut problems = earlier;
        let mut planned: Vec<(Row<Dossier>, &Verdict)> = Vec::with_capacity(verdicts.len());
        let mut seen = HashSet::new();
        let reasons = self.reasons()?;
        for verdict in verdicts {
            match self.check_verdict(session, verdict, on, &mut seen, &reasons) {
                Ok(dossier) => planned.push((dossier, verdict)),
                Err(problem) => problems.push(format!("{} : {problem}", verdict.label)),
            }
            if problems.len() >= 200 {
                problems.push("… (arrêt après 200 problèmes)".into());
                break;
            }
        }
        let overrun_reason = overrun_reason.map(str::trim).filter(|r| !r.is_empty());
        if let Some(reason) = overrun_reason
            && let Some(problem) = text::problem("Motif du dépassement", reason, text::NOTE)
        {
            problems.push(problem);
        }
        let overruns = self.overruns(verdicts, on.year(), overrun_reason.unwrap_or_default())?;
        if overrun_reason.is_none() {
            problems.extend(overruns.iter().map(|o| {
                format!(
                    "l'enveloppe « {} » de {} ({}) serait dépassée : {} engagés après cette session. Indiquez le motif du dépassement, qui sera inscrit au procès-verbal.",
                    o.programme,
                    o.year,
                    o.envelope,
                    o.committed
                )
            }));
        }
        if !problems.is_empty() {
            return Err(AppError::SessionRejected(problems));
        }
        let mut tally = SessionTally::default();
        let session_id = held.meta.id;
        let commission_ref = held.value.reference.clone();
        let total = planned.len() as u64;
        let progress = self.progress.clone();
        progress.report("Enregistrement des décisions", 0, total);
        self.write(session, |w, ids| {
            for (done, (mut dossier, verdict)) in planned.into_iter().enumerate() {
                let dossier_id = dossier.meta.id;
                let (to, reason) = match &verdict.outcome {
                    Outcome::Adjourn(reason) => {
                        let adjournment =
                            Adjournment { dossier_id, session_id, on, reason: reason.clone(), anonymised_on: None };
                        w.insert(ids.new_id(), &adjournment)?;
                        tally.adjourned += 1;
                        continue;
                    }
                    Outcome::Approve(grants) => {
                        let mv = Move::to(Status::Approuve, on).granting(grants, Some(&commission_ref));
                        record_decision(w, ids, dossier_id, &mv, Some(session_id))?;
                        tally.approved += 1;
                        for grant in grants {
                            tally.granted = tally.granted.checked_add(grant.amount).unwrap_or(tally.granted);
                        }
                        (Status::Approuve, None)
                    }
                    Outcome::Reject(reason) => {
                        let mv = Move::to(Status::Rejete, on).because(reason).granting(&[], Some(&commission_ref));
                        record_decision(w, ids, dossier_id, &mv, Some(session_id))?;
                        tally.rejected += 1;
                        (Status::Rejete, Some(reason.clone()))
                    }
                };
                // An office that decides itself moves its own dossier now; a delegation's
                // decision moves the office's when it reaches it.
                if dossier.meta.owner == here {
                    dossier.value.history.push(Transition {
                        from: Status::Transmis,
                        to,
                        on,
                        by: session.login.clone(),
                        reason: reason.clone(),
                    });
                    dossier.value.status = to;
                    w.update(dossier_id, &dossier.value, reason.as_deref())?;
                }
                progress.every(100, "Enregistrement des décisions", done as u64, total);
            }
            if !overruns.is_empty() {
                held.value.overruns.extend(overruns);
                w.update(session_id, &held.value, Some("dépassement d'enveloppe"))?;
            }
            Ok(())
        })?;
        Ok(tally)
    }

    /// The dossier `verdict` names, once it may be decided in a session held `on`.
    fn check_verdict(
        &self,
        session: &Session,
        verdict: &Verdict,
        on: NaiveDate,
        seen: &mut HashSet<Uuid>,
        reasons: &[Reason],
    ) -> Result<Row<Dossier>, String> {
        let conn = self.store.conn();
        let dossier = self.dossier_by_number(session, &verdict.number).map_err(|e| e.to_string())?;
        let number = &dossier.value.number;
        if !seen.insert(dossier.meta.id) {
            return Err(format!("le dossier {number} figure deux fois dans la session"));
        }
        if dossier.value.status != Status::Transmis {
            return Err(format!(
                "le dossier {number} est « {} » : seuls les dossiers transmis passent en commission",
                dossier.value.status
            ));
        }
        if decision_of(conn, dossier.meta.id).map_err(|e| e.to_string())?.is_some() {
            return Err(format!("la commission a déjà statué sur le dossier {number}"));
        }
        let ctx = |reason, grants| MoveContext { reason, grants, ..MoveContext::default() };
        match &verdict.outcome {
            Outcome::Approve(grants) => {
                check_move(&dossier.value, Status::Approuve, on, &ctx(None, grants))?;
                for grant in grants {
                    if grant.amount == Money::ZERO {
                        return Err(format!(
                            "le montant accordé par « {} » est nul : retirez cette source",
                            grant.source
                        ));
                    }
                    if let Some((field, value, limit)) = grant.source.typed_text()
                        && let Some(problem) = text::problem(field, value, limit)
                    {
                        return Err(problem);
                    }
                    check_convention_exists(conn, &grant.source).map_err(|e| e.to_string())?;
                }
            }
            Outcome::Reject(reason) | Outcome::Adjourn(reason) => {
                let used_for = verdict.outcome.reason_use().unwrap_or_default();
                check_reason(reason, used_for, reasons)?;
                if let Some(problem) = text::problem("Motif", reason, text::NOTE) {
                    return Err(problem);
                }
                let to = if used_for == "rejet" { Status::Rejete } else { Status::Transmis };
                if to == Status::Rejete {
                    check_move(&dossier.value, to, on, &ctx(Some(reason), &[]))?;
                } else if dossier.value.history.last().is_some_and(|t| t.on > on) {
                    return Err(format!(
                        "le dossier {number} a été transmis après la session du {}",
                        on.format("%d/%m/%Y")
                    ));
                }
            }
        }
        Ok(dossier)
    }

    /// The envelopes of `year` that the approvals of `verdicts` take over their amount.
    fn overruns(&self, verdicts: &[Verdict], year: i32, reason: &str) -> Result<Vec<Overrun>, AppError> {
        let conn = self.store.conn();
        let programmes: Vec<Programme> = all::<Programme>(conn)?.into_iter().map(|r| r.value).collect();
        let uses = crate::store::search::envelopes_of_year(conn, year)?;
        let grants: Vec<_> = verdicts
            .iter()
            .filter_map(|v| match &v.outcome {
                Outcome::Approve(grants) => Some(grants),
                _ => None,
            })
            .flatten()
            .collect();
        let mut out = Vec::new();
        for programme in &programmes {
            let added = grants
                .iter()
                .filter(|g| {
                    let code = match &g.source {
                        FundingSource::Convention { programme_code } => Some(programme_code.as_str()),
                        _ => None,
                    };
                    programme.counts(g.source.kind_code(), code)
                })
                .fold(Money::ZERO, |sum, g| sum.checked_add(g.amount).unwrap_or(sum));
            let Some(envelope) = programme.envelopes.iter().find(|e| e.year == year) else { continue };
            if added == Money::ZERO {
                continue;
            }
            let before = uses.iter().find(|u| u.code == programme.code).map_or(Money::ZERO, |u| u.committed);
            let after = before.checked_add(added).unwrap_or(added);
            if after > envelope.amount {
                out.push(Overrun {
                    programme: programme.code.clone(),
                    year,
                    committed: after,
                    envelope: envelope.amount,
                    reason: reason.to_owned(),
                });
            }
        }
        Ok(out)
    }

    /// Closes the session `reference`: its minutes are final, nothing more is recorded in it.
    pub fn close_commission_session(&mut self, session: &Session, reference: &str) -> Result<(), AppError> {
        session.require(Action::RecordDecision)?;
        let mut held = self.commission_session(session, reference)?;
        if held.value.closed_on.is_some() {
            return Err(AppError::Rule(format!("La session « {} » est déjà close.", held.value.reference)));
        }
        held.value.closed_on = Some(self.clock.today());
        self.write(session, |w, _| {
            Ok(w.update(held.meta.id, &held.value, Some("clôture de la session")).map(|_| ())?)
        })
    }

    /// What the minutes of the session `reference` print: its decisions and adjournments.
    pub fn minutes(&self, session: &Session, reference: &str) -> Result<Minutes, AppError> {
        session.require(Action::ViewRegister)?;
        let held = self.commission_session(session, reference)?;
        let conn = self.store.conn();
        let id = held.meta.id.to_string();
        // Each outcome as a line whose dossier facts are filled in below.
        let mut lines: Vec<(Uuid, MinutesLine)> = Vec::new();
        let blank = |outcome, grants, reason| MinutesLine {
            number: String::new(),
            office: String::new(),
            name: String::new(),
            name_ar: String::new(),
            cin: String::new(),
            project: String::new(),
            kind: ProjectKind::Pme,
            outcome,
            grants,
            reason,
        };
        for d in find::<Decision>(conn, "session_id = ?1", &id)? {
            let d = d.value;
            let grants = d.grants.into_iter().map(|g| (g.source, g.amount)).collect();
            lines.push((d.dossier_id, blank(if d.approved { "approuve" } else { "rejete" }, grants, d.reason)));
        }
        for a in find::<Adjournment>(conn, "session_id = ?1", &id)? {
            lines.push((a.value.dossier_id, blank("ajourne", Vec::new(), Some(a.value.reason))));
        }
        let mut names: HashMap<Uuid, (String, String, String)> = HashMap::new();
        for (dossier_id, line) in &mut lines {
            let Some(dossier) = get::<Dossier>(conn, *dossier_id)? else { continue };
            let applicant_id = dossier.value.applicant_id;
            if let std::collections::hash_map::Entry::Vacant(slot) = names.entry(applicant_id) {
                let a = get::<crate::domain::applicant::Applicant>(conn, applicant_id)?;
                slot.insert(a.map_or_else(Default::default, |a| {
                    let a = a.value;
                    (format!("{} {}", a.first_name, a.last_name).trim().to_owned(), a.arabic_name(), a.cin.to_string())
                }));
            }
            (line.name, line.name_ar, line.cin) = names[&applicant_id].clone();
            line.project = get::<crate::domain::project::Project>(conn, dossier.value.project_id)?
                .map(|p| p.value.name)
                .unwrap_or_default();
            line.number = dossier.value.number.to_string();
            line.office = dossier.meta.owner;
            line.kind = dossier.value.kind;
        }
        let mut lines: Vec<MinutesLine> =
            lines.into_iter().map(|(_, line)| line).filter(|l| !l.number.is_empty()).collect();
        lines.sort_by(|a, b| a.number.cmp(&b.number));
        Ok(Minutes { session: held.value, lines })
    }

    /// The numbers of the dossiers the session `reference` decided (its notifications), in
    /// number order.
    pub fn session_decided_numbers(&self, session: &Session, reference: &str) -> Result<Vec<String>, AppError> {
        let minutes = self.minutes(session, reference)?;
        Ok(minutes.lines.into_iter().filter(|l| l.outcome != "ajourne").map(|l| l.number).collect())
    }
}
