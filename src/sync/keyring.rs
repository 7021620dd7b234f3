//! Who may change a keyring, and how (DESIGN §5, `docs/SECURITY.md`): the decision on the
//! identities a bundle carries, as a pure function of what this site already holds.
//!
//! A site's key enters a keyring only by
//! - enrollment, with the fingerprint compared on paper (not here: `app::sync::identity`);
//! - a rotation statement signed by that site's old and new keys ([`Rotation`]);
//! - the keyring of this site's own enrolling parent, in a signed reply going down — for the
//!   sites outside this site's own subtree (below it, this site and its children know better);
//! - going up, the list a delegation sends of the sites of its own subtree, accepted only for
//!   sites not already known under another supervisor, each below its supervisor's level.
//!
//! A revocation is a [`SiteRevocation`] signed by the site that enrolled the revoked one or by a
//! site above it. Anything else that would touch the keyring refuses the whole bundle
//! ([`KeyringRefusal`] names the site concerned). Nothing here reads a database or a clock.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::envelope::Rotation;
use super::payload::KnownSite;
use crate::domain::site::Level;
use crate::identity::PublicKeys;

/// A site's key revoked by the site that enrolled it (or one above it), signed by that site so
/// that every installation it reaches can check who revoked it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiteRevocation {
    /// The revoked site.
    pub site: String,
    /// The fingerprint of the keys revoked.
    pub fingerprint: String,
    /// The site that revoked them.
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
        format!("DAFTAR-REVOCATION1|{}|{}|{}|{}|{}", self.site, self.fingerprint, self.by, self.at, self.reason)
            .into_bytes()
    }

    /// Whether `keys` signed it.
    pub fn signed_by(&self, keys: &PublicKeys) -> bool {
        hex::decode(&self.signature).is_ok_and(|sig| keys.verify(&self.statement(), &sig))
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
    /// Its previous signing keys (hex Ed25519).
    pub retired: Vec<String>,
    /// Whether its key is revoked here.
    pub revoked: bool,
    /// Enrolled here on paper (this site's parent or one of its supervised sites): never
    /// replaced by what a bundle says.
    pub direct: bool,
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
        /// Its previous signing keys (its old certificates still verify).
        retired: Vec<String>,
    },
    /// New keys for a known site; the previous signing key is kept for its old certificates.
    Rekey {
        /// Its code.
        code: String,
        /// Its new keys.
        keys: PublicKeys,
        /// The keys each replaced key gave way to, oldest first, with their statements.
        steps: Vec<(PublicKeys, Option<Rotation>)>,
    },
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
            KeyringChange::Revoke(r) => {
                format!("CLÉ RÉVOQUÉE : {} par {} le {} ({})", r.site, r.by, r.at.get(..10).unwrap_or(&r.at), r.reason)
            }
        }
    }
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

    /// The keys known for `code` (this site's own are not needed: it never applies a statement
    /// about itself), current first, then the retired signing keys.
    fn keys_of(&self, code: &str) -> Vec<PublicKeys> {
        self.sites.get(code).map_or_else(Vec::new, |s| {
            std::iter::once(s.keys.clone())
                .chain(s.retired.iter().map(|k| PublicKeys { ed25519: k.clone(), age_recipient: String::new() }))
                .collect()
        })
    }
}

/// Checks what an identity says of a site before it is stored: a valid code, a known level, a
/// name that prints.
pub fn check_site(code: &str, name: &str, level: &str) -> Result<Level, String> {
    crate::domain::codes::SiteCode::parse(code)?;
    let level = Level::parse(level)?;
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 200 || name.chars().any(crate::domain::text::is_forbidden) {
        return Err(format!("le nom du site {code} est vide, trop long ou contient des caractères de contrôle"));
    }
    Ok(level)
}

