//! Today's work: what waits for the person logged in, and since when — the dashboard's first
//! lines and `daftar todo`. Each line counts only what the person's role may act on at this site;
//! the days after which something is pointed out are settings (Paramètres, audited).

use std::path::{Path, PathBuf};

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use super::{AppError, Core, Session, audit_act};
use crate::domain::dossier::Status;
use crate::domain::project::ProjectKind;
use crate::domain::role::Action;
use crate::store::site as site_store;
use crate::store::today::{self, Waiting};
use crate::store::worklist::{FollowUp, FollowUpRules};

const THRESHOLDS: &str = "today.thresholds";
const DUPLICATES: &str = "today.duplicates";

/// An envelope committed beyond this share is pointed out.
pub const ENVELOPE_PERCENT: f64 = 90.0;

/// The days after which today's work points something out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Thresholds {
    /// A supervised site that has sent nothing for more than this many days.
    pub silent_site_days: u32,
    /// A financed project with no follow-up visit (nor payment) for more than this many days.
    pub visit_days: u32,
    /// Changes not yet delivered to the parent, the oldest older than this many days.
    pub delivery_days: u32,
    /// A bundle sent to the parent with no reply for more than this many days.
    pub reply_days: u32,
    /// No automatic backup for more than this many days.
    pub backup_days: u32,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds { silent_site_days: 10, visit_days: 180, delivery_days: 7, reply_days: 14, backup_days: 3 }
    }
}

impl Thresholds {
    /// Each threshold with its French label, for forms and messages.
    pub fn fields_mut(&mut self) -> [(&'static str, &mut u32); 5] {
        [
            ("Site supervisé sans envoi depuis plus de (jours)", &mut self.silent_site_days),
            ("Projet financé sans visite de suivi depuis plus de (jours)", &mut self.visit_days),
            ("Modifications non remises à la délégation depuis plus de (jours)", &mut self.delivery_days),
            ("Réponse de la délégation attendue depuis plus de (jours)", &mut self.reply_days),
            ("Pas de sauvegarde depuis plus de (jours)", &mut self.backup_days),
        ]
    }

    /// Checks every threshold: a whole number of days from 1 to 3650.
    pub fn validate(mut self) -> Result<Thresholds, String> {
        let wrong: Vec<String> = self
            .fields_mut()
            .into_iter()
            .filter(|(_, days)| !(1..=3650).contains(&**days))
            .map(|(label, days)| format!("« {label} » : {days}"))
            .collect();
        if wrong.is_empty() {
            Ok(self)
        } else {
            Err(format!("Un seuil se compte en jours, de 1 à 3650 : {}.", wrong.join(" ; ")))
        }
    }
}

/// Where a line of today's work leads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Opens {
    /// The dossiers' list, filtered on these statuses.
    Dossiers(Vec<Status>),
    /// The dossiers' list of those that await this follow-up.
    FollowUp(FollowUp),
    /// The Synchronisation screen.
    Sync,
    /// The Programmes screen (envelopes).
    Programmes,
    /// The duplicates between offices (Bénéficiaires).
    Duplicates,
    /// Paramètres (backups).
    Settings,
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
        let backups = self.store.path().map(|_| self.backups());
        work_of(self.store.conn(), &|action| session.require(action).is_ok(), self.clock.today(), backups.as_deref())
    }

    /// The days after which today's work points something out.
    pub fn today_thresholds(&self) -> Result<Thresholds, AppError> {
        thresholds(self.store.conn())
    }

    /// Changes the thresholds of today's work (audited).
    pub fn set_today_thresholds(&mut self, session: &Session, thresholds: Thresholds) -> Result<(), AppError> {
        session.require(Action::ManageSettings)?;
        let thresholds = thresholds.validate().map_err(AppError::Rule)?;
        let content = serde_json::to_string(&thresholds).map_err(|e| AppError::Rule(e.to_string()))?;
        let now = self.clock.now_utc();
        let tx = self.store.transaction()?;
        site_store::set_setting(&tx, THRESHOLDS, &content)?;
        audit_act(&tx, now, &session.login, "settings.today", &content)?;
        tx.commit()?;
        Ok(())
    }

    /// The rules the worklist's follow-up filters apply today.
    pub(crate) fn follow_up_rules(&self) -> Result<FollowUpRules, AppError> {
        follow_up_rules(self.store.conn(), self.clock.today())
    }

    /// Remembers how many pairs of possible duplicates between offices the review found (the
    /// pass reads the whole register: today's work shows this count, less the reviews since).
    pub(crate) fn remember_duplicates(&self, pairs: usize) -> Result<(), AppError> {
        let memo = DuplicatesMemo { pairs: pairs as u64, at: crate::store::audit::timestamp(self.clock.now_utc()) };
        let memo = serde_json::to_string(&memo).map_err(|e| AppError::Rule(e.to_string()))?;
        Ok(site_store::set_setting(self.store.conn(), DUPLICATES, &memo)?)
    }
}

