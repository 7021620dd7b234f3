//! Sync at the core: the installation's public identity and enrollment, writing a bundle for
//! the parent (or a reply for a supervised site), and reading bundles with every check of
//! DESIGN §5 before anything is decrypted, then applying all of it or none.

use std::io::{Read as _, Write as _};
use std::path::{Path, PathBuf};

use rusqlite::OptionalExtension as _;
use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};

use super::{AppError, Core, Session, audit_act as act};
use crate::domain::applicant::{Applicant, CardHolder};
use crate::domain::certificate::Certificate;
use crate::domain::dossier::{Checklist, Dossier};
use crate::domain::funding::{Decision, Disbursement, FundingLine, Programme};
use crate::domain::project::Project;
use crate::domain::review::DuplicateReview;
use crate::domain::role::Action;
use crate::domain::site::Level;
use crate::domain::transfer::Transfer;
use crate::domain::visit::Visit;
use crate::identity::PublicKeys;
use crate::store::StoreError;
use crate::store::audit::{self, Entry, timestamp};
use crate::store::records::{Arrival, Record, RowMeta, Table, Writer};
use crate::store::site as site_store;
use crate::store::sync::{self as sync_store, Incoming, Peer, Relation};
use crate::store::transfers as transfer_store;
use crate::sync::envelope::{self, Header, Kind, Rotation};
use crate::sync::payload::{self, Ack, FORMAT, KnownSite, Manifest, WireRecord};

/// The public identity file an installation hands to its parent (or children) for enrollment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdentityFile {
    /// `daftar-identity/1`.
    pub format: String,
    /// Site code.
    pub code: String,
    /// Site name.
    pub name: String,
    /// Level code.
    pub level: String,
    /// Province code.
    pub province: Option<String>,
    /// Region code.
    pub region: Option<String>,
    /// The keys.
    pub keys: PublicKeys,
    /// Ed25519 signature (hex) of the same file with an empty signature: the site holds the key.
    pub signature: String,
}

const IDENTITY_FORMAT: &str = "daftar-identity/1";

impl IdentityFile {
    /// The bytes its signature covers (the file with an empty signature).
    pub fn signed_bytes(&self) -> Result<Vec<u8>, AppError> {
        serde_json::to_vec(&IdentityFile { signature: String::new(), ..self.clone() })
            .map_err(|e| AppError::Rule(e.to_string()))
    }
}

/// What an import did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImportOutcome {
    /// Applied: how many rows, how many conflicts queued, and bundles that were waiting and
    /// could now be applied too.
    Applied {
        /// Sender.
        sender: String,
        /// Rows applied.
        rows: usize,
        /// Rows queued as conflicts.
        conflicts: usize,
        /// Bundles set aside earlier and applied now.
        released: usize,
        /// A warning (the sender's history does not continue what was seen).
        alarm: Option<String>,
        /// What the delegation decided about this site's people and reference lists (a
        /// transfer, a duplicate reviewed, a new checklist), one French line each.
        notices: Vec<String>,
    },
    /// Nothing new: already imported or superseded.
    NothingNew {
        /// Why.
        why: String,
    },
    /// A gap: set aside until the missing range arrives.
    SetAside {
        /// The missing range.
        missing: (i64, i64),
    },
}

impl std::fmt::Display for ImportOutcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ImportOutcome::Applied { sender, rows, conflicts, released, alarm, notices } => {
                write!(f, "Paquet de {sender} importé : {rows} enregistrement(s) appliqué(s)")?;
                if *conflicts > 0 {
                    write!(f, ", {conflicts} mis en file de conflits (écran Synchronisation)")?;
                }
                if *released > 0 {
                    write!(f, ", {released} paquet(s) en attente appliqué(s) à la suite")?;
                }
                write!(f, ".")?;
                if let Some(alarm) = alarm {
                    write!(f, " ALERTE : {alarm}")?;
                }
                for notice in notices.iter().take(10) {
                    write!(f, " {notice}.")?;
                }
                if notices.len() > 10 {
                    write!(f, " Et {} autre(s) avis de la délégation (fiches des bénéficiaires).", notices.len() - 10)?;
                }
                Ok(())
            }
            ImportOutcome::NothingNew { why } => write!(f, "Rien de nouveau : {why}"),
            ImportOutcome::SetAside { missing: (from, to) } => write!(
                f,
                "Paquet mis de côté : il manque les modifications {}..{to} (un paquet précédent n'est pas arrivé). \
                 Il sera appliqué dès que le paquet manquant sera importé.",
                from + 1
            ),
        }
    }
}

/// What happened to one file of an import.
#[derive(Debug)]
pub struct ImportLine {
    /// The file.
    pub file: String,
    /// What happened.
    pub result: Result<ImportOutcome, AppError>,
}

/// What an export wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportReport {
    /// The file on the stick.
    pub path: PathBuf,
    /// Its sequence number.
    pub sequence: u64,
    /// The change numbers carried: (from, to].
    pub range: (i64, i64),
    /// Rows carried.
    pub rows: usize,
    /// SHA-256 of the file, hex.
    pub hash: String,
    /// The recipient's code.
    pub recipient: String,
    /// When it was written (RFC 3339).
    pub written_at: String,
    /// Rows carried per table (French name, count).
    pub by_table: Vec<(String, usize)>,
    /// The dossiers transmitted to the commission that it carries: number, applicant id.
    pub transmitted: Vec<(String, String)>,
}

/// Rows per table (French name, count) of a bundle's records, for the bordereau.
fn rows_per_table(records: &[WireRecord]) -> Vec<(String, usize)> {
    Table::ALL
        .iter()
        .map(|t| (t.label_fr().to_owned(), records.iter().filter(|r| r.table == t.name()).count()))
        .filter(|(_, n)| *n > 0)
        .collect()
}

/// The dossiers transmitted to the commission among a bundle's records: number, applicant id.
fn transmitted_dossiers(records: &[WireRecord]) -> Vec<(String, String)> {
    records
        .iter()
        .filter(|r| r.table == Table::Dossiers.name() && r.deleted_at.is_none())
        .filter_map(|r| serde_json::from_str::<Dossier>(r.data.get()).ok())
        .filter(|d| d.status == crate::domain::dossier::Status::Transmis)
        .map(|d| (d.number.to_string(), d.applicant_id.to_string()))
        .collect()
}

