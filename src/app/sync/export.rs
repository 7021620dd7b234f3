//! Writing bundles: changes for the parent, replies for a supervised site.

use std::path::Path;

use sha2::{Digest as _, Sha256};

use super::apply::subtree_of;
use super::rows::transfers_in;
use super::stick::write_to_stick;
use super::{ExportReport, RESYNC_ASKED, RESYNC_PENDING, ROTATION, SITES_SENT};
use crate::app::{AppError, Core, Session, audit_act as act};
use crate::domain::dossier::Dossier;
use crate::domain::role::Action;
use crate::store::StoreError;
use crate::store::audit::{self, timestamp};
use crate::store::records::Table;
use crate::store::site as site_store;
use crate::store::sync::{self as sync_store, Peer, Relation};
use crate::sync::envelope::{self, Header, Kind};
use crate::sync::payload::{self, Ack, FORMAT, KnownSite, Manifest, RevokedCertificate, WireRecord};

/// Rows per table (French name, count) of a bundle's records, for the bordereau.
pub(super) fn rows_per_table(records: &[WireRecord]) -> Vec<(String, usize)> {
    Table::ALL
        .iter()
        .map(|t| (t.label_fr().to_owned(), records.iter().filter(|r| r.table == t.name()).count()))
        .filter(|(_, n)| *n > 0)
        .collect()
}

/// The dossiers transmitted to the commission among a bundle's records: number, applicant id.
pub(super) fn transmitted_dossiers(records: &[WireRecord]) -> Vec<(String, String)> {
    records
        .iter()
        .filter(|r| r.table == Table::Dossiers.name() && r.deleted_at.is_none())
        .filter_map(|r| serde_json::from_str::<Dossier>(r.data.get()).ok())
        .filter(|d| d.status == crate::domain::dossier::Status::Transmis)
        .map(|d| (d.number.to_string(), d.applicant_id.to_string()))
        .collect()
}
/// A sealed bundle on its way to the stick: its file name, number and rows.
struct Part<'a> {
    recipient: &'a str,
    name: &'a str,
    sequence: u64,
    range: (i64, i64),
    records: &'a [WireRecord],
}

/// What goes into a bundle being written.
#[derive(Clone, Copy)]
pub(super) struct Sealing<'a> {
    kind: Kind,
    sequence: u64,
    range: (i64, i64),
    records: &'a [WireRecord],
    ack: Option<Ack>,
    sites: &'a [KnownSite],
    revoked: &'a [RevokedCertificate],
    resync: bool,
}

pub(super) fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}
impl Core {
    pub(super) fn seal_for(
        &self,
        session: &Session,
        recipient: &Peer,
        content: &Sealing<'_>,
    ) -> Result<Vec<u8>, AppError> {
        let Sealing { kind, sequence, range, records, ack, sites, revoked, resync } = *content;
        let secrets = session.secrets().ok_or_else(|| {
            AppError::Rule(
                "Signer un paquet demande un compte qui détient les clés du site (chef ou administrateur).".into(),
            )
        })?;
        let site = self.site()?;
        // What the recipient would refuse is not written at all.
        crate::app::free_text::refuse_unsendable(records, site.code.as_str())?;
        let (audit_seq, audit_hash) = audit::head(self.store.conn())?;
        let manifest = Manifest {
            format: FORMAT.into(),
            kind,
            sender: site.code.to_string(),
            recipient: recipient.code.clone(),
            sequence,
            from_change: range.0,
            to_change: range.1,
            schema: crate::store::record_format(records.iter().map(|r| r.table.as_str())),
            audit_head: (audit_seq, hex::encode(audit_hash)),
        };
        let plain =
            payload::encode_all(&manifest, records, ack, sites, revoked).map_err(|e| AppError::Rule(e.to_string()))?;
        let to: age::x25519::Recipient = recipient.keys.age_recipient.parse().map_err(|_| {
            AppError::Rule(format!(
                "La clé de chiffrement de {} est illisible : enrôlez-le de nouveau.",
                recipient.code
            ))
        })?;
        let ciphertext =
            age::encrypt(&to, &plain).map_err(|e| AppError::Rule(format!("Chiffrement impossible : {e}")))?;
        let chain = super::identity::own_rotations(self.store.conn())?;
        let header = Header {
            kind,
            sender: manifest.sender.clone(),
            recipient: manifest.recipient.clone(),
            sequence,
            from_change: range.0,
            to_change: range.1,
            created_at: timestamp(self.clock.now_utc()),
            signer: secrets.public().fingerprint(),
            schema: manifest.schema,
            program: Some(env!("CARGO_PKG_VERSION").to_owned()),
            ciphertext_len: 0,
            resync,
            // Up: until the parent has read a bundle signed with the new keys. Down: the whole
            // chain, so that a supervised site that has not heard of it yet follows it.
            rotation: match kind {
                Kind::Changes => {
                    site_store::setting(self.store.conn(), ROTATION)?.and_then(|json| serde_json::from_str(&json).ok())
                }
                Kind::Reply => chain.last().cloned(),
            },
            rotations: if kind == Kind::Reply { chain } else { vec![] },
        };
        envelope::seal(&header, &ciphertext, |bytes| secrets.sign(bytes)).map_err(AppError::Rule)
    }