/// The count of the last review of duplicates between offices, and when it ran.
#[derive(Debug, Serialize, Deserialize)]
struct DuplicatesMemo {
    pairs: u64,
    at: String,
}

fn thresholds(conn: &rusqlite::Connection) -> Result<Thresholds, AppError> {
    let stored = site_store::setting(conn, THRESHOLDS)?;
    // A value this program did not write is ignored: the defaults still point things out.
    Ok(stored.and_then(|json| serde_json::from_str::<Thresholds>(&json).ok()?.validate().ok()).unwrap_or_default())
}

fn follow_up_rules(conn: &rusqlite::Connection, today: NaiveDate) -> Result<FollowUpRules, AppError> {
    let mut required = Vec::new();
    for kind in ProjectKind::ALL {
        let items = crate::store::reference::checklist(conn, kind)?;
        required.push((kind, items.into_iter().filter(|i| i.required).map(|i| i.code).collect()));
    }
    let visit_days = i64::from(thresholds(conn)?.visit_days);
    Ok(FollowUpRules { required, visit_before: today.checked_sub_signed(chrono::Duration::days(visit_days)) })
}

/// The day an automatic backup was made, from its name (`SITE-sauvegarde-20261206-…`).
fn made_on(backup: &Path) -> Option<NaiveDate> {
    let name = backup.file_name()?.to_str()?;
    let day = name.split("-sauvegarde-").nth(1)?.get(..8)?;
    NaiveDate::parse_from_str(day, "%Y%m%d").ok()
}

/// Today's work on `conn` (its worklist up to date) for someone who may do what `may` allows, on
/// `today`; `backups`: the automatic backups, newest first (`None`: a database in memory).
pub(crate) fn work_of(
    conn: &rusqlite::Connection,
    may: &dyn Fn(Action) -> bool,
    today: NaiveDate,
    backups: Option<&[PathBuf]>,
) -> Result<Vec<TodoItem>, AppError> {
    let limits = thresholds(conn)?;
    let rules = follow_up_rules(conn, today)?;
    let age = |since: Option<NaiveDate>| since.map(|d| (today - d).num_days().max(0));
    let mut items = Vec::new();
    let mut push = |key, what: String, waiting: Waiting, opens| {
        if waiting.count > 0 {
            items.push(TodoItem { key, what, count: waiting.count, oldest_days: age(waiting.since), opens });
        }
    };
    let follow_up = |push: &mut dyn FnMut(&'static str, String, Waiting, Opens), key, what: String, f| {
        let (count, since) = crate::store::worklist::awaiting(conn, f, &rules)?;
        push(key, what, Waiting { count, since }, Opens::FollowUp(f));
        Ok::<_, AppError>(())
    };
    if may(Action::RegisterDossier) {
        let what = "Dossiers à instruire auxquels manque une pièce obligatoire".to_owned();
        follow_up(&mut push, "pieces-manquantes", what, FollowUp::MissingPiece)?;
    }
    let steps = [
        (Action::TransmitDossier, Status::Complet, "complets", "Dossiers complets à transmettre à la commission"),
        (Action::RecordDisbursement, Status::Approuve, "approuves", "Dossiers approuvés sans premier décaissement"),
    ];
    for (action, status, key, what) in steps {
        if may(action) {
            push(key, what.to_owned(), today::dossiers_in(conn, status)?, Opens::Dossiers(vec![status]));
        }
    }
    if may(Action::RecordDecision) {
        let what = "Dossiers transmis en attente de la décision de la commission".to_owned();
        follow_up(&mut push, "transmis", what, FollowUp::Decision)?;
    }
    if may(Action::RecordDisbursement) {
        let what = "Dossiers financés avec un reste à verser (depuis le dernier versement)".to_owned();
        follow_up(&mut push, "reste-a-verser", what, FollowUp::RestToPay)?;
    }
    if may(Action::RecordVisit) {
        let what = format!("Dossiers financés sans visite de suivi depuis plus de {} jours", limits.visit_days);
        follow_up(&mut push, "visites", what, FollowUp::Visit)?;
    }
    if may(Action::IssueCertificate) {
        let what = "Dossiers financés sans attestation délivrée (depuis le premier versement)".to_owned();
        follow_up(&mut push, "attestations", what, FollowUp::Certificate)?;
    }
    if may(Action::RecordDecision) {
        // One line per programme code, its highest share (a delegation may hold a programme of
        // the same code from several offices).
        let mut over = std::collections::BTreeMap::<String, f64>::new();
        for envelope in crate::store::search::envelopes_of_year(conn, today.year())? {
            if envelope.percent() > ENVELOPE_PERCENT {
                let share = over.entry(envelope.code.clone()).or_default();
                *share = share.max(envelope.percent());
            }
        }
        let mut named: Vec<String> = over.iter().take(5).map(|(code, share)| format!("{code} {share:.0} %")).collect();
        if over.len() > 5 {
            named.push("…".into());
        }
        let what =
            format!("Enveloppes {} engagées à plus de {ENVELOPE_PERCENT:.0} % ({})", today.year(), named.join(", "));
        push("enveloppes", what, Waiting { count: over.len() as u64, since: None }, Opens::Programmes);
    }
    if may(Action::ArbitrateOffices)
        && let Some(memo) = site_store::setting(conn, DUPLICATES)?
        && let Ok(memo) = serde_json::from_str::<DuplicatesMemo>(&memo)
    {
        let left = memo.pairs.saturating_sub(today::reviews_since(conn, &memo.at)?);
        let counted = memo.at.get(..10).and_then(|d| d.parse::<NaiveDate>().ok());
        let on = counted.map(|d| format!(" (relevé du {})", d.format("%d/%m/%Y"))).unwrap_or_default();
        let what = format!("Doublons possibles entre bureaux à examiner{on}");
        push("doublons", what, Waiting { count: left, since: None }, Opens::Duplicates);
    }
    if may(Action::Synchronize) {
        sync_work(conn, &limits, today, &mut push)?;
    }
    if let Some(backups) = backups {
        let last = backups.first().and_then(|b| made_on(b));
        if last.is_none_or(|day| (today - day).num_days() > i64::from(limits.backup_days)) {
            let what = match last {
                Some(day) => format!("Dernière sauvegarde automatique le {}", day.format("%d/%m/%Y")),
                None => "Aucune sauvegarde automatique sur ce PC".to_owned(),
            };
            push("sauvegarde", what, Waiting { count: 1, since: last }, Opens::Settings);
        }
    }
    Ok(items)
}

