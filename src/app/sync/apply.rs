//! Applying a checked bundle: identities, rows, conflicts and acknowledgements in one transaction.

use super::rows::{ArrivingRow, check_arbiter, check_numbering, decode_record, transfers_in};
use super::{ImportOutcome, MAX_CONFLICTS_PER_BUNDLE, RESYNC_PENDING, ROTATION, refuse};
use super::{keyring, stick};
use crate::app::{AppError, Core, Session};
use crate::store::StoreError;
use crate::store::audit::{Entry, timestamp};
use crate::store::records::{Table, Writer};
use crate::store::site as site_store;
use crate::store::sync::{self as sync_store, Incoming};
use crate::store::transfers as transfer_store;
use crate::sync::envelope::{Header, Kind, Rotation};
use crate::sync::keyring::Way;
use crate::sync::payload::{self, Ack};

/// A bundle that passed every check made before decryption, decrypted and read.
pub(super) struct Opened<'a> {
    /// Its header.
    pub header: &'a Header,
    /// `changes` or `reply`, as the bundles read are recorded.
    pub kind: &'a str,
    /// The SHA-256 of the file, hex.
    pub hash: &'a str,
    /// What was held from its sender before it.
    pub incoming: &'a Incoming,
    /// What it carries.
    pub content: &'a payload::Payload,
    /// The sender's new keys its rotation statements prove, to adopt with it.
    pub adopt: &'a [(crate::identity::PublicKeys, Option<Rotation>)],
}

