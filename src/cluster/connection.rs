//! [`Cluster`]: a connection to one cluster, scoped to one installation, whose writes are
//! fenced by the lock and retried until the operation's deadline.

use kube::Client;
use kube::api::{Api, DynamicObject};

use super::fence::Fence;
use crate::render::ObjectRef;
use crate::render::object::api_resource_for;

/// A connection to one cluster, scoped to one installation (namespace + SkyfloAI name).
#[derive(Clone)]
pub struct Cluster {
    pub client: Client,
    /// For long streams (exec, logs, port-forward): no read timeout, since a command may be
    /// silent for minutes (pg_restore building an index); they end at the operation's
    /// deadline instead.
    pub streams: Client,
    /// The API server URL, for messages.
    pub server: String,
    pub namespace: String,
    pub instance: String,
    /// Checked before every write: proof that this process holds the installation's lock.
    pub fence: Fence,
    /// Until when a write is retried while the API server cannot be reached (the operation's
    /// deadline; `None`: 30 s from each write).
    pub retry_until: Option<tokio::time::Instant>,
    /// Who this process is to the lock (resolved once, in settings).
    pub lock: std::sync::Arc<crate::settings::LockSettings>,
}

impl Cluster {
    /// `lock`: who this process is to the installation's lock (from settings).
    pub fn new(
        client: Client,
        server: String,
        namespace: &str,
        instance: &str,
        lock: crate::settings::LockSettings,
    ) -> Self {
        Cluster {
            streams: client.clone(),
            client,
            server,
            namespace: namespace.to_string(),
            instance: instance.to_string(),
            fence: Fence::default(),
            retry_until: None,
            lock: std::sync::Arc::new(lock),
        }
    }

    /// The names of this installation's objects.
    pub fn names(&self) -> crate::render::Names {
        crate::render::Names {
            instance: self.instance.clone(),
            namespace: self.namespace.clone(),
        }
    }

    /// The same connection, with `streams` for long streams.
    pub fn with_streams(self, streams: Client) -> Cluster {
        Cluster { streams, ..self }
    }

    /// The Pod API on the streams' client (exec, logs, port-forward).
    pub fn stream_pods(&self) -> Api<k8s_openapi::api::core::v1::Pod> {
        Api::namespaced(self.streams.clone(), &self.namespace)
    }

    /// The same connection, retrying writes during an outage until `deadline`.
    pub fn until(&self, deadline: tokio::time::Instant) -> Cluster {
        Cluster {
            retry_until: Some(deadline),
            ..self.clone()
        }
    }

    /// The same connection with a short retry window, for cleanup after a failure (the
    /// operation's own deadline has passed; a dead API server should not hold up the exit).
    pub fn impatient(&self) -> Cluster {
        self.until(tokio::time::Instant::now() + std::time::Duration::from_secs(2))
    }

    /// When a write that cannot reach the API server gives up.
    pub fn write_deadline(&self) -> tokio::time::Instant {
        self.retry_until
            .unwrap_or_else(|| tokio::time::Instant::now() + std::time::Duration::from_secs(30))
    }

    /// The same connection, whose writes are fenced by a lock this process holds.
    pub fn fenced(&self, fence: Fence) -> Cluster {
        Cluster {
            fence,
            ..self.clone()
        }
    }

    /// A dynamic API for `kind`, namespaced where the kind is. Callers pass only kinds skyflo
    /// renders; references read from the cluster are checked with
    /// [`crate::render::object::api_resource_for`] before they get here.
    pub fn api_for(&self, kind: &str, namespace: Option<&str>) -> Api<DynamicObject> {
        let (ar, namespaced) = api_resource_for(kind)
            .unwrap_or_else(|| unreachable!("unchecked kind {kind} reached the API layer"));
        if namespaced {
            Api::namespaced_with(
                self.client.clone(),
                namespace.unwrap_or(&self.namespace),
                &ar,
            )
        } else {
            Api::all_with(self.client.clone(), &ar)
        }
    }

    pub fn api_for_ref(&self, r: &ObjectRef) -> Api<DynamicObject> {
        self.api_for(&r.kind, r.namespace.as_deref())
    }

    pub fn typed<K>(&self) -> Api<K>
    where
        K: kube::Resource<Scope = k8s_openapi::NamespaceResourceScope, DynamicType = ()>,
    {
        Api::namespaced(self.client.clone(), &self.namespace)
    }
}

/// `now + timeout`, saturating: a huge `--timeout` means "no deadline", not a panic.
pub fn deadline_after(timeout: std::time::Duration) -> tokio::time::Instant {
    let now = tokio::time::Instant::now();
    now.checked_add(timeout)
        .unwrap_or_else(|| now + std::time::Duration::from_secs(100 * 365 * 24 * 3600))
}
