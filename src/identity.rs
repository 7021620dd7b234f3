//! The installation's keys and the passwords that protect them (DESIGN §5).
//!
//! At set-up an installation creates an Ed25519 signing key (exports, replies, certificates)
//! and an X25519 key in the `age` format (bundles and backups are encrypted to it). Both are
//! stored only *wrapped*: encrypted with ChaCha20-Poly1305 under a key derived by Argon2id from
//! the password of each account allowed to sign. A clerk's account never holds them.
//!
//! Passwords themselves are kept as Argon2id hashes with their own salt and parameters.

use std::fmt;

use age::secrecy::ExposeSecret as _;
use argon2::{Algorithm, Argon2, Params, Version};
use chacha20poly1305::aead::{Aead as _, Payload};
use chacha20poly1305::{ChaCha20Poly1305, Key, KeyInit as _, Nonce};
use ed25519_dalek::{Signer as _, SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};
use zeroize::{Zeroize as _, Zeroizing};

use crate::clock::Entropy;

/// Argon2id cost parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct KdfParams {
    /// Memory, in KiB.
    pub m_kib: u32,
    /// Passes.
    pub t: u32,
    /// Lanes.
    pub p: u32,
}

impl KdfParams {
    /// The product's cost (OWASP's Argon2id minimum: 19 MiB, 2 passes), ≈ 25 ms here.
    pub const PRODUCTION: KdfParams = KdfParams { m_kib: 19_456, t: 2, p: 1 };
    /// A negligible cost for unit tests only: never stored by the product.
    pub const FAST_FOR_TESTS: KdfParams = KdfParams { m_kib: 8, t: 1, p: 1 };

    /// The most a stored cost may ask (1 GiB, 16 passes, 8 lanes, a 64-byte salt): wrapped keys
    /// read from a file (a backup's header) never make a derivation take the machine.
    const CEILING: KdfParams = KdfParams { m_kib: 1 << 20, t: 16, p: 8 };

    fn derive(self, password: &str, salt: &[u8]) -> Result<Zeroizing<[u8; 32]>, IdentityError> {
        let ceiling = KdfParams::CEILING;
        if self.m_kib > ceiling.m_kib || self.t > ceiling.t || self.p > ceiling.p || salt.len() > 64 {
            return Err(IdentityError::Corrupt("paramètres Argon2 hors limites"));
        }
        let params = Params::new(self.m_kib, self.t, self.p, Some(32))
            .map_err(|_| IdentityError::Corrupt("paramètres Argon2"))?;
        let mut out = Zeroizing::new([0u8; 32]);
        Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
            .hash_password_into(password.as_bytes(), salt, out.as_mut())
            .map_err(|_| IdentityError::Corrupt("dérivation Argon2"))?;
        Ok(out)
    }
}

/// What can go wrong with keys and passwords.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum IdentityError {
    /// The password does not open the keys (or does not match the account).
    #[error("Mot de passe incorrect.")]
    WrongPassword,
    /// Stored key material is damaged.
    #[error("Les clés enregistrées sont endommagées ({0}) : restaurez une sauvegarde ou faites réenrôler le site.")]
    Corrupt(&'static str),
    /// A password too weak to protect the keys.
    #[error("{0}")]
    WeakPassword(String),
}

/// Checks a new password: at least 8 characters, not only digits.
pub fn check_new_password(password: &str) -> Result<(), IdentityError> {
    if password.chars().count() < 8 {
        return Err(IdentityError::WeakPassword("Le mot de passe doit compter au moins 8 caractères.".into()));
    }
    if password.chars().all(|c| c.is_ascii_digit()) {
        return Err(IdentityError::WeakPassword("Le mot de passe ne doit pas être fait que de chiffres.".into()));
    }
    Ok(())
}

fn random<const N: usize>(entropy: &mut dyn Entropy) -> [u8; N] {
    let mut bytes = [0u8; N];
    entropy.fill(&mut bytes);
    bytes
}

/// Hashes a password for storage: `argon2id$m$t$p$salt$hash` (hex).
pub fn hash_password(password: &str, params: KdfParams, entropy: &mut dyn Entropy) -> Result<String, IdentityError> {
    let salt: [u8; 16] = random(entropy);
    let hash = params.derive(password, &salt)?;
    Ok(format!(
        "argon2id${}${}${}${}${}",
        params.m_kib,
        params.t,
        params.p,
        hex::encode(salt),
        hex::encode(hash.as_slice())
    ))
}

