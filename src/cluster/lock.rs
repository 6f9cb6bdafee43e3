//! One operation at a time per installation: a `coordination.k8s.io/v1` Lease `<name>-lock`
//! in the namespace. A try-once mutex with fencing, not an election:
//!
//! - A live lock makes the command fail at once (exit 4) naming the holder.
//! - Expiry is judged the way client-go's leader election judges it: a lease that this reader
//!   has seen unchanged (same resourceVersion) for its whole duration is expired. Clocks of
//!   different machines are never compared to take a lock over; a renewTime that looks fresh
//!   by our clock only makes us give up sooner.
//! - A lock held by a process on this machine that no longer exists (killed with SIGKILL) is
//!   taken over at once.
//! - Renewal is a conditional update (holder and resourceVersion). Every write checks the
//!   [`Fence`] first: past the validity of the last renewal (measured on a clock that keeps
//!   counting while a laptop sleeps), the holder re-reads the lease before writing anything
//!   and gives up (exit 4) if anybody else touched it.
//! - Release deletes the lease only with the resourceVersion of our own last renewal, so a
//!   process that lost the lock can never delete its successor's.

use std::time::Duration;

use anyhow::{Context, Result};
use jiff::Timestamp;
use k8s_openapi::api::coordination::v1::{Lease, LeaseSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use kube::api::{Api, PostParams};
use serde::Serialize;

use super::Cluster;
use super::errors::{is_conflict, is_gone};
use super::fence::{Lock, boot_millis, now};
use crate::error::Exit;
use crate::render::labels;

/// Who holds a lock, for `status` and for the "locked" error.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Holder {
    pub holder: String,
    pub since: Option<String>,
    pub renewed: Option<String>,
    /// By this machine's clock: a hint for `status`, never the reason to take a lock over.
    pub expired: bool,
}

/// `user@host/pid`: enough to find the process that holds the lock.
pub fn identity(cluster: &Cluster) -> String {
    let who = &cluster.lock;
    format!("{}@{}/{}", who.user, who.host, std::process::id())
}

/// True when `holder` names a process on this host that is gone.
fn holder_is_dead_local_process(local_host: &str, holder: &str) -> bool {
    // "user@host/pid (operation)"
    let identity = holder.split(' ').next().unwrap_or(holder);
    let Some((user_host, pid)) = identity.rsplit_once('/') else {
        return false;
    };
    let Some((_, host)) = user_host.split_once('@') else {
        return false;
    };
    if host != local_host || pid.parse::<u32>().is_err() {
        return false;
    }
    cfg!(target_os = "linux") && !std::path::Path::new(&format!("/proc/{pid}")).exists()
}

fn duration_of(lease: &Lease) -> i64 {
    lease
        .spec
        .as_ref()
        .and_then(|s| s.lease_duration_seconds)
        .unwrap_or(crate::settings::LEASE_SECONDS)
        .clamp(1, 3600) as i64
}

/// Who holds `lease`; `local_host`: this machine, whose dead holders count as expired.
pub fn describe(lease: &Lease, local_host: &str) -> Option<Holder> {
    let spec = lease.spec.as_ref()?;
    let holder = spec.holder_identity.clone()?;
    let renewed = spec.renew_time.as_ref().map(|t| t.0);
    let expired = renewed
        .map(|r| r.as_second().saturating_add(duration_of(lease)) < Timestamp::now().as_second())
        .unwrap_or(true)
        || holder_is_dead_local_process(local_host, &holder);
    Some(Holder {
        holder,
        since: spec.acquire_time.as_ref().map(|t| t.0.to_string()),
        renewed: renewed.map(|r| r.to_string()),
        expired,
    })
}

/// Reads the current holder, if any (for `status`).
pub async fn current(cluster: &Cluster, name: &str) -> Result<Option<Holder>> {
    let api: Api<Lease> = cluster.typed();
    Ok(api
        .get_opt(name)
        .await
        .context("reading the lock")?
        .as_ref()
        .and_then(|l| describe(l, &cluster.lock.host)))
}

