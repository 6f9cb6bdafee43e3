//! Logical backups of the in-cluster PostgreSQL: `pg_dump` in custom format, run in the
//! PostgreSQL pod through exec and streamed to a local file (nothing is written in the pod),
//! with a side file `<backup>.json` holding what a restore checks: checksum, size, the
//! PostgreSQL major version, the installation, the revision and engine image it belongs to.

use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::task::{Context, Poll};

use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::Pod;
use kube::api::{ListParams, Patch, PatchParams};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use tokio::io::AsyncWrite;

use crate::cluster::Cluster;
use crate::cluster::exec::{self, Target};
use crate::private;
use crate::render::labels;

pub const FORMAT: &str = "skyflo.ai/backup.v1";

/// What the PostgreSQL container runs. Its environment names the user and database (as the
/// readiness probe uses them); it connects over the local socket, so no password is needed.
const VERSION: &str =
    r#"exec psql -U "$POSTGRES_USER" -d "$POSTGRES_DB" -XtAc "SHOW server_version_num""#;
const DUMP: &str = r#"exec pg_dump -U "$POSTGRES_USER" -d "$POSTGRES_DB" --format=custom"#;
/// One transaction: a restore that fails or is cut off changes nothing.
const RESTORE: &str = r#"exec pg_restore -U "$POSTGRES_USER" -d "$POSTGRES_DB" --clean --if-exists --single-transaction --exit-on-error"#;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Meta {
    pub format: String,
    pub skyflo_version: String,
    pub namespace: String,
    pub instance: String,
    /// The cluster's identity (the uid of its `kube-system` namespace): prod and staging with
    /// the same namespace and name never share backups. `None`: it could not be read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster: Option<String>,
    /// The revision that was deployed when the backup was taken.
    pub revision: u32,
    pub engine_image: String,
    /// `server_version_num`, e.g. 150015.
    pub postgres_version: u32,
    pub created: String,
    pub bytes: u64,
    pub sha256: String,
    /// Why it was taken: `manual`, or `before revision N`.
    pub reason: String,
}

impl Meta {
    pub fn postgres_major(&self) -> u32 {
        self.postgres_version / 10000
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Backup {
    pub path: PathBuf,
    #[serde(flatten)]
    pub meta: Meta,
}

pub fn meta_path(path: &Path) -> PathBuf {
    let mut p = path.as_os_str().to_owned();
    p.push(".json");
    PathBuf::from(p)
}

/// Where an installation's backups are kept by default: one folder per cluster, namespace
/// and instance.
pub fn dir(root: &Path, cluster: Option<&str>, namespace: &str, instance: &str) -> PathBuf {
    let d = root.join(namespace).join(instance);
    match cluster {
        Some(uid) => d.join(format!("cluster-{uid}")),
        None => d,
    }
}

/// The cluster's identity: the uid of namespace `kube-system`, which lives as long as the
/// cluster. `None` when it may not be read (the backup then records none).
pub async fn cluster_identity(cluster: &Cluster) -> Option<String> {
    kube::Api::<k8s_openapi::api::core::v1::Namespace>::all(cluster.client.clone())
        .get_opt("kube-system")
        .await
        .ok()
        .flatten()
        .and_then(|n| n.metadata.uid)
}

/// A ready PostgreSQL pod of the installation.
pub async fn postgres_pod(cluster: &Cluster) -> Result<String, String> {
    let pod = crate::cluster::wait::ready_pod(cluster, "postgres").await?;
    Ok(pod.metadata.name.unwrap_or_default())
}

fn target(pod: &str) -> Target<'_> {
    Target {
        pod,
        container: "postgres",
    }
}

/// The running server's `server_version_num`.
pub async fn server_version(cluster: &Cluster, pod: &str) -> Result<u32, String> {
    let out = exec::output(cluster, &target(pod), &["sh", "-c", VERSION]).await?;
    out.trim()
        .parse()
        .map_err(|_| format!("unexpected server_version_num {:?}", out.trim()))
}

/// A file being written that hashes what passes through it.
struct Hashing {
    file: tokio::fs::File,
    hash: Sha256,
}

impl AsyncWrite for Hashing {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        let polled = Pin::new(&mut self.file).poll_write(cx, buf);
        if let Poll::Ready(Ok(n)) = &polled {
            let n = *n;
            self.hash.update(&buf[..n]);
        }
        polled
    }
    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.file).poll_flush(cx)
    }
    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.file).poll_shutdown(cx)
    }
}

