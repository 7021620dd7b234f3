//! Reading bundles: every check of DESIGN §5 before anything is decrypted, gaps set aside.

use std::path::PathBuf;

use super::apply::Opened;
use super::export::sha256_hex;
use super::stick::{Skipped, bundle_files, escaped, printable, read_bundle};
use super::{ImportLine, ImportOutcome, RESYNC_ASKED, refuse};
use crate::app::{AppError, Core, Session};
use crate::domain::role::Action;
use crate::store::audit::timestamp;
use crate::store::site as site_store;
use crate::store::sync::{self as sync_store, Relation};
use crate::sync::envelope::{self, Header, Kind};
use crate::sync::payload::{self};

impl Core {
    /// Reads files and whole folders of bundles (a folder's `.daftar` files in name order; those
    /// addressed to other sites are left alone, as a stick carries several). One line per file.
    pub fn import_paths(&mut self, session: &Session, paths: &[PathBuf]) -> Result<Vec<ImportLine>, AppError> {
        let here = self.site()?.code.to_string();
        let mut lines = Vec::new();
        let mut found = Vec::new();
        for path in paths {
            let (files, skipped, in_folder) = match bundle_files(path) {
                Ok(found) => found,
                Err(e) => {
                    lines.push(ImportLine { file: printable(path), result: Err(e) });
                    continue;
                }
            };
            for Skipped { name, why } in skipped {
                lines.push(ImportLine { file: name, result: Err(AppError::Rule(why)) });
            }
            if in_folder && files.is_empty() {
                lines.push(ImportLine {
                    file: printable(path),
                    result: Err(AppError::Rule(format!(
                        "aucun paquet dans {} : vérifiez que c'est la bonne clé USB et qu'elle contient des fichiers .daftar.",
                        printable(path)
                    ))),
                });
            }
            found.extend(files.into_iter().map(|file| (file, in_folder)));
        }
        let outer = self.progress.clone();
        let count = found.len();
        for (i, (file, in_folder)) in found.into_iter().enumerate() {
            let name = printable(&file);
            outer.report(format!("Paquet {} sur {count} : lecture de {name}", i + 1), 0, 0);
            self.progress = outer.within(format!("Paquet {} sur {count}", i + 1));
            let result = read_bundle(&file).and_then(|bytes| {
                let elsewhere = in_folder
                    .then(|| envelope::open(&bytes).ok().map(|o| o.header.recipient))
                    .flatten()
                    .filter(|recipient| *recipient != here);
                match elsewhere {
                    Some(recipient) => {
                        Ok(ImportOutcome::NothingNew { why: format!("ignoré (destiné à {}).", escaped(&recipient)) })
                    }
                    None => self.import_bundle(session, &bytes, &name),
                }
            });
            self.progress = outer.clone();
            lines.push(ImportLine { file: name, result });
        }
        // The bilan's facts take in what arrived once for all the files, not at the next bilan.
        if lines.iter().any(|l| matches!(l.result, Ok(ImportOutcome::Applied { .. }))) {
            outer.report("Mise à jour des chiffres du bilan", 0, 0);
            self.refresh_bilan_facts()?;
            outer.report("Mise à jour de la liste des dossiers", 0, 0);
            self.refresh_worklist()?;
        }
        Ok(lines)
    }

    /// Brings the bilan's facts up to date with what was written since they were last read
    /// (the next bilan would, taking the time then); returns how many dossiers were recomputed.
    pub fn refresh_bilan_facts(&mut self) -> Result<usize, AppError> {
        Ok(crate::store::facts::refresh(self.store.conn())?)
    }

    /// Brings the dossiers' worklist up to date with what was written since it was last read
    /// (its next page would, taking the time then); returns how many dossiers were recomputed.
    pub fn refresh_worklist(&mut self) -> Result<usize, AppError> {
        Ok(crate::store::worklist::refresh(self.store.conn())?)
    }

