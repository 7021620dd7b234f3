//! The bundle file: a plaintext header, the age ciphertext, an Ed25519 signature over both.
//!
//! ```text
//! offset  size  content
//! 0       8     magic "DAFTARSB"
//! 8       2     format version, big-endian (1)
//! 10      4     header length H, big-endian
//! 14      H     header, UTF-8 JSON (see Header)
//! 14+H    8     ciphertext length C, big-endian (repeated in the header)
//! 22+H    C     the payload encrypted to the recipient (binary age format)
//! 22+H+C  64    Ed25519 signature of bytes 0 .. 22+H+C
//! ```
//!
//! Nothing may follow the signature. [`open`] checks all of this before anything is
//! decrypted or parsed beyond the header.

use serde::{Deserialize, Serialize};

/// The first bytes of every bundle.
pub const MAGIC: &[u8; 8] = b"DAFTARSB";
/// The format this program writes and reads.
pub const VERSION: u16 = 1;
/// The largest header accepted.
pub const MAX_HEADER: usize = 64 * 1024;
/// The largest ciphertext accepted (a whole delegation's subtree fits well below).
pub const MAX_CIPHERTEXT: u64 = 1 << 30;
const SIGNATURE: usize = 64;
/// The largest bundle file accepted: a file beyond it is refused without being read.
pub const MAX_FILE: u64 = 22 + MAX_HEADER as u64 + MAX_CIPHERTEXT + SIGNATURE as u64;

/// Which way a bundle goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// Changes sent up to the parent.
    Changes,
    /// A parent's reply: acknowledgement, decisions, reference data, keyring.
    Reply,
}

/// The plaintext header: who sends what to whom.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Header {
    /// Changes or reply.
    pub kind: Kind,
    /// The sending site's code.
    pub sender: String,
    /// The site it is addressed (and encrypted) to.
    pub recipient: String,
    /// The sender's sequence number for this recipient and kind, from 1.
    pub sequence: u64,
    /// The range of the sender's change numbers carried: (from, to].
    pub from_change: i64,
    /// See `from_change`.
    pub to_change: i64,
    /// When it was written (UTC, RFC 3339).
    pub created_at: String,
    /// The fingerprint of the key that signs it.
    pub signer: String,
    /// The format of the records it carries (`crate::store::RECORD_FORMAT` of the sender; its
    /// schema version before Daftar 0.2).
    pub schema: i64,
    /// The length of the ciphertext.
    pub ciphertext_len: u64,
    /// The sender asks for a resync (restored or reinstalled): the parent's next reply carries
    /// the sender's own rows as the parent holds them.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub resync: bool,
    /// The sender changed its keys: the statement, signed by the old and the new key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rotation: Option<Rotation>,
    /// Every key rotation of the sender, oldest first, in replies (from Daftar 0.2): a supervised
    /// site that missed a reply follows the chain from the key it holds.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rotations: Vec<Rotation>,
    /// The version of Daftar that wrote it (absent before 0.2), named when a reader must update.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub program: Option<String>,
}

/// A key rotation: the site's new keys, effective from a bundle sequence number, signed by the
/// old key (it is the same site) and by the new one (it holds it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rotation {
    /// The site.
    pub site: String,
    /// Its new keys.
    pub keys: crate::identity::PublicKeys,
    /// The first sequence number its bundles to the parent are signed with the new key.
    pub effective_from: u64,
    /// Signature by the old key (hex) of [`Rotation::statement`].
    pub old_signature: String,
    /// Signature by the new key (hex).
    pub new_signature: String,
}

impl Rotation {
    /// The bytes both keys sign.
    pub fn statement(site: &str, keys: &crate::identity::PublicKeys, effective_from: u64) -> Vec<u8> {
        format!("DAFTAR-ROTATION1|{site}|{}|{}|{effective_from}", keys.ed25519, keys.age_recipient).into_bytes()
    }

    /// Whether both signatures hold, the old one by `old`.
    pub fn holds(&self, old: &crate::identity::PublicKeys) -> bool {
        let statement = Rotation::statement(&self.site, &self.keys, self.effective_from);
        let sig = |hex_text: &str| hex::decode(hex_text).unwrap_or_default();
        old.verify(&statement, &sig(&self.old_signature)) && self.keys.verify(&statement, &sig(&self.new_signature))
    }
}

