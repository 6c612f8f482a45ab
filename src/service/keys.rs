//! The signing keys as the running service holds them, and their rotation. The key ring loaded
//! at start is replaced in place when new active keys are made, so that what is signed next
//! uses them at once; the retired keys stay in the ring and stay published, so that what they
//! signed keeps verifying.

use std::path::Path;
use std::sync::{Arc, RwLock};

use chrono::{DateTime, Utc};

use super::{Insigne, ServiceError};
use crate::proof::{KeyError, KeyInfo, KeyRing};

/// The key ring in force, shared by every clone of the service; cheap to clone.
#[derive(Clone)]
pub struct SigningKeys {
    current: Arc<RwLock<Arc<KeyRing>>>,
    /// One rotation at a time in this process: two admins confirming together make one new
    /// pair of keys each, one after the other, and neither is lost.
    rotation: Arc<tokio::sync::Mutex<()>>,
}

impl SigningKeys {
    pub fn new(ring: KeyRing) -> Self {
        Self {
            current: Arc::new(RwLock::new(Arc::new(ring))),
            rotation: Arc::default(),
        }
    }

    /// The key ring in force now. A caller that signs several things together keeps this one
    /// snapshot, so that a rotation meanwhile cannot mix two rings in one document.
    pub fn current(&self) -> Arc<KeyRing> {
        // A panic while the lock was held cannot have left a half-written ring: replacing it
        // is a single assignment.
        self.current
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }

    fn replace(&self, ring: KeyRing) {
        *self
            .current
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = Arc::new(ring);
    }
}

impl From<KeyRing> for SigningKeys {
    fn from(ring: KeyRing) -> Self {
        Self::new(ring)
    }
}

impl std::fmt::Debug for SigningKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The ring's own Debug shows the folder and the key ids, nothing private.
        self.current().fmt(f)
    }
}

/// Makes a new active key of each algorithm in the keys folder `dir` and retires the others
/// (they stay in the ring and published). `insigne keys rotate` and the console both come
/// here. The ring is read from the folder first, so that a rotation made meanwhile by another
/// process is kept, not overwritten. Returns the new ring and the keys made.
pub fn rotate_keys(dir: &Path, now: DateTime<Utc>) -> Result<(KeyRing, Vec<KeyInfo>), KeyError> {
    let mut ring = KeyRing::load(dir)?;
    let created = ring.rotate(now)?;
    Ok((ring, created))
}

/// How the audit log names keys made: their ids, separated by spaces.
pub fn key_ids(keys: &[KeyInfo]) -> String {
    keys.iter()
        .map(|k| k.kid.as_str())
        .collect::<Vec<_>>()
        .join(" ")
}

impl Insigne {
    /// The key ring in force now (see `SigningKeys::current`).
    pub fn keys(&self) -> Arc<KeyRing> {
        self.keys.current()
    }

    /// Every key of the ring, oldest first: ids, algorithms, dates and status, nothing private.
    pub fn signing_keys(&self) -> Vec<KeyInfo> {
        self.keys().list()
    }

    /// Makes a new active key of each algorithm, in the keys folder and in this process; what
    /// is signed from now on uses them. Other processes sharing the folder keep the ring they
    /// loaded until they restart. Returns the keys made.
    pub async fn rotate_keys(&self) -> Result<Vec<KeyInfo>, ServiceError> {
        let _one_at_a_time = self.keys.rotation.lock().await;
        let dir = self.keys().dir().to_path_buf();
        let now = self.clock.now();
        // Drawing an RSA key takes a while: off the async workers.
        let (ring, created) = self
            .cpu
            .run(move || rotate_keys(&dir, now))
            .await?
            .map_err(ServiceError::KeyRing)?;
        self.keys.replace(ring);
        Ok(created)
    }
}