/// The sync state shown on the dashboard and the sync screen.
#[derive(Debug, Clone, Default)]
pub struct SyncStatus {
    /// The parent, if pinned.
    pub parent: Option<String>,
    /// Changes written and not acknowledged by the parent.
    pub unacknowledged: i64,
    /// The last bundle written for the parent: when, where.
    pub last_sent: Option<(String, String)>,
    /// The last reply read from the parent: when.
    pub last_reply: Option<String>,
    /// Per supervised site: code, watermark, last bundle applied at.
    pub children: Vec<(String, i64, Option<String>)>,
    /// Bundles waiting for a missing range, per sender.
    pub waiting: Vec<(String, i64)>,
    /// Open conflicts.
    pub conflicts: Vec<sync_store::Conflict>,
}

/// What goes into a bundle being written.
#[derive(Clone, Copy)]
struct Sealing<'a> {
    kind: Kind,
    sequence: u64,
    range: (i64, i64),
    records: &'a [WireRecord],
    ack: Option<Ack>,
    sites: &'a [KnownSite],
    resync: bool,
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Writes `bytes` as `dir/name` the way a USB stick needs: never over an existing file, through
/// `name.partial`, flushed, renamed, flushed, then read back and compared.
pub fn write_to_stick(dir: &Path, name: &str, bytes: &[u8]) -> Result<PathBuf, AppError> {
    let failed = |e: std::io::Error| {
        AppError::Rule(format!("Écriture impossible dans {} : {e}. Vérifiez la clé USB et recommencez.", dir.display()))
    };
    std::fs::create_dir_all(dir).map_err(failed)?;
    let path = dir.join(name);
    if path.exists() {
        return Err(AppError::Rule(format!("{} existe déjà sur la clé : rien n'a été remplacé.", path.display())));
    }
    let partial = dir.join(format!("{name}.partial"));
    {
        let mut file = std::fs::OpenOptions::new().write(true).create_new(true).open(&partial).map_err(failed)?;
        file.write_all(bytes).map_err(failed)?;
        crate::crash_points::reached();
        file.sync_all().map_err(failed)?;
        crate::crash_points::reached();
    }
    std::fs::rename(&partial, &path).map_err(failed)?;
    crate::crash_points::reached();
    // The rename itself must reach the disk (not possible to open a directory on Windows).
    if let Ok(folder) = std::fs::File::open(dir) {
        let _ = folder.sync_all();
    }
    crate::crash_points::reached();
    let mut back = Vec::with_capacity(bytes.len());
    std::fs::File::open(&path).and_then(|mut f| f.read_to_end(&mut back)).map_err(failed)?;
    if sha256_hex(&back) != sha256_hex(bytes) {
        return Err(AppError::Rule(format!(
            "La relecture de {} ne correspond pas à ce qui a été écrit : la clé USB est défectueuse, utilisez-en une autre.",
            path.display()
        )));
    }
    Ok(path)
}

/// Setting: this site asked its parent for a resync and waits for the reply.
const RESYNC_PENDING: &str = "sync.resync_pending";
/// Setting prefix: a supervised site (code follows) asked for a resync.
const RESYNC_ASKED: &str = "sync.resync_asked:";

/// Setting: the statement of this site's last key rotation, sent until the parent has it.
const ROTATION: &str = "sync.rotation";
/// Setting: the statement of this site's last key rotation, kept: every reply carries it.
const LAST_ROTATION: &str = "sync.rotation.last";

/// A refusal: what happened and what to do, in French.
fn refuse(message: impl Into<String>) -> AppError {
    AppError::Refused(crate::domain::role::Refusal(message.into()))
}

impl Core {
    /// The installation's public identity, signed with its key (needs an account holding them).
    pub fn identity_file(&self, session: &Session) -> Result<IdentityFile, AppError> {
        let secrets = session.secrets().ok_or_else(|| {
            AppError::Rule("Exporter l'identité demande un compte qui détient les clés du site.".into())
        })?;
        let site = self.site()?;
        let mut file = IdentityFile {
            format: IDENTITY_FORMAT.into(),
            code: site.code.to_string(),
            name: site.name.clone(),
            level: site.level.code().into(),
            province: site.province_code.clone(),
            region: site.region_code.clone(),
            keys: secrets.public(),
            signature: String::new(),
        };
        file.signature = hex::encode(secrets.sign(&file.signed_bytes()?));
        Ok(file)
    }

    /// The installation's age identity as the `age` tool reads it, for disaster recovery of
    /// bundles and backups without Daftar. Administrators only; audited.
    pub fn age_secret(&mut self, session: &Session) -> Result<String, AppError> {
        session.require(Action::EnrollSites)?;
        let secrets =
            session.secrets().ok_or_else(|| AppError::Rule("Ce compte ne détient pas les clés du site.".into()))?;
        let text = secrets.age_secret_text();
        let now = self.clock.now_utc();
        let content = serde_json::json!({ "exported": "age-identity" }).to_string();
        act(self.store.conn(), now, &session.login, "sync.export-secret", &content)?;
        Ok(text)
    }