    /// Takes the part's number (with `also`, in the same transaction, audited as `audit`), then
    /// writes its file to the stick. The number is taken before the file is written: a crash or a
    /// pulled stick burns it, and the next export (cumulative) carries the same rows under the
    /// next number — never two different files under one number.
    fn deliver(
        &mut self,
        session: &Session,
        dir: &Path,
        part: &Part<'_>,
        bytes: &[u8],
        audit: (&str, &serde_json::Value),
        also: impl FnOnce(&rusqlite::Connection) -> Result<(), StoreError>,
    ) -> Result<ExportReport, AppError> {
        let now = self.clock.now_utc();
        let tx = self.store.transaction()?;
        let planned = dir.join(part.name).display().to_string();
        sync_store::record_sent(&tx, part.recipient, part.sequence, part.range.1, &timestamp(now), &planned)?;
        also(&tx)?;
        act(&tx, now, &session.login, audit.0, &audit.1.to_string())?;
        tx.commit()?;
        let path = write_to_stick(dir, part.name, bytes, self.stick_journal().as_deref())?;
        Ok(ExportReport {
            path,
            sequence: part.sequence,
            range: part.range,
            rows: part.records.len(),
            hash: sha256_hex(bytes),
            recipient: part.recipient.to_owned(),
            written_at: timestamp(now),
            by_table: rows_per_table(part.records),
            transmitted: vec![],
            more: vec![],
        })
    }

    /// Writes the bundle of every change the parent has not acknowledged into `dir` (a copy goes
    /// to `keep` when given). `None` when there is nothing to send.
    pub fn export_bundle(
        &mut self,
        session: &Session,
        dir: &Path,
        keep: Option<&Path>,
    ) -> Result<Option<ExportReport>, AppError> {
        self.export_changes(session, dir, keep, false)
    }

    /// The weekly export, as the window and the command line both make it: the bundle(s) of
    /// every change the parent has not acknowledged onto the stick `dir`, a copy kept in
    /// `envois/` next to the database, and the *bordereau de transmission* written where `slip`
    /// says. `None` when there is nothing to send. The backup that follows each export is the
    /// caller's to start ([`Core::auto_backup`] with `force`): the window runs it on its own
    /// thread with its progress shown, the command line waits for it.
    pub fn export_for_parent(
        &mut self,
        session: &Session,
        dir: &Path,
        slip: SlipTo<'_>,
    ) -> Result<Option<ParentExport>, AppError> {
        let keep = self.store.path().and_then(Path::parent).map(|folder| folder.join("envois"));
        let Some(report) = self.export_bundle(session, dir, keep.as_deref())? else { return Ok(None) };
        let slip = match slip {
            SlipTo::None => None,
            SlipTo::File(path) => {
                let pdf = self.transmittal_pdf(session, &report)?;
                crate::app::save_new(path, &pdf).map_err(|e| {
                    AppError::Rule(format!(
                        "Bordereau non écrit dans {} : {} (le paquet, lui, est sur la clé).",
                        path.display(),
                        crate::app::io_message(&e)
                    ))
                })?;
                Some(path.to_path_buf())
            }
            SlipTo::Folder(folder) => {
                let pdf = self.transmittal_pdf(session, &report)?;
                let stem = format!("bordereau-{}-{:06}", report.recipient, report.sequence);
                Some(crate::app::save_in_folder(folder, &stem, "pdf", &pdf)?)
            }
        };
        Ok(Some(ParentExport { report, slip }))
    }

    /// After a restore or on a new PC (re-enrolled): writes a bundle asking the parent to send
    /// back this site's rows as it holds them. The reply restores them and makes every number
    /// this site gives next continue above what was already issued.
    pub fn request_resync(&mut self, session: &Session, dir: &Path) -> Result<ExportReport, AppError> {
        let report = self.export_changes(session, dir, None, true)?;
        site_store::set_setting(self.store.conn(), RESYNC_PENDING, "1")?;
        report.ok_or_else(|| AppError::Rule("La demande de resynchronisation n'a pas pu être écrite.".into()))
    }

