//! The signing keys in the keys folder: one Ed25519 key (Data Integrity) and one RSA-2048 key
//! (RS256 JWS, VC-JWT) active at a time, older ones kept and published so that what they signed
//! keeps verifying.
//!
//! On disk: `keyring.toml` (the list: key id, algorithm, creation date, active or retired) and one
//! PKCS#8 PEM per key, `<kid>.pem`, mode 0600. Private keys never leave this module except as
//! signers; `Debug` shows key ids only.

use std::fmt;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, Utc};
use ed25519_dalek::pkcs8::{DecodePrivateKey, EncodePrivateKey};
use josekit::jwk::alg::rsa::RsaKeyPair;
use josekit::jwk::KeyPair;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

const KEYRING_FILE: &str = "keyring.toml";
const RSA_BITS: u32 = 2048;

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("keys folder {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path} is not a valid key ring: {message}")]
    Keyring { path: PathBuf, message: String },
    #[error("key {kid}: {message}")]
    Key { kid: String, message: String },
    #[error("keys already exist in {0}; use `insigne keys rotate` to make new active keys")]
    AlreadyExists(PathBuf),
    #[error("no keys in {0}; run `insigne keys generate`")]
    Empty(PathBuf),
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> KeyError + '_ {
    move |source| KeyError::Io {
        path: path.to_path_buf(),
        source,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum KeyAlgorithm {
    /// Ed25519, for eddsa-rdfc-2022 Data Integrity proofs.
    Ed25519,
    /// RSA-2048 with SHA-256, for OB 2.0 signed assertions and VC-JWTs.
    RS256,
}

impl KeyAlgorithm {
    fn prefix(self) -> &'static str {
        match self {
            KeyAlgorithm::Ed25519 => "ed25519",
            KeyAlgorithm::RS256 => "rsa",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum KeyStatus {
    Active,
    Retired,
}

/// What the key ring file says about one key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyInfo {
    pub kid: String,
    pub algorithm: KeyAlgorithm,
    pub created: DateTime<Utc>,
    pub status: KeyStatus,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct KeyringFile {
    #[serde(default, rename = "key")]
    keys: Vec<KeyInfo>,
}

pub(super) enum Secret {
    Ed25519(Box<ed25519_dalek::SigningKey>),
    Rsa(Box<RsaKey>),
}

/// An RSA key with its JWS signer and verifier built once, not per signature.
pub(super) struct RsaKey {
    pub(super) pair: RsaKeyPair,
    pub(super) signer: josekit::jws::alg::rsassa::RsassaJwsSigner,
    pub(super) verifier: josekit::jws::alg::rsassa::RsassaJwsVerifier,
}

impl RsaKey {
    fn new(pair: RsaKeyPair) -> Result<Self, String> {
        use josekit::jws::RS256;
        let signer = RS256
            .signer_from_der(pair.to_der_private_key())
            .map_err(|e| e.to_string())?;
        let verifier = RS256
            .verifier_from_der(pair.to_der_public_key())
            .map_err(|e| e.to_string())?;
        Ok(Self {
            pair,
            signer,
            verifier,
        })
    }
}

pub(super) struct LoadedKey {
    pub(super) info: KeyInfo,
    pub(super) secret: Secret,
}

/// All keys of the keys folder, loaded in memory.
pub struct KeyRing {
    dir: PathBuf,
    pub(super) keys: Vec<LoadedKey>,
    /// The published forms of the keys, worked out once (every DID document and verification
    /// asks for them; deriving an RSA JWK each time cost a tenth of a millisecond).
    public_keys: std::sync::OnceLock<Vec<crate::formats::ob3::identity::PublicKey>>,
}

impl fmt::Debug for KeyRing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyRing")
            .field("dir", &self.dir)
            .field(
                "kids",
                &self.keys.iter().map(|k| &k.info.kid).collect::<Vec<_>>(),
            )
            .finish()
    }
}

impl KeyRing {
    /// Loads the key ring in `dir`; `Empty` when there is none yet.
    pub fn load(dir: &Path) -> Result<Self, KeyError> {
        let ring_path = dir.join(KEYRING_FILE);
        if !ring_path.exists() {
            return Err(KeyError::Empty(dir.to_path_buf()));
        }
        let text = fs::read_to_string(&ring_path).map_err(io_err(&ring_path))?;
        let file: KeyringFile = toml::from_str(&text).map_err(|e| KeyError::Keyring {
            path: ring_path.clone(),
            message: e.to_string(),
        })?;
        let mut keys = Vec::new();
        for info in file.keys {
            let pem_path = dir.join(format!("{}.pem", info.kid));
            warn_if_readable_by_others(&pem_path);
            let pem = fs::read_to_string(&pem_path).map_err(io_err(&pem_path))?;
            let secret = decode_secret(info.algorithm, &pem).map_err(|message| KeyError::Key {
                kid: info.kid.clone(),
                message,
            })?;
            keys.push(LoadedKey { info, secret });
        }
        if keys.is_empty() {
            return Err(KeyError::Empty(dir.to_path_buf()));
        }
        for alg in [KeyAlgorithm::Ed25519, KeyAlgorithm::RS256] {
            let active = keys
                .iter()
                .filter(|k| k.info.algorithm == alg && k.info.status == KeyStatus::Active)
                .count();
            if active != 1 {
                return Err(KeyError::Keyring {
                    path: ring_path,
                    message: format!("{active} active {alg:?} keys (exactly one expected)"),
                });
            }
        }
        Ok(Self {
            dir: dir.to_path_buf(),
            keys,
            public_keys: Default::default(),
        })
    }

    /// Loads the key ring, or generates a first one when the folder has none. Returns whether keys
    /// were generated.
    pub fn load_or_generate(dir: &Path, now: DateTime<Utc>) -> Result<(Self, bool), KeyError> {
        match Self::load(dir) {
            Ok(ring) => Ok((ring, false)),
            Err(KeyError::Empty(_)) => match Self::generate(dir, now) {
                Ok(ring) => Ok((ring, true)),
                // Another process sharing the folder generated them first: its keys are used.
                Err(KeyError::AlreadyExists(_)) => Ok((Self::load(dir)?, false)),
                Err(e) => Err(e),
            },
            Err(e) => Err(e),
        }
    }

    /// Writes a first Ed25519 and RSA-2048 key into an empty keys folder.
    pub fn generate(dir: &Path, now: DateTime<Utc>) -> Result<Self, KeyError> {
        if dir.join(KEYRING_FILE).exists() {
            return Err(KeyError::AlreadyExists(dir.to_path_buf()));
        }
        fs::create_dir_all(dir).map_err(io_err(dir))?;
        let mut ring = Self {
            dir: dir.to_path_buf(),
            keys: Vec::new(),
            public_keys: Default::default(),
        };
        let created = ring.add_keys(now)?;
        // The first key ring appears at once and only once, even when processes sharing the
        // folder start together: a hard link fails when the file exists already.
        let tmp = ring.write_tmp()?;
        let path = dir.join(KEYRING_FILE);
        let linked = fs::hard_link(&tmp, &path);
        let _ = fs::remove_file(&tmp);
        match linked {
            Ok(()) => Ok(ring),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                for key in &created {
                    let _ = fs::remove_file(dir.join(format!("{}.pem", key.kid)));
                }
                Err(KeyError::AlreadyExists(dir.to_path_buf()))
            }
            Err(e) => Err(io_err(&path)(e)),
        }
    }

    /// Makes a new active key of each algorithm; the previous ones are kept, retired, and stay
    /// published.
    pub fn rotate(&mut self, now: DateTime<Utc>) -> Result<Vec<KeyInfo>, KeyError> {
        let created = self.add_keys(now)?;
        // The key ring is written last, so an interrupted rotation leaves the previous ring
        // in force.
        self.save()?;
        Ok(created)
    }

    /// Makes and writes a new active key of each algorithm, retiring the others; the key ring
    /// file is the caller's to write.
    fn add_keys(&mut self, now: DateTime<Utc>) -> Result<Vec<KeyInfo>, KeyError> {
        self.public_keys = Default::default();
        let mut created = Vec::new();
        for alg in [KeyAlgorithm::Ed25519, KeyAlgorithm::RS256] {
            let secret = generate_secret(alg)?;
            let kid = self.unique_kid(alg, &secret, now);
            let pem = encode_secret(&secret).map_err(|message| KeyError::Key {
                kid: kid.clone(),
                message,
            })?;
            write_private(&self.dir.join(format!("{kid}.pem")), pem.as_bytes())?;
            let info = KeyInfo {
                kid,
                algorithm: alg,
                created: now,
                status: KeyStatus::Active,
            };
            created.push(info.clone());
            self.keys.push(LoadedKey { info, secret });
        }
        // The new keys are active; every older one is retired.
        let new_kids: Vec<&str> = created.iter().map(|k| k.kid.as_str()).collect();
        for k in &mut self.keys {
            if !new_kids.contains(&k.info.kid.as_str()) {
                k.info.status = KeyStatus::Retired;
            }
        }
        Ok(created)
    }

    fn unique_kid(&self, alg: KeyAlgorithm, secret: &Secret, now: DateTime<Utc>) -> String {
        let fingerprint = hex::encode(&Sha256::digest(public_bytes(secret))[..4]);
        let base = format!("{}-{}-{fingerprint}", alg.prefix(), now.format("%Y%m%d"));
        let mut kid = base.clone();
        let mut n = 2;
        while self.keys.iter().any(|k| k.info.kid == kid) {
            kid = format!("{base}-{n}");
            n += 1;
        }
        kid
    }

    /// Replaces the key ring file, atomically.
    fn save(&self) -> Result<(), KeyError> {
        let tmp = self.write_tmp()?;
        let path = self.dir.join(KEYRING_FILE);
        fs::rename(&tmp, &path).map_err(io_err(&path))
    }

    /// The key ring, written to a temporary file of this process's own beside the real one.
    fn write_tmp(&self) -> Result<PathBuf, KeyError> {
        let file = KeyringFile {
            keys: self.keys.iter().map(|k| k.info.clone()).collect(),
        };
        let text = toml::to_string_pretty(&file).map_err(|e| KeyError::Keyring {
            path: self.dir.join(KEYRING_FILE),
            message: e.to_string(),
        })?;
        let tmp = self.dir.join(format!(
            "{KEYRING_FILE}.{}.{}.tmp",
            std::process::id(),
            crate::domain::ids::random_uuid().simple()
        ));
        fs::write(&tmp, text).map_err(io_err(&tmp))?;
        Ok(tmp)
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Every key, oldest first.
    pub fn list(&self) -> Vec<KeyInfo> {
        self.keys.iter().map(|k| k.info.clone()).collect()
    }

    pub(super) fn active(&self, alg: KeyAlgorithm) -> Option<&LoadedKey> {
        self.keys
            .iter()
            .find(|k| k.info.algorithm == alg && k.info.status == KeyStatus::Active)
    }

    /// The public half of an Ed25519 key of the ring.
    pub fn ed25519_public(&self, kid: &str) -> Option<ed25519_dalek::VerifyingKey> {
        self.keys
            .iter()
            .find(|k| k.info.kid == kid)
            .and_then(|k| match &k.secret {
                Secret::Ed25519(sk) => Some(sk.verifying_key()),
                Secret::Rsa(_) => None,
            })
    }

    /// Signs `document` with the Ed25519 key `kid` (active or retired: status lists of older
    /// keys are re-signed by their own key) as an eddsa-rdfc-2022 Data Integrity proof.
    pub fn sign_data_integrity(
        &self,
        document: &Value,
        kid: &str,
        verification_method: &str,
        created: DateTime<Utc>,
    ) -> Result<Value, KeyError> {
        let key = self
            .keys
            .iter()
            .find_map(|k| match &k.secret {
                Secret::Ed25519(sk) if k.info.kid == kid => Some(sk),
                _ => None,
            })
            .ok_or_else(|| KeyError::Key {
                kid: kid.to_string(),
                message: "no such Ed25519 key in the ring".into(),
            })?;
        super::di::sign(document, key, verification_method, created).map_err(|e| KeyError::Key {
            kid: kid.to_string(),
            message: format!("Data Integrity signing failed: {e}"),
        })
    }

    /// Signs `message` with the active Ed25519 key: a value this service hands out and later
    /// recognises as its own (an OpenID4VCI nonce), so that no process needs to remember it.
    /// Callers put a purpose of their own at the start of `message`. Returns the key id.
    pub fn sign_own_value(&self, message: &[u8]) -> Result<(String, [u8; 64]), KeyError> {
        use ed25519_dalek::Signer;
        let key = self
            .active(KeyAlgorithm::Ed25519)
            .ok_or_else(|| KeyError::Empty(self.dir.clone()))?;
        match &key.secret {
            Secret::Ed25519(sk) => Ok((key.info.kid.clone(), sk.sign(message).to_bytes())),
            Secret::Rsa(_) => Err(KeyError::Key {
                kid: key.info.kid.clone(),
                message: "not an Ed25519 key".into(),
            }),
        }
    }

    /// Every public key, oldest first, as the issuers' DID documents publish them.
    pub fn did_public_keys(&self) -> Vec<crate::formats::ob3::identity::PublicKey> {
        self.public_keys
            .get_or_init(|| self.derive_public_keys())
            .clone()
    }

    fn derive_public_keys(&self) -> Vec<crate::formats::ob3::identity::PublicKey> {
        use crate::formats::ob3::identity::PublicKey;
        self.keys
            .iter()
            .map(|k| match &k.secret {
                Secret::Ed25519(sk) => PublicKey::Ed25519 {
                    kid: k.info.kid.clone(),
                    multibase: super::di::ed25519_multibase(&sk.verifying_key()),
                },
                Secret::Rsa(rsa) => {
                    let jwk = rsa.pair.to_jwk_public_key();
                    PublicKey::Rsa {
                        kid: k.info.kid.clone(),
                        jwk: json!({"kty": "RSA", "n": jwk.parameter("n"), "e": jwk.parameter("e"), "alg": "RS256"}),
                    }
                }
            })
            .collect()
    }

    /// Every key id of `alg`, oldest first, retired ones included.
    pub fn kids(&self, alg: KeyAlgorithm) -> Vec<String> {
        self.keys
            .iter()
            .filter(|k| k.info.algorithm == alg)
            .map(|k| k.info.kid.clone())
            .collect()
    }

    /// The id of the active key of `alg`.
    pub fn active_kid(&self, alg: KeyAlgorithm) -> Option<&str> {
        self.active(alg).map(|k| k.info.kid.as_str())
    }

    /// The public keys as a JWK Set, every key (active and retired) included.
    pub fn jwks(&self) -> Value {
        let keys: Vec<Value> = self.keys.iter().map(public_jwk).collect();
        json!({ "keys": keys })
    }

    /// The SPKI PEM of a public key (OB 2.0 CryptographicKey `publicKeyPem`).
    pub fn public_pem(&self, kid: &str) -> Option<String> {
        let key = self.keys.iter().find(|k| k.info.kid == kid)?;
        match &key.secret {
            Secret::Rsa(rsa) => String::from_utf8(rsa.pair.to_pem_public_key()).ok(),
            Secret::Ed25519(sk) => {
                use ed25519_dalek::pkcs8::EncodePublicKey;
                sk.verifying_key()
                    .to_public_key_pem(ed25519_dalek::pkcs8::spki::der::pem::LineEnding::LF)
                    .ok()
            }
        }
    }
}

fn generate_secret(alg: KeyAlgorithm) -> Result<Secret, KeyError> {
    match alg {
        KeyAlgorithm::Ed25519 => Ok(Secret::Ed25519(Box::new(
            ed25519_dalek::SigningKey::generate(&mut rand::rngs::OsRng),
        ))),
        KeyAlgorithm::RS256 => RsaKeyPair::generate(RSA_BITS)
            .map_err(|e| e.to_string())
            .and_then(RsaKey::new)
            .map(|k| Secret::Rsa(Box::new(k)))
            .map_err(|message| KeyError::Key {
                kid: "(new RSA key)".into(),
                message,
            }),
    }
}

fn encode_secret(secret: &Secret) -> Result<String, String> {
    match secret {
        Secret::Ed25519(sk) => sk
            .to_pkcs8_pem(ed25519_dalek::pkcs8::spki::der::pem::LineEnding::LF)
            .map(|pem| pem.to_string())
            .map_err(|e| e.to_string()),
        Secret::Rsa(rsa) => {
            String::from_utf8(rsa.pair.to_pem_private_key()).map_err(|e| e.to_string())
        }
    }
}

fn decode_secret(alg: KeyAlgorithm, pem: &str) -> Result<Secret, String> {
    match alg {
        KeyAlgorithm::Ed25519 => ed25519_dalek::SigningKey::from_pkcs8_pem(pem)
            .map(|k| Secret::Ed25519(Box::new(k)))
            .map_err(|_| "not a PKCS#8 Ed25519 private key".to_string()),
        KeyAlgorithm::RS256 => RsaKeyPair::from_pem(pem)
            .map_err(|_| "not a PEM RSA private key".to_string())
            .and_then(RsaKey::new)
            .map(|k| Secret::Rsa(Box::new(k))),
    }
}

fn public_bytes(secret: &Secret) -> Vec<u8> {
    match secret {
        Secret::Ed25519(sk) => sk.verifying_key().to_bytes().to_vec(),
        Secret::Rsa(rsa) => rsa.pair.to_der_public_key(),
    }
}

fn public_jwk(key: &LoadedKey) -> Value {
    let kid = &key.info.kid;
    match &key.secret {
        Secret::Ed25519(sk) => json!({
            "kty": "OKP",
            "crv": "Ed25519",
            "x": URL_SAFE_NO_PAD.encode(sk.verifying_key().to_bytes()),
            "kid": kid,
            "alg": "EdDSA",
            "use": "sig",
        }),
        Secret::Rsa(rsa) => {
            let jwk = rsa.pair.to_jwk_public_key();
            json!({
                "kty": "RSA",
                "n": jwk.parameter("n"),
                "e": jwk.parameter("e"),
                "kid": kid,
                "alg": "RS256",
                "use": "sig",
            })
        }
    }
}

/// Creates a private key file readable by its owner only; never overwrites one.
fn write_private(path: &Path, bytes: &[u8]) -> Result<(), KeyError> {
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path).map_err(io_err(path))?;
    file.write_all(bytes).map_err(io_err(path))?;
    file.sync_all().map_err(io_err(path))
}