impl Core {
    /// Validates every record, then applies all of it in one transaction.
    pub(super) fn apply(&mut self, session: &Session, bundle: &Opened<'_>) -> Result<ImportOutcome, AppError> {
        let Opened { header, kind, hash, incoming, content, adopt } = *bundle;
        let now = self.clock.now_utc();
        let site = self.site()?;
        let site_code = site.code.to_string();
        // A large bundle touches every index of every table: give the page cache room for them.
        let large = content.records.len() > 10_000;
        if large {
            self.store.widen_cache(4)?;
        }
        let progress = self.progress.clone();
        let total = content.records.len() as u64;
        // Everything from here, identities learnt included, is one transaction.
        let tx = self.store.transaction()?;
        // The sender's new keys, proved by its rotation statements: its next bundles are signed
        // with them.
        for (keys, statement) in adopt {
            sync_store::rotate_peer(&tx, &header.sender, keys, statement.as_ref())?;
            let from = statement.as_ref().map(|r| r.effective_from);
            let content = serde_json::json!({ "site": header.sender, "fingerprint": keys.fingerprint(), "from": from });
            crate::app::audit_act(&tx, now, &session.login, "sync.rotation", &content.to_string())?;
        }
        let way = match header.kind {
            Kind::Changes => Way::Up,
            Kind::Reply => Way::Down,
        };
        let changes = crate::sync::keyring::admit(&keyring::view(&tx, &site)?, way, &header.sender, &content.sites)
            .map_err(|why| refuse(format!("Paquet refusé : {why}. Rien n'a été appliqué.")))?;
        let mut keyring = keyring::apply(&tx, &changes, &header.sender, now, &session.login)?;
        if let Some((keys, _)) = adopt.last() {
            keyring
                .insert(0, format!("Nouvelles clés de {} adoptées (empreinte {})", header.sender, keys.fingerprint()));
        }
        keyring.extend(receive_revocations(&tx, header, &content.revoked, &site_code, now, &session.login)?);
        let conn: &rusqlite::Connection = &tx;
        let subtree = subtree_of(conn, &header.sender)?;
        // A reply to our resync request brings our own rows back.
        let resyncing =
            header.kind == Kind::Reply && header.resync && site_store::setting(conn, RESYNC_PENDING)?.is_some();
        let own = subtree_of(conn, &site_code)?;
        // The rows the transfers of this bundle move, and where (a bad transfer refuses it below).
        let bundle_moves: std::collections::HashMap<uuid::Uuid, String> = transfers_in(&content.records)
            .flat_map(|t| t.rows.into_iter().map(move |m| (m.id, t.to_office.clone())))
            .collect();
        let moved_to = |id: uuid::Uuid| match bundle_moves.get(&id) {
            Some(to) => Some(to.clone()),
            None => transfer_store::moved_to(conn, id).ok().flatten(),
        };
        let mut accepted = Vec::with_capacity(content.records.len());
        let mut conflicts = Vec::new();
        // Read on both cores; boxed, so that sorting a hundred thousand rows moves pointers.
        let decoded = crate::parallel::map(&content.records, |r| {
            Table::from_name(&r.table).map(|t| decode_record(t, r).map(Box::new))
        });
        for (i, (record, decoded)) in content.records.iter().zip(decoded).enumerate() {
            progress.every(5_000, "vérification des enregistrements", i as u64, total);
            let (Some(table), Some(decoded)) = (Table::from_name(&record.table), decoded) else {
                return Err(refuse(format!(
                    "Paquet refusé : l'enregistrement {} vise une table inconnue « {} ».",
                    i + 1,
                    record.table
                )));
            };
            let incoming_row = decoded
                .and_then(|row| check_numbering(&row, moved_to).map(|()| row))
                .and_then(|row| match header.kind {
                    Kind::Changes => check_arbiter(conn, &site_code, &row).map(|()| row),
                    // From the parent this site pinned, which sees more of the tree than we do.
                    Kind::Reply => Ok(row),
                })
                .map_err(|e| {
                    refuse(format!(
                        "Paquet refusé : l'enregistrement {} ({} {} de {}) est invalide : {}. Rien n'a été appliqué.",
                        i + 1,
                        record.table,
                        record.id,
                        stick::escaped(&record.owner),
                        e.trim_end_matches('.')
                    ))
                })?;
            let ours = own.iter().any(|c| c == &record.owner);
            let owner_ok = match header.kind {
                Kind::Changes => subtree.iter().any(|code| code == &record.owner),
                // The parent publishes what it and the levels above own; our rows come back only
                // in answer to our resync request, or when a transfer gives them to us.
                Kind::Reply => {
                    if ours {
                        resyncing || moved_to(record.id).as_deref() == Some(record.owner.as_str())
                    } else {
                        record.owner == header.sender || sync_store::PUBLISHED.contains(&table)
                    }
                }
            };
            if !owner_ok {
                conflicts
                    .push((record, format!("appartient à {}, hors du ressort de {}", record.owner, header.sender)));
                continue;
            }
            let holder = match incoming_row.cin() {
                Some(cin) => sync_store::cin_held_elsewhere(conn, &cin, &record.id.to_string(), &record.owner)?
                    .map(|other| format!("la CIN {cin} est déjà enregistrée par {other}")),
                None => None,
            };
            if let Some(reason) = holder {
                conflicts.push((record, reason));
                continue;
            }
            accepted.push((incoming_row, record));
        }
        too_many_conflicts(&header.sender, conflicts.len())?;
        let writer = Writer::new(&tx, &site_code, &session.login, now);
        let mut rows = 0;
        let mut written = 0;
        let mut applied_rows = Vec::new();
        // One table after the other: each table's indexes stay in the page cache. Each row is
        // serialised and hashed on the other core while the previous ones are written.
        accepted.sort_by_key(|(row, _)| row.table_rank());
        crate::parallel::pipelined(
            &accepted,
            |(row, _)| row.arrival(),
            |(row, record), arrival| {
                written += 1;
                progress.every(5_000, "enregistrement dans la base", written, accepted.len() as u64);
                match row.receive_ready(&writer, &arrival?) {
                    Ok(applied) => {
                        rows += usize::from(applied);
                        if applied {
                            applied_rows.push(row);
                        }
                    }
                    // A row never changes hands through a bundle: held here under another owner.
                    Err(AppError::Store(StoreError::NotOwner { owner })) => {
                        conflicts
                            .push((record, format!("cette ligne appartient ici à {owner}, pas à {}", record.owner)));
                    }
                    Err(e) => return Err(e),
                }
                Ok(())
            },
        )?;
        // Once everything is in (a transfer's applicant comes after the transfer), what to tell.
        let mut notices = Vec::new();
        for row in applied_rows {
            notices.extend(row.notice(&tx, &own)?);
        }
        // The commission's decisions on our dossiers move them on.
        for (row, _) in &accepted {
            if let ArrivingRow::Decision(meta, decision) = &**row
                && meta.deleted_at.is_none()
            {
                crate::app::dossiers::follow_decision(&writer, decision, &meta.owner)?;
            }
        }
        too_many_conflicts(&header.sender, conflicts.len())?;
        let at = timestamp(now);
        for (record, reason) in &conflicts {
            sync_store::queue_conflict(&tx, &at, &header.sender, record, reason)?;
        }
        let mut alarm = None;
        // A bundle older than what was already applied (read again for its identities) carries
        // an older history: no alarm, and the newer head is kept.
        let stale = header.kind == Kind::Changes && header.to_change <= incoming.watermark;
        if let Some((seq, head)) = &incoming.audit_head
            && !stale
        {
            let (new_seq, _) = &content.manifest.audit_head;
            if new_seq < seq {
                alarm = Some(format!(
                    "l'historique de {} recule (entrée {new_seq} après {seq}, empreinte {head}) : base restaurée ou modifiée ? Prévenez le responsable.",
                    header.sender
                ));
            }
        }
        let state = Incoming {
            // A reply continuing what we hold moves our mark of the parent's publications on (one
            // starting above it — we lost a reply — leaves it, so the next reply starts there).
            watermark: if header.kind == Kind::Changes || header.from_change <= incoming.watermark || resyncing {
                header.to_change.max(incoming.watermark)
            } else {
                incoming.watermark
            },
            last_sequence: header.sequence.max(incoming.last_sequence),
            audit_head: if stale { incoming.audit_head.clone() } else { Some(content.manifest.audit_head.clone()) },
            last_at: Some(at.clone()),
        };
        sync_store::set_incoming(&tx, &header.sender, &state)?;
        match (header.kind, content.ack) {
            // A supervised site says how far it holds our publications.
            (Kind::Changes, Some(ack)) => {
                // Never beyond what we sent it (this file restored from an older copy, or a lie).
                let sent = sync_store::outgoing(&tx, &header.sender)?.sent_to;
                sync_store::record_ack(&tx, &header.sender, ack.watermark.min(sent))?;
                sync_store::prune_acknowledged(&tx)?;
            }
            (Kind::Reply, Some(ack)) => take_parent_ack(&tx, &site_code, &header.sender, ack, resyncing)?,
            (_, None) => {}
        }
        sync_store::record_bundle(
            &tx,
            &header.sender,
            kind,
            header.sequence,
            hash,
            (header.from_change, header.to_change),
            "appliqué",
            &at,
            None,
        )?;
        let summary = serde_json::json!({ "from": header.sender, "sequence": header.sequence, "rows": rows, "conflicts": conflicts.len(), "sha256": hash }).to_string();
        writer.audit(&Entry {
            at: now,
            actor: &session.login,
            action: "sync.import",
            table: None,
            row_id: None,
            row_hash: None,
            content: &summary,
        })?;
        if let Some(alarm) = &alarm {
            let content = serde_json::json!({ "from": header.sender, "alarm": alarm }).to_string();
            writer.audit(&Entry {
                at: now,
                actor: &session.login,
                action: "sync.alarm",
                table: None,
                row_id: None,
                row_hash: None,
                content: &content,
            })?;
        }
        writer.finish()?;
        // Freeing a hundred thousand rows keeps the other core busy while SQLite commits.
        std::thread::scope(|scope| {
            scope.spawn(move || drop(accepted));
            tx.commit()
        })?;

        Ok(ImportOutcome::Applied {
            sender: header.sender.clone(),
            rows,
            conflicts: conflicts.len(),
            released: 0,
            alarm,
            notices,
            keyring,
        })
    }
}

