//! Who may change a keyring, and how (DESIGN §5, `docs/SECURITY.md`): the decision on the
//! identities a bundle carries, as a pure function of what this site already holds.
//!
//! A site's key enters a keyring only by
//! - enrollment, with the fingerprint compared on paper (not here: `app::sync::identity`); the
//!   enrolling site signs a [`SiteEnrollment`] that travels, so that the levels above accept the
//!   new keys of a site enrolled again (after a lost key) from no one but its enrolling site;
//! - a rotation statement signed by that site's old and new keys ([`Rotation`]);
//! - the keyring of this site's own enrolling parent, in a signed reply going down — for the
//!   sites outside this site's own subtree (below it, this site and its children know better);
//! - going up, the list a delegation sends of the sites of its own subtree, accepted only for
//!   sites not already known under another supervisor, each below its supervisor's level.
//!
//! A revocation is a [`SiteRevocation`] signed by the site that enrolled the revoked one or by a
//! site above it. Anything else that would touch the keyring refuses the whole bundle
//! ([`KeyringRefusal`] names the site concerned). Nothing here reads a database or a clock.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::envelope::Rotation;
use super::payload::KnownSite;
use crate::domain::site::Level;
use crate::identity::PublicKeys;

/// Whether `signature` (hex) is the Ed25519 signature of `statement` by one of `keys`.
fn signed(statement: &[u8], signature: &str, keys: &[PublicKeys]) -> bool {
    hex::decode(signature).is_ok_and(|sig| keys.iter().any(|k| k.verify(statement, &sig)))
}

/// A site's key revoked by the site that enrolled it (or one above it), signed by that site so
/// that every installation it reaches can check who revoked it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiteRevocation {
    /// The revoked site.
    pub site: String,
    /// The signing key revoked (hex Ed25519): its current one when it was revoked.
    pub key: String,
    /// The site that revoked it.
    pub by: String,
    /// When (UTC, RFC 3339).
    pub at: String,
    /// Why.
    pub reason: String,
    /// Ed25519 signature (hex) by `by` of [`SiteRevocation::statement`].
    pub signature: String,
}

impl SiteRevocation {
    /// The bytes the revoking site signs.
    pub fn statement(&self) -> Vec<u8> {
        format!("DAFTAR-REVOCATION1|{}|{}|{}|{}|{}", self.site, self.key, self.by, self.at, self.reason).into_bytes()
    }
}

/// A site enrolled (or enrolled again, with new keys after a lost one) by its supervisor, as the
/// supervisor signed it: the levels above take the new keys of a known site from it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiteEnrollment {
    /// The site enrolled.
    pub site: String,
    /// Its level.
    pub level: String,
    /// The site that enrolled it, and signs this.
    pub supervisor: String,
    /// Its keys, as compared on paper.
    pub keys: PublicKeys,
    /// When (UTC, RFC 3339).
    pub at: String,
    /// Ed25519 signature (hex) by `supervisor` of [`SiteEnrollment::statement`].
    pub signature: String,
}

impl SiteEnrollment {
    /// The bytes the enrolling site signs.
    pub fn statement(&self) -> Vec<u8> {
        format!(
            "DAFTAR-ENROLLMENT1|{}|{}|{}|{}|{}|{}",
            self.site, self.level, self.supervisor, self.keys.ed25519, self.keys.age_recipient, self.at
        )
        .into_bytes()
    }
}

/// What this site holds of one site it knows, as the decision reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeldSite {
    /// Its level.
    pub level: Level,
    /// The site that enrolled it, when known.
    pub supervisor: Option<String>,
    /// Its current keys.
    pub keys: PublicKeys,
    /// Its previous signing keys (hex Ed25519) since it was last enrolled.
    pub retired: Vec<String>,
    /// Whether its key is revoked here.
    pub revoked: bool,
    /// Enrolled here on paper (this site's parent or one of its supervised sites): never
    /// replaced by what a bundle says.
    pub direct: bool,
    /// When its enrolling site signed its latest enrollment held here, if one is.
    pub enrolled_at: Option<String>,
}

impl HeldSite {
    /// Its current key and the signing keys it had before.
    fn all_keys(&self) -> Vec<PublicKeys> {
        std::iter::once(self.keys.clone())
            .chain(self.retired.iter().map(|k| PublicKeys { ed25519: k.clone(), age_recipient: String::new() }))
            .collect()
    }
}

/// This site's keyring, as the decision reads it.
#[derive(Debug, Clone)]
pub struct Keyring {
    /// This site's code.
    pub here: String,
    /// This site's level.
    pub level: Level,
    /// This site's parent, if pinned.
    pub parent: Option<String>,
    /// This site's own keys, current first (a statement it signed may come back to it).
    pub own_keys: Vec<PublicKeys>,
    /// The sites it knows, by code.
    pub sites: BTreeMap<String, HeldSite>,
}

/// Which way the bundle goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Way {
    /// Changes from a supervised site.
    Up,
    /// A reply from this site's parent.
    Down,
}

