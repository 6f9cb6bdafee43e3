//! Proof that this process holds the installation's lock, checked before every write: the
//! lease's renewal on a clock that keeps counting while a laptop sleeps, the renewer task, and
//! the release that deletes only our own last write of the lease (see `lock` for the rules).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use anyhow::{Context, Result};
use jiff::Timestamp;
use k8s_openapi::api::coordination::v1::Lease;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::MicroTime;
use kube::api::{Api, DeleteParams, PostParams, Preconditions};
use tokio::sync::{Mutex, Notify};
use tokio::task::JoinHandle;

use super::errors::{is_conflict, is_gone};
use crate::error::Exit;

/// Milliseconds on CLOCK_BOOTTIME: unlike `Instant` (CLOCK_MONOTONIC on Linux) it keeps
/// counting while the machine is suspended, so a laptop that slept is not fooled into
/// believing its lease is still fresh.
pub(super) fn boot_millis() -> u64 {
    #[cfg(target_os = "linux")]
    {
        let mut ts = libc::timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        // SAFETY: clock_gettime writes into the timespec we own; CLOCK_BOOTTIME exists on
        // every Linux since 2.6.39.
        if unsafe { libc::clock_gettime(libc::CLOCK_BOOTTIME, &mut ts) } == 0 {
            return ts.tv_sec as u64 * 1000 + ts.tv_nsec as u64 / 1_000_000;
        }
    }
    static START: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();
    START
        .get_or_init(std::time::Instant::now)
        .elapsed()
        .as_millis() as u64
}

/// Proof that this process still holds the installation's lock. Cloned into [`Cluster`];
/// every write calls [`Fence::check`] first. The default fence (no lock taken) allows writes:
/// the only write before the lock is the namespace that the lock lives in.
#[derive(Clone, Default)]
pub struct Fence(Option<Arc<Shared>>);

struct Shared {
    api: Api<Lease>,
    name: String,
    holder: String,
    duration_ms: u64,
    /// Boot-clock millis until which the last renewal proves we hold the lease.
    valid_until: AtomicU64,
    lost: AtomicBool,
    /// Set once the release began: no renewal writes the lease again.
    released: AtomicBool,
    lost_notify: Notify,
    /// The resourceVersion of our last write of the lease; also serializes renewals.
    rv: Mutex<String>,
}

impl Fence {
    /// Ok while the lock is provably ours; renews it first when the last renewal is too old
    /// (after a pause or an API-server outage). Errors with exit 4 once it is lost.
    pub async fn check(&self) -> Result<()> {
        let Some(s) = &self.0 else { return Ok(()) };
        if s.lost.load(Ordering::SeqCst) {
            return Err(s.lost_error());
        }
        if boot_millis() < s.valid_until.load(Ordering::SeqCst) {
            return Ok(());
        }
        s.renew(true).await
    }

    /// Resolves when the lock is known to be lost.
    pub async fn lost(&self) -> anyhow::Error {
        match &self.0 {
            None => std::future::pending().await,
            Some(s) => loop {
                let notified = s.lost_notify.notified();
                if s.lost.load(Ordering::SeqCst) {
                    return s.lost_error();
                }
                notified.await;
            },
        }
    }

    /// Sends a run's last write and releases the lock at the same time, so the exit waits for
    /// one round trip instead of two. The write passes its fence check before the release is
    /// sent (both go out in this order on the one connection); a run that waits for the lock
    /// already plans from history read before it got it, and a record that lands after it
    /// started takes the next free revision (`release::record`).
    pub async fn release_with<T, F>(&self, write: F) -> Result<T>
    where
        F: std::future::Future<Output = Result<T>>,
    {
        let Some(s) = &self.0 else { return write.await };
        self.check().await?;
        let release = async {
            if s.released.swap(true, Ordering::SeqCst) {
                return Ok(());
            }
            let deleted = s.delete_lease().await;
            if deleted.is_err() {
                // Lock::release tries again and says so.
                s.released.store(false, Ordering::SeqCst);
            }
            deleted
        };
        let (written, _) = tokio::join!(write, release);
        written
    }

    pub fn is_lost(&self) -> bool {
        self.0
            .as_ref()
            .is_some_and(|s| s.lost.load(Ordering::SeqCst))
    }
}

impl Shared {
    fn lost_error(&self) -> anyhow::Error {
        Exit::LockLost(format!(
            "lost the lock {}: another operation took it over while this one could not renew it \
(paused, asleep, or cut off from the API server for more than {} s); stopped before writing \
anything more. Check `skyflo status` and run the command again",
            self.name,
            self.duration_ms / 1000
        ))
        .into()
    }

    fn mark_lost(&self) -> anyhow::Error {
        self.lost.store(true, Ordering::SeqCst);
        self.lost_notify.notify_waiters();
        self.lost_error()
    }

