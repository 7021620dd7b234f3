//! The site's public identity, enrollment, revocation and key rotation.

use serde::{Deserialize, Serialize};

use super::keyring;
use super::{LAST_ROTATION, ROTATION, ROTATIONS, refuse};
use crate::app::{AppError, Core, Session, audit_act as act};
use crate::domain::role::Action;
use crate::domain::site::Level;
use crate::identity::PublicKeys;
use crate::store::audit::timestamp;
use crate::store::site as site_store;
use crate::store::sync::{self as sync_store, Peer, Relation};
use crate::sync::envelope::Rotation;
use crate::sync::keyring::{SiteEnrollment, SiteRevocation};

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

    /// Writes the installation's identity file into the folder `dir` (a stick) as
    /// `identite-CODE.json`; returns where, and the fingerprint to read aloud or copy on paper.
    pub fn export_identity(
        &self,
        session: &Session,
        dir: &std::path::Path,
    ) -> Result<(std::path::PathBuf, String), AppError> {
        let identity = self.identity_file(session)?;
        let bytes = serde_json::to_vec_pretty(&identity).map_err(|e| AppError::Rule(e.to_string()))?;
        let path = crate::app::save_in_folder(dir, &format!("identite-{}", identity.code), "json", &bytes)?;
        Ok((path, identity.keys.fingerprint()))
    }

    /// Enrolls a site from its identity file at `path` (see [`Core::enroll`]); the file is read
    /// only when it is a regular file of an identity file's size.
    pub fn enroll_from_file(
        &mut self,
        session: &Session,
        path: &std::path::Path,
        fingerprint: &str,
    ) -> Result<Peer, AppError> {
        use std::io::Read as _;
        const MAX_IDENTITY_FILE: u64 = 64 * 1024;
        session.require(Action::EnrollSites)?;
        let failed = |e: std::io::Error| {
            AppError::Rule(format!("Lecture de {} impossible : {}.", path.display(), crate::app::io_message(&e)))
        };
        let meta = std::fs::metadata(path).map_err(failed)?;
        if !meta.is_file() || meta.len() > MAX_IDENTITY_FILE {
            return Err(AppError::Rule(format!(
                "{} n'est pas un fichier d'identité Daftar (un petit fichier identite-CODE.json) : rien n'a été lu.",
                path.display()
            )));
        }
        let mut bytes = Vec::new();
        std::fs::File::open(path).and_then(|f| f.take(MAX_IDENTITY_FILE).read_to_end(&mut bytes)).map_err(failed)?;
        self.enroll(session, &bytes, fingerprint)
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
            AppError::Rule("Ce fichier n'est pas un fichier d'identité Daftar (le fichier identite-CODE.json que l'autre site a exporté).".into())
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
        crate::sync::keyring::check_site(&identity.code, &identity.name, &identity.level).map_err(|why| {
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
        let now = self.clock.now_utc();
        // A supervised site's enrollment is signed, so that the levels above take its keys from
        // this site alone (a site enrolled again after a lost key has new ones).
        let enrollment = match relation {
            Relation::Child => {
                let secrets = session.secrets().ok_or_else(|| {
                    AppError::Rule(
                        "Enrôler un site demande un compte qui détient les clés du site (administrateur).".into(),
                    )
                })?;
                let mut statement = SiteEnrollment {
                    site: identity.code.clone(),
                    level: identity.level.clone(),
                    supervisor: site.code.to_string(),
                    keys: identity.keys.clone(),
                    at: timestamp(now),
                    signature: String::new(),
                };
                statement.signature = hex::encode(secrets.sign(&statement.statement()));
                Some(statement)
            }
            _ => None,
        };
        let peer = Peer {
            code: identity.code.clone(),
            name: identity.name.clone(),
            level: identity.level.clone(),
            relation,
            supervisor: (relation == Relation::Child).then(|| site.code.to_string()),
            keys: identity.keys.clone(),
            enrolled_at: timestamp(now),
            revoked: None,
            revocation: None,
            enrollment,
        };
        let previous = sync_store::peer(self.store.conn(), &peer.code)?;
        let tx = self.store.transaction()?;
        if previous.is_some_and(|p| p.keys != peer.keys) {
            // A site re-enrolled with new keys (new PC, lost key) starts a new series of bundles;
            // what the old keys signed can no longer be replayed (their signature fails).
            sync_store::forget_bundles_from(&tx, &peer.code)?;
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

    /// Revokes the key of a site enrolled here or below (lost, stolen, forgotten password): its
    /// bundles are refused until it is enrolled again with new keys. The revocation is signed
    /// with this site's key, so that every site it travels to can check who made it.
    pub fn revoke_site(&mut self, session: &Session, code: &str, reason: &str) -> Result<(), AppError> {
        session.require(Action::EnrollSites)?;
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(AppError::Rule("Une révocation doit être motivée : indiquez le motif.".into()));
        }
        if let Some(why) = crate::domain::text::problem("Motif", reason, crate::domain::text::NOTE) {
            return Err(AppError::Rule(why));
        }
        let secrets = session.secrets().ok_or_else(|| {
            AppError::Rule("Révoquer une clé demande un compte qui détient les clés du site (administrateur).".into())
        })?;
        let site = self.site()?;
        let conn = self.store.conn();
        let peer = sync_store::peer(conn, code)?
            .ok_or_else(|| AppError::Rule(format!("Aucun site enrôlé de code « {code} ».")))?;
        if !keyring::view(conn, &site)?.is_above(site.code.as_str(), code) {
            return Err(refuse(format!(
                "{code} n'a pas été enrôlé par {} ni par un site qu'il supervise : seul le site qui l'a enrôlé (ou un site au-dessus) peut révoquer sa clé.",
                site.code
            )));
        }
        let now = self.clock.now_utc();
        let mut revocation = SiteRevocation {
            site: peer.code.clone(),
            key: peer.keys.ed25519.clone(),
            by: site.code.to_string(),
            at: timestamp(now),
            reason: reason.to_owned(),
            signature: String::new(),
        };
        revocation.signature = hex::encode(secrets.sign(&revocation.statement()));
        let tx = self.store.transaction()?;
        sync_store::revoke_peer(&tx, &revocation)?;
        let content = serde_json::json!({ "site": code, "reason": reason }).to_string();
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
        crate::app::backup::remember_backup_key(&tx, &new)?;
        let json = serde_json::to_string(&rotation).map_err(|e| AppError::Rule(e.to_string()))?;
        // Up, until the parent has read a bundle signed with the new keys (a site without a
        // parent has no one to tell); down, every reply carries the whole chain.
        if site.parent.is_some() {
            site_store::set_setting(&tx, ROTATION, &json)?;
        }
        let mut chain = own_rotations(&tx)?;
        chain.push(rotation);
        let chain = serde_json::to_string(&chain).map_err(|e| AppError::Rule(e.to_string()))?;
        site_store::set_setting(&tx, ROTATIONS, &chain)?;
        let content = serde_json::json!({ "fingerprint": keys.fingerprint(), "from": effective_from }).to_string();
        act(&tx, now, &session.login, "sync.rotate", &content)?;
        tx.commit()?;
        Ok(keys.fingerprint())
    }
}

/// Every rotation statement of this site, oldest first (before Daftar 0.2 only the last was
/// kept).
pub(super) fn own_rotations(conn: &rusqlite::Connection) -> Result<Vec<Rotation>, AppError> {
    if let Some(chain) = site_store::setting(conn, ROTATIONS)? {
        return Ok(serde_json::from_str(&chain).unwrap_or_default());
    }
    Ok(site_store::setting(conn, LAST_ROTATION)?
        .and_then(|json| serde_json::from_str(&json).ok())
        .into_iter()
        .collect())
}
