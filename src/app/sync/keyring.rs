//! The keyring at the core: what this site knows of the others, as the admission rules read it
//! (`crate::sync::keyring`), the identities a bundle carries, and the changes an admitted bundle
//! makes — each audited and told to the person importing.

use std::collections::BTreeMap;

use crate::app::{AppError, audit_act};
use crate::domain::site::{Level, Site};
use crate::store::site as site_store;
use crate::store::sync::{self as sync_store, Peer, Relation};
use crate::sync::keyring::{HeldSite, Keyring, KeyringChange};
use crate::sync::payload::KnownSite;

/// This site's keyring, read from the store.
pub(super) fn view(conn: &rusqlite::Connection, site: &Site) -> Result<Keyring, AppError> {
    let mut sites = BTreeMap::new();
    for peer in sync_store::peers(conn)? {
        let level = Level::parse(&peer.level).map_err(AppError::Rule)?;
        let retired = sync_store::retired_keys(conn, &peer.code)?;
        let direct = peer.relation != Relation::Known;
        sites.insert(
            peer.code,
            HeldSite {
                level,
                supervisor: peer.supervisor,
                keys: peer.keys,
                retired,
                revoked: peer.revoked.is_some(),
                direct,
                enrolled_at: peer.enrollment.map(|e| e.at),
            },
        );
    }
    let mut own_keys = site_store::all_keys(conn)?;
    own_keys.reverse();
    Ok(Keyring {
        here: site.code.to_string(),
        level: site.level,
        parent: site.parent.as_ref().map(ToString::to_string),
        own_keys,
        sites,
    })
}

/// The identities of the known sites that `keep` selects, as they travel: keys, retired keys,
/// the rotation, enrollment and revocation statements held for each.
pub(super) fn travelling(
    conn: &rusqlite::Connection,
    keep: impl Fn(&Peer) -> bool,
) -> Result<Vec<KnownSite>, AppError> {
    let mut out = Vec::new();
    for p in sync_store::peers(conn)?.into_iter().filter(|p| keep(p)) {
        let retired = sync_store::retired_keys(conn, &p.code)?;
        let rotations = sync_store::rotations(conn, &p.code)?;
        // A revocation made before statements were kept stays here: unsigned, it would be refused.
        let revoked = p.revocation.as_ref().and(p.revoked);
        out.push(KnownSite {
            code: p.code,
            name: p.name,
            level: p.level,
            supervisor: p.supervisor,
            keys: p.keys,
            revoked,
            retired_ed25519: retired.last().cloned(),
            retired,
            rotations,
            revocation: p.revocation,
            enrollment: p.enrollment,
        });
    }
    Ok(out)
}

/// Makes the admitted `changes` in the bundle's transaction, audits each (`by` imported the
/// bundle of `sender`), and returns what to tell the person, one French line each.
pub(super) fn apply(
    conn: &rusqlite::Connection,
    changes: &[KeyringChange],
    sender: &str,
    now: chrono::DateTime<chrono::Utc>,
    by: &str,
) -> Result<Vec<String>, AppError> {
    let at = crate::store::audit::timestamp(now);
    for change in changes {
        let content = match change {
            KeyringChange::Learn { code, name, level, supervisor, keys, retired, enrollment } => {
                sync_store::put_peer(
                    conn,
                    &Peer {
                        code: code.clone(),
                        name: name.clone(),
                        level: level.code().into(),
                        relation: Relation::Known,
                        supervisor: supervisor.clone(),
                        keys: keys.clone(),
                        enrolled_at: at.clone(),
                        revoked: None,
                        revocation: None,
                        enrollment: enrollment.clone(),
                    },
                )?;
                for (old, statement) in retired {
                    sync_store::remember_retired_key(conn, code, old, statement.as_ref())?;
                }
                serde_json::json!({ "from": sender, "learn": code, "supervisor": supervisor, "fingerprint": keys.fingerprint() })
            }
            KeyringChange::Rekey { code, keys, steps } => {
                for (step, statement) in steps {
                    sync_store::rotate_peer(conn, code, step, statement.as_ref())?;
                }
                serde_json::json!({ "from": sender, "rekey": code, "fingerprint": keys.fingerprint(), "statements": steps.iter().filter(|(_, s)| s.is_some()).count() })
            }
            KeyringChange::Reenroll(e) => {
                sync_store::reenroll_peer(conn, e, &at)?;
                serde_json::json!({ "from": sender, "reenroll": e.site, "by": e.supervisor, "at": e.at, "fingerprint": e.keys.fingerprint() })
            }
            KeyringChange::Revoke(r) => {
                sync_store::revoke_peer(conn, r)?;
                serde_json::json!({ "from": sender, "revoke": r.site, "by": r.by, "at": r.at, "reason": r.reason })
            }
        };
        audit_act(conn, now, by, "sync.keyring", &content.to_string())?;
    }
    Ok(changes.iter().map(KeyringChange::notice).collect())
}