    /// Reads a bundle or a reply. Refusals are `AppError::Refused` with a French message and
    /// leave the business data as it was (a line goes to the import log).
    pub fn import_bundle(&mut self, session: &Session, bytes: &[u8], file: &str) -> Result<ImportOutcome, AppError> {
        session.require(Action::Synchronize)?;
        let result = self.import_checked(session, bytes);
        // A large bundle widened the page cache; whatever happened, give the room back.
        self.store.widen_cache(1)?;
        let now = timestamp(self.clock.now_utc());
        let (outcome, message) = match &result {
            Ok(o) => (
                match o {
                    ImportOutcome::Applied { .. } => "appliqué",
                    ImportOutcome::NothingNew { .. } => "rien de nouveau",
                    ImportOutcome::SetAside { .. } => "mis de côté",
                },
                o.to_string(),
            ),
            Err(e) => ("refusé", e.to_string()),
        };
        let sender = envelope::open(bytes).ok().map(|o| o.header.sender);
        sync_store::log_import(self.store.conn(), &now, file, sender.as_deref(), outcome, &message)?;
        result
    }

    pub(super) fn import_checked(&mut self, session: &Session, bytes: &[u8]) -> Result<ImportOutcome, AppError> {
        // 1. Structure: magic, version, lengths, caps, header.
        self.progress.report("vérification de la signature", 0, 0);
        let opened = envelope::open(bytes).map_err(|e| refuse(format!("Paquet refusé : {e}.")))?;
        let header = opened.header.clone();
        if header.sequence == 0 || header.from_change < 0 || header.to_change < header.from_change {
            return Err(refuse("Paquet refusé : numéro de paquet ou plage de modifications invalide."));
        }
        let site = self.site()?;
        let conn = self.store.conn();
        // 2. Signer: a site enrolled here, not revoked, whose role fits the kind of bundle.
        let peer = sync_store::peer(conn, &header.sender)?.ok_or_else(|| {
            refuse(format!(
                "Paquet refusé : le site {} n'est pas enrôlé ici. Un paquet n'introduit jamais de clé : enrôlez le site avec son fichier d'identité et son empreinte.",
                header.sender
            ))
        })?;
        if let Some((at, reason)) = &peer.revoked {
            return Err(refuse(format!(
                "Paquet refusé : la clé de {} est révoquée depuis le {at} ({reason}). Le site doit être enrôlé de nouveau.",
                peer.code
            )));
        }
        // 3. Signature, by that site's key: its current one, or the new one its rotation
        // statements (signed by both) prove. A replaced key signs nothing any more (bundles are
        // cumulative: what an old-key bundle carried comes again in the next one). The new keys
        // are adopted with the bundle, once every check has passed.
        let (signing_keys, adopt) =
            header.signing_keys(&peer.code, &peer.keys).map_err(|why| refuse(format!("Paquet refusé : {why}.")))?;
        if !signing_keys.verify(opened.signed, opened.signature) {
            return Err(refuse(format!(
                "Paquet refusé : la signature ne correspond pas aux clés de {} (fichier modifié, signé par un autre site, ou par une clé remplacée).",
                peer.code
            )));
        }
        // 4. Addressed to us, from the right direction.
        if header.recipient != site.code.as_str() {
            return Err(refuse(format!(
                "Paquet refusé : il est destiné à {}, pas à {}. Remettez-le à son destinataire.",
                header.recipient, site.code
            )));
        }
        match (header.kind, peer.relation) {
            (Kind::Changes, Relation::Child) | (Kind::Reply, Relation::Parent) => {}
            (Kind::Changes, _) => {
                return Err(refuse(format!(
                    "Paquet refusé : {} n'est pas un site supervisé par {}.",
                    peer.code, site.code
                )));
            }
            (Kind::Reply, _) => {
                return Err(refuse(format!(
                    "Réponse refusée : {} n'est pas la délégation de {}.",
                    peer.code, site.code
                )));
            }
        }
        if header.schema > crate::store::SCHEMA_VERSION {
            let (from, needed) = match header.program.as_deref().map(escaped) {
                Some(v) => (format!("de Daftar {v}"), format!("version {v} ou plus récente")),
                None => ("d'une version plus récente de Daftar".to_owned(), "dernière version".to_owned()),
            };
            return Err(refuse(format!(
                "Paquet refusé : il vient {from} (format des enregistrements {}), que ce programme (Daftar {}) ne sait pas lire. Mettez Daftar à jour ({needed}) puis réimportez-le ; rien n'a été appliqué.",
                header.schema,
                env!("CARGO_PKG_VERSION")
            )));
        }
        let kind_code = match header.kind {
            Kind::Changes => "changes",
            Kind::Reply => "reply",
        };
        let incoming = sync_store::incoming(conn, &header.sender)?;
        if header.kind == Kind::Reply && header.sequence <= incoming.last_sequence {
            return Err(refuse(format!(
                "Réponse refusée : elle n'est pas plus récente que la dernière lue de {} (n° {} ≤ {}).",
                header.sender, header.sequence, incoming.last_sequence
            )));
        }
        let hash = sha256_hex(bytes);
        if header.kind == Kind::Changes && header.resync {
            // A restored site asks for its data back: remembered whatever the rest brings (its
            // request may reuse a number the old installation already sent).
            site_store::set_setting(conn, &format!("{RESYNC_ASKED}{}", header.sender), "1")?;
        }
        match sync_store::bundle_seen(conn, &header.sender, kind_code, header.sequence)? {
            Some((seen, outcome)) if seen == hash && outcome != "mis de côté" => {
                return Ok(ImportOutcome::NothingNew {
                    why: format!("le paquet n° {} de {} est déjà importé.", header.sequence, header.sender),
                });
            }
            Some((seen, _)) if seen != hash && header.resync => {
                return Ok(ImportOutcome::NothingNew {
                    why: format!(
                        "demande de resynchronisation de {} enregistrée : la prochaine réponse lui renverra ses données.",
                        header.sender
                    ),
                });
            }
            Some((seen, _)) if seen != hash => {
                return Err(refuse(format!(
                    "Paquet refusé : un autre paquet n° {} de {} a déjà été lu. Deux paquets différents sous le même numéro signalent une base restaurée ou une clé détournée : prévenez le responsable.",
                    header.sequence, header.sender
                )));
            }
            _ => {}
        }
        // Changes the sender already sent (or superseded): only its identities may be new (a
        // revocation made since, with no row changed).
        let nothing_new = header.kind == Kind::Changes && header.to_change <= incoming.watermark;
        let stale = || ImportOutcome::NothingNew {
            why: format!(
                "les modifications jusqu'à {} de {} sont déjà ici (paquet déjà importé ou remplacé par un plus récent).",
                header.to_change, header.sender
            ),
        };
        if header.kind == Kind::Changes && !nothing_new && header.from_change > incoming.watermark {
            self.remember(&header, kind_code, &hash, "mis de côté", Some(bytes))?;
            return Ok(ImportOutcome::SetAside { missing: (incoming.watermark, header.from_change) });
        }
        // 5. Only now: decrypt, decompress with a cap, read, check the manifest.
        self.progress.report("déchiffrement", 0, 0);
        let secrets = session.secrets().ok_or_else(|| {
            AppError::Rule(
                "Lire un paquet demande un compte qui détient les clés du site (chef ou administrateur).".into(),
            )
        })?;
        let plain = match age::decrypt(secrets.age_identity(), opened.ciphertext) {
            Ok(plain) => plain,
            Err(_) if nothing_new => {
                self.remember(&header, kind_code, &hash, "rien de nouveau", None)?;
                return Ok(stale());
            }
            Err(_) => {
                return Err(refuse(
                    "Paquet refusé : il n'est pas chiffré pour la clé actuelle de ce site (ancienne clé, ou autre destinataire). L'émetteur doit enrôler la clé actuelle de ce site (fichier d'identité et empreinte), puis exporter de nouveau.",
                ));
            }
        };
        let mut content = payload::decode(&plain).map_err(|e| refuse(format!("Paquet refusé : {e}.")))?;
        if !content.manifest.repeats(&header) {
            return Err(refuse(
                "Paquet refusé : le manifeste chiffré ne répète pas l'en-tête (fichier assemblé frauduleusement).",
            ));
        }
        // Already applied, the changes are left out: only identities (a revocation made since)
        // or the sender's new keys are still worth reading.
        if nothing_new {
            if content.sites.is_empty() && adopt.is_empty() {
                self.remember(&header, kind_code, &hash, "rien de nouveau", None)?;
                return Ok(stale());
            }
            content.records.clear();
        }
        let bundle = Opened {
            header: &header,
            kind: kind_code,
            hash: &hash,
            incoming: &incoming,
            content: &content,
            adopt: &adopt,
        };
        if nothing_new {
            return Ok(match self.apply(session, &bundle)? {
                ImportOutcome::Applied { keyring, .. } if keyring.is_empty() && adopt.is_empty() => stale(),
                applied => applied,
            });
        }
        let outcome = self.apply(session, &bundle)?;
        if let ImportOutcome::Applied { sender, rows, conflicts, alarm, notices, keyring, .. } = outcome {
            let released = self.release_waiting(session, &sender)?;
            return Ok(ImportOutcome::Applied { sender, rows, conflicts, released, alarm, notices, keyring });
        }
        Ok(outcome)
    }