    pub(super) fn export_changes(
        &mut self,
        session: &Session,
        dir: &Path,
        keep: Option<&Path>,
        resync: bool,
    ) -> Result<Option<ExportReport>, AppError> {
        session.require(Action::Synchronize)?;
        let site = self.site()?;
        let parent_code = site.parent.as_ref().map(ToString::to_string).ok_or_else(|| {
            AppError::Rule(
                "Ce site n'est rattaché à aucune délégation : enrôlez d'abord la délégation avec son fichier d'identité et son empreinte (Paramètres, « Liaison avec la délégation et les sites »).".into(),
            )
        })?;
        let conn = self.store.conn();
        let parent = sync_store::peer(conn, &parent_code)?.ok_or_else(|| {
            AppError::Rule(format!(
                "La délégation {parent_code} n'est pas enrôlée ici : enrôlez-la avec son fichier d'identité et son empreinte (Paramètres, « Liaison avec la délégation et les sites »)."
            ))
        })?;
        let out = sync_store::outgoing(conn, &parent_code)?;
        let to = sync_store::last_change(conn)?.max(out.acknowledged);
        // Up the tree: the identities of the sites below us, so the level above takes their rows.
        // (an office has none: the sites it learnt from its parent's replies stay here). A change
        // among them (a revocation) is worth a bundle of its own.
        let tree = super::keyring::view(conn, &site)?;
        let subtree = super::keyring::travelling(conn, |p| tree.is_above(site.code.as_str(), &p.code))?;
        let sites_hash = sha256_hex(&serde_json::to_vec(&subtree).map_err(|e| AppError::Rule(e.to_string()))?);
        let sites_sent = format!("{SITES_SENT}{parent_code}");
        let sites_changed =
            !subtree.is_empty() && site_store::setting(conn, &sites_sent)?.as_deref() != Some(sites_hash.as_str());
        // New keys the parent must learn are worth a bundle too.
        let rotating = site_store::setting(conn, ROTATION)?.is_some();
        if to <= out.acknowledged && !resync && !sites_changed && !rotating {
            return Ok(None);
        }
        // Up the tree go the rows of this site and of the sites below it, never what came down.
        let own = subtree_of(conn, site.code.as_str())?;
        let keep_owner = |owner: &str| own.iter().any(|c| c == owner);
        // Cut into parts of at most RECORDS_PER_BUNDLE rows (`bundle_rows`), applied one after the other: a first
        // export of a whole register is written and read in bounded memory.
        let ends = sync_store::change_cuts(conn, out.acknowledged, to, self.bundle_rows, keep_owner)?;
        // What this site holds of the parent's publications, so its next reply starts there.
        let from_parent = sync_store::incoming(conn, &parent_code)?;
        let ack = Ack { watermark: from_parent.watermark, last_sequence: from_parent.last_sequence };
        let mut report: Option<ExportReport> = None;
        let mut from = out.acknowledged;
        let parts = ends.len();
        for (i, end) in ends.iter().copied().enumerate() {
            let stage_of = |stage: &str| format!("Paquet {} sur {parts} : {stage}", i + 1);
            self.progress.report(stage_of("lecture des modifications"), 0, 0);
            let conn = self.store.conn();
            let records = sync_store::changed_rows(conn, from, end, |_, owner| keep_owner(owner))?;
            self.progress.report(stage_of("chiffrement et signature"), 0, 0);
            let sequence = out.next_sequence + i as u64;
            let content = Sealing {
                kind: Kind::Changes,
                sequence,
                range: (from, end),
                records: &records,
                ack: Some(ack),
                sites: &subtree,
                revoked: &[],
                resync,
            };
            let bytes = self.seal_for(session, &parent, &content)?;
            let name = format!("{}-{sequence:06}.daftar", site.code);
            let part = Part { recipient: &parent_code, name: &name, sequence, range: (from, end), records: &records };
            let audit = serde_json::json!({ "to": parent_code, "sequence": sequence, "from": from, "until": end, "sha256": sha256_hex(&bytes) });
            self.progress.report(stage_of("écriture sur la clé et relecture"), 0, 0);
            let mut written = self.deliver(session, dir, &part, &bytes, ("sync.export", &audit), |tx| {
                site_store::set_setting(tx, &sites_sent, &sites_hash)
            })?;
            written.transmitted = transmitted_dossiers(&records);
            // The office's own copy: the stick is what counts (and a backup follows each export),
            // so a copy that cannot be written does not undo the export.
            if let Some(keep) = keep {
                let _ = std::fs::create_dir_all(keep).and_then(|()| std::fs::write(keep.join(&name), &bytes));
            }
            report = Some(ExportReport::chain(report, written));
            from = end;
        }
        Ok(report)
    }