pub struct Request<'a> {
    /// The file to write; `None`: a new file in `dir`.
    pub file: Option<PathBuf>,
    pub dir: PathBuf,
    pub revision: u32,
    pub engine_image: &'a str,
    pub reason: String,
    /// Replace an existing `file` (`--force`); otherwise an existing one is refused.
    pub overwrite: bool,
    /// [`cluster_identity`], recorded in the metadata.
    pub cluster: Option<String>,
}

/// `dir/<stem>.dump`, or `<stem>-2.dump`, … when a backup of the same second exists.
fn free_name(dir: &Path, stem: &str) -> PathBuf {
    (1..)
        .map(|i| match i {
            1 => dir.join(format!("{stem}.dump")),
            i => dir.join(format!("{stem}-{i}.dump")),
        })
        .find(|p| std::fs::symlink_metadata(p).is_err())
        .expect("an unused name")
}

/// Dumps the database into a new file (first under a `.partial` name, so an interrupted
/// backup never looks complete) and writes its side file.
pub async fn take(
    cluster: &Cluster,
    req: &Request<'_>,
    progress: &dyn Fn(u64),
) -> Result<Backup, String> {
    let pod = postgres_pod(cluster).await?;
    let version = server_version(cluster, &pod).await?;
    let now = jiff::Timestamp::now();
    let path = match &req.file {
        Some(f) => f.clone(),
        None => free_name(
            &req.dir,
            &format!(
                "{}-{}-r{}-{}",
                cluster.namespace,
                cluster.instance,
                req.revision,
                now.strftime("%Y%m%dT%H%M%SZ")
            ),
        ),
    };
    private::refuse_existing(&path, req.overwrite)?;
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        private::create_dir(parent).map_err(|e| format!("creating {}: {e}", parent.display()))?;
    }
    // Removed on every failure, and when this future is dropped (a signal).
    let (partial, file) = private::Partial::create(&path)
        .map_err(|e| format!("creating {}: {e}", private::partial_name(&path).display()))?;
    let file = tokio::fs::File::from_std(file);
    let mut out = Hashing {
        file,
        hash: Sha256::new(),
    };
    let written = exec::read_into(
        cluster,
        &target(&pod),
        &["sh", "-c", DUMP],
        &mut out,
        progress,
    )
    .await;
    let bytes = written?;
    let writing = |e: std::io::Error| format!("writing {}: {e}", partial.path().display());
    tokio::io::AsyncWriteExt::flush(&mut out.file)
        .await
        .map_err(writing)?;
    out.file.sync_all().await.map_err(writing)?;
    let meta = Meta {
        format: FORMAT.into(),
        skyflo_version: env!("CARGO_PKG_VERSION").into(),
        namespace: cluster.namespace.clone(),
        instance: cluster.instance.clone(),
        cluster: req.cluster.clone(),
        revision: req.revision,
        engine_image: req.engine_image.into(),
        postgres_version: version,
        created: now.to_string(),
        bytes,
        sha256: format!("{:x}", out.hash.finalize()),
        reason: req.reason.clone(),
    };
    partial
        .finish(&path, req.overwrite)
        .map_err(|e| format!("placing {}: {e}", path.display()))?;
    // The dump at `path` is this run's, so a side file already beside it is stale: replaced
    // (by a rename, which never follows a symlink at the name).
    let json = serde_json::to_vec_pretty(&meta).expect("metadata serializes");
    private::write(&meta_path(&path), &json, true)
        .map_err(|e| format!("writing {}: {e}", meta_path(&path).display()))?;
    Ok(Backup { path, meta })
}

/// A backup and its side file, as they are on disk (not yet checked).
pub fn open(path: &Path) -> Result<Backup, String> {
    let side = meta_path(path);
    let text = std::fs::read(&side).map_err(|e| {
        format!(
            "{}: cannot read its metadata {} ({e}); a skyflo backup is the .dump file and its .json beside it",
            path.display(),
            side.display()
        )
    })?;
    let meta: Meta = serde_json::from_slice(&text)
        .map_err(|e| format!("{}: not a skyflo backup's metadata ({e})", side.display()))?;
    if meta.format != FORMAT {
        return Err(format!(
            "{}: format {:?}; this skyflo reads {FORMAT:?}",
            side.display(),
            meta.format
        ));
    }
    Ok(Backup {
        path: path.to_path_buf(),
        meta,
    })
}