fn warn_if_readable_by_others(path: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if let Ok(meta) = fs::metadata(path) {
            if meta.permissions().mode() & 0o077 != 0 {
                tracing::warn!(path = %path.display(), "private key file is readable by others; chmod 600 it");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        "2026-11-28T12:00:00Z".parse().expect("date")
    }

    #[test]
    fn generates_two_private_files_owner_only_and_reloads_them() {
        let dir = tempfile::tempdir().expect("tempdir");
        let ring = KeyRing::generate(dir.path(), now()).expect("generate");
        let infos = ring.list();
        assert_eq!(infos.len(), 2);
        for info in &infos {
            let meta = fs::metadata(dir.path().join(format!("{}.pem", info.kid))).expect("pem");
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                assert_eq!(meta.permissions().mode() & 0o777, 0o600);
            }
            let _ = meta;
        }
        let reloaded = KeyRing::load(dir.path()).expect("load");
        assert_eq!(reloaded.list(), infos);
        assert_eq!(reloaded.jwks(), ring.jwks());
        assert!(matches!(
            KeyRing::generate(dir.path(), now()),
            Err(KeyError::AlreadyExists(_))
        ));
    }

    #[test]
    fn rotation_keeps_old_keys_published_and_retired() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut ring = KeyRing::generate(dir.path(), now()).expect("generate");
        let old_rsa = ring
            .active_kid(KeyAlgorithm::RS256)
            .expect("rsa")
            .to_string();
        ring.rotate(now()).expect("rotate");
        let ring = KeyRing::load(dir.path()).expect("reload");
        let new_rsa = ring.active_kid(KeyAlgorithm::RS256).expect("rsa");
        assert_ne!(new_rsa, old_rsa);
        let jwks = ring.jwks();
        let kids: Vec<&str> = jwks["keys"]
            .as_array()
            .expect("keys")
            .iter()
            .filter_map(|k| k["kid"].as_str())
            .collect();
        assert_eq!(kids.len(), 4);
        assert!(kids.contains(&old_rsa.as_str()));
        assert!(ring
            .public_pem(&old_rsa)
            .expect("pem")
            .starts_with("-----BEGIN PUBLIC KEY-----"));
    }

    #[test]
    fn nothing_private_in_jwks_or_debug() {
        let dir = tempfile::tempdir().expect("tempdir");
        let ring = KeyRing::generate(dir.path(), now()).expect("generate");
        let jwks = ring.jwks().to_string();
        for private_member in ["\"d\"", "\"p\"", "\"q\"", "\"dp\"", "\"dq\"", "\"qi\""] {
            assert!(!jwks.contains(private_member), "{private_member} in {jwks}");
        }
        let debug = format!("{ring:?}");
        assert!(
            !debug.contains("PRIVATE") && !debug.contains("secret"),
            "{debug}"
        );
    }
}