/// Checks a password against a stored hash, in constant time.
pub fn verify_password(password: &str, stored: &str) -> Result<(), IdentityError> {
    let parts: Vec<&str> = stored.split('$').collect();
    let [_, m, t, p, salt, hash] = parts.as_slice() else {
        return Err(IdentityError::Corrupt("empreinte de mot de passe"));
    };
    let params = KdfParams {
        m_kib: m.parse().map_err(|_| IdentityError::Corrupt("empreinte de mot de passe"))?,
        t: t.parse().map_err(|_| IdentityError::Corrupt("empreinte de mot de passe"))?,
        p: p.parse().map_err(|_| IdentityError::Corrupt("empreinte de mot de passe"))?,
    };
    let salt = hex::decode(salt).map_err(|_| IdentityError::Corrupt("empreinte de mot de passe"))?;
    let expected = hex::decode(hash).map_err(|_| IdentityError::Corrupt("empreinte de mot de passe"))?;
    let actual = params.derive(password, &salt)?;
    let differences = actual.iter().zip(&expected).fold(0u8, |acc, (a, b)| acc | (a ^ b));
    if differences == 0 && expected.len() == actual.len() { Ok(()) } else { Err(IdentityError::WrongPassword) }
}

/// The installation's secret keys, in memory only while a signing account is logged in.
pub struct SiteSecrets {
    signing: SigningKey,
    age: age::x25519::Identity,
}

impl fmt::Debug for SiteSecrets {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SiteSecrets").field("public", &self.public()).finish_non_exhaustive()
    }
}

/// The public half of an installation's keys.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicKeys {
    /// Ed25519 verifying key, hex.
    pub ed25519: String,
    /// age recipient (`age1…`).
    pub age_recipient: String,
}

impl PublicKeys {
    /// The fingerprint people compare on paper: SHA-256 of both keys, first 16 bytes, as groups
    /// of four hex digits joined by `-`.
    pub fn fingerprint(&self) -> String {
        let digest = Sha256::new()
            .chain_update(self.ed25519.as_bytes())
            .chain_update(b"\n")
            .chain_update(self.age_recipient.as_bytes())
            .finalize();
        let hex = hex::encode(&digest[..16]);
        hex.as_bytes().chunks(4).map(|c| String::from_utf8_lossy(c).into_owned()).collect::<Vec<_>>().join("-")
    }

    /// Checks an Ed25519 signature made by these keys.
    pub fn verify(&self, message: &[u8], signature: &[u8]) -> bool {
        let Ok(bytes) = hex::decode(&self.ed25519) else { return false };
        let Ok(bytes) = <[u8; 32]>::try_from(bytes.as_slice()) else { return false };
        let Ok(key) = VerifyingKey::from_bytes(&bytes) else { return false };
        let Ok(signature) = ed25519_dalek::Signature::from_slice(signature) else { return false };
        key.verify_strict(message, &signature).is_ok()
    }
}

#[derive(Serialize, Deserialize)]
struct SecretsFile {
    ed25519_seed: String,
    age_identity: String,
}

impl SiteSecrets {
    /// Creates new keys. The signing key comes from `entropy`; the age key from the OS.
    pub fn generate(entropy: &mut dyn Entropy) -> SiteSecrets {
        let mut seed: [u8; 32] = random(entropy);
        let signing = SigningKey::from_bytes(&seed);
        seed.zeroize();
        SiteSecrets { signing, age: age::x25519::Identity::generate() }
    }

    /// The public keys.
    pub fn public(&self) -> PublicKeys {
        PublicKeys {
            ed25519: hex::encode(self.signing.verifying_key().as_bytes()),
            age_recipient: self.age.to_public().to_string(),
        }
    }

    /// Signs `message` with the installation's Ed25519 key.
    pub fn sign(&self, message: &[u8]) -> [u8; 64] {
        self.signing.sign(message).to_bytes()
    }

    /// The age identity as the `age` tool reads it (`AGE-SECRET-KEY-1…`), for disaster recovery.
    pub fn age_secret_text(&self) -> String {
        self.age.to_string().expose_secret().to_owned()
    }