/// Follows `statements` from `from` to `to`: each must be signed by the keys it replaces and by
/// the keys it brings. The steps taken, or `None` when the chain does not reach `to`.
fn rotation_chain(
    code: &str,
    from: &PublicKeys,
    to: &PublicKeys,
    statements: &[Rotation],
) -> Option<Vec<(PublicKeys, Option<Rotation>)>> {
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
    let mut pending: Vec<&KnownSite> = Vec::new();
    for site in listed {
        let level = check_site(&site.code, &site.name, &site.level).map_err(|why| refusal(&site.code, why))?;
        if site.code == keyring.here || site.code == sender {
            // A bundle never describes its sender or its recipient; an older version's echo of
            // what is already held changes nothing.
            let same = keyring.sites.get(&site.code).is_some_and(|h| h.keys == site.keys);
            if way == Way::Up && !same && site.code == sender {
                return Err(refusal(&site.code, "un paquet ne change jamais les clés de son propre émetteur"));
            }
            continue;
        }
        if let Some(r) = &site.revocation {
            revocations.push(r.clone());
        } else if site.revoked.is_some() && !keyring.sites.get(&site.code).is_some_and(|h| h.revoked) {
            return Err(refusal(
                &site.code,
                "révocation sans déclaration signée par le site qui l'a enrôlé (version de Daftar antérieure à 0.2 ? mettez-la à jour)",
            ));
        }
        match keyring.sites.get(&site.code) {
            Some(held) => {
                if let Some(change) = admit_known(keyring, way, sender, site, level, held)? {
                    changes.push(change);
                }
            }
            None => pending.push(site),
        }
    }
    // New sites, parents before children: a site is placed once its supervisor is.
    while !pending.is_empty() {
        let before = pending.len();
        let mut rest = Vec::new();
        for site in pending {
            let level = Level::parse(&site.level).map_err(|why| refusal(&site.code, why))?;
            if way == Way::Down && site.supervisor.is_none() && level > sender_site.level {
                // Above the parent (its own parent): the top of what it knows.
                view.sites.insert(site.code.clone(), learnt_site(site, level));
                changes.push(learn(site, level));
                continue;
            }
            let supervisor = site.supervisor.as_deref().and_then(|s| {
                (s == keyring.here).then_some(keyring.level).or_else(|| view.sites.get(s).map(|h| h.level))
            });
            let Some(supervisor_level) = supervisor else {
                rest.push(site);
                continue;
            };
            let supervisor_code = site.supervisor.clone().unwrap_or_default();
            if way == Way::Up && supervisor_code != sender && !view.is_above(sender, &supervisor_code) {
                return Err(refusal(&site.code, format!("il ne dépend pas de {sender}")));
            }
            if level >= supervisor_level || !supervisor_level.supervises() {
                return Err(refusal(
                    &site.code,
                    format!("un site de niveau {} ne peut pas dépendre de {supervisor_code}", level.label_fr()),
                ));
            }
            if way == Way::Down && keyring.is_ours(&supervisor_code) {
                // Below this site, its own enrollments have the last word: the parent's copy of
                // them adds nothing.
                continue;
            }
            view.sites.insert(site.code.clone(), learnt_site(site, level));
            changes.push(learn(site, level));
        }
        if rest.len() == before {
            let site = rest[0];
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
            changes.push(change);
        }
    }
    Ok(changes)
}

/// A site learnt from a bundle, as held from then on.
fn learnt_site(site: &KnownSite, level: Level) -> HeldSite {
    HeldSite {
        level,
        supervisor: site.supervisor.clone(),
        keys: site.keys.clone(),
        retired: site.retired.iter().chain(&site.retired_ed25519).cloned().collect(),
        revoked: false,
        direct: false,
    }
}

/// The change that learns `site`.
fn learn(site: &KnownSite, level: Level) -> KeyringChange {
    KeyringChange::Learn {
        code: site.code.clone(),
        name: site.name.trim().to_owned(),
        level,
        supervisor: site.supervisor.clone(),
        keys: site.keys.clone(),
        retired: site.retired.iter().chain(&site.retired_ed25519).cloned().collect(),
    }
}

/// A site already known: nothing, a rotation that its statements prove, or (down, outside this
/// site's subtree) the parent's keys for it.
fn admit_known(
    keyring: &Keyring,
    way: Way,
    sender: &str,
    site: &KnownSite,
    level: Level,
    held: &HeldSite,
) -> Result<Option<KeyringChange>, KeyringRefusal> {
    let same_place = held.supervisor == site.supervisor && held.level == level;
    if held.keys == site.keys && (same_place || held.direct) {
        return Ok(None);
    }
    match way {
        Way::Up => {
            if !keyring.is_above(sender, &site.code) {
                if keyring.echoes(site) {
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
                        "de nouvelles clés sans déclaration de changement signée par l'ancienne et la nouvelle clé",
                    )
                })
        }
        // The parent's keyring has the last word outside this site's subtree; inside it, and for
        // the sites enrolled here on paper, this site knows better (its parent may be behind).
        Way::Down if held.direct || keyring.is_ours(&site.code) => Ok(None),
        Way::Down if held.keys == site.keys => Ok(None),
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
    if r.fingerprint != held.keys.fingerprint() {
        // It revokes keys this site no longer uses: the site was enrolled again since.
        return Ok(None);
    }
    if !view.keys_of(&r.by).iter().any(|k| r.signed_by(k)) {
        return Err(refusal(&r.site, format!("la révocation n'est pas signée par {}", r.by)));
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
        }
    }

    /// A regional delegation with two provinces; DP-TIZNIT has one office, DP-AGADIR another.
    fn region() -> Keyring {
        let mut sites = BTreeMap::new();
        sites.insert("DP-TIZNIT".into(), held(Level::DelegationProvinciale, Some("DR-SOUSS"), &keys(2).1, true));
        sites.insert("DP-AGADIR".into(), held(Level::DelegationProvinciale, Some("DR-SOUSS"), &keys(3).1, true));
        sites.insert("BL-TIZNIT".into(), held(Level::Bureau, Some("DP-TIZNIT"), &keys(4).1, false));
        sites.insert("BL-AGADIR".into(), held(Level::Bureau, Some("DP-AGADIR"), &keys(5).1, false));
        Keyring { here: "DR-SOUSS".into(), level: Level::DelegationRegionale, parent: None, sites }
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
            fingerprint: keys.fingerprint(),
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
}