    pub(super) fn remember(
        &mut self,
        header: &Header,
        kind: &str,
        hash: &str,
        outcome: &str,
        waiting: Option<&[u8]>,
    ) -> Result<(), AppError> {
        let now = timestamp(self.clock.now_utc());
        let range = (header.from_change, header.to_change);
        sync_store::record_bundle(
            self.store.conn(),
            &header.sender,
            kind,
            header.sequence,
            hash,
            range,
            outcome,
            &now,
            waiting,
        )?;
        Ok(())
    }

    /// Applies what set-aside bundles of `sender` now continue; returns how many.
    pub(super) fn release_waiting(&mut self, session: &Session, sender: &str) -> Result<usize, AppError> {
        let mut released = 0;
        loop {
            let watermark = sync_store::incoming(self.store.conn(), sender)?.watermark;
            let Some(next) = sync_store::waiting_bundles(self.store.conn(), sender, watermark)?.into_iter().next()
            else {
                return Ok(released);
            };
            let hash = sha256_hex(&next);
            let Ok(opened) = envelope::open(&next) else {
                self.forget_waiting(sender, &next, &hash, "illisible")?;
                continue;
            };
            let header = opened.header;
            // Clear the waiting copy first (still marked set aside, so it is read again below):
            // whatever happens, it is not tried twice.
            self.remember(&header, "changes", &hash, "mis de côté", None)?;
            match self.import_checked(session, &next) {
                Ok(ImportOutcome::Applied { .. }) => released += 1,
                Ok(_) => {}
                // The import that released it stays applied; this one is logged as refused.
                Err(e) => {
                    self.remember(&header, "changes", &hash, "refusé", None)?;
                    self.forget_waiting(sender, &next, &hash, &e.to_string())?;
                }
            }
        }
    }

    pub(super) fn forget_waiting(&mut self, sender: &str, bytes: &[u8], hash: &str, why: &str) -> Result<(), AppError> {
        let now = timestamp(self.clock.now_utc());
        sync_store::drop_waiting(self.store.conn(), sender, hash)?;
        let file = format!("paquet en attente ({} octets)", bytes.len());
        sync_store::log_import(self.store.conn(), &now, &file, Some(sender), "refusé", why)?;
        Ok(())
    }
}