/// A change the bundle makes to the keyring, once every site it lists has been admitted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyringChange {
    /// A site not known before.
    Learn {
        /// Its code.
        code: String,
        /// Its name.
        name: String,
        /// Its level.
        level: Level,
        /// The site that enrolled it.
        supervisor: Option<String>,
        /// Its keys.
        keys: PublicKeys,
        /// Its previous signing keys (its old certificates still verify), each with the
        /// statement that retired it when one came.
        retired: Vec<(String, Option<Rotation>)>,
        /// Its enrolling site's statement, when one came.
        enrollment: Option<SiteEnrollment>,
    },
    /// New keys for a known site; the previous signing key is kept for its old certificates.
    Rekey {
        /// Its code.
        code: String,
        /// Its new keys.
        keys: PublicKeys,
        /// The keys each replaced key gave way to, oldest first, with their statements.
        steps: RotationSteps,
    },
    /// A known site enrolled again by its enrolling site (a lost key): new keys, its revocation
    /// lifted, what its old keys signed vouched for no more.
    Reenroll(SiteEnrollment),
    /// A revocation signed by a site allowed to make it.
    Revoke(SiteRevocation),
}

impl KeyringChange {
    /// What a person at this site is told of it, in French.
    pub fn notice(&self) -> String {
        match self {
            KeyringChange::Learn { code, level, supervisor, .. } => format!(
                "Site {code} ({}) ajouté au trousseau{}",
                level.label_fr(),
                supervisor.as_ref().map(|s| format!(", enrôlé par {s}")).unwrap_or_default()
            ),
            KeyringChange::Rekey { code, keys, .. } => {
                format!("Nouvelles clés de {code} adoptées (empreinte {})", keys.fingerprint())
            }
            KeyringChange::Reenroll(e) => format!(
                "Site {} enrôlé de nouveau par {} le {} (empreinte {})",
                e.site,
                e.supervisor,
                day_fr(&e.at),
                e.keys.fingerprint()
            ),
            KeyringChange::Revoke(r) => {
                format!("CLÉ RÉVOQUÉE : {} par {} le {} ({})", r.site, r.by, day_fr(&r.at), r.reason)
            }
        }
    }

    /// Makes the change in `view`, so that what follows in the same bundle reads it.
    fn apply_to(&self, view: &mut Keyring) {
        match self {
            KeyringChange::Learn { code, level, supervisor, keys, retired, enrollment, .. } => {
                view.sites.insert(
                    code.clone(),
                    HeldSite {
                        level: *level,
                        supervisor: supervisor.clone(),
                        keys: keys.clone(),
                        retired: retired.iter().map(|(k, _)| k.clone()).collect(),
                        revoked: false,
                        direct: false,
                        enrolled_at: enrollment.as_ref().map(|e| e.at.clone()),
                    },
                );
            }
            KeyringChange::Rekey { code, keys, .. } => {
                if let Some(held) = view.sites.get_mut(code) {
                    let old = std::mem::replace(&mut held.keys, keys.clone());
                    held.retired.push(old.ed25519);
                }
            }
            KeyringChange::Reenroll(e) => {
                if let Some(held) = view.sites.get_mut(&e.site) {
                    held.keys = e.keys.clone();
                    held.retired.clear();
                    held.revoked = false;
                    held.enrolled_at = Some(e.at.clone());
                }
            }
            KeyringChange::Revoke(r) => {
                if let Some(held) = view.sites.get_mut(&r.site) {
                    held.revoked = true;
                }
            }
        }
    }
}

/// `2026-12-06T…` as `06/12/2026` (the text as it came when it does not read as a date).
fn day_fr(stamp: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(stamp).map_or_else(|_| stamp.to_owned(), |t| t.format("%d/%m/%Y").to_string())
}

/// Why a bundle's identities are refused: the site concerned, and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("il modifierait le trousseau de clés pour le site {site} : {why}")]
pub struct KeyringRefusal {
    /// The site the bundle says something about.
    pub site: String,
    /// What is wrong, in French.
    pub why: String,
}

fn refusal(site: &str, why: impl Into<String>) -> KeyringRefusal {
    KeyringRefusal { site: site.to_owned(), why: why.into() }
}

impl Keyring {
    /// Whether `ancestor` enrolled `code` or stands above the site that did, as known here
    /// (this site's own supervisor is its parent).
    pub fn is_above(&self, ancestor: &str, code: &str) -> bool {
        let mut current = code.to_owned();
        for _ in 0..=self.sites.len() {
            let next = if current == self.here {
                self.parent.clone()
            } else {
                self.sites.get(&current).and_then(|s| s.supervisor.clone())
            };
            match next {
                Some(up) if up == ancestor => return true,
                Some(up) => current = up,
                None => return false,
            }
        }
        false
    }

    /// Whether `site` only repeats what is held here: a known site, under the same supervisor,
    /// with its current keys or keys it had before, revoked only if it is revoked here.
    fn echoes(&self, site: &KnownSite) -> bool {
        self.sites.get(&site.code).is_some_and(|held| {
            held.supervisor == site.supervisor
                && (held.keys == site.keys || held.retired.contains(&site.keys.ed25519))
                && (held.revoked || (site.revoked.is_none() && site.revocation.is_none()))
        })
    }