/// The lines of the exchanges with the parent and the supervised sites.
fn sync_work(
    conn: &rusqlite::Connection,
    limits: &Thresholds,
    today: NaiveDate,
    push: &mut dyn FnMut(&'static str, String, Waiting, Opens),
) -> Result<(), AppError> {
    let day = |at: &Option<String>| at.as_deref().and_then(|t| t.get(..10)?.parse::<NaiveDate>().ok());
    let older = |since: Option<NaiveDate>, days: u32| since.is_some_and(|d| (today - d).num_days() > i64::from(days));
    push("conflits", "Conflits de synchronisation à régler".into(), today::open_conflicts(conn)?, Opens::Sync);
    let site = site_store::get(conn)?;
    if let Some(site) = &site
        && let Some(parent) = &site.parent
    {
        let parent = parent.as_str();
        let out = crate::store::sync::outgoing(conn, parent)?;
        let owners = super::sync::subtree_of(conn, site.code.as_str())?;
        let undelivered = today::undelivered(conn, out.acknowledged, &owners)?;
        let sent = out.last_sent.map(|(at, _)| at);
        if older(undelivered.since, limits.delivery_days) {
            let last = match day(&sent) {
                Some(d) => format!("dernier paquet écrit le {}", d.format("%d/%m/%Y")),
                None => "aucun paquet écrit".to_owned(),
            };
            push(
                "non-remis",
                format!("Modifications pas encore remises à {parent} ({last})"),
                undelivered,
                Opens::Sync,
            );
        }
        // A reply is awaited when the last bundle written is newer than the last reply read.
        let heard = crate::store::sync::incoming(conn, parent)?.last_at;
        let unanswered = sent.as_ref().is_some_and(|s| heard.as_ref().is_none_or(|h| h < s));
        if let Some(sent_on) = day(&sent).filter(|_| unanswered)
            && older(Some(sent_on), limits.reply_days)
        {
            let what = format!("Réponse de {parent} attendue au paquet écrit le {}", sent_on.format("%d/%m/%Y"));
            push("reponse-attendue", what, Waiting { count: 1, since: Some(sent_on) }, Opens::Sync);
        }
    }
    let silent: Vec<Option<NaiveDate>> = today::children_last_heard(conn)?
        .into_iter()
        .map(|(_, heard)| heard)
        .filter(|heard| heard.is_none_or(|d| (today - d).num_days() > i64::from(limits.silent_site_days)))
        .collect();
    let since = silent.iter().flatten().min().copied();
    push(
        "sites-silencieux",
        format!("Sites supervisés sans envoi depuis plus de {} jours", limits.silent_site_days),
        Waiting { count: silent.len() as u64, since },
        Opens::Sync,
    );
    push(
        "paquets-en-attente",
        "Paquets mis de côté dans l'attente d'un paquet manquant".into(),
        today::set_aside(conn)?,
        Opens::Sync,
    );
    Ok(())
}