    /// The key that authenticates the site's backups (HMAC-SHA256), derived from its age secret:
    /// whoever opens the keys can check a backup, and nobody without them can make one that
    /// checks (encryption to the site's public recipient alone proves nothing).
    pub fn backup_key(&self) -> Zeroizing<[u8; 32]> {
        let secret = self.age.to_string();
        let derive = hkdf::Hkdf::<Sha256>::new(Some(b"daftar-sauvegarde"), secret.expose_secret().as_bytes());
        let mut key = Zeroizing::new([0u8; 32]);
        // 32 bytes are well within what HKDF-SHA256 can expand to.
        let _ = derive.expand(b"hmac-sha256 v1", key.as_mut());
        key
    }

    /// The age identity that decrypts what is encrypted to this installation.
    pub fn age_identity(&self) -> &age::x25519::Identity {
        &self.age
    }

    /// Encrypts the keys under `password` for the account `login`.
    pub fn wrap(
        &self,
        login: &str,
        password: &str,
        params: KdfParams,
        entropy: &mut dyn Entropy,
    ) -> Result<WrappedKeys, IdentityError> {
        let salt: [u8; 16] = random(entropy);
        let nonce: [u8; 12] = random(entropy);
        let key = params.derive(password, &salt)?;
        let plain = self.to_file()?;
        let cipher = ChaCha20Poly1305::new(Key::from_slice(key.as_ref()));
        let ciphertext = cipher
            .encrypt(Nonce::from_slice(&nonce), Payload { msg: &plain, aad: login.as_bytes() })
            .map_err(|_| IdentityError::Corrupt("chiffrement"))?;
        Ok(WrappedKeys {
            kdf: params,
            salt: hex::encode(salt),
            nonce: hex::encode(nonce),
            ciphertext: hex::encode(ciphertext),
        })
    }

    /// The keys sealed (age) to `recipient`: a rotation seals the new keys to the old ones, so
    /// that every account holding the old keys gets the new ones at its next login.
    pub fn seal_to(&self, recipient: &str) -> Result<Vec<u8>, IdentityError> {
        let recipient: age::x25519::Recipient = recipient.parse().map_err(|_| IdentityError::Corrupt("clé age"))?;
        age::encrypt(&recipient, &self.to_file()?).map_err(|_| IdentityError::Corrupt("chiffrement"))
    }

    /// Opens keys sealed by [`SiteSecrets::seal_to`] with these keys.
    pub fn open_sealed(&self, sealed: &[u8]) -> Result<SiteSecrets, IdentityError> {
        let plain =
            Zeroizing::new(age::decrypt(&self.age, sealed).map_err(|_| IdentityError::Corrupt("clés scellées"))?);
        SiteSecrets::from_file(&plain)
    }

    fn to_file(&self) -> Result<Zeroizing<Vec<u8>>, IdentityError> {
        Ok(Zeroizing::new(
            serde_json::to_vec(&SecretsFile {
                ed25519_seed: hex::encode(self.signing.to_bytes()),
                age_identity: self.age.to_string().expose_secret().to_owned(),
            })
            .map_err(|_| IdentityError::Corrupt("sérialisation"))?,
        ))
    }

    fn from_file(plain: &[u8]) -> Result<SiteSecrets, IdentityError> {
        let file: SecretsFile =
            serde_json::from_slice(plain).map_err(|_| IdentityError::Corrupt("contenu des clés"))?;
        let mut seed = Zeroizing::new([0u8; 32]);
        hex::decode_to_slice(&file.ed25519_seed, seed.as_mut())
            .map_err(|_| IdentityError::Corrupt("clé de signature"))?;
        let age = file.age_identity.parse().map_err(|_| IdentityError::Corrupt("clé age"))?;
        Ok(SiteSecrets { signing: SigningKey::from_bytes(&seed), age })
    }
}

/// The keys encrypted for one account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WrappedKeys {
    /// The Argon2id parameters used.
    pub kdf: KdfParams,
    /// Salt, hex.
    pub salt: String,
    /// Nonce, hex.
    pub nonce: String,
    /// Encrypted keys, hex.
    pub ciphertext: String,
}