    /// Whether `code` is this site or below it.
    fn is_ours(&self, code: &str) -> bool {
        code == self.here || self.is_above(&self.here, code)
    }

    /// Every signing key known for `code`, current first.
    fn keys_of(&self, code: &str) -> Vec<PublicKeys> {
        if code == self.here {
            return self.own_keys.clone();
        }
        self.sites.get(code).map_or_else(Vec::new, HeldSite::all_keys)
    }

    /// Whether `e` enrolls `site` afresh: signed by the site that enrolled it (as held here),
    /// for the keys and place listed, not older than the enrollment held here.
    fn enrolls_again(&self, site: &KnownSite, held: &HeldSite, e: &SiteEnrollment) -> bool {
        e.site == site.code
            && e.keys == site.keys
            && Some(&e.supervisor) == site.supervisor.as_ref()
            && held.supervisor.as_ref() == Some(&e.supervisor)
            && e.level == site.level
            && held.enrolled_at.as_ref().is_none_or(|at| e.at >= *at)
            && signed(&e.statement(), &e.signature, &self.keys_of(&e.supervisor))
    }
}

/// Checks what an identity says of a site before it is stored: a code written exactly as a site
/// code is (`BL-TIZNIT`, not `bl-tiznit` nor `BL-TIZNIT` followed by an invisible space: a
/// lookalike would pass for the real site on screen), a known level, a name that prints.
pub fn check_site(code: &str, name: &str, level: &str) -> Result<Level, String> {
    exact_code(code)?;
    let level = Level::parse(level)?;
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 200 || name.chars().any(crate::domain::text::is_forbidden) {
        return Err(format!("le nom du site {code} est vide, trop long ou contient des caractères de contrôle"));
    }
    Ok(level)
}

/// Refuses a site code not written in its exact form.
fn exact_code(code: &str) -> Result<(), String> {
    let parsed = crate::domain::codes::SiteCode::parse(code)?;
    if parsed.as_str() != code {
        return Err(format!(
            "le code « {} » n'est pas écrit sous sa forme exacte ({})",
            code.escape_debug(),
            parsed.as_str()
        ));
    }
    Ok(())
}

/// The keys a site went through, oldest first, each with the statement that proves it.
pub type RotationSteps = Vec<(PublicKeys, Option<Rotation>)>;

/// Follows `statements` from `from` to `to`: each must be signed by the keys it replaces and by
/// the keys it brings. The steps taken, or `None` when the chain does not reach `to`.
pub fn rotation_chain(
    code: &str,
    from: &PublicKeys,
    to: &PublicKeys,
    statements: &[Rotation],
) -> Option<RotationSteps> {
    let mut current = from.clone();
    let mut steps = Vec::new();
    for statement in statements {
        if statement.site == code && statement.keys != current && statement.holds(&current) {
            current = statement.keys.clone();
            steps.push((current.clone(), Some(statement.clone())));
        }
    }
    (current == *to).then_some(steps)
}