    /// Enrolls a site from its identity file, once the fingerprint read on the paper form
    /// matches: a site one level below becomes supervised, one level above becomes our parent.
    pub fn enroll(&mut self, session: &Session, file: &[u8], fingerprint: &str) -> Result<Peer, AppError> {
        session.require(Action::EnrollSites)?;
        let identity: IdentityFile = serde_json::from_slice(file).map_err(|_| {
            AppError::Rule("Ce fichier n'est pas un fichier d'identité Daftar (daftar identity export).".into())
        })?;
        if identity.format != IDENTITY_FORMAT {
            return Err(AppError::Rule(format!("Format d'identité « {} » inconnu.", identity.format)));
        }
        let normalise = |fp: &str| fp.chars().filter(char::is_ascii_hexdigit).collect::<String>().to_lowercase();
        if normalise(fingerprint) != normalise(&identity.keys.fingerprint()) {
            return Err(refuse(format!(
                "L'empreinte saisie ne correspond pas aux clés du fichier de {} : ne l'enrôlez pas et demandez un nouveau fichier.",
                identity.code
            )));
        }
        let signature = hex::decode(&identity.signature).unwrap_or_default();
        if !identity.keys.verify(&identity.signed_bytes()?, &signature) {
            return Err(refuse(format!(
                "Le fichier d'identité de {} n'est pas signé par ses propres clés.",
                identity.code
            )));
        }
        check_site(&identity.code, &identity.name, &identity.level).map_err(|why| {
            refuse(format!("Ce fichier d'identité n'est pas valable : {why}. Demandez un nouveau fichier."))
        })?;
        let site = self.site()?;
        let theirs = Level::parse(&identity.level).map_err(AppError::Rule)?;
        let below = Level::ALL.iter().position(|l| *l == theirs).map(|i| i + 1);
        let ours = Level::ALL.iter().position(|l| *l == site.level);
        let relation = if below == ours {
            let within = match site.level {
                Level::DelegationProvinciale => identity.province == site.province_code,
                Level::DelegationRegionale => identity.region == site.region_code,
                _ => true,
            };
            if !within {
                return Err(refuse(format!(
                    "{} n'est pas dans le ressort de {} (province ou région différente).",
                    identity.code, site.code
                )));
            }
            Relation::Child
        } else if ours.map(|i| i + 1) == Level::ALL.iter().position(|l| *l == theirs) {
            let ours_within = match theirs {
                Level::DelegationProvinciale => identity.province == site.province_code,
                Level::DelegationRegionale => identity.region == site.region_code,
                _ => true,
            };
            if !ours_within {
                return Err(refuse(format!(
                    "{} ne couvre pas {} (province ou région différente) : ce n'est pas sa délégation.",
                    identity.code, site.code
                )));
            }
            Relation::Parent
        } else {
            return Err(refuse(format!(
                "{} ({}) n'est ni juste au-dessus ni juste au-dessous de {} ({}) : rien n'est enrôlé.",
                identity.code,
                theirs.label_fr(),
                site.code,
                site.level.label_fr()
            )));
        };
        if identity.code == site.code.as_str() {
            return Err(refuse("Un site ne s'enrôle pas lui-même."));
        }
        let peer = Peer {
            code: identity.code.clone(),
            name: identity.name.clone(),
            level: identity.level.clone(),
            relation,
            supervisor: (relation == Relation::Child).then(|| site.code.to_string()),
            keys: identity.keys.clone(),
            enrolled_at: timestamp(self.clock.now_utc()),
            revoked: None,
        };
        let now = self.clock.now_utc();
        let previous = sync_store::peer(self.store.conn(), &peer.code)?;
        let tx = self.store.transaction()?;
        if previous.is_some_and(|p| p.keys != peer.keys) {
            // A site re-enrolled with new keys (new PC, lost key) starts a new series of bundles;
            // what the old keys signed can no longer be replayed (their signature fails).
            tx.execute("DELETE FROM bundles_in WHERE sender = ?1", [&peer.code])?;
        }
        sync_store::put_peer(&tx, &peer)?;
        if relation == Relation::Parent {
            site_store::set_parent(&tx, &peer.code)?;
        }
        let content = serde_json::json!({ "site": peer.code, "relation": format!("{relation:?}"), "fingerprint": peer.keys.fingerprint() }).to_string();
        act(&tx, now, &session.login, "sync.enroll", &content)?;
        tx.commit()?;
        Ok(peer)
    }

    /// Revokes a supervised site's key (lost, stolen, forgotten password): its bundles are refused
    /// until it is enrolled again with new keys.
    pub fn revoke_site(&mut self, session: &Session, code: &str, reason: &str) -> Result<(), AppError> {
        session.require(Action::EnrollSites)?;
        if reason.trim().is_empty() {
            return Err(AppError::Rule("Une révocation doit être motivée : indiquez le motif.".into()));
        }
        let now = self.clock.now_utc();
        let tx = self.store.transaction()?;
        if !sync_store::revoke_peer(&tx, code, &timestamp(now), reason.trim())? {
            return Err(AppError::Rule(format!("Aucun site enrôlé de code « {code} ».")));
        }
        let content = serde_json::json!({ "site": code, "reason": reason.trim() }).to_string();
        act(&tx, now, &session.login, "sync.revoke", &content)?;
        tx.commit()?;
        Ok(())
    }