/// Refuses a bundle that would queue more than [`MAX_CONFLICTS_PER_BUNDLE`] conflicts: a queue
/// nobody can work through, from a site that is probably enrolled in the wrong place.
fn too_many_conflicts(sender: &str, conflicts: usize) -> Result<(), AppError> {
    if conflicts <= MAX_CONFLICTS_PER_BUNDLE {
        return Ok(());
    }
    Err(refuse(format!(
        "Paquet refusé : il mettrait {conflicts} enregistrements de {sender} en file de conflits (au plus {MAX_CONFLICTS_PER_BUNDLE} par paquet). \
         Rien n'a été appliqué. Vérifiez avec {sender} qu'il est rattaché à la bonne délégation et que ses bénéficiaires ne sont pas déjà enregistrés par un autre bureau."
    )))
}

/// What the parent's acknowledgement settles here: a pending resync (numbers continue above
/// what it holds), a rotation statement it has now seen used, the outbox lines it holds.
pub(super) fn take_parent_ack(
    conn: &rusqlite::Connection,
    site_code: &str,
    parent: &str,
    ack: Ack,
    resyncing: bool,
) -> Result<(), AppError> {
    if resyncing {
        sync_store::continue_numbers_above(conn, site_code, parent, ack.watermark, ack.last_sequence)?;
        site_store::clear_setting(conn, RESYNC_PENDING)?;
    }
    let rotation: Option<Rotation> =
        site_store::setting(conn, ROTATION)?.and_then(|json| serde_json::from_str(&json).ok());
    if rotation.is_some_and(|r| ack.last_sequence >= r.effective_from) {
        // The parent has read a bundle signed with the new keys: the statement has done its job.
        site_store::clear_setting(conn, ROTATION)?;
    }
    // Changes numbered at or below what the parent holds but made here after a restore
    // (numbering went back) have not reached it: they move above the watermark first.
    sync_store::renumber_unsent_above(conn, parent, ack.watermark)?;
    sync_store::record_ack(conn, parent, ack.watermark)?;
    sync_store::prune_acknowledged(conn)?;
    Ok(())
}