/// Decides what the identities `listed` in a bundle from `sender` going `way` change in
/// `keyring`: every change, or the refusal of the whole bundle.
pub fn admit(
    keyring: &Keyring,
    way: Way,
    sender: &str,
    listed: &[KnownSite],
) -> Result<Vec<KeyringChange>, KeyringRefusal> {
    let Some(sender_site) = keyring.sites.get(sender) else {
        return Err(refusal(sender, "l'émetteur n'est pas enrôlé ici"));
    };
    if way == Way::Up && !sender_site.level.supervises() {
        // An office enrolls no one. The previous version sent back what its parent had taught
        // it: such an echo of what is held here is read; anything else refuses the bundle.
        if let Some(site) = listed.iter().find(|s| !keyring.echoes(s)) {
            return Err(refusal(
                &site.code,
                format!(
                    "un bureau ne transmet jamais d'identités de sites ({sender} en décrit une qui ne correspond pas au trousseau d'ici)"
                ),
            ));
        }
        return Ok(vec![]);
    }
    let mut view = keyring.clone();
    let mut changes = Vec::new();
    let mut revocations = Vec::new();
    let mut pending: Vec<(&KnownSite, Level)> = Vec::new();
    for site in listed {
        let level = check_site(&site.code, &site.name, &site.level).map_err(|why| refusal(&site.code, why))?;
        if let Some(supervisor) = &site.supervisor {
            exact_code(supervisor).map_err(|why| refusal(&site.code, why))?;
        }
        if site.code == keyring.here || site.code == sender {
            // A bundle never describes its sender or its recipient; an older version's echo of
            // what is already held changes nothing.
            let same = keyring.sites.get(&site.code).is_some_and(|h| h.keys == site.keys);
            if way == Way::Up && !same && site.code == sender {
                return Err(refusal(&site.code, "un paquet ne change jamais les clés de son propre émetteur"));
            }
            continue;
        }
        match &site.revocation {
            Some(r) if r.site != site.code => {
                return Err(refusal(&site.code, format!("la révocation jointe concerne {}", r.site.escape_debug())));
            }
            Some(r) => revocations.push(r.clone()),
            None if site.revoked.is_some() && !keyring.sites.get(&site.code).is_some_and(|h| h.revoked) => {
                return Err(refusal(
                    &site.code,
                    "révocation sans déclaration signée par le site qui l'a enrôlé (version de Daftar antérieure à 0.2 ? mettez-la à jour)",
                ));
            }
            None => {}
        }
        match view.sites.get(&site.code) {
            Some(held) => {
                if let Some(change) = admit_known(&view, way, sender, site, level, held)? {
                    change.apply_to(&mut view);
                    changes.push(change);
                }
            }
            None => pending.push((site, level)),
        }
    }
    // New sites, parents before children: a site is placed once its supervisor is. Going down,
    // what the parent holds below this site is left to this site's own enrollments.
    let mut left_below: BTreeSet<String> = BTreeSet::new();
    while !pending.is_empty() {
        let before = pending.len();
        let mut rest = Vec::new();
        for (site, level) in pending {
            if way == Way::Down && site.supervisor.is_none() && level > sender_site.level {
                // Above the parent (its own parent): the top of what it knows.
                let change = learn(site, level);
                change.apply_to(&mut view);
                changes.push(change);
                continue;
            }
            let supervisor_code = site.supervisor.clone().unwrap_or_default();
            if way == Way::Down && (keyring.is_ours(&supervisor_code) || left_below.contains(&supervisor_code)) {
                left_below.insert(site.code.clone());
                continue;
            }
            let supervisor = site.supervisor.as_deref().and_then(|s| {
                (s == keyring.here).then_some(keyring.level).or_else(|| view.sites.get(s).map(|h| h.level))
            });
            let Some(supervisor_level) = supervisor else {
                rest.push((site, level));
                continue;
            };
            if way == Way::Up && supervisor_code != sender && !view.is_above(sender, &supervisor_code) {
                return Err(refusal(&site.code, format!("il ne dépend pas de {sender}")));
            }
            if level >= supervisor_level || !supervisor_level.supervises() {
                return Err(refusal(
                    &site.code,
                    format!("un site de niveau {} ne peut pas dépendre de {supervisor_code}", level.label_fr()),
                ));
            }
            let change = learn(site, level);
            change.apply_to(&mut view);
            changes.push(change);
        }
        if rest.len() == before {
            let (site, _) = rest[0];
            let why = match (way, &site.supervisor) {
                (Way::Up, Some(s)) => format!("son superviseur {s} n'est ni {sender} ni un site de son ressort"),
                (Way::Up, None) => format!("aucun superviseur n'est indiqué (il ne dépend pas de {sender})"),
                (Way::Down, Some(s)) => format!("son superviseur {s} n'est connu nulle part"),
                (Way::Down, None) => "aucun superviseur n'est indiqué".to_owned(),
            };
            return Err(refusal(&site.code, why));
        }
        pending = rest;
    }
    for revocation in revocations {
        if let Some(change) = admit_revocation(&view, way, sender, revocation)? {
            change.apply_to(&mut view);
            changes.push(change);
        }
    }
    Ok(changes)
}

/// The change that learns `site`: its retired keys paired, from the newest, with the rotation
/// statements that retired them (older rotations may have come without one).
fn learn(site: &KnownSite, level: Level) -> KeyringChange {
    let mut retired: Vec<(String, Option<Rotation>)> =
        site.retired.iter().chain(&site.retired_ed25519).map(|k| (k.clone(), None)).collect();
    retired.dedup_by(|a, b| a.0 == b.0);
    for (slot, statement) in retired.iter_mut().rev().zip(site.rotations.iter().rev()) {
        slot.1 = Some(statement.clone());
    }
    KeyringChange::Learn {
        code: site.code.clone(),
        name: site.name.trim().to_owned(),
        level,
        supervisor: site.supervisor.clone(),
        keys: site.keys.clone(),
        retired,
        enrollment: site.enrollment.clone().filter(|e| e.site == site.code && e.keys == site.keys),
    }
}