    /// Replaces the site's keys (suspected leak, departure of a key holder): new keys wrapped for
    /// this account (its password is asked again), and a statement signed by the old and the new
    /// key that the next bundles carry to the parent, effective from the next bundle. Other key
    /// holders get the new keys when an administrator resets their password. Log in again after.
    pub fn rotate_keys(&mut self, session: &Session, password: &str) -> Result<String, AppError> {
        session.require(Action::EnrollSites)?;
        let old =
            session.secrets().ok_or_else(|| AppError::Rule("Ce compte ne détient pas les clés du site.".into()))?;
        let conn = self.store.conn();
        let user = site_store::user_by_login(conn, &session.login)?
            .ok_or_else(|| AppError::Rule("Compte introuvable : reconnectez-vous.".into()))?;
        crate::identity::verify_password(password, &user.password_hash)?;
        if site_store::setting(conn, ROTATION)?.is_some() {
            return Err(AppError::Rule(
                "Un changement de clés attend encore que la délégation l'ait reçu : exportez un paquet et lisez sa réponse d'abord.".into(),
            ));
        }
        let site = self.site()?;
        let effective_from = match &site.parent {
            Some(parent) => sync_store::outgoing(conn, parent.as_str())?.next_sequence,
            None => 1,
        };
        let new = crate::identity::SiteSecrets::generate(self.entropy.as_mut());
        let keys = new.public();
        let statement = Rotation::statement(site.code.as_str(), &keys, effective_from);
        let rotation = Rotation {
            site: site.code.to_string(),
            keys: keys.clone(),
            effective_from,
            old_signature: hex::encode(old.sign(&statement)),
            new_signature: hex::encode(new.sign(&statement)),
        };
        let wrapped = new.wrap(&user.login, password, self.kdf, self.entropy.as_mut())?;
        let now = self.clock.now_utc();
        let tx = self.store.transaction()?;
        let key_id = site_store::insert_keys(&tx, &keys, &timestamp(now))?;
        site_store::put_wrap(&tx, &user.id, key_id, &wrapped)?;
        // The other signing accounts get the new keys at their next login, through the old ones.
        site_store::set_sealed_for_previous(&tx, key_id, &new.seal_to(&old.public().age_recipient)?)?;
        super::backup::remember_backup_key(&tx, &new)?;
        let json = serde_json::to_string(&rotation).map_err(|e| AppError::Rule(e.to_string()))?;
        site_store::set_setting(&tx, ROTATION, &json)?;
        site_store::set_setting(&tx, LAST_ROTATION, &json)?;
        let content = serde_json::json!({ "fingerprint": keys.fingerprint(), "from": effective_from }).to_string();
        act(&tx, now, &session.login, "sync.rotate", &content)?;
        tx.commit()?;
        Ok(keys.fingerprint())
    }

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
                    sync_store::unsent_changes(conn, out.acknowledged, &subtree_of(conn, site.code.as_str())?)?;
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
            conflicts: sync_store::open_conflicts(conn)?,
        })
    }

    fn seal_for(&self, session: &Session, recipient: &Peer, content: &Sealing<'_>) -> Result<Vec<u8>, AppError> {
        let Sealing { kind, sequence, range, records, ack, sites, resync } = *content;
        let secrets = session.secrets().ok_or_else(|| {
            AppError::Rule(
                "Signer un paquet demande un compte qui détient les clés du site (chef ou administrateur).".into(),
            )
        })?;
        let site = self.site()?;
        let (audit_seq, audit_hash) = audit::head(self.store.conn())?;
        let manifest = Manifest {
            format: FORMAT.into(),
            kind,
            sender: site.code.to_string(),
            recipient: recipient.code.clone(),
            sequence,
            from_change: range.0,
            to_change: range.1,
            schema: crate::store::SCHEMA_VERSION,
            audit_head: (audit_seq, hex::encode(audit_hash)),
        };
        let plain = payload::encode(&manifest, records, ack, sites).map_err(|e| AppError::Rule(e.to_string()))?;
        let to: age::x25519::Recipient = recipient.keys.age_recipient.parse().map_err(|_| {
            AppError::Rule(format!(
                "La clé de chiffrement de {} est illisible : enrôlez-le de nouveau.",
                recipient.code
            ))
        })?;
        let ciphertext =
            age::encrypt(&to, &plain).map_err(|e| AppError::Rule(format!("Chiffrement impossible : {e}")))?;
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
            ciphertext_len: 0,
            resync,
            // Until the parent has read a bundle signed with the new keys, every bundle says so.
            // Up: until the parent has read a bundle signed with the new keys. Down: always the
            // latest, so a supervised site that has not heard of it yet adopts it.
            rotation: site_store::setting(
                self.store.conn(),
                if kind == Kind::Changes { ROTATION } else { LAST_ROTATION },
            )?
            .and_then(|json| serde_json::from_str(&json).ok()),
        };
        envelope::seal(&header, &ciphertext, |bytes| secrets.sign(bytes)).map_err(AppError::Rule)
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

    /// After a restore or on a new PC (re-enrolled): writes a bundle asking the parent to send
    /// back this site's rows as it holds them. The reply restores them and makes every number
    /// this site gives next continue above what was already issued.
    pub fn request_resync(&mut self, session: &Session, dir: &Path) -> Result<ExportReport, AppError> {
        let report = self.export_changes(session, dir, None, true)?;
        site_store::set_setting(self.store.conn(), RESYNC_PENDING, "1")?;
        report.ok_or_else(|| AppError::Rule("La demande de resynchronisation n'a pas pu être écrite.".into()))
    }

    fn export_changes(
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
                "Ce site n'est rattaché à aucune délégation : enrôlez d'abord la délégation (daftar enroll).".into(),
            )
        })?;
        let conn = self.store.conn();
        let parent = sync_store::peer(conn, &parent_code)?.ok_or_else(|| {
            AppError::Rule(format!(
                "La délégation {parent_code} n'est pas enrôlée ici : importez son fichier d'identité (daftar enroll)."
            ))
        })?;
        let out = sync_store::outgoing(conn, &parent_code)?;
        let to = sync_store::last_change(conn)?.max(out.acknowledged);
        if to <= out.acknowledged && !resync {
            return Ok(None);
        }
        // Up the tree go the rows of this site and of the sites below it, never what came down.
        let own = subtree_of(conn, site.code.as_str())?;
        let records = sync_store::changed_rows(conn, out.acknowledged, to, |_, owner| own.iter().any(|c| c == owner))?;
        let range = (out.acknowledged, to);
        // What this site holds of the parent's publications, so its next reply starts there.
        let from_parent = sync_store::incoming(conn, &parent_code)?;
        let ack = Ack { watermark: from_parent.watermark, last_sequence: from_parent.last_sequence };
        // Up the tree: the identities of the sites below us, so the level above takes their rows.
        let subtree = known_sites(conn, |p| p.relation != Relation::Parent)?;
        let content = Sealing {
            kind: Kind::Changes,
            sequence: out.next_sequence,
            range,
            records: &records,
            ack: Some(ack),
            sites: &subtree,
            resync,
        };
        let bytes = self.seal_for(session, &parent, &content)?;
        let name = format!("{}-{:06}.daftar", site.code, out.next_sequence);
        let hash = sha256_hex(&bytes);
        let now = self.clock.now_utc();
        // The number is taken before the file is written: a crash or a pulled stick burns it, and
        // the next export (cumulative) carries the same changes under the next number — never two
        // different files under one number.
        let tx = self.store.transaction()?;
        sync_store::record_sent(
            &tx,
            &parent_code,
            out.next_sequence,
            range.1,
            &timestamp(now),
            &dir.join(&name).display().to_string(),
        )?;
        let content = serde_json::json!({ "to": parent_code, "sequence": out.next_sequence, "from": range.0, "until": range.1, "sha256": hash }).to_string();
        act(&tx, now, &session.login, "sync.export", &content)?;
        tx.commit()?;
        let path = write_to_stick(dir, &name, &bytes)?;
        // The office's own copy: the stick is what counts (and a backup follows each export),
        // so a copy that cannot be written does not undo the export.
        if let Some(keep) = keep {
            let _ = std::fs::create_dir_all(keep).and_then(|()| std::fs::write(keep.join(&name), &bytes));
        }
        Ok(Some(ExportReport {
            path,
            sequence: out.next_sequence,
            range,
            rows: records.len(),
            hash,
            recipient: parent_code,
            written_at: timestamp(now),
            by_table: rows_per_table(&records),
            transmitted: transmitted_dossiers(&records),
        }))
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
        let keyring = known_sites(conn, |p| p.code != office)?;
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
        let records = if resync {
            let mut rows = sync_store::rows_owned_by(conn, &below)?;
            rows.extend(sync_store::published_for(conn, &below, None)?);
            rows
        } else {
            let mut rows = sync_store::published_for(conn, &below, Some(range))?;
            // A transfer to the office brings it the rows it moves.
            let moved: Vec<_> =
                transfers_in(&rows).filter(|t| below.contains(&t.to_office)).flat_map(|t| t.rows).collect();
            rows.extend(sync_store::moved_rows(conn, &moved, &below)?);
            rows
        };
        let content = Sealing {
            kind: Kind::Reply,
            sequence: out.next_sequence,
            range,
            records: &records,
            ack: Some(ack),
            sites: &keyring,
            resync,
        };
        let bytes = self.seal_for(session, &child, &content)?;
        let site = self.site()?;
        let name = format!("{}-reponse-{}-{:06}.daftar", site.code, office, out.next_sequence);
        let now = self.clock.now_utc();
        // As for exports: the number is taken first, so one number never names two files.
        let tx = self.store.transaction()?;
        sync_store::record_sent(
            &tx,
            &office,
            out.next_sequence,
            range.1,
            &timestamp(now),
            &dir.join(&name).display().to_string(),
        )?;
        let content =
            serde_json::json!({ "to": office, "sequence": out.next_sequence, "watermark": held.watermark }).to_string();
        act(&tx, now, &session.login, "sync.reply", &content)?;
        tx.commit()?;
        let path = write_to_stick(dir, &name, &bytes)?;
        // The resync request is answered once the reply is on the stick (else the next one answers it).
        self.store.conn().execute("DELETE FROM settings WHERE key = ?1", [&resync_key])?;
        Ok(ExportReport {
            path,
            sequence: out.next_sequence,
            range,
            rows: records.len(),
            hash: sha256_hex(&bytes),
            recipient: office,
            written_at: timestamp(now),
            by_table: rows_per_table(&records),
            transmitted: vec![],
        })
    }

    /// Reads files and whole folders of bundles (a folder's `.daftar` files in name order; those
    /// addressed to other sites are left alone, as a stick carries several). One line per file.
    pub fn import_paths(&mut self, session: &Session, paths: &[PathBuf]) -> Result<Vec<ImportLine>, AppError> {
        let here = self.site()?.code.to_string();
        let mut lines = Vec::new();
        for path in paths {
            let (files, in_folder) = if path.is_dir() {
                let mut inside: Vec<PathBuf> = std::fs::read_dir(path)
                    .map_err(|e| AppError::Rule(format!("Lecture du dossier {} impossible : {e}", path.display())))?
                    .flatten()
                    .map(|e| e.path())
                    .filter(|p| p.extension().is_some_and(|e| e == "daftar"))
                    .collect();
                inside.sort();
                (inside, true)
            } else {
                (vec![path.clone()], false)
            };
            for file in files {
                let name = file.display().to_string();
                let result = match std::fs::read(&file) {
                    Err(e) => Err(AppError::Rule(format!("Lecture impossible : {e}"))),
                    Ok(bytes) => {
                        let elsewhere = in_folder
                            .then(|| envelope::open(&bytes).ok().map(|o| o.header.recipient))
                            .flatten()
                            .filter(|recipient| *recipient != here);
                        match elsewhere {
                            Some(recipient) => {
                                Ok(ImportOutcome::NothingNew { why: format!("ignoré (destiné à {recipient}).") })
                            }
                            None => self.import_bundle(session, &bytes, &name),
                        }
                    }
                };
                lines.push(ImportLine { file: name, result });
            }
        }
        // The bilan's facts take in what arrived once for all the files, not at the next bilan.
        if lines.iter().any(|l| matches!(l.result, Ok(ImportOutcome::Applied { .. }))) {
            self.refresh_bilan_facts()?;
        }
        Ok(lines)
    }

    /// Brings the bilan's facts up to date with what was written since they were last read
    /// (the next bilan would, taking the time then); returns how many dossiers were recomputed.
    pub fn refresh_bilan_facts(&mut self) -> Result<usize, AppError> {
        Ok(crate::store::facts::refresh(self.store.conn())?)
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

    fn import_checked(&mut self, session: &Session, bytes: &[u8]) -> Result<ImportOutcome, AppError> {
        // 1. Structure: magic, version, lengths, caps, header.
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
        // 3. Signature, by that site's key: its current one, or the new one its rotation statement
        // (signed by both) announces from the cut-over on.
        // Its cut-over counts bundles going up; a reply may carry it whatever its number.
        let rotation = header.rotation.as_ref().filter(|r| {
            r.site == peer.code
                && header.signer == r.keys.fingerprint()
                && (header.kind == Kind::Reply || header.sequence >= r.effective_from)
        });
        let signing_keys = match rotation {
            Some(r) if r.keys == peer.keys => peer.keys.clone(),
            Some(r) if r.holds(&peer.keys) => r.keys.clone(),
            Some(_) => {
                return Err(refuse(format!(
                    "Paquet refusé : la déclaration de changement de clés de {} n'est pas signée par son ancienne et sa nouvelle clé.",
                    peer.code
                )));
            }
            // A replaced key signs nothing any more (bundles are cumulative: what an old-key
            // bundle carried comes again in the next one).
            None => peer.keys.clone(),
        };
        if !signing_keys.verify(opened.signed, opened.signature) {
            return Err(refuse(format!(
                "Paquet refusé : la signature ne correspond pas aux clés de {} (fichier modifié, signé par un autre site, ou par une clé remplacée).",
                peer.code
            )));
        }
        if let Some(r) = rotation.filter(|r| r.keys != peer.keys) {
            // A verified rotation is adopted at once: the site's next bundles are signed with it.
            sync_store::rotate_peer(conn, &peer.code, &r.keys)?;
            let content =
                serde_json::json!({ "site": peer.code, "fingerprint": r.keys.fingerprint(), "from": r.effective_from })
                    .to_string();
            act(conn, self.clock.now_utc(), &session.login, "sync.rotation", &content)?;
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
            return Err(refuse(
                "Paquet refusé : il vient d'une version plus récente de Daftar. Mettez le programme à jour puis réimportez-le.",
            ));
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
        if header.kind == Kind::Changes {
            if header.to_change <= incoming.watermark {
                self.remember(&header, kind_code, &hash, "rien de nouveau", None)?;
                return Ok(ImportOutcome::NothingNew {
                    why: format!(
                        "les modifications jusqu'à {} de {} sont déjà ici (paquet déjà importé ou remplacé par un plus récent).",
                        header.to_change, header.sender
                    ),
                });
            }
            if header.from_change > incoming.watermark {
                self.remember(&header, kind_code, &hash, "mis de côté", Some(bytes))?;
                return Ok(ImportOutcome::SetAside { missing: (incoming.watermark, header.from_change) });
            }
        }
        // 5. Only now: decrypt, decompress with a cap, read, check the manifest.
        let secrets = session.secrets().ok_or_else(|| {
            AppError::Rule(
                "Lire un paquet demande un compte qui détient les clés du site (chef ou administrateur).".into(),
            )
        })?;
        let plain = age::decrypt(secrets.age_identity(), opened.ciphertext).map_err(|_| {
            refuse("Paquet refusé : il n'est pas chiffré pour la clé actuelle de ce site (ancienne clé, ou autre destinataire). L'émetteur doit enrôler la clé actuelle de ce site (fichier d'identité et empreinte), puis exporter de nouveau.")
        })?;
        let content = payload::decode(&plain).map_err(|e| refuse(format!("Paquet refusé : {e}.")))?;
        if !content.manifest.repeats(&header) {
            return Err(refuse(
                "Paquet refusé : le manifeste chiffré ne répète pas l'en-tête (fichier assemblé frauduleusement).",
            ));
        }
        let outcome = self.apply(session, &header, kind_code, &hash, &incoming, &content)?;
        if let ImportOutcome::Applied { sender, rows, conflicts, alarm, notices, .. } = outcome {
            let released = self.release_waiting(session, &sender)?;
            return Ok(ImportOutcome::Applied { sender, rows, conflicts, released, alarm, notices });
        }
        Ok(outcome)
    }

    fn remember(
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
    fn release_waiting(&mut self, session: &Session, sender: &str) -> Result<usize, AppError> {
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

    fn forget_waiting(&mut self, sender: &str, bytes: &[u8], hash: &str, why: &str) -> Result<(), AppError> {
        let now = timestamp(self.clock.now_utc());
        self.store
            .conn()
            .execute("UPDATE bundles_in SET waiting = NULL WHERE sender = ?1 AND hash = ?2", [sender, hash])?;
        let file = format!("paquet en attente ({} octets)", bytes.len());
        sync_store::log_import(self.store.conn(), &now, &file, Some(sender), "refusé", why)?;
        Ok(())
    }

    /// Validates every record, then applies all of it in one transaction.
    fn apply(
        &mut self,
        session: &Session,
        header: &Header,
        kind: &str,
        hash: &str,
        incoming: &Incoming,
        content: &payload::Payload,
    ) -> Result<ImportOutcome, AppError> {
        let now = self.clock.now_utc();
        let site_code = self.site()?.code.to_string();
        // A large bundle touches every index of every table: give the page cache room for them.
        let large = content.records.len() > 10_000;
        if large {
            self.store.widen_cache(4)?;
        }
        // Everything from here, identities learnt included, is one transaction.
        let tx = self.store.transaction()?;
        learn_sites(&tx, header.kind, &header.sender, &site_code, &content.sites, &timestamp(now))?;
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
                        "Paquet refusé : l'enregistrement {} ({}) est invalide : {e}. Rien n'a été appliqué.",
                        i + 1,
                        record.table
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
            if let Some(cin) = incoming_row.cin() {
                let other: Option<String> = conn
                    .prepare_cached(
                        "SELECT owner FROM applicants WHERE cin = ?1 AND id <> ?2 AND deleted_at IS NULL AND owner <> ?3 LIMIT 1",
                    )?
                    .query_row(rusqlite::params![cin, record.id.to_string(), record.owner], |r| r.get(0))
                    .optional()?;
                if let Some(other) = other {
                    conflicts.push((record, format!("la CIN {cin} est déjà enregistrée par {other}")));
                    continue;
                }
            }
            accepted.push((incoming_row, record));
        }
        let writer = Writer::new(&tx, &site_code, &session.login, now);
        let mut rows = 0;
        let mut applied_rows = Vec::new();
        // One table after the other: each table's indexes stay in the page cache. Each row is
        // serialised and hashed on the other core while the previous ones are written.
        accepted.sort_by_key(|(row, _)| row.table_rank());
        crate::parallel::pipelined(
            &accepted,
            |(row, _)| row.arrival(),
            |(row, record), arrival| {
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
                super::dossiers::follow_decision(&writer, decision, &meta.owner)?;
            }
        }
        let at = timestamp(now);
        for (record, reason) in &conflicts {
            sync_store::queue_conflict(&tx, &at, &header.sender, record, reason)?;
        }
        let mut alarm = None;
        if let Some((seq, head)) = &incoming.audit_head {
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
            audit_head: Some(content.manifest.audit_head.clone()),
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
        })
    }
}

/// What the parent's acknowledgement settles here: a pending resync (numbers continue above
/// what it holds), a rotation statement it has now seen used, the outbox lines it holds.
fn take_parent_ack(
    conn: &rusqlite::Connection,
    site_code: &str,
    parent: &str,
    ack: Ack,
    resyncing: bool,
) -> Result<(), AppError> {
    if resyncing {
        sync_store::continue_numbers_above(conn, site_code, parent, ack.watermark, ack.last_sequence)?;
        conn.execute("DELETE FROM settings WHERE key = ?1", [RESYNC_PENDING])?;
    }
    let rotation: Option<Rotation> =
        site_store::setting(conn, ROTATION)?.and_then(|json| serde_json::from_str(&json).ok());
    if rotation.is_some_and(|r| ack.last_sequence >= r.effective_from) {
        // The parent has read a bundle signed with the new keys: the statement has done its job.
        conn.execute("DELETE FROM settings WHERE key = ?1", [ROTATION])?;
    }
    // Changes numbered at or below what the parent holds but made here after a restore
    // (numbering went back) have not reached it: they move above the watermark first.
    sync_store::renumber_unsent_above(conn, parent, ack.watermark)?;
    sync_store::record_ack(conn, parent, ack.watermark)?;
    sync_store::prune_acknowledged(conn)?;
    Ok(())
}

/// The identities of the known sites that `keep` selects, as they travel.
fn known_sites(conn: &rusqlite::Connection, keep: impl Fn(&Peer) -> bool) -> Result<Vec<KnownSite>, AppError> {
    Ok(sync_store::peers(conn)?
        .into_iter()
        .filter(|p| keep(p))
        .map(|p| {
            let retired = sync_store::retired_keys(conn, &p.code).unwrap_or_default();
            KnownSite {
                code: p.code,
                name: p.name,
                level: p.level,
                supervisor: p.supervisor,
                keys: p.keys,
                revoked: p.revoked,
                retired_ed25519: retired.last().cloned(),
                retired,
            }
        })
        .collect())
}

/// Checks what an identity (a file, or a site in a bundle's keyring) says of a site before it is
/// stored: a valid code, a known level, a name that prints.
fn check_site(code: &str, name: &str, level: &str) -> Result<(), String> {
    crate::domain::codes::SiteCode::parse(code)?;
    Level::parse(level)?;
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 200 || name.chars().any(char::is_control) {
        return Err(format!("le nom du site {code} est vide, trop long ou contient des caractères de contrôle"));
    }
    Ok(())
}

/// Learns the identities a bundle carries: from a child, the sites of its subtree (each must
/// hang below the sender); from the parent, its keyring. A site enrolled here directly, and
/// this site itself, are never replaced by what a bundle says.
fn learn_sites(
    conn: &rusqlite::Connection,
    kind: Kind,
    sender: &str,
    here: &str,
    sites: &[KnownSite],
    now: &str,
) -> Result<(), AppError> {
    let mut pending: Vec<&KnownSite> = sites.iter().collect();
    // Parents before children: a site is accepted once its supervisor is.
    while !pending.is_empty() {
        let before = pending.len();
        let mut rest = Vec::new();
        for site in pending {
            if site.code == here || site.code == sender {
                continue;
            }
            if sync_store::peer(conn, &site.code)?.is_some() {
                // Known already: a bundle never changes a site's keys or place (only enrollment
                // and rotation statements do); it may only report a revocation.
                if let Some((at, reason)) = &site.revoked {
                    sync_store::revoke_peer_once(conn, &site.code, at, reason)?;
                }
                continue;
            }
            check_site(&site.code, &site.name, &site.level).map_err(|why| {
                refuse(format!("Le paquet de {sender} décrit un site invalide ({why}) : il est refusé en entier."))
            })?;
            let placed = match kind {
                Kind::Changes => site.supervisor.as_deref().is_some_and(|s| {
                    subtree_of(conn, sender).map(|codes| codes.iter().any(|c| c == s)).unwrap_or(false)
                }),
                Kind::Reply => true,
            };
            if !placed {
                rest.push(site);
                continue;
            }
            sync_store::put_peer(
                conn,
                &Peer {
                    code: site.code.clone(),
                    name: site.name.clone(),
                    level: site.level.clone(),
                    relation: Relation::Known,
                    supervisor: site.supervisor.clone(),
                    keys: site.keys.clone(),
                    enrolled_at: now.to_owned(),
                    revoked: None,
                },
            )?;
            for old in site.retired.iter().chain(&site.retired_ed25519) {
                sync_store::remember_retired_key(conn, &site.code, old)?;
            }
            if let Some((at, reason)) = &site.revoked {
                sync_store::revoke_peer(conn, &site.code, at, reason)?;
            }
        }
        if rest.len() == before {
            // What hangs nowhere below the sender is ignored.
            return Ok(());
        }
        pending = rest;
    }
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

/// A record read into its domain type, ready to store.
enum ArrivingRow {
    CardHolder(RowMeta, CardHolder),
    Applicant(RowMeta, Applicant),
    Project(RowMeta, Project),
    Dossier(RowMeta, Dossier),
    Decision(RowMeta, Decision),
    FundingLine(RowMeta, FundingLine),
    Disbursement(RowMeta, Disbursement),
    Programme(RowMeta, Programme),
    Visit(RowMeta, Visit),
    Certificate(RowMeta, Box<Certificate>),
    Transfer(RowMeta, Transfer),
    Review(RowMeta, DuplicateReview),
    Checklist(RowMeta, Checklist),
}

fn typed<T: Record>(meta: RowMeta, record: &WireRecord) -> Result<(RowMeta, T), String> {
    let value: T = serde_json::from_str(record.data.get()).map_err(|e| e.to_string())?;
    Ok((meta, value))
}

fn decode_record(table: Table, r: &WireRecord) -> Result<ArrivingRow, String> {
    if r.version < 1 || r.owner.trim().is_empty() || r.owner.len() > 40 {
        return Err("propriétaire ou version invalide".into());
    }
    for stamp in [Some(&r.created_at), Some(&r.updated_at), r.deleted_at.as_ref()].into_iter().flatten() {
        chrono::DateTime::parse_from_rfc3339(stamp).map_err(|_| format!("date « {stamp} » invalide"))?;
    }
    if r.deleted_at.is_some() != r.delete_reason.is_some() {
        return Err("suppression sans motif".into());
    }
    let meta = sync_store::meta_of(r);
    let row = match table {
        Table::CardHolders => typed(meta, r).map(|(m, v)| ArrivingRow::CardHolder(m, v))?,
        Table::Applicants => typed(meta, r).map(|(m, v)| ArrivingRow::Applicant(m, v))?,
        Table::Projects => typed(meta, r).map(|(m, v)| ArrivingRow::Project(m, v))?,
        Table::Dossiers => typed(meta, r).map(|(m, v)| ArrivingRow::Dossier(m, v))?,
        Table::Decisions => typed(meta, r).map(|(m, v)| ArrivingRow::Decision(m, v))?,
        Table::FundingLines => typed(meta, r).map(|(m, v)| ArrivingRow::FundingLine(m, v))?,
        Table::Disbursements => typed(meta, r).map(|(m, v)| ArrivingRow::Disbursement(m, v))?,
        Table::Programmes => typed(meta, r).map(|(m, v)| ArrivingRow::Programme(m, v))?,
        Table::Visits => typed(meta, r).map(|(m, v)| ArrivingRow::Visit(m, v))?,
        Table::Certificates => typed(meta, r).map(|(m, v)| ArrivingRow::Certificate(m, Box::new(v)))?,
        Table::Transfers => typed(meta, r).map(|(m, v)| ArrivingRow::Transfer(m, v))?,
        Table::DuplicateReviews => typed(meta, r).map(|(m, v)| ArrivingRow::Review(m, v))?,
        Table::Checklists => typed(meta, r).map(|(m, v)| ArrivingRow::Checklist(m, v))?,
    };
    match &row {
        ArrivingRow::Transfer(_, t) => t.validate()?,
        ArrivingRow::Review(_, r) => r.validate()?,
        ArrivingRow::Checklist(_, c) => c.check()?,
        _ => {}
    }
    Ok(row)
}

/// The transfers among `records` (those that do not read are refused with their bundle).
fn transfers_in(records: &[WireRecord]) -> impl Iterator<Item = Transfer> + '_ {
    records
        .iter()
        .filter(|r| r.table == Table::Transfers.name())
        .filter_map(|r| serde_json::from_str::<Transfer>(r.data.get()).ok())
}

/// Numbers are given by their owner: another site's series would block or forge its numbers. A
/// dossier keeps its number when a transfer (`moved_to(id)`: the office it went to) moves it.
fn check_numbering(row: &ArrivingRow, moved_to: impl Fn(uuid::Uuid) -> Option<String>) -> Result<(), String> {
    match row {
        ArrivingRow::Dossier(m, d)
            if !d.number.to_string().starts_with(&format!("{}-", m.owner))
                && moved_to(m.id).as_deref() != Some(m.owner.as_str()) =>
        {
            Err(format!("le dossier {} n'est pas numéroté par son propriétaire {}", d.number, m.owner))
        }
        ArrivingRow::Certificate(m, c)
            if !c.number.starts_with(&format!("{}-ATT-", m.owner)) || c.facts.site_code != m.owner =>
        {
            Err(format!("l'attestation {} n'est pas délivrée par son propriétaire {}", c.number, m.owner))
        }
        _ => Ok(()),
    }
}

/// Transfers and duplicate reviews going up are decided by a delegation over offices it
/// supervises: an office never sends one, and a delegation never moves rows outside its subtree.
fn check_arbiter(conn: &rusqlite::Connection, here: &str, row: &ArrivingRow) -> Result<(), String> {
    let (owner, offices) = match row {
        ArrivingRow::Transfer(m, t) => (&m.owner, vec![t.from_office.as_str(), t.to_office.as_str()]),
        ArrivingRow::Review(m, _) => (&m.owner, vec![]),
        _ => return Ok(()),
    };
    let supervises = owner == here
        || sync_store::peer(conn, owner)
            .map_err(|e| e.to_string())?
            .is_some_and(|p| Level::parse(&p.level).is_ok_and(Level::supervises));
    let below = subtree_of(conn, owner).map_err(|e| e.to_string())?;
    if !supervises || offices.iter().any(|o| !below.iter().any(|b| b == o)) {
        return Err(format!("{owner} ne supervise pas les bureaux concernés"));
    }
    Ok(())
}

impl ArrivingRow {
    fn table_rank(&self) -> u8 {
        match self {
            // A transfer first: the rows it moves may come in the same bundle under their new owner.
            ArrivingRow::Transfer(..) => 0,
            ArrivingRow::CardHolder(..) => 1,
            ArrivingRow::Applicant(..) => 2,
            ArrivingRow::Project(..) => 3,
            ArrivingRow::Dossier(..) => 4,
            ArrivingRow::Decision(..) => 5,
            ArrivingRow::FundingLine(..) => 6,
            ArrivingRow::Disbursement(..) => 7,
            ArrivingRow::Programme(..) => 8,
            ArrivingRow::Visit(..) => 9,
            ArrivingRow::Certificate(..) => 10,
            ArrivingRow::Review(..) => 11,
            ArrivingRow::Checklist(..) => 12,
        }
    }

    /// What a person at this site (whose subtree is `own`) should be told of this row, once
    /// applied: a transfer from or to here, a duplicate reviewed about one of ours, a checklist.
    fn notice(&self, conn: &rusqlite::Connection, own: &[String]) -> Result<Option<String>, AppError> {
        let name = |id: uuid::Uuid| -> Result<String, AppError> {
            Ok(crate::store::records::get::<Applicant>(conn, id)?
                .map_or_else(|| id.to_string(), |a| format!("{} (CIN {})", a.value.display_name(), a.value.cin)))
        };
        Ok(match self {
            ArrivingRow::Transfer(m, t)
                if m.deleted_at.is_none() && (own.contains(&t.from_office) || own.contains(&t.to_office)) =>
            {
                Some(format!("{} est transféré(e) de {} à {}", name(t.applicant_id)?, t.from_office, t.to_office))
            }
            ArrivingRow::Review(m, r) if m.deleted_at.is_none() && r.anonymised_on.is_none() => {
                let ours = [(r.first, &r.first_office), (r.second, &r.second_office)]
                    .into_iter()
                    .find(|(_, office)| own.contains(office));
                match ours {
                    Some((id, _)) => Some(format!(
                        "Doublon examiné par {} : {}, {} d'un bénéficiaire de {}",
                        m.owner,
                        name(id)?,
                        r.verdict.label_fr(),
                        r.other_office(id)
                    )),
                    None => None,
                }
            }
            ArrivingRow::Checklist(m, c) if m.deleted_at.is_none() => Some(format!(
                "Liste des pièces « {} » publiée par {} (version {})",
                c.kind.label_fr(),
                m.owner,
                m.version
            )),
            _ => None,
        })
    }

    fn cin(&self) -> Option<String> {
        match self {
            ArrivingRow::Applicant(m, a) if m.deleted_at.is_none() => Some(a.cin.to_string()),
            _ => None,
        }
    }

    /// The row made ready to store (pure work: runs on the other core during an import).
    fn arrival(&self) -> Result<Arrival, StoreError> {
        match self {
            ArrivingRow::CardHolder(m, v) => Arrival::new(m.clone(), v),
            ArrivingRow::Applicant(m, v) => Arrival::new(m.clone(), v),
            ArrivingRow::Project(m, v) => Arrival::new(m.clone(), v),
            ArrivingRow::Dossier(m, v) => Arrival::new(m.clone(), v),
            ArrivingRow::Decision(m, v) => Arrival::new(m.clone(), v),
            ArrivingRow::FundingLine(m, v) => Arrival::new(m.clone(), v),
            ArrivingRow::Disbursement(m, v) => Arrival::new(m.clone(), v),
            ArrivingRow::Programme(m, v) => Arrival::new(m.clone(), v),
            ArrivingRow::Visit(m, v) => Arrival::new(m.clone(), v),
            ArrivingRow::Certificate(m, v) => Arrival::new(m.clone(), v.as_ref()),
            ArrivingRow::Transfer(m, v) => Arrival::new(m.clone(), v),
            ArrivingRow::Review(m, v) => Arrival::new(m.clone(), v),
            ArrivingRow::Checklist(m, v) => Arrival::new(m.clone(), v),
        }
    }

    /// Stores the row; a transfer also moves the rows it names. Returns whether it was applied
    /// (not older than the one held).
    fn receive(&self, w: &Writer<'_>) -> Result<bool, AppError> {
        self.receive_ready(w, &self.arrival()?)
    }

    /// [`ArrivingRow::receive`], the row already made ready (`arrival` is its
    /// [`ArrivingRow::arrival`]).
    fn receive_ready(&self, w: &Writer<'_>, arrival: &Arrival) -> Result<bool, AppError> {
        let applied = w.receive_arrival(arrival)?;
        if let ArrivingRow::Transfer(m, transfer) = self
            && applied
            && m.deleted_at.is_none()
        {
            super::transfers::apply_transfer(w, transfer)?;
        }
        Ok(applied)
    }
}