impl Header {
    /// The keys that must have signed the bundle of `code`, whose keys held here are `held`: the
    /// held ones, or the new ones its rotation statements prove (signed by the old and the new
    /// key; going up, from the statement's cut-over on), with the steps that lead there. `Err`
    /// when a statement names the signer but does not prove it.
    pub fn signing_keys(
        &self,
        code: &str,
        held: &crate::identity::PublicKeys,
    ) -> Result<(crate::identity::PublicKeys, super::keyring::RotationSteps), String> {
        let statements: Vec<Rotation> =
            if self.rotations.is_empty() { self.rotation.iter().cloned().collect() } else { self.rotations.clone() };
        let named = statements.iter().rev().find(|r| r.site == code && r.keys.fingerprint() == self.signer);
        let Some(named) = named else { return Ok((held.clone(), vec![])) };
        if self.kind == Kind::Changes && self.sequence < named.effective_from {
            // Before its cut-over a rotation counts for nothing: the old key signs.
            return Ok((held.clone(), vec![]));
        }
        super::keyring::rotation_chain(code, held, &named.keys, &statements)
            .map(|steps| (named.keys.clone(), steps))
            .ok_or_else(|| format!("la déclaration de changement de clés de {code} n'est pas signée par son ancienne et sa nouvelle clé"))
    }
}

/// What is wrong with a file, before any decryption.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EnvelopeError {
    /// Not a bundle at all.
    #[error("ce fichier n'est pas un paquet de synchronisation Daftar")]
    NotABundle,
    /// A newer format.
    #[error("ce paquet vient d'une version plus récente de Daftar (format {0}) : mettez le programme à jour")]
    Newer(u16),
    /// Cut short (a stick pulled out during the copy).
    #[error("le fichier est tronqué (copie interrompue ?) : recopiez-le depuis le bureau émetteur")]
    Truncated,
    /// Bytes after the signature.
    #[error("le fichier contient {0} octets de trop après la signature : recopiez-le depuis le bureau émetteur")]
    Trailing(usize),
    /// Beyond the size caps.
    #[error("le paquet annonce une taille hors limites ({0} octets)")]
    TooLarge(u64),
    /// The header does not read.
    #[error("l'en-tête du paquet est illisible ({0})")]
    BadHeader(String),
}

/// A file that passed the structural checks: its header, ciphertext, signed bytes and signature.
#[derive(Debug)]
pub struct Opened<'a> {
    /// The header.
    pub header: Header,
    /// The ciphertext (not yet authenticated).
    pub ciphertext: &'a [u8],
    /// The bytes the signature covers.
    pub signed: &'a [u8],
    /// The signature.
    pub signature: &'a [u8],
}

fn take(bytes: &[u8], at: usize, len: usize) -> Result<&[u8], EnvelopeError> {
    at.checked_add(len).and_then(|end| bytes.get(at..end)).ok_or(EnvelopeError::Truncated)
}

/// Checks the magic, version, lengths and caps, and reads the header.
pub fn open(bytes: &[u8]) -> Result<Opened<'_>, EnvelopeError> {
    if bytes.len() < MAGIC.len() || &bytes[..MAGIC.len()] != MAGIC {
        // A few bytes of the magic: a bundle cut very short.
        return Err(if !bytes.is_empty() && MAGIC.starts_with(bytes) {
            EnvelopeError::Truncated
        } else {
            EnvelopeError::NotABundle
        });
    }
    let version = u16::from_be_bytes(take(bytes, 8, 2)?.try_into().map_err(|_| EnvelopeError::Truncated)?);
    if version > VERSION {
        return Err(EnvelopeError::Newer(version));
    }
    if version == 0 {
        return Err(EnvelopeError::NotABundle);
    }
    let header_len = u32::from_be_bytes(take(bytes, 10, 4)?.try_into().map_err(|_| EnvelopeError::Truncated)?);
    let header_len = usize::try_from(header_len).map_err(|_| EnvelopeError::TooLarge(u64::from(header_len)))?;
    if header_len > MAX_HEADER {
        return Err(EnvelopeError::TooLarge(header_len as u64));
    }
    let header_bytes = take(bytes, 14, header_len)?;
    let at = 14 + header_len;
    let cipher_len = u64::from_be_bytes(take(bytes, at, 8)?.try_into().map_err(|_| EnvelopeError::Truncated)?);
    if cipher_len > MAX_CIPHERTEXT {
        return Err(EnvelopeError::TooLarge(cipher_len));
    }
    let cipher_len = usize::try_from(cipher_len).map_err(|_| EnvelopeError::TooLarge(cipher_len))?;
    let ciphertext = take(bytes, at + 8, cipher_len)?;
    let signed_end = at + 8 + cipher_len;
    let signature = take(bytes, signed_end, SIGNATURE)?;
    let end = signed_end + SIGNATURE;
    if bytes.len() > end {
        return Err(EnvelopeError::Trailing(bytes.len() - end));
    }
    let header: Header = serde_json::from_slice(header_bytes).map_err(|e| EnvelopeError::BadHeader(e.to_string()))?;
    if header.ciphertext_len != cipher_len as u64 {
        return Err(EnvelopeError::BadHeader("la longueur annoncée ne correspond pas".into()));
    }
    Ok(Opened { header, ciphertext, signed: &bytes[..signed_end], signature })
}