/// A site already known: nothing, a rotation that its statements prove, an enrollment afresh
/// signed by its enrolling site, or (down, outside this site's subtree) the parent's keys for it.
fn admit_known(
    view: &Keyring,
    way: Way,
    sender: &str,
    site: &KnownSite,
    level: Level,
    held: &HeldSite,
) -> Result<Option<KeyringChange>, KeyringRefusal> {
    let same_place = held.supervisor == site.supervisor && held.level == level;
    let inside_sender = way == Way::Up && view.is_above(sender, &site.code);
    let outside_ours = way == Way::Down && !held.direct && !view.is_ours(&site.code);
    if let Some(e) = &site.enrollment
        && (inside_sender || outside_ours)
        && (held.keys != site.keys || held.revoked)
        && view.enrolls_again(site, held, e)
    {
        return Ok(Some(KeyringChange::Reenroll(e.clone())));
    }
    if held.keys == site.keys && (same_place || held.direct) {
        return Ok(None);
    }
    match way {
        Way::Up => {
            if !inside_sender {
                if view.echoes(site) {
                    return Ok(None);
                }
                return Err(refusal(
                    &site.code,
                    format!(
                        "il est connu ici sous {} et non sous {sender}",
                        held.supervisor.as_deref().unwrap_or("aucun superviseur")
                    ),
                ));
            }
            if !same_place {
                return Err(refusal(&site.code, "un paquet ne déplace jamais un site dans l'arbre"));
            }
            if held.retired.contains(&site.keys.ed25519) {
                // Keys it had before: the sender has not heard of a later rotation yet.
                return Ok(None);
            }
            rotation_chain(&site.code, &held.keys, &site.keys, &site.rotations)
                .map(|steps| Some(KeyringChange::Rekey { code: site.code.clone(), keys: site.keys.clone(), steps }))
                .ok_or_else(|| {
                    refusal(
                        &site.code,
                        "de nouvelles clés sans déclaration de changement signée par l'ancienne et la nouvelle clé, ni nouvel enrôlement signé par le site qui l'a enrôlé",
                    )
                })
        }
        // The parent's keyring has the last word outside this site's subtree; inside it, and for
        // the sites enrolled here on paper, this site knows better (its parent may be behind).
        Way::Down if !outside_ours || held.keys == site.keys => Ok(None),
        Way::Down => {
            if held.retired.contains(&site.keys.ed25519) {
                // An older key than the one held: the parent has not heard of the rotation yet.
                return Ok(None);
            }
            let steps = rotation_chain(&site.code, &held.keys, &site.keys, &site.rotations)
                .unwrap_or_else(|| vec![(site.keys.clone(), None)]);
            Ok(Some(KeyringChange::Rekey { code: site.code.clone(), keys: site.keys.clone(), steps }))
        }
    }
}