fn lease(name: &str, cluster: &Cluster, holder: &str, transitions: i32) -> Lease {
    Lease {
        metadata: ObjectMeta {
            name: Some(name.to_string()),
            namespace: Some(cluster.namespace.clone()),
            labels: Some(
                [
                    (labels::INSTANCE.to_string(), cluster.instance.clone()),
                    (labels::MANAGED_BY.to_string(), labels::MANAGER.to_string()),
                ]
                .into(),
            ),
            ..Default::default()
        },
        spec: Some(LeaseSpec {
            holder_identity: Some(holder.to_string()),
            lease_duration_seconds: Some(cluster.lock.lease_seconds),
            acquire_time: Some(now()),
            renew_time: Some(now()),
            lease_transitions: Some(transitions),
            ..Default::default()
        }),
    }
}

fn locked_error(cluster: &Cluster, name: &str, h: &Holder) -> anyhow::Error {
    Exit::Locked(format!(
        "another operation holds the lock {}/{name}: {} since {} (last renewed {}); \
wait for it to finish; if that process is gone, the lock expires {} s after its last renewal",
        cluster.namespace,
        h.holder,
        h.since.as_deref().unwrap_or("an unknown time"),
        h.renewed.as_deref().unwrap_or("never"),
        crate::settings::LEASE_SECONDS,
    ))
    .into()
}

/// Takes the lock or fails with exit 4.
pub async fn acquire(cluster: &Cluster, name: &str, operation: &str) -> Result<Lock> {
    let api: Api<Lease> = cluster.typed();
    let holder = format!("{} ({operation})", identity(cluster));
    let taken = loop {
        let desired = lease(name, cluster, &holder, 0);
        match api.create(&PostParams::default(), &desired).await {
            Ok(l) => break l,
            Err(e) if is_conflict(&e) => {}
            Err(e) => return Err(anyhow::Error::new(e).context("taking the lock")),
        }
        let Some(existing) = api.get_opt(name).await.context("reading the lock")? else {
            continue; // released in between: try to create it again
        };
        let Some(seen) = expired_lease(cluster, &api, name, existing).await? else {
            continue;
        };
        break take_over(cluster, &api, name, &holder, seen).await?;
    };
    let duration_ms = duration_of(&taken) as u64 * 1000;
    let rv = taken.metadata.resource_version.unwrap_or_default();
    Ok(super::fence::start(api, name, holder, rv, duration_ms))
}

/// Decides whether `existing` is expired: `Some(lease)` to take over (with the
/// resourceVersion to replace), `None` when it disappeared (try again), an error when held.
async fn expired_lease(
    cluster: &Cluster,
    api: &Api<Lease>,
    name: &str,
    existing: Lease,
) -> Result<Option<Lease>> {
    let l = existing.metadata.labels.clone().unwrap_or_default();
    if l.get(labels::MANAGED_BY).map(String::as_str) != Some(labels::MANAGER)
        || l.get(labels::INSTANCE) != Some(&cluster.instance)
    {
        anyhow::bail!(
            "the Lease {}/{name} that skyflo uses as its lock exists and is not skyflo's \
(no app.kubernetes.io/managed-by=skyflo, app.kubernetes.io/instance={} labels); skyflo does not \
touch it. Use another name (metadata.name) or namespace, or remove that Lease if it is left over",
            cluster.namespace,
            cluster.instance
        );
    }
    let Some(info) = describe(&existing, &cluster.lock.host) else {
        return Ok(Some(existing)); // no holder recorded: free
    };
    if holder_is_dead_local_process(&cluster.lock.host, &info.holder) {
        return Ok(Some(existing));
    }
    if !info.expired {
        return Err(locked_error(cluster, name, &info));
    }
    // Stale by our clock; that alone proves nothing. Watch it for its full duration.
    let rv = existing.metadata.resource_version.clone();
    let until = boot_millis() + duration_of(&existing) as u64 * 1000 + 500;
    while boot_millis() < until {
        tokio::time::sleep(Duration::from_millis(500)).await;
        match api.get_opt(name).await.context("reading the lock")? {
            None => return Ok(None),
            Some(l) if l.metadata.resource_version != rv => {
                let now_info = describe(&l, &cluster.lock.host).unwrap_or(info);
                return Err(locked_error(cluster, name, &now_info));
            }
            Some(_) => {}
        }
    }
    Ok(Some(existing))
}

