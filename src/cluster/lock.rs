//! One operation at a time per installation: a `coordination.k8s.io/v1` Lease `<name>-lock`
//! in the namespace. A try-once mutex, not an election: a live lock makes the command fail at
//! once (exit 4) naming the holder. A lock whose holder stopped renewing it expires and is
//! taken over; so is one whose holder was a process on this machine that no longer exists
//! (killed with SIGKILL), without waiting for the expiry.

use std::time::Duration;

use anyhow::{Context, Result};
use jiff::Timestamp;
use k8s_openapi::api::coordination::v1::{Lease, LeaseSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{MicroTime, ObjectMeta};
use kube::api::{Api, DeleteParams, Patch, PatchParams, PostParams, Preconditions};
use serde::Serialize;
use tokio::task::JoinHandle;

use super::Cluster;
use super::errors::{is_conflict, is_gone};
use crate::error::Exit;
use crate::render::labels;

pub const LEASE_SECONDS: i32 = 30;

/// Who holds a lock, for `status` and for the "locked" error.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Holder {
    pub holder: String,
    pub since: Option<String>,
    pub renewed: Option<String>,
    pub expired: bool,
}

pub struct Lock {
    api: Api<Lease>,
    name: String,
    uid: Option<String>,
    renewer: JoinHandle<()>,
}

/// `user@host/pid`: enough to find the process that holds the lock.
pub fn identity() -> String {
    let user = std::env::var("USER")
        .or_else(|_| std::env::var("LOGNAME"))
        .unwrap_or_else(|_| "unknown".into());
    format!("{user}@{}/{}", hostname(), std::process::id())
}

fn hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|s| s.trim().to_string())
        .ok()
        .filter(|s| !s.is_empty())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_else(|| "unknown-host".into())
}

/// True when `holder` names a process on this host that is gone.
fn holder_is_dead_local_process(holder: &str) -> bool {
    // "user@host/pid (operation)"
    let identity = holder.split(' ').next().unwrap_or(holder);
    let Some((user_host, pid)) = identity.rsplit_once('/') else {
        return false;
    };
    let Some((_, host)) = user_host.split_once('@') else {
        return false;
    };
    if host != hostname() || pid.parse::<u32>().is_err() {
        return false;
    }
    cfg!(target_os = "linux") && !std::path::Path::new(&format!("/proc/{pid}")).exists()
}

fn now() -> MicroTime {
    MicroTime(Timestamp::now())
}

pub fn describe(lease: &Lease) -> Option<Holder> {
    let spec = lease.spec.as_ref()?;
    let holder = spec.holder_identity.clone()?;
    let renewed = spec.renew_time.as_ref().map(|t| t.0);
    let duration = spec.lease_duration_seconds.unwrap_or(LEASE_SECONDS) as i64;
    let expired = renewed
        .map(|r| r.as_second() + duration < Timestamp::now().as_second())
        .unwrap_or(true)
        || holder_is_dead_local_process(&holder);
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
        .and_then(describe))
}

fn lease(name: &str, cluster: &Cluster, holder: &str) -> Lease {
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
            lease_duration_seconds: Some(LEASE_SECONDS),
            acquire_time: Some(now()),
            renew_time: Some(now()),
            ..Default::default()
        }),
    }
}

pub async fn acquire(cluster: &Cluster, name: &str, operation: &str) -> Result<Lock> {
    let api: Api<Lease> = cluster.typed();
    let holder = format!("{} ({operation})", identity());
    let desired = lease(name, cluster, &holder);
    let created = match api.create(&PostParams::default(), &desired).await {
        Ok(l) => l,
        Err(e) if is_conflict(&e) => {
            let existing = api.get(name).await.context("reading the lock")?;
            let info = describe(&existing);
            match info {
                Some(h) if !h.expired => return Err(Exit::Locked(format!(
                    "another operation holds the lock {}/{name}: {} since {} (last renewed {}); \
wait for it to finish, or if that process is gone, wait {LEASE_SECONDS}s for the lock to expire",
                    cluster.namespace,
                    h.holder,
                    h.since.as_deref().unwrap_or("an unknown time"),
                    h.renewed.as_deref().unwrap_or("never"),
                ))
                .into()),
                _ => {
                    let mut takeover = desired.clone();
                    takeover.metadata.resource_version = existing.metadata.resource_version.clone();
                    match api.replace(name, &PostParams::default(), &takeover).await {
                        Ok(l) => l,
                        Err(e) if is_conflict(&e) => {
                            return Err(Exit::Locked(format!(
                                "another operation took the lock {}/{name} at the same moment; try again when it has finished",
                                cluster.namespace
                            ))
                            .into())
                        }
                        Err(e) => return Err(anyhow::Error::new(e).context("taking over an expired lock")),
                    }
                }
            }
        }
        Err(e) => return Err(anyhow::Error::new(e).context("taking the lock")),
    };
    let renewer = {
        let api = api.clone();
        let name = name.to_string();
        tokio::spawn(async move {
            let every = Duration::from_secs((LEASE_SECONDS / 3) as u64);
            loop {
                tokio::time::sleep(every).await;
                let patch = serde_json::json!({"spec": {"renewTime": now()}});
                let _ = api
                    .patch(&name, &PatchParams::default(), &Patch::Merge(&patch))
                    .await;
            }
        })
    };
    Ok(Lock {
        api,
        name: name.to_string(),
        uid: created.metadata.uid,
        renewer,
    })
}

impl Lock {
    /// Releases the lock; only the lease this process created is deleted (uid precondition).
    pub async fn release(self) -> Result<()> {
        self.renewer.abort();
        let dp = DeleteParams {
            preconditions: Some(Preconditions {
                uid: self.uid.clone(),
                resource_version: None,
            }),
            ..Default::default()
        };
        match self.api.delete(&self.name, &dp).await {
            Ok(_) => Ok(()),
            Err(e) if is_gone(&e) || is_conflict(&e) => Ok(()),
            Err(e) => Err(anyhow::Error::new(e).context("releasing the lock")),
        }
    }
}