impl WrappedKeys {
    /// Opens the keys with the account's password.
    pub fn unwrap(&self, login: &str, password: &str) -> Result<SiteSecrets, IdentityError> {
        let salt = hex::decode(&self.salt).map_err(|_| IdentityError::Corrupt("sel"))?;
        let nonce = hex::decode(&self.nonce).map_err(|_| IdentityError::Corrupt("nonce"))?;
        let ciphertext = hex::decode(&self.ciphertext).map_err(|_| IdentityError::Corrupt("clés chiffrées"))?;
        if nonce.len() != 12 {
            return Err(IdentityError::Corrupt("nonce"));
        }
        let key = self.kdf.derive(password, &salt)?;
        let cipher = ChaCha20Poly1305::new(Key::from_slice(key.as_ref()));
        let plain = Zeroizing::new(
            cipher
                .decrypt(Nonce::from_slice(&nonce), Payload { msg: &ciphertext, aad: login.as_bytes() })
                .map_err(|_| IdentityError::WrongPassword)?,
        );
        SiteSecrets::from_file(&plain)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::SeededEntropy;

    #[test]
    fn a_stored_cost_beyond_the_ceiling_is_refused_before_any_work() {
        let huge = KdfParams { m_kib: u32::MAX, t: 1, p: 1 };
        assert_eq!(
            huge.derive("x", b"0123456789abcdef").err(),
            Some(IdentityError::Corrupt("paramètres Argon2 hors limites"))
        );
        let long = KdfParams { m_kib: 8, t: u32::MAX, p: 1 };
        assert!(long.derive("x", b"0123456789abcdef").is_err());
    }

    #[test]
    fn passwords_verify_only_when_right() {
        let mut e = SeededEntropy::new(1);
        let stored =
            hash_password("motdepasse-1", KdfParams::FAST_FOR_TESTS, &mut e).unwrap_or_else(|err| panic!("{err}"));
        assert!(stored.starts_with("argon2id$8$1$1$"));
        assert_eq!(verify_password("motdepasse-1", &stored), Ok(()));
        assert_eq!(verify_password("motdepasse-2", &stored), Err(IdentityError::WrongPassword));
        assert!(matches!(verify_password("x", "garbage"), Err(IdentityError::Corrupt(_))));
    }

    #[test]
    fn keys_unwrap_with_the_right_password_only() {
        let mut e = SeededEntropy::new(2);
        let secrets = SiteSecrets::generate(&mut e);
        let wrapped = secrets
            .wrap("admin", "bon-mot-de-passe", KdfParams::FAST_FOR_TESTS, &mut e)
            .unwrap_or_else(|err| panic!("{err}"));
        let opened = wrapped.unwrap("admin", "bon-mot-de-passe").unwrap_or_else(|err| panic!("{err}"));
        assert_eq!(opened.public(), secrets.public());
        assert_eq!(wrapped.unwrap("admin", "mauvais").err(), Some(IdentityError::WrongPassword));
        // A wrap is bound to its account: another login cannot use it even with the password.
        assert_eq!(wrapped.unwrap("agent", "bon-mot-de-passe").err(), Some(IdentityError::WrongPassword));
        let message = b"bordereau";
        assert!(secrets.public().verify(message, &opened.sign(message)));
        assert!(!secrets.public().verify(b"autre", &opened.sign(message)));
    }

    #[test]
    fn age_key_encrypts_and_decrypts() {
        let secrets = SiteSecrets::generate(&mut SeededEntropy::new(3));
        let recipient: age::x25519::Recipient =
            secrets.public().age_recipient.parse().unwrap_or_else(|e| panic!("{e}"));
        let sealed = age::encrypt(&recipient, b"donnees").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(age::decrypt(secrets.age_identity(), &sealed).ok().as_deref(), Some(&b"donnees"[..]));
    }

    #[test]
    fn fingerprint_is_groups_of_four_hex_digits() {
        let fp = SiteSecrets::generate(&mut SeededEntropy::new(4)).public().fingerprint();
        assert_eq!(fp.len(), 39);
        assert!(fp.split('-').all(|g| g.len() == 4 && g.chars().all(|c| c.is_ascii_hexdigit())));
    }

    #[test]
    fn weak_passwords_are_refused() {
        assert!(check_new_password("court").is_err());
        assert!(check_new_password("12345678").is_err());
        assert!(check_new_password("Tiznit-2026").is_ok());
    }
}