/// Size and SHA-256 of the file against its metadata: a truncated or altered file fails.
pub fn verify(b: &Backup) -> Result<(), String> {
    use std::io::Read;
    let mut f = std::fs::File::open(&b.path).map_err(|e| format!("{}: {e}", b.path.display()))?;
    let mut hash = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut bytes = 0u64;
    loop {
        let n = f
            .read(&mut buf)
            .map_err(|e| format!("{}: {e}", b.path.display()))?;
        if n == 0 {
            break;
        }
        hash.update(&buf[..n]);
        bytes += n as u64;
    }
    if bytes != b.meta.bytes {
        return Err(format!(
            "{} has {bytes} bytes, but {} were written: it is truncated or was changed",
            b.path.display(),
            b.meta.bytes
        ));
    }
    if format!("{:x}", hash.finalize()) != b.meta.sha256 {
        return Err(format!(
            "{}: the SHA-256 does not match the one recorded when it was written: the file is corrupted",
            b.path.display()
        ));
    }
    Ok(())
}

/// Where a restore goes: the installation, the cluster's identity, and whether a backup of
/// another cluster is accepted (`--from-other-cluster`).
pub struct Destination<'a> {
    pub cluster: &'a Cluster,
    pub identity: Option<String>,
    pub other_cluster: bool,
}

/// A backup that may be restored into this installation: its side file is readable, its size
/// and SHA-256 match, and it was taken of this namespace and instance, in this cluster.
pub fn checked(path: &Path, into: &Destination<'_>) -> Result<Backup, String> {
    let b = open(path)?;
    verify(&b)?;
    belongs_here(b, into)
}

/// The checks of [`checked`] after the file's own (for a caller that verified it already).
pub fn belongs_here(b: Backup, into: &Destination<'_>) -> Result<Backup, String> {
    let cluster = into.cluster;
    let path = b.path.clone();
    if let (Some(from), Some(here)) = (&b.meta.cluster, &into.identity)
        && from != here
        && !into.other_cluster
    {
        return Err(format!(
            "{} was taken in another cluster (kube-system uid {from}); this is cluster {here} ({}). \
Restoring another cluster's data is refused unless you pass --from-other-cluster",
            path.display(),
            cluster.server
        ));
    }
    if b.meta.instance != cluster.instance || b.meta.namespace != cluster.namespace {
        return Err(format!(
            "{} is a backup of skyflo {:?} in namespace {}, not of {:?} in {}",
            path.display(),
            b.meta.instance,
            b.meta.namespace,
            cluster.instance,
            cluster.namespace
        ));
    }
    Ok(b)
}

/// The installation's backups in `dir`, oldest first (unreadable ones are skipped).
pub fn list(dir: &Path) -> Vec<Backup> {
    let mut out: Vec<Backup> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "dump"))
        .filter_map(|p| open(&p).ok())
        .collect();
    out.sort_by(|a, b| a.meta.created.cmp(&b.meta.created));
    out
}

/// Keeps the newest `keep` backups of cluster `identity` in `dir`; returns the files removed.
/// Another cluster's backups in the same folder are neither counted nor removed. Partial
/// files left by a process that is gone (killed while writing) are removed too.
pub fn prune(dir: &Path, keep: usize, identity: Option<&str>) -> Vec<PathBuf> {
    for stale in std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| private::is_stale_partial(p))
    {
        let _ = std::fs::remove_file(stale);
    }
    let all: Vec<Backup> = list(dir)
        .into_iter()
        .filter(|b| b.meta.cluster.as_deref() == identity)
        .collect();
    let excess = all.len().saturating_sub(keep);
    let mut removed = Vec::new();
    for b in all.into_iter().take(excess) {
        if std::fs::remove_file(&b.path).is_ok() {
            let _ = std::fs::remove_file(meta_path(&b.path));
            removed.push(b.path);
        }
    }
    removed
}

/// `pg_restore --clean --if-exists` of the file in one transaction. What is sent is exactly
/// what was checked: the stream is hashed as it goes, and its last bytes are held back until
/// size and SHA-256 match the metadata, so a file replaced or changed since the check reaches
/// `pg_restore` cut short, which then fails and rolls back.
/// Streams `b` into pg_restore in the PostgreSQL pod; pg_restore starts at once and gets
/// its input once `gate` (the engine stopped) resolves.
pub async fn restore(
    cluster: &Cluster,
    pod: &str,
    b: &Backup,
    gate: impl std::future::Future<Output = Result<(), String>>,
    progress: &dyn Fn(u64),
) -> Result<(), String> {
    let file = tokio::fs::File::open(&b.path)
        .await
        .map_err(|e| format!("{}: {e}", b.path.display()))?;
    let mut file = Checked::new(file, b);
    exec::write_from(
        cluster,
        &target(pod),
        &["sh", "-c", RESTORE],
        &mut file,
        gate,
        progress,
    )
    .await?;
    Ok(())
}

/// How much of the stream waits for the checksum: more than the last block `pg_restore`
/// needs to finish the archive.
const HELD_BACK: usize = 64 * 1024;