    /// A conditional renewal. `verify` re-reads the lease first and gives up without writing
    /// when anybody changed it since our last write (used once our validity has run out).
    async fn renew(&self, verify: bool) -> Result<()> {
        let mut rv = self.rv.lock().await;
        if self.lost.load(Ordering::SeqCst) {
            return Err(self.lost_error());
        }
        if self.released.load(Ordering::SeqCst) {
            return Ok(());
        }
        // Another caller renewed while we waited for the mutex.
        if verify && boot_millis() < self.valid_until.load(Ordering::SeqCst) {
            return Ok(());
        }
        let sent = boot_millis();
        let mut current = match self.api.get_opt(&self.name).await {
            Ok(Some(l)) => l,
            Ok(None) => return Err(self.mark_lost()),
            Err(e) => {
                return Err(anyhow::Error::new(e).context(format!(
                    "renewing the lock {}: the API server did not answer",
                    self.name
                )));
            }
        };
        let ours = current.metadata.resource_version.as_deref() == Some(rv.as_str())
            && current
                .spec
                .as_ref()
                .and_then(|s| s.holder_identity.as_deref())
                == Some(self.holder.as_str());
        if !ours {
            return Err(self.mark_lost());
        }
        if let Some(spec) = current.spec.as_mut() {
            spec.renew_time = Some(now());
        }
        match self
            .api
            .replace(&self.name, &PostParams::default(), &current)
            .await
        {
            Ok(l) => {
                *rv = l.metadata.resource_version.unwrap_or_default();
                self.valid_until
                    .store(sent + self.validity_ms(), Ordering::SeqCst);
                Ok(())
            }
            Err(e) if is_conflict(&e) || is_gone(&e) => Err(self.mark_lost()),
            Err(e) => {
                Err(anyhow::Error::new(e).context(format!("renewing the lock {}", self.name)))
            }
        }
    }

    /// How long a renewal proves ownership: the lease duration less a margin for the time a
    /// request takes and for clock-rate differences.
    fn validity_ms(&self) -> u64 {
        self.duration_ms - (self.duration_ms / 5).max(500)
    }
}

pub struct Lock {
    fence: Fence,
    renewer: JoinHandle<()>,
}

pub(super) fn now() -> MicroTime {
    MicroTime(Timestamp::now())
}

pub(super) fn start(
    api: Api<Lease>,
    name: &str,
    holder: String,
    rv: String,
    duration_ms: u64,
) -> Lock {
    let shared = Arc::new(Shared {
        api,
        name: name.to_string(),
        holder,
        duration_ms,
        valid_until: AtomicU64::new(0),
        lost: AtomicBool::new(false),
        released: AtomicBool::new(false),
        lost_notify: Notify::new(),
        rv: Mutex::new(rv),
    });
    // The lease was written just now; the request's own time is not known, so count from here.
    shared
        .valid_until
        .store(boot_millis() + shared.validity_ms(), Ordering::SeqCst);
    let renewer = {
        let s = shared.clone();
        tokio::spawn(async move {
            let every = Duration::from_millis((s.duration_ms / 3).max(500));
            loop {
                tokio::time::sleep(every).await;
                let expired = boot_millis() >= s.valid_until.load(Ordering::SeqCst);
                match s.renew(expired).await {
                    Ok(()) => {}
                    Err(_) if s.lost.load(Ordering::SeqCst) => return,
                    // Unreachable API server: keep trying; writes wait on the fence meanwhile.
                    Err(_) => tokio::time::sleep(Duration::from_millis(500)).await,
                }
            }
        })
    };
    Lock {
        fence: Fence(Some(shared)),
        renewer,
    }
}

impl Lock {
    pub fn fence(&self) -> Fence {
        self.fence.clone()
    }

    /// Releases the lock, unless it was lost or released already ([`Fence::release_with`]):
    /// only the lease as we last wrote it is deleted.
    pub async fn release(self) -> Result<()> {
        self.renewer.abort();
        let Some(s) = &self.fence.0 else {
            return Ok(());
        };
        if s.lost.load(Ordering::SeqCst) || s.released.swap(true, Ordering::SeqCst) {
            return Ok(());
        }
        s.delete_lease().await
    }
}

impl Shared {
    async fn delete_lease(&self) -> Result<()> {
        let rv = self.rv.lock().await.clone();
        let dp = DeleteParams {
            preconditions: Some(Preconditions {
                uid: None,
                resource_version: Some(rv),
            }),
            ..Default::default()
        };
        // A short retry: an API server that is restarting should not leave the lock behind,
        // one that is gone should not hold up the exit (the lease expires by itself).
        super::client::retrying(
            tokio::time::Instant::now() + Duration::from_secs(5),
            || async {
                match self.api.delete(&self.name, &dp).await {
                    Ok(_) => Ok(()),
                    Err(e) if is_gone(&e) || is_conflict(&e) => Ok(()),
                    Err(e) => Err(anyhow::Error::new(e)),
                }
            },
        )
        .await
        .context("releasing the lock")
    }
}
