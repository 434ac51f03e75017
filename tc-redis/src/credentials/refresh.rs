//! [`RefreshingCache`]: expiring credentials that one caller refreshes ahead of expiry while the
//! others keep using them; shared by the CVM role and the STS providers.

use super::{Credentials, CredentialsError};
use std::sync::{Mutex, MutexGuard, TryLockError};

/// Credentials and the Unix second they expire at.
#[derive(Clone)]
pub(super) struct Expiring {
    pub(super) credentials: Credentials,
    pub(super) expires_at: i64,
}

/// The cached credentials, and the lock that makes one caller at a time refresh them.
///
/// `get` returns the cached credentials while more than `window` seconds remain. Within the
/// window one caller fetches; the others return the cached credentials at once while they are
/// still valid, and wait for that fetch only once they have expired, so that a slow issuer
/// never queues every request behind it. A failed fetch leaves still-valid credentials in use
/// (the next call tries again); once they have expired the error is returned.
pub(super) struct RefreshingCache {
    cache: Mutex<Option<Expiring>>,
    /// Held by the one caller that fetches, across the network calls; `cache` never is.
    refreshing: Mutex<()>,
}

impl RefreshingCache {
    pub(super) fn new() -> Self {
        RefreshingCache {
            cache: Mutex::new(None),
            refreshing: Mutex::new(()),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Option<Expiring>> {
        // The cache is always left consistent, so a panic elsewhere does not invalidate it.
        self.cache.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The current credentials at Unix time `now`, fetched again when `expires_at - now <= window`.
    pub(super) fn get(
        &self,
        now: i64,
        window: i64,
        fetch: impl FnOnce() -> Result<Expiring, CredentialsError>,
    ) -> Result<Credentials, CredentialsError> {
        let fresh = |c: &Expiring| c.expires_at.saturating_sub(now) > window;
        let valid = |c: &Expiring| now < c.expires_at;
        if let Some(cached) = self.lock().as_ref().filter(|c| fresh(c)) {
            return Ok(cached.credentials.clone());
        }
        let _refreshing = match self.refreshing.try_lock() {
            Ok(guard) => guard,
            Err(TryLockError::Poisoned(p)) => p.into_inner(),
            Err(TryLockError::WouldBlock) => {
                if let Some(cached) = self.lock().as_ref().filter(|c| valid(c)) {
                    return Ok(cached.credentials.clone());
                }
                self.refreshing.lock().unwrap_or_else(|p| p.into_inner())
            }
        };
        // Another caller may have refreshed while this one waited.
        if let Some(cached) = self.lock().as_ref().filter(|c| fresh(c)) {
            return Ok(cached.credentials.clone());
        }
        match fetch() {
            Ok(refreshed) => {
                let credentials = refreshed.credentials.clone();
                *self.lock() = Some(refreshed);
                Ok(credentials)
            }
            Err(e) => match self.lock().as_ref().filter(|c| valid(c)) {
                Some(cached) => Ok(cached.credentials.clone()),
                None => Err(e),
            },
        }
    }

    /// When the cached credentials expire, for `Debug`: never waits for a refresh in progress.
    pub(super) fn cached_until(&self) -> String {
        match self.cache.try_lock() {
            Ok(cache) => format!("{:?}", cache.as_ref().map(|c| c.expires_at)),
            Err(TryLockError::Poisoned(e)) => {
                format!("{:?}", e.into_inner().as_ref().map(|c| c.expires_at))
            }
            Err(TryLockError::WouldBlock) => "<refreshing>".to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    use std::time::{Duration, Instant};

    fn issued(id: &str, expires_at: i64) -> Expiring {
        Expiring {
            credentials: Credentials::new(id, "key").unwrap(),
            expires_at,
        }
    }

    fn issuer_down() -> CredentialsError {
        CredentialsError::provider_error("test", "issuer down")
    }

    #[test]
    fn fetches_within_the_window_and_keeps_valid_credentials_when_that_fails() {
        let cache = RefreshingCache::new();
        let fetches = AtomicUsize::new(0);
        let get = |now: i64, ok: bool| {
            cache.get(now, 100, || {
                let n = fetches.fetch_add(1, Ordering::SeqCst) + 1;
                if ok {
                    Ok(issued(&format!("AKID{n}"), now + 1000))
                } else {
                    Err(issuer_down())
                }
            })
        };
        assert_eq!(get(0, true).unwrap().secret_id(), "AKID1");
        assert_eq!(get(899, true).unwrap().secret_id(), "AKID1");
        assert_eq!(fetches.load(Ordering::SeqCst), 1, "101 s left: no fetch");
        // Within the window the fetch fails: the still-valid credentials are used...
        assert_eq!(get(900, false).unwrap().secret_id(), "AKID1");
        assert_eq!(fetches.load(Ordering::SeqCst), 2);
        // ...until they expire; then the error is returned.
        let e = get(1000, false).unwrap_err();
        assert_eq!(e.to_string(), "test: issuer down");
        assert_eq!(get(1000, true).unwrap().secret_id(), "AKID4");
        assert_eq!(cache.cached_until(), "Some(2000)");
    }

    #[test]
    fn one_caller_refreshes_while_the_others_use_the_valid_credentials() {
        let cache = Arc::new(RefreshingCache::new());
        cache.get(0, 100, || Ok(issued("AKIDold", 1000))).unwrap();
        let started = Arc::new(AtomicBool::new(false));
        let refresher = {
            let (cache, started) = (Arc::clone(&cache), Arc::clone(&started));
            std::thread::spawn(move || {
                cache
                    .get(950, 100, || {
                        started.store(true, Ordering::SeqCst);
                        std::thread::sleep(Duration::from_millis(800));
                        Ok(issued("AKIDnew", 2000))
                    })
                    .unwrap()
            })
        };
        while !started.load(Ordering::SeqCst) {
            std::thread::sleep(Duration::from_millis(5));
        }
        let at = Instant::now();
        let other = cache
            .get(950, 100, || panic!("a second caller fetched"))
            .unwrap();
        assert_eq!(other.secret_id(), "AKIDold");
        assert!(
            at.elapsed() < Duration::from_millis(400),
            "{:?}",
            at.elapsed()
        );
        assert_eq!(refresher.join().unwrap().secret_id(), "AKIDnew");
        let after = cache.get(950, 100, || panic!("refreshed already")).unwrap();
        assert_eq!(after.secret_id(), "AKIDnew");
    }
}