/// A reader that passes a backup on and fails, before giving its last [`HELD_BACK`] bytes,
/// when what it read is not what the metadata recorded.
struct Checked<R> {
    inner: R,
    hash: Sha256,
    seen: u64,
    expected: (u64, String),
    path: PathBuf,
    held: std::collections::VecDeque<u8>,
    verified: bool,
    scratch: Vec<u8>,
}

impl<R> Checked<R> {
    fn new(inner: R, b: &Backup) -> Self {
        Checked {
            inner,
            hash: Sha256::new(),
            seen: 0,
            expected: (b.meta.bytes, b.meta.sha256.clone()),
            path: b.path.clone(),
            held: Default::default(),
            verified: false,
            scratch: vec![0; 256 * 1024],
        }
    }

    /// Gives what may go on: everything once verified, else all but the last bytes.
    fn release(&mut self, buf: &mut tokio::io::ReadBuf<'_>) -> bool {
        let keep = if self.verified { 0 } else { HELD_BACK };
        let n = self.held.len().saturating_sub(keep).min(buf.remaining());
        if n == 0 {
            return false;
        }
        let (a, b) = self.held.as_slices();
        let from_a = n.min(a.len());
        buf.put_slice(&a[..from_a]);
        buf.put_slice(&b[..n - from_a]);
        self.held.drain(..n);
        true
    }

    fn verify(&mut self) -> std::io::Result<()> {
        let sha = format!("{:x}", std::mem::take(&mut self.hash).finalize());
        if (self.seen, &sha) != (self.expected.0, &self.expected.1) {
            return Err(std::io::Error::other(format!(
                "{} changed after it was checked ({} bytes read, {} recorded{}); nothing of it was committed",
                self.path.display(),
                self.seen,
                self.expected.0,
                if self.seen == self.expected.0 {
                    ", another SHA-256"
                } else {
                    ""
                }
            )));
        }
        self.verified = true;
        Ok(())
    }
}

impl<R: tokio::io::AsyncRead + Unpin> tokio::io::AsyncRead for Checked<R> {
    /// Fills the caller's buffer whole when it can: reads of 256 KiB from the file (each one a
    /// trip to tokio's blocking pool) and stdin messages as large as the caller's buffer.
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        loop {
            if self.verified || self.held.len() >= HELD_BACK + buf.remaining() {
                self.release(buf);
                return Poll::Ready(Ok(()));
            }
            let this = &mut *self;
            let mut rb = tokio::io::ReadBuf::new(&mut this.scratch);
            let read = Pin::new(&mut this.inner)
                .poll_read(cx, &mut rb)
                .map_ok(|()| rb.filled().len());
            match read {
                // What is there goes now; the rest when the file has more.
                Poll::Pending if self.release(buf) => return Poll::Ready(Ok(())),
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
                Poll::Ready(Ok(0)) => {
                    if let Err(e) = self.verify() {
                        return Poll::Ready(Err(e));
                    }
                }
                Poll::Ready(Ok(n)) => {
                    let this = &mut *self;
                    this.hash.update(&this.scratch[..n]);
                    this.seen += n as u64;
                    this.held.extend(&this.scratch[..n]);
                }
            }
        }
    }
}

/// Scales the engine; returns the generation the change got, for the wait that follows.
pub async fn scale_engine(cluster: &Cluster, replicas: i32) -> anyhow::Result<i64> {
    let name = format!("{}-engine", cluster.instance);
    let api = cluster.typed::<Deployment>();
    cluster.fence.check().await?;
    let patch = serde_json::json!({"spec": {"replicas": replicas}});
    let scaled = api
        .patch(&name, &PatchParams::default(), &Patch::Merge(&patch))
        .await?;
    Ok(scaled.metadata.generation.unwrap_or(0))
}

