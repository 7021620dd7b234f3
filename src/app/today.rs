//! Today's work: what waits for the person logged in, and since when — the dashboard's first
//! lines and `daftar todo`. Each line counts only what the person's role may act on at this site.

use chrono::NaiveDate;
use serde::Serialize;

use super::{AppError, Core, Session};
use crate::domain::dossier::Status;
use crate::domain::project::ProjectKind;
use crate::domain::role::Action;
use crate::store::today::{self, Waiting};

/// A supervised site that has sent nothing for more than this many days is pointed out.
pub const SILENT_DAYS: i64 = 10;

/// Where a line of today's work leads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Opens {
    /// The dossiers' list, filtered on these statuses.
    Dossiers(Vec<Status>),
    /// The Synchronisation screen.
    Sync,
}

/// One line of today's work.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TodoItem {
    /// A stable key (scripts read it).
    pub key: &'static str,
    /// What it is, in French.
    pub what: String,
    /// How many.
    pub count: u64,
    /// Since how many days the oldest waits (`None`: no date to tell).
    pub oldest_days: Option<i64>,
    /// Where a click leads.
    pub opens: Opens,
}

impl TodoItem {
    /// « 12 — Dossiers complets à transmettre (depuis 34 jours) ».
    pub fn line(&self) -> String {
        let since = match self.oldest_days {
            Some(0) => " (depuis aujourd'hui)".to_owned(),
            Some(1) => " (depuis 1 jour)".to_owned(),
            Some(days) => format!(" (depuis {days} jours)"),
            None => String::new(),
        };
        format!("{} — {}{since}", self.count, self.what)
    }
}

impl Core {
    /// What waits for `session`'s role today, the lines with nothing to do left out.
    pub fn today(&self, session: &Session) -> Result<Vec<TodoItem>, AppError> {
        session.require(Action::ViewRegister)?;
        crate::store::worklist::refresh(self.store.conn())?;
        work_of(self.store.conn(), &|action| session.require(action).is_ok(), self.clock.today())
    }
}

/// Today's work on `conn` (its worklist up to date) for someone who may do what `may` allows, on
/// `today`.
pub(crate) fn work_of(
    conn: &rusqlite::Connection,
    may: &dyn Fn(Action) -> bool,
    today: NaiveDate,
) -> Result<Vec<TodoItem>, AppError> {
    let age = |since: Option<NaiveDate>| since.map(|d| (today - d).num_days().max(0));
    let mut items = Vec::new();
    let mut push = |key, what: &str, waiting: Waiting, opens| {
        if waiting.count > 0 {
            items.push(TodoItem {
                key,
                what: what.to_owned(),
                count: waiting.count,
                oldest_days: age(waiting.since),
                opens,
            });
        }
    };
    if may(Action::RegisterDossier) {
        let mut required = Vec::new();
        for kind in ProjectKind::ALL {
            let items = crate::store::reference::checklist(conn, kind)?;
            required.push((kind, items.into_iter().filter(|i| i.required).map(|i| i.code).collect()));
        }
        let waiting = today::missing_pieces(conn, &required)?;
        let opens = Opens::Dossiers(vec![Status::Depose, Status::EnInstruction]);
        push("pieces-manquantes", "Dossiers à instruire auxquels manque une pièce obligatoire", waiting, opens);
    }
    let steps = [
        (Action::TransmitDossier, Status::Complet, "complets", "Dossiers complets à transmettre à la commission"),
        (Action::RecordDecision, Status::Transmis, "transmis", "Dossiers transmis en attente de la décision"),
        (Action::RecordDisbursement, Status::Approuve, "approuves", "Dossiers approuvés sans premier décaissement"),
    ];
    for (action, status, key, what) in steps {
        if may(action) {
            push(key, what, today::dossiers_in(conn, status)?, Opens::Dossiers(vec![status]));
        }
    }
    if may(Action::Synchronize) {
        push("conflits", "Conflits de synchronisation à régler", today::open_conflicts(conn)?, Opens::Sync);
        let silent: Vec<Option<NaiveDate>> = today::children_last_heard(conn)?
            .into_iter()
            .map(|(_, heard)| heard)
            .filter(|heard| heard.is_none_or(|d| (today - d).num_days() > SILENT_DAYS))
            .collect();
        let since = silent.iter().flatten().min().copied();
        let waiting = Waiting { count: silent.len() as u64, since };
        push(
            "sites-silencieux",
            &format!("Sites supervisés sans envoi depuis plus de {SILENT_DAYS} jours"),
            waiting,
            Opens::Sync,
        );
    }
    Ok(items)
}