async fn take_over(
    cluster: &Cluster,
    api: &Api<Lease>,
    name: &str,
    holder: &str,
    seen: Lease,
) -> Result<Lease> {
    let transitions = seen
        .spec
        .as_ref()
        .and_then(|s| s.lease_transitions)
        .unwrap_or(0)
        .saturating_add(1);
    let mut takeover = lease(name, cluster, holder, transitions);
    takeover.metadata.resource_version = seen.metadata.resource_version.clone();
    match api.replace(name, &PostParams::default(), &takeover).await {
        Ok(l) => Ok(l),
        Err(e) if is_conflict(&e) || is_gone(&e) => Err(Exit::Locked(format!(
            "another operation took the lock {}/{name} at the same moment; try again when it has finished",
            cluster.namespace
        ))
        .into()),
        Err(e) => Err(anyhow::Error::new(e).context("taking over an expired lock")),
    }
}

/// One operation run under the lock by [`with_lock`].
pub struct Job<'a> {
    /// Written into the lease beside the holder (`install`, `restore`, …).
    pub operation: &'a str,
    /// Writes made under the lock retry during an outage until `timeout` from now.
    pub timeout: Duration,
    pub reporter: &'a dyn super::Reporter,
    /// The failpoint hit once the lock is held (the tests kill skyflo there).
    pub after_lock: Option<&'static str>,
}

/// Runs `work` under the installation's lock: takes it, hands `work` a fenced cluster (writes
/// stop once the lock is lost) whose retries end at the job's timeout, and races it against a
/// lost lock and the stop signals (a signal ends it as `Exit::Interrupted`). When it fails
/// while the lock is still ours, `on_failure` runs with the fenced cluster and the error (to
/// record what failed). The lock is released whatever happened; a failed release is only
/// reported and never replaces the operation's own result.
pub async fn with_lock<T, W, WF, H, HF>(
    cluster: &Cluster,
    job: Job<'_>,
    work: W,
    on_failure: H,
) -> Result<T>
where
    W: FnOnce(Cluster) -> WF,
    WF: std::future::Future<Output = Result<T>>,
    H: FnOnce(Cluster, &anyhow::Error) -> HF,
    HF: std::future::Future<Output = ()>,
{
    let mut stop = crate::interrupt::arm(note(cluster));
    let lock = acquire(cluster, &lock_name(cluster), job.operation).await?;
    if let Some(point) = job.after_lock {
        crate::failpoint::hit(point);
    }
    let fence = lock.fence();
    let fenced = cluster
        .fenced(fence.clone())
        .until(super::deadline_after(job.timeout));
    // A signal or a lost lock is seen before the work is polled again: the work may have
    // yielded just so (a restore before its first byte).
    let result = tokio::select! {
        biased;
        sig = stop.signal() => {
            crate::failpoint::hit("after-interrupt");
            Err(Exit::Interrupted(sig).into())
        }
        e = fence.lost() => Err(e),
        r = work(fenced.clone()) => r,
    };
    if let Err(e) = &result
        && !fence.is_lost()
    {
        on_failure(fenced, e).await;
    }
    release(cluster, lock, job.reporter).await;
    drop(stop);
    result
}

/// For [`with_lock`] when a failure needs no record.
pub fn nothing_to_record(_: Cluster, _: &anyhow::Error) -> std::future::Ready<()> {
    std::future::ready(())
}

/// `<instance>-lock`.
fn lock_name(cluster: &Cluster) -> String {
    cluster.names().lock()
}

/// Releases the lock; a failure is only reported (the lease expires by itself) and never
/// replaces the operation's own result.
async fn release(cluster: &Cluster, lock: Lock, reporter: &dyn super::Reporter) {
    if let Err(e) = lock.release().await {
        reporter.line(&format!(
            "warning: {e:#}; the lock expires by itself within {} s",
            cluster.lock.lease_seconds
        ));
    }
}

/// What a stopped operation leaves behind, said when it is interrupted.
pub fn note(cluster: &Cluster) -> String {
    format!(
        "the lock {}/{} expires by itself within {} s",
        cluster.namespace,
        lock_name(cluster),
        cluster.lock.lease_seconds
    )
}