/// Waits until no engine pod is left (none can write to the database any more).
pub async fn engine_stopped(
    cluster: &Cluster,
    deadline: tokio::time::Instant,
) -> anyhow::Result<()> {
    let selector = format!(
        "{},{}=engine",
        labels::instance_selector(&cluster.instance),
        labels::COMPONENT
    );
    loop {
        let pods = cluster
            .typed::<Pod>()
            .list(&ListParams::default().labels(&selector))
            .await?
            .items;
        if pods.is_empty() {
            return Ok(());
        }
        if tokio::time::Instant::now() > deadline {
            anyhow::bail!(
                "{} engine pod(s) still running; the database is not restored",
                pods.len()
            );
        }
        // A list is cheap; the restore waits on this.
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fake(dir: &Path, name: &str, created: &str, data: &[u8]) -> PathBuf {
        fake_of(dir, name, created, data, Some("prod-uid"))
    }

    fn fake_of(
        dir: &Path,
        name: &str,
        created: &str,
        data: &[u8],
        cluster: Option<&str>,
    ) -> PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, data).unwrap();
        let meta = Meta {
            format: FORMAT.into(),
            skyflo_version: "test".into(),
            namespace: "ns".into(),
            instance: "skyflo".into(),
            cluster: cluster.map(str::to_string),
            revision: 1,
            engine_image: "engine".into(),
            postgres_version: 150018,
            created: created.into(),
            bytes: data.len() as u64,
            sha256: format!("{:x}", Sha256::digest(data)),
            reason: "manual".into(),
        };
        std::fs::write(meta_path(&path), serde_json::to_vec(&meta).unwrap()).unwrap();
        path
    }

    #[test]
    fn retention_keeps_the_newest_and_list_orders_by_time() {
        let dir = tempfile::tempdir().unwrap();
        let times = [
            "2026-11-01T00:00:00Z",
            "2026-11-03T00:00:00Z",
            "2026-11-02T00:00:00Z",
        ];
        for (i, t) in times.iter().enumerate() {
            fake(dir.path(), &format!("b{i}.dump"), t, b"PGDMP data");
        }
        std::fs::write(dir.path().join("notes.txt"), "not a backup").unwrap();
        let listed: Vec<String> = list(dir.path())
            .iter()
            .map(|b| b.meta.created.clone())
            .collect();
        assert_eq!(listed, [times[0], times[2], times[1]]);
        // Older backups of another cluster in the same folder: neither counted nor removed.
        for i in 0..3 {
            let t = format!("2026-10-0{}T00:00:00Z", i + 1);
            fake_of(
                dir.path(),
                &format!("s{i}.dump"),
                &t,
                b"PGDMP",
                Some("staging-uid"),
            );
        }
        let removed = prune(dir.path(), 2, Some("prod-uid"));
        assert_eq!(removed, [dir.path().join("b0.dump")]);
        assert!(!meta_path(&dir.path().join("b0.dump")).exists());
        assert_eq!(list(dir.path()).len(), 5);
        assert!(dir.path().join("notes.txt").exists());
        assert!((0..3).all(|i| dir.path().join(format!("s{i}.dump")).exists()));
    }

    /// What a restore streams is what was checked: a file changed after the check fails the
    /// stream before its last bytes go.
    #[tokio::test]
    async fn the_stream_is_exactly_the_checked_file_or_cut_short() {
        use tokio::io::AsyncReadExt;
        let dir = tempfile::tempdir().unwrap();
        let data: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8).collect();
        let path = fake(dir.path(), "b.dump", "2026-11-01T00:00:00Z", &data);
        let b = open(&path).unwrap();
        let read_all = |b: Backup| async move {
            let f = tokio::fs::File::open(&b.path).await.unwrap();
            let mut r = Checked::new(f, &b);
            let mut out = Vec::new();
            let mut chunk = vec![0u8; 8192];
            loop {
                match r.read(&mut chunk).await {
                    Ok(0) => return (out, None),
                    Ok(n) => out.extend_from_slice(&chunk[..n]),
                    Err(e) => return (out, Some(e.to_string())),
                }
            }
        };
        assert_eq!(read_all(b.clone()).await, (data.clone(), None));
        // Swapped for a file of the same size after the check.
        let mut other = data.clone();
        other[1000] ^= 0xff;
        std::fs::write(&path, &other).unwrap();
        let (sent, err) = read_all(b.clone()).await;
        assert!(err.unwrap().contains("changed after it was checked"));
        assert!(sent.len() <= data.len() - HELD_BACK, "{}", sent.len());
        // Grown or shrunk.
        std::fs::write(&path, &data[..200_000]).unwrap();
        assert!(read_all(b.clone()).await.1.is_some());
        std::fs::write(&path, [&data[..], b"more"].concat()).unwrap();
        assert!(read_all(b).await.1.is_some());
    }

    #[test]
    fn verify_finds_truncation_and_corruption() {
        let dir = tempfile::tempdir().unwrap();
        let path = fake(
            dir.path(),
            "b.dump",
            "2026-11-01T00:00:00Z",
            b"PGDMP some data",
        );
        let b = open(&path).unwrap();
        assert!(verify(&b).is_ok());
        std::fs::write(&path, b"PGDMP some").unwrap();
        assert!(verify(&b).unwrap_err().contains("truncated"));
        std::fs::write(&path, b"PGDMP sXme data").unwrap();
        assert!(verify(&b).unwrap_err().contains("corrupted"));
    }
}