/// Writes a bundle: `header` (its `ciphertext_len` is set here), the ciphertext, and the
/// signature `sign` makes over both.
pub fn seal(header: &Header, ciphertext: &[u8], sign: impl FnOnce(&[u8]) -> [u8; 64]) -> Result<Vec<u8>, String> {
    let header = Header { ciphertext_len: ciphertext.len() as u64, ..header.clone() };
    let json = serde_json::to_vec(&header).map_err(|e| e.to_string())?;
    if json.len() > MAX_HEADER {
        return Err("en-tête trop long".into());
    }
    let mut out = Vec::with_capacity(22 + json.len() + ciphertext.len() + SIGNATURE);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&VERSION.to_be_bytes());
    out.extend_from_slice(&(json.len() as u32).to_be_bytes());
    out.extend_from_slice(&json);
    out.extend_from_slice(&(ciphertext.len() as u64).to_be_bytes());
    out.extend_from_slice(ciphertext);
    let signature = sign(&out);
    out.extend_from_slice(&signature);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header() -> Header {
        Header {
            kind: Kind::Changes,
            sender: "BL-TIZNIT".into(),
            recipient: "DP-TIZNIT".into(),
            sequence: 3,
            from_change: 10,
            to_change: 20,
            created_at: "2026-11-29T09:00:00Z".into(),
            signer: "abcd".into(),
            schema: 4,
            ciphertext_len: 0,
            resync: false,
            rotation: None,
            rotations: vec![],
            program: None,
        }
    }

    #[test]
    fn a_reply_s_rotation_chain_is_followed_from_the_key_held() {
        let secrets = |n| crate::identity::SiteSecrets::generate(&mut crate::clock::SeededEntropy::new(n));
        let (k1, k2, k3) = (secrets(1), secrets(2), secrets(3));
        let rotation = |old: &crate::identity::SiteSecrets, new: &crate::identity::SiteSecrets| {
            let statement = Rotation::statement("DP-TIZNIT", &new.public(), 5);
            Rotation {
                site: "DP-TIZNIT".into(),
                keys: new.public(),
                effective_from: 5,
                old_signature: hex::encode(old.sign(&statement)),
                new_signature: hex::encode(new.sign(&statement)),
            }
        };
        let chain = vec![rotation(&k1, &k2), rotation(&k2, &k3)];
        let reply = Header {
            kind: Kind::Reply,
            signer: k3.public().fingerprint(),
            rotation: chain.last().cloned(),
            rotations: chain,
            ..header()
        };
        // An office that missed the first rotation still holds k1: it follows both steps.
        let (keys, steps) = reply.signing_keys("DP-TIZNIT", &k1.public()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((keys, steps.len()), (k3.public(), 2));
        // A chain that does not start from what is held proves nothing.
        assert!(reply.signing_keys("DP-TIZNIT", &secrets(9).public()).is_err());
        // Without a statement naming the signer, the held keys must have signed.
        let plain = Header { kind: Kind::Reply, ..header() };
        assert_eq!(plain.signing_keys("DP-TIZNIT", &k1.public()), Ok((k1.public(), vec![])));
    }

    #[test]
    fn a_sealed_file_opens_and_every_cut_is_refused() {
        let bytes = seal(&header(), b"chiffre", |_| [9; 64]).unwrap_or_default();
        let opened = open(&bytes).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(opened.header.sequence, 3);
        assert_eq!(opened.ciphertext, b"chiffre");
        assert_eq!(opened.signature, &[9; 64]);
        assert_eq!(opened.signed.len(), bytes.len() - 64);
        for cut in 0..bytes.len() {
            let err = open(&bytes[..cut]).err();
            assert!(
                matches!(err, Some(EnvelopeError::Truncated | EnvelopeError::NotABundle | EnvelopeError::BadHeader(_))),
                "cut at {cut}: {err:?}"
            );
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert_eq!(open(&longer).err(), Some(EnvelopeError::Trailing(1)));
        let mut newer = bytes.clone();
        newer[9] = 2;
        assert_eq!(open(&newer).err(), Some(EnvelopeError::Newer(2)));
        assert_eq!(open(b"%PDF-1.7").err(), Some(EnvelopeError::NotABundle));
        let mut huge = bytes;
        huge[10..14].copy_from_slice(&u32::MAX.to_be_bytes());
        assert!(matches!(open(&huge), Err(EnvelopeError::TooLarge(_))));
    }
}