/// A revocation: signed by a site that enrolled the revoked one or stands above it, and, going
/// up, made within the sender's subtree.
fn admit_revocation(
    view: &Keyring,
    way: Way,
    sender: &str,
    r: SiteRevocation,
) -> Result<Option<KeyringChange>, KeyringRefusal> {
    let Some(held) = view.sites.get(&r.site) else {
        return Err(refusal(&r.site, "révocation d'un site inconnu ici"));
    };
    if held.revoked {
        return Ok(None);
    }
    if !view.is_above(&r.by, &r.site) {
        if way == Way::Down {
            // The parent passes on what it took; where this site cannot see the revoker above
            // the revoked site, it does not apply it (and nothing else changes).
            return Ok(None);
        }
        return Err(refusal(
            &r.site,
            format!(
                "{} ne l'a pas enrôlé et n'est pas au-dessus du site qui l'a fait : il ne peut pas le révoquer",
                r.by
            ),
        ));
    }
    if way == Way::Up && r.by != sender && !view.is_above(sender, &r.by) {
        return Err(refusal(&r.site, format!("la révocation par {} ne vient pas du ressort de {sender}", r.by)));
    }
    if !signed(&r.statement(), &r.signature, &view.keys_of(&r.by)) {
        return Err(refusal(&r.site, format!("la révocation n'est pas signée par {}", r.by)));
    }
    if r.key != held.keys.ed25519 && !held.retired.contains(&r.key) {
        // It revokes keys the site had before it was enrolled again: it is lifted already.
        return Ok(None);
    }
    Ok(Some(KeyringChange::Revoke(r)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(n: u8) -> (crate::identity::SiteSecrets, PublicKeys) {
        let mut entropy = crate::clock::SeededEntropy::new(u64::from(n));
        let secrets = crate::identity::SiteSecrets::generate(&mut entropy);
        let public = secrets.public();
        (secrets, public)
    }

    fn held(level: Level, supervisor: Option<&str>, keys: &PublicKeys, direct: bool) -> HeldSite {
        HeldSite {
            level,
            supervisor: supervisor.map(str::to_owned),
            keys: keys.clone(),
            retired: vec![],
            revoked: false,
            direct,
            enrolled_at: None,
        }
    }

    fn listed(code: &str, level: Level, supervisor: &str, keys: &PublicKeys) -> KnownSite {
        KnownSite {
            code: code.into(),
            name: format!("Site {code}"),
            level: level.code().into(),
            supervisor: Some(supervisor.into()),
            keys: keys.clone(),
            revoked: None,
            retired_ed25519: None,
            retired: vec![],
            rotations: vec![],
            revocation: None,
            enrollment: None,
        }
    }

    /// A regional delegation with two provinces; DP-TIZNIT has one office, DP-AGADIR another.
    fn region() -> Keyring {
        let mut sites = BTreeMap::new();
        sites.insert("DP-TIZNIT".into(), held(Level::DelegationProvinciale, Some("DR-SOUSS"), &keys(2).1, true));
        sites.insert("DP-AGADIR".into(), held(Level::DelegationProvinciale, Some("DR-SOUSS"), &keys(3).1, true));
        sites.insert("BL-TIZNIT".into(), held(Level::Bureau, Some("DP-TIZNIT"), &keys(4).1, false));
        sites.insert("BL-AGADIR".into(), held(Level::Bureau, Some("DP-AGADIR"), &keys(5).1, false));
        Keyring {
            here: "DR-SOUSS".into(),
            level: Level::DelegationRegionale,
            parent: None,
            own_keys: vec![keys(1).1],
            sites,
        }
    }

    fn province() -> Keyring {
        let mut sites = BTreeMap::new();
        sites.insert("DR-SOUSS".into(), held(Level::DelegationRegionale, None, &keys(1).1, true));
        sites.insert("BL-TIZNIT".into(), held(Level::Bureau, Some("DP-TIZNIT"), &keys(4).1, true));
        sites.insert("BL-MIRLEFT".into(), held(Level::Bureau, Some("DP-TIZNIT"), &keys(6).1, true));
        sites.insert("DP-AGADIR".into(), held(Level::DelegationProvinciale, Some("DR-SOUSS"), &keys(3).1, false));
        Keyring {
            here: "DP-TIZNIT".into(),
            level: Level::DelegationProvinciale,
            parent: Some("DR-SOUSS".into()),
            own_keys: vec![keys(2).1],
            sites,
        }
    }

    #[test]
    fn an_office_lists_no_site() {
        let k = province();
        let planted = listed("BL-FAUX", Level::Bureau, "DP-TIZNIT", &keys(9).1);
        let refused = admit(&k, Way::Up, "BL-TIZNIT", &[planted]).unwrap_err();
        assert_eq!(refused.site, "BL-FAUX");
        assert_eq!(admit(&k, Way::Up, "BL-TIZNIT", &[]), Ok(vec![]));
        // The previous version's echo of what it was taught is read, and changes nothing.
        let echo = listed("BL-MIRLEFT", Level::Bureau, "DP-TIZNIT", &k.sites["BL-MIRLEFT"].keys);
        assert_eq!(admit(&k, Way::Up, "BL-TIZNIT", std::slice::from_ref(&echo)), Ok(vec![]));
        let moved = KnownSite { supervisor: Some("DP-AGADIR".into()), ..echo.clone() };
        assert!(admit(&k, Way::Up, "BL-TIZNIT", &[moved]).is_err());
        let revoked = KnownSite { revoked: Some(("2026-12-01".into(), "volé".into())), ..echo };
        assert!(admit(&k, Way::Up, "BL-TIZNIT", &[revoked]).is_err());
    }

    #[test]
    fn a_delegation_adds_only_new_sites_of_its_own_subtree_below_it() {
        let k = region();
        let new = listed("BL-MIRLEFT", Level::Bureau, "DP-TIZNIT", &keys(6).1);
        let changes = admit(&k, Way::Up, "DP-TIZNIT", std::slice::from_ref(&new)).unwrap();
        assert!(matches!(&changes[..], [KeyringChange::Learn { code, .. }] if code == "BL-MIRLEFT"));
        // Under a sibling delegation, under nobody, or not below its supervisor: refused.
        for (site, blamed) in [
            (listed("BL-X", Level::Bureau, "DP-AGADIR", &keys(9).1), "BL-X"),
            (KnownSite { supervisor: None, ..listed("BL-Y", Level::Bureau, "DP-TIZNIT", &keys(9).1) }, "BL-Y"),
            (listed("DR-FAUX", Level::DelegationRegionale, "DP-TIZNIT", &keys(9).1), "DR-FAUX"),
            (listed("BL-AGADIR", Level::Bureau, "DP-TIZNIT", &keys(9).1), "BL-AGADIR"),
            (listed("BL-AGADIR", Level::Bureau, "DP-AGADIR", &keys(9).1), "BL-AGADIR"),
        ] {
            let refused = admit(&k, Way::Up, "DP-TIZNIT", &[new.clone(), site]).unwrap_err();
            assert_eq!(refused.site, blamed, "{refused}");
        }
        // What is already held, echoed unchanged, changes nothing.
        let echo = listed("BL-AGADIR", Level::Bureau, "DP-AGADIR", &k.sites["BL-AGADIR"].keys);
        assert_eq!(admit(&k, Way::Up, "DP-TIZNIT", &[echo]), Ok(vec![]));
    }

    #[test]
    fn new_keys_need_a_statement_signed_by_the_old_and_the_new() {
        let k = region();
        let (old, old_keys) = keys(4);
        let (new, new_keys) = keys(40);
        let rekeyed = listed("BL-TIZNIT", Level::Bureau, "DP-TIZNIT", &new_keys);
        assert!(admit(&k, Way::Up, "DP-TIZNIT", std::slice::from_ref(&rekeyed)).is_err());
        let statement = Rotation::statement("BL-TIZNIT", &new_keys, 3);
        let rotation = Rotation {
            site: "BL-TIZNIT".into(),
            keys: new_keys.clone(),
            effective_from: 3,
            old_signature: hex::encode(old.sign(&statement)),
            new_signature: hex::encode(new.sign(&statement)),
        };
        let proven = KnownSite { rotations: vec![rotation.clone()], ..rekeyed.clone() };
        let changes = admit(&k, Way::Up, "DP-TIZNIT", &[proven]).unwrap();
        assert!(matches!(&changes[..], [KeyringChange::Rekey { keys, .. }] if *keys == new_keys));
        // Signed by the new key alone: refused.
        let forged = Rotation { old_signature: hex::encode(new.sign(&statement)), ..rotation };
        assert!(admit(&k, Way::Up, "DP-TIZNIT", &[KnownSite { rotations: vec![forged], ..rekeyed }]).is_err());
        assert_ne!(old_keys, new_keys);
    }

    fn revocation(by: &crate::identity::SiteSecrets, by_code: &str, site: &str, keys: &PublicKeys) -> SiteRevocation {
        let mut r = SiteRevocation {
            site: site.into(),
            key: keys.ed25519.clone(),
            by: by_code.into(),
            at: "2026-12-01T09:00:00Z".into(),
            reason: "PC volé".into(),
            signature: String::new(),
        };
        r.signature = hex::encode(by.sign(&r.statement()));
        r
    }

    #[test]
    fn only_the_enrolling_site_or_one_above_it_revokes() {
        let k = region();
        let office = k.sites["BL-TIZNIT"].keys.clone();
        let with = |r: SiteRevocation| KnownSite {
            revocation: Some(r),
            ..listed("BL-TIZNIT", Level::Bureau, "DP-TIZNIT", &office)
        };
        // DP-TIZNIT enrolled BL-TIZNIT: its signed revocation is taken.
        let genuine = revocation(&keys(2).0, "DP-TIZNIT", "BL-TIZNIT", &office);
        let changes = admit(&k, Way::Up, "DP-TIZNIT", &[with(genuine.clone())]).unwrap();
        assert_eq!(changes, vec![KeyringChange::Revoke(genuine.clone())]);
        // A sibling delegation's signature, or a claim of DP-TIZNIT not signed by it: refused.
        let sibling = revocation(&keys(3).0, "DP-AGADIR", "BL-TIZNIT", &office);
        assert!(admit(&k, Way::Up, "DP-TIZNIT", &[with(sibling)]).is_err());
        let unsigned = SiteRevocation { signature: hex::encode([0u8; 64]), ..genuine };
        assert!(admit(&k, Way::Up, "DP-TIZNIT", &[with(unsigned)]).is_err());
        // A delegation revoking its sibling, or its own parent: refused.
        let agadir = k.sites["DP-AGADIR"].keys.clone();
        let sideways = KnownSite {
            revocation: Some(revocation(&keys(2).0, "DP-TIZNIT", "DP-AGADIR", &agadir)),
            ..listed("DP-AGADIR", Level::DelegationProvinciale, "DR-SOUSS", &agadir)
        };
        assert_eq!(admit(&k, Way::Up, "DP-TIZNIT", &[sideways]).unwrap_err().site, "DP-AGADIR");
        // Unsigned (an older version's line) about a site not revoked here: refused.
        let legacy = KnownSite {
            revoked: Some(("2026-12-01".into(), "PC volé".into())),
            ..listed("BL-TIZNIT", Level::Bureau, "DP-TIZNIT", &office)
        };
        assert!(admit(&k, Way::Up, "DP-TIZNIT", &[legacy]).is_err());
    }

    #[test]
    fn down_the_parent_s_keyring_counts_outside_this_site_s_subtree_only() {
        let k = province();
        let (_, other) = keys(50);
        // A new office under the sibling delegation: learnt.
        let new = listed("BL-AGADIR", Level::Bureau, "DP-AGADIR", &keys(5).1);
        assert!(matches!(&admit(&k, Way::Down, "DR-SOUSS", &[new]).unwrap()[..], [KeyringChange::Learn { .. }]));
        // The sibling delegation's new keys: adopted.
        let rekeyed = listed("DP-AGADIR", Level::DelegationProvinciale, "DR-SOUSS", &other);
        assert!(matches!(&admit(&k, Way::Down, "DR-SOUSS", &[rekeyed]).unwrap()[..], [KeyringChange::Rekey { .. }]));
        // Our own office, as the region holds it (older or not): left as enrolled here.
        let ours = listed("BL-TIZNIT", Level::Bureau, "DP-TIZNIT", &other);
        assert_eq!(admit(&k, Way::Down, "DR-SOUSS", &[ours]), Ok(vec![]));
        // A site placed under us from above: not taken (our own enrollments have the last word).
        let planted = listed("BL-FAUX", Level::Bureau, "DP-TIZNIT", &other);
        assert_eq!(admit(&k, Way::Down, "DR-SOUSS", &[planted]), Ok(vec![]));
        // The region revoking our office (it stands above it): taken.
        let office = k.sites["BL-TIZNIT"].keys.clone();
        let r = revocation(&keys(1).0, "DR-SOUSS", "BL-TIZNIT", &office);
        let revoked =
            KnownSite { revocation: Some(r.clone()), ..listed("BL-TIZNIT", Level::Bureau, "DP-TIZNIT", &office) };
        assert_eq!(admit(&k, Way::Down, "DR-SOUSS", &[revoked]), Ok(vec![KeyringChange::Revoke(r)]));
    }

    #[test]
    fn a_lookalike_code_is_refused() {
        let k = region();
        for code in ["BL-TIZNIT\u{a0}", "bl-tiznit", " BL-TIZNIT", "BL-TIZNIT\u{200b}"] {
            let site = listed(code, Level::Bureau, "DP-TIZNIT", &keys(9).1);
            assert!(admit(&k, Way::Up, "DP-TIZNIT", &[site]).is_err(), "{code:?}");
        }
        let under_lookalike = listed("BL-NEUF", Level::Bureau, "dp-tiznit", &keys(9).1);
        assert!(admit(&k, Way::Up, "DP-TIZNIT", &[under_lookalike]).is_err());
    }

    fn rotated(code: &str, old: &crate::identity::SiteSecrets, new: &crate::identity::SiteSecrets) -> Rotation {
        let statement = Rotation::statement(code, &new.public(), 3);
        Rotation {
            site: code.into(),
            keys: new.public(),
            effective_from: 3,
            old_signature: hex::encode(old.sign(&statement)),
            new_signature: hex::encode(new.sign(&statement)),
        }
    }

    #[test]
    fn a_revocation_signed_with_keys_rotated_in_the_same_bundle_is_taken() {
        // DP-TIZNIT rotated, then revoked its office: the region's bundle to the centre carries both.
        let mut centre = region();
        centre.here = "CENTRALE".into();
        centre.level = Level::Centrale;
        centre.sites.insert("DR-SOUSS".into(), held(Level::DelegationRegionale, Some("CENTRALE"), &keys(1).1, true));
        for code in ["DP-TIZNIT", "DP-AGADIR"] {
            if let Some(h) = centre.sites.get_mut(code) {
                h.direct = false;
            }
        }
        let (old, new) = (keys(2).0, keys(20).0);
        let office = centre.sites["BL-TIZNIT"].keys.clone();
        let dp = KnownSite {
            rotations: vec![rotated("DP-TIZNIT", &old, &new)],
            ..listed("DP-TIZNIT", Level::DelegationProvinciale, "DR-SOUSS", &new.public())
        };
        let bl = KnownSite {
            revocation: Some(revocation(&new, "DP-TIZNIT", "BL-TIZNIT", &office)),
            ..listed("BL-TIZNIT", Level::Bureau, "DP-TIZNIT", &office)
        };
        let changes = admit(&centre, Way::Up, "DR-SOUSS", &[dp, bl]).unwrap();
        assert!(matches!(&changes[..], [KeyringChange::Rekey { .. }, KeyringChange::Revoke(_)]), "{changes:?}");
    }

    #[test]
    fn a_site_enrolled_again_gets_new_keys_from_its_enrolling_site_only() {
        let mut k = region();
        if let Some(h) = k.sites.get_mut("BL-TIZNIT") {
            h.revoked = true;
        }
        let (_, fresh) = keys(44);
        let enrollment = |by: &crate::identity::SiteSecrets, supervisor: &str, at: &str| {
            let mut e = SiteEnrollment {
                site: "BL-TIZNIT".into(),
                level: "bureau".into(),
                supervisor: supervisor.into(),
                keys: fresh.clone(),
                at: at.into(),
                signature: String::new(),
            };
            e.signature = hex::encode(by.sign(&e.statement()));
            e
        };
        let with = |e: SiteEnrollment| KnownSite {
            enrollment: Some(e),
            ..listed("BL-TIZNIT", Level::Bureau, "DP-TIZNIT", &fresh)
        };
        let genuine = enrollment(&keys(2).0, "DP-TIZNIT", "2026-12-02T09:00:00Z");
        let changes = admit(&k, Way::Up, "DP-TIZNIT", &[with(genuine.clone())]).unwrap();
        assert_eq!(changes, vec![KeyringChange::Reenroll(genuine.clone())]);
        // Signed by a sibling delegation, or claiming another supervisor: refused.
        let sibling = enrollment(&keys(3).0, "DP-TIZNIT", "2026-12-02T09:00:00Z");
        assert!(admit(&k, Way::Up, "DP-TIZNIT", &[with(sibling)]).is_err());
        // Older than the enrollment held: refused (an old statement replayed).
        if let Some(h) = k.sites.get_mut("BL-TIZNIT") {
            h.enrolled_at = Some("2026-12-03T00:00:00Z".into());
        }
        assert!(admit(&k, Way::Up, "DP-TIZNIT", &[with(genuine)]).is_err());
    }

    #[test]
    fn down_what_hangs_below_this_site_is_left_to_it() {
        let k = province();
        // The region knows an office this delegation does not (a restore lost the enrollment),
        // and a site under that office's level cannot exist, but a chain below it is skipped whole.
        let lost = listed("BL-PERDU", Level::Bureau, "DP-TIZNIT", &keys(60).1);
        assert_eq!(admit(&k, Way::Down, "DR-SOUSS", &[lost]), Ok(vec![]));
        // A revocation attached to another site's entry is refused.
        let office = k.sites["BL-TIZNIT"].keys.clone();
        let misplaced = KnownSite {
            revocation: Some(revocation(&keys(1).0, "DR-SOUSS", "BL-MIRLEFT", &office)),
            ..listed("DP-AGADIR", Level::DelegationProvinciale, "DR-SOUSS", &k.sites["DP-AGADIR"].keys)
        };
        assert_eq!(admit(&k, Way::Down, "DR-SOUSS", &[misplaced]).unwrap_err().site, "DP-AGADIR");
    }
}
