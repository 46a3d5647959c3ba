//! Password hashing with Argon2id, run on blocking threads so that the async
//! runtime keeps answering, and bounded so that a sign-in storm cannot take
//! every core.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher as _, PasswordVerifier as _, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use tokio::sync::Semaphore;

use crate::domain::password::Password;

/// Why hashing failed; never the user's fault.
#[derive(Debug, thiserror::Error)]
pub enum HashError {
    /// Argon2 refused its input.
    #[error("argon2: {0}")]
    Argon2(String),
    /// The blocking task did not finish.
    #[error("hashing task failed: {0}")]
    Task(#[from] tokio::task::JoinError),
    /// The limiter was closed.
    #[error("hashing limiter closed")]
    Closed,
}

/// Argon2id parameters: 19 MiB, 2 passes, 1 lane (OWASP's recommendation).
fn argon2() -> Result<Argon2<'static>, HashError> {
    let params =
        Params::new(19 * 1024, 2, 1, None).map_err(|e| HashError::Argon2(e.to_string()))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// Password hashes computed at once on a machine with `cores` cores: half
/// of them, at least one, so that a sign-in storm leaves the other half to
/// the pages (each hash keeps a core busy for tens of milliseconds).
pub fn hashing_slots(cores: usize) -> usize {
    (cores / 2).max(1)
}

/// Hashes and verifies passwords off the async runtime.
#[derive(Clone)]
pub struct PasswordHasher {
    permits: Arc<Semaphore>,
    dummy: Arc<str>,
    verified: Arc<AtomicU64>,
}

impl PasswordHasher {
    /// A hasher running at most `parallel` hashes at once.
    pub fn new(parallel: usize) -> Result<Self, HashError> {
        let dummy = hash_now(&Password::new("dummy password for unknown accounts"))?;
        Ok(Self {
            permits: Arc::new(Semaphore::new(parallel.max(1))),
            dummy: dummy.into(),
            verified: Arc::new(AtomicU64::new(0)),
        })
    }

    /// How many passwords were checked against a hash since the start, the
    /// dummy hash included: what makes a refusal cost the same work
    /// whatever the account.
    pub fn verifications(&self) -> u64 {
        self.verified.load(Ordering::Relaxed)
    }

    /// The PHC string of a new password.
    pub async fn hash(&self, password: Password) -> Result<String, HashError> {
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|_| HashError::Closed)?;
        tokio::task::spawn_blocking(move || hash_now(&password)).await?
    }

    /// Whether the password matches the stored hash. With no hash (unknown
    /// account, or no password yet) a dummy hash is checked so that the
    /// answer costs the same time.
    pub async fn verify(
        &self,
        password: Password,
        stored: Option<String>,
    ) -> Result<bool, HashError> {
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|_| HashError::Closed)?;
        let known = stored.is_some();
        let phc = stored.unwrap_or_else(|| self.dummy.to_string());
        let matched = tokio::task::spawn_blocking(move || verify_now(&password, &phc)).await??;
        self.verified.fetch_add(1, Ordering::Relaxed);
        Ok(known && matched)
    }
}

fn hash_now(password: &Password) -> Result<String, HashError> {
    let salt = SaltString::generate(&mut OsRng);
    argon2()?
        .hash_password(password.expose().as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| HashError::Argon2(e.to_string()))
}

fn verify_now(password: &Password, phc: &str) -> Result<bool, HashError> {
    let parsed = PasswordHash::new(phc).map_err(|e| HashError::Argon2(e.to_string()))?;
    Ok(argon2()?
        .verify_password(password.expose().as_bytes(), &parsed)
        .is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashing_takes_at_most_half_the_cores() {
        assert_eq!(hashing_slots(1), 1);
        assert_eq!(hashing_slots(2), 1);
        assert_eq!(hashing_slots(3), 1);
        assert_eq!(hashing_slots(8), 4);
    }

    #[tokio::test]
    async fn verifies_what_it_hashed_and_nothing_else() {
        let hasher = PasswordHasher::new(2).unwrap();
        let hash = hasher
            .hash(Password::new("a long enough passphrase"))
            .await
            .unwrap();
        assert!(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        let ok = hasher.verify(
            Password::new("a long enough passphrase"),
            Some(hash.clone()),
        );
        assert!(ok.await.unwrap());
        let wrong = hasher.verify(Password::new("another passphrase!"), Some(hash));
        assert!(!wrong.await.unwrap());
        let unknown = hasher.verify(Password::new("dummy password for unknown accounts"), None);
        assert!(!unknown.await.unwrap());
        assert_eq!(hasher.verifications(), 3);
    }

    #[tokio::test]
    async fn without_a_hash_the_dummy_is_checked_with_the_same_parameters() {
        let hasher = PasswordHasher::new(1).unwrap();
        let real = hasher
            .hash(Password::new("a real passphrase"))
            .await
            .unwrap();
        let params = |phc: &str| phc.rsplitn(3, '$').nth(2).unwrap().to_owned();
        assert_eq!(params(&hasher.dummy), params(&real));
        let before = hasher.verifications();
        assert!(!hasher.verify(Password::new("x"), None).await.unwrap());
        assert_eq!(
            hasher.verifications(),
            before + 1,
            "no work for an unknown account"
        );
    }
}
