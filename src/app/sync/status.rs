//! Where sync stands: the known sites, the watermarks, the conflict queue and its resolution.

use super::apply::subtree_of;
use super::rows::{check_numbering, decode_record};
use super::{CONFLICTS_PER_PAGE, ConflictCount, ConflictFilter, ConflictPage, RevokedSite, SyncStatus};
use crate::app::{AppError, Core, Session, audit_act as act};
use crate::domain::role::Action;
use crate::store::audit::timestamp;
use crate::store::records::{Table, Writer};
use crate::store::sync::{self as sync_store, Peer, Relation};
use crate::store::transfers as transfer_store;
use crate::sync::payload::WireRecord;

impl Core {
    /// Resolves a queued conflict: `apply` stores the incoming row after all (a person decided
    /// it is right), otherwise it is set aside for good. Either way the decision is audited.
    pub fn resolve_conflict(&mut self, session: &Session, id: i64, apply: bool, note: &str) -> Result<(), AppError> {
        session.require(Action::Synchronize)?;
        let note = note.trim();
        if note.is_empty() {
            return Err(AppError::Rule("Indiquez pourquoi ce conflit est résolu ainsi (note obligatoire).".into()));
        }
        let (record, open) = sync_store::conflict_record(self.store.conn(), id)?
            .ok_or_else(|| AppError::Rule(format!("Aucun conflit n° {id}.")))?;
        if !open {
            return Err(AppError::Rule(format!("Le conflit n° {id} est déjà résolu.")));
        }
        let record: WireRecord = serde_json::from_str(&record).map_err(|e| AppError::Rule(e.to_string()))?;
        let row = Table::from_name(&record.table)
            .ok_or_else(|| AppError::Rule(format!("Table « {} » inconnue.", record.table)))
            .and_then(|table| decode_record(table, &record).map_err(AppError::Rule))?;
        let conn = self.store.conn();
        check_numbering(&row, |id| transfer_store::moved_to(conn, id).ok().flatten()).map_err(AppError::Rule)?;
        let now = self.clock.now_utc();
        let site_code = self.site()?.code.to_string();
        let tx = self.store.transaction()?;
        if apply {
            let writer = Writer::new(&tx, &site_code, &session.login, now);
            if !row.receive(&writer)? {
                return Err(AppError::Rule(format!(
                    "L'enregistrement du conflit n° {id} n'est pas plus récent que celui tenu ici : rien à appliquer ; écartez le conflit."
                )));
            }
            writer.finish()?;
        }
        let resolution = format!("{} — {note}", if apply { "appliqué" } else { "écarté" });
        sync_store::resolve_conflict(&tx, id, &timestamp(now), &resolution)?;
        let content =
            serde_json::json!({ "conflict": id, "table": record.table, "row": record.id, "resolution": resolution })
                .to_string();
        act(&tx, now, &session.login, "sync.conflict", &content)?;
        tx.commit()?;
        Ok(())
    }

    /// The sites this installation knows.
    pub fn peers(&self, session: &Session) -> Result<Vec<Peer>, AppError> {
        session.require(Action::ViewRegister)?;
        Ok(sync_store::peers(self.store.conn())?)
    }

    /// Where things stand with the parent and the supervised sites.
    pub fn sync_status(&self, session: &Session) -> Result<SyncStatus, AppError> {
        session.require(Action::ViewRegister)?;
        let conn = self.store.conn();
        let site = self.site()?;
        let parent = site.parent.as_ref().map(ToString::to_string);
        let (unacknowledged, last_sent, last_reply) = match &parent {
            Some(p) => {
                let out = sync_store::outgoing(conn, p)?;
                let unsent =
                    crate::store::today::undelivered(conn, out.acknowledged, &subtree_of(conn, site.code.as_str())?)?
                        .count as i64;
                (unsent, out.last_sent, sync_store::incoming(conn, p)?.last_at)
            }
            None => (0, None, None),
        };
        let mut children = Vec::new();
        for peer in sync_store::peers(conn)?.into_iter().filter(|p| p.relation == Relation::Child) {
            let state = sync_store::incoming(conn, &peer.code)?;
            children.push((peer.code, state.watermark, state.last_at));
        }
        Ok(SyncStatus {
            parent,
            unacknowledged,
            last_sent,
            last_reply,
            children,
            waiting: sync_store::waiting_counts(conn)?,
            conflict_counts: sync_store::open_conflict_counts(conn)?
                .into_iter()
                .map(|(sender, table, count)| ConflictCount { sender, table, count })
                .collect(),
            conflicts: self.conflicts(session, &ConflictFilter::default())?,
            revoked: sync_store::peers(conn)?
                .into_iter()
                .filter_map(|p| {
                    let (at, reason) = p.revoked?;
                    Some(RevokedSite { site: p.code, by: p.revocation.map(|r| r.by), at, reason })
                })
                .collect(),
        })
    }

    /// One page of the open conflicts that `filter` selects.
    pub fn conflicts(&self, session: &Session, filter: &ConflictFilter) -> Result<ConflictPage, AppError> {
        session.require(Action::ViewRegister)?;
        let (total, items) = sync_store::open_conflicts(
            self.store.conn(),
            filter.site.as_deref(),
            filter.table.as_deref(),
            filter.page.saturating_mul(CONFLICTS_PER_PAGE),
            CONFLICTS_PER_PAGE,
        )?;
        Ok(ConflictPage { total, page: filter.page, items })
    }
}