/// The codes whose rows a bundle from `sender` may carry: the sender and the sites it supervises.
pub(crate) fn subtree_of(conn: &rusqlite::Connection, sender: &str) -> Result<Vec<String>, AppError> {
    let mut codes = vec![sender.to_owned()];
    let mut i = 0;
    while i < codes.len() {
        let below: Vec<String> = sync_store::peers(conn)?
            .into_iter()
            .filter(|p| p.supervisor.as_deref() == Some(codes[i].as_str()) && p.code != codes[i])
            .map(|p| p.code)
            .collect();
        for code in below {
            if !codes.contains(&code) {
                codes.push(code);
            }
        }
        i += 1;
    }
    Ok(codes)
}

/// Takes the revocation register a reply brings into this site's (each new revocation audited
/// and told); returns what to tell. Revocations come down only, from the parent, and only of
/// certificates of sites known here: anything else refuses the bundle. Nothing received removes
/// one.
fn receive_revocations(
    conn: &rusqlite::Connection,
    header: &Header,
    revoked: &[payload::RevokedCertificate],
    here: &str,
    now: chrono::DateTime<chrono::Utc>,
    login: &str,
) -> Result<Vec<String>, AppError> {
    if revoked.is_empty() {
        return Ok(Vec::new());
    }
    if header.kind != Kind::Reply {
        return Err(refuse(
            "Paquet refusé : un paquet montant ne porte pas de révocations d'attestations (une révocation monte avec l'attestation elle-même). Rien n'a été appliqué."
                .to_owned(),
        ));
    }
    let mut told = Vec::new();
    for r in revoked {
        let known = r.site == here || sync_store::peer(conn, &r.site)?.is_some();
        let text = crate::domain::text::problem("motif de révocation", &r.reason, crate::domain::text::NOTE)
            .or_else(|| crate::domain::text::problem("auteur de la révocation", &r.by, crate::domain::text::REFERENCE));
        let wrong = if sync_store::issuer_of(&r.number) != Some(r.site.as_str()) {
            Some(format!(
                "le numéro {} n'est pas celui d'une attestation de {}",
                stick::escaped(&r.number),
                stick::escaped(&r.site)
            ))
        } else if !known {
            Some(format!("elle révoque une attestation de {}, site inconnu ici", stick::escaped(&r.site)))
        } else {
            text
        };
        if let Some(wrong) = wrong {
            return Err(refuse(format!(
                "Paquet refusé : une révocation d'attestation est invalide ({}). Rien n'a été appliqué.",
                wrong.trim_end_matches('.')
            )));
        }
        // Already revoked in this site's own register: nothing to learn.
        let held_revoked = sync_store::revoked_certificates_held(conn, &r.number)?;
        if !held_revoked && sync_store::record_revocation(conn, r, &header.sender, &timestamp(now))? {
            let content = serde_json::json!({ "number": r.number, "site": r.site, "on": r.on, "from": header.sender });
            crate::app::audit_act(conn, now, login, "sync.certificate_revocation", &content.to_string())?;
            told.push(format!(
                "Attestation {} de {} révoquée le {} : {}",
                r.number,
                r.site,
                r.on.format("%d/%m/%Y"),
                r.reason
            ));
        }
    }
    Ok(told)
}