    /// Writes the reply for the supervised site `office`: what this site holds of its changes.
    pub fn export_reply(&mut self, session: &Session, office: &str, dir: &Path) -> Result<ExportReport, AppError> {
        session.require(Action::Synchronize)?;
        let office = office.trim().to_uppercase();
        let conn = self.store.conn();
        let child = sync_store::peer(conn, &office)?
            .filter(|p| p.relation == Relation::Child)
            .ok_or_else(|| AppError::Rule(format!("{office} n'est pas un site enrôlé sous celui-ci.")))?;
        let held = sync_store::incoming(conn, &office)?;
        let out = sync_store::outgoing(conn, &office)?;
        // Down the tree: every site this one knows, so certificates verify anywhere.
        let keyring = super::keyring::travelling(conn, |p| p.code != office)?;
        // And every certificate revoked in the tree, so that it reads RÉVOQUÉE there too.
        let revoked = sync_store::revoked_certificates(conn)?;
        let ack = Ack {
            watermark: held.watermark,
            last_sequence: sync_store::highest_sequence_seen(conn, &office)?.max(held.last_sequence),
        };
        // Down go this site's publications (decisions, funding, programmes) the office has not
        // acknowledged; a site that asked for a resync gets them all, and its own rows back.
        let resync_key = format!("{RESYNC_ASKED}{office}");
        let resync = site_store::setting(conn, &resync_key)?.is_some();
        let below = subtree_of(conn, &office)?;
        let range = (out.acknowledged, sync_store::last_change(conn)?.max(out.acknowledged));
        let mut records = if resync {
            sync_store::published_for(conn, &below, None)?
        } else {
            let mut rows = sync_store::published_for(conn, &below, Some(range))?;
            // A transfer to the office brings it the rows it moves.
            let moved: Vec<_> =
                transfers_in(&rows).filter(|t| below.contains(&t.to_office)).flat_map(|t| t.rows).collect();
            rows.extend(sync_store::moved_rows(conn, &moved, &below)?);
            rows
        };
        // A resync sends the office's own rows back, in parts of at most RECORDS_PER_BUNDLE rows
        // (the acknowledgement, which ends the resync, in the last).
        let mut cursor = sync_store::RowCursor::default();
        let mut next = |room: usize, conn: &rusqlite::Connection| -> Result<Vec<WireRecord>, AppError> {
            Ok(if resync { sync_store::rows_owned_by(conn, &below, &mut cursor, room)? } else { vec![] })
        };
        let limit = self.bundle_rows;
        records.extend(next(limit.saturating_sub(records.len()), conn)?);
        let site = self.site()?;
        let mut report: Option<ExportReport> = None;
        let mut sequence = out.next_sequence;
        loop {
            let nth = sequence - out.next_sequence + 1;
            self.progress.report(format!("Réponse, paquet {nth} : lecture des enregistrements"), 0, 0);
            let following = next(limit, self.store.conn())?;
            let last = following.is_empty();
            let content = Sealing {
                kind: Kind::Reply,
                sequence,
                range,
                records: &records,
                ack: last.then_some(ack),
                sites: &keyring,
                revoked: &revoked,
                resync,
            };
            let bytes = self.seal_for(session, &child, &content)?;
            let name = format!("{}-reponse-{}-{sequence:06}.daftar", site.code, office);
            let part = Part { recipient: &office, name: &name, sequence, range, records: &records };
            let audit = serde_json::json!({ "to": office, "sequence": sequence, "watermark": held.watermark });
            self.progress.report(format!("Réponse, paquet {nth} : écriture sur la clé et relecture"), 0, 0);
            let written = self.deliver(session, dir, &part, &bytes, ("sync.reply", &audit), |_| Ok(()))?;
            report = Some(ExportReport::chain(report, written));
            if last {
                break;
            }
            records = following;
            sequence += 1;
        }
        // The resync request is answered once the reply is on the stick (else the next one answers it).
        site_store::clear_setting(self.store.conn(), &resync_key)?;
        report.ok_or_else(|| AppError::Rule("La réponse n'a pas pu être écrite.".into()))
    }
}

/// Where the weekly export writes its *bordereau de transmission*.
#[derive(Debug, Clone, Copy)]
pub enum SlipTo<'a> {
    /// Not written.
    None,
    /// This file, which must not exist.
    File(&'a Path),
    /// A new file in this folder (the window's documents).
    Folder(&'a Path),
}

/// What the weekly export wrote.
#[derive(Debug, Clone)]
pub struct ParentExport {
    /// The bundles written.
    pub report: ExportReport,
    /// The bordereau, when one was asked for.
    pub slip: Option<std::path::PathBuf>,
}
