//! Commands run inside a pod's container through the API server's exec, with their output
//! streamed to a local writer or their input streamed from a local reader: nothing is
//! written inside the pod.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::Status;
use kube::api::{AttachParams, AttachedProcess};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

use super::Cluster;

/// Streams are copied in pieces of this size; each piece is reported as progress.
const CHUNK: usize = 256 * 1024;

pub struct Target<'a> {
    pub pod: &'a str,
    pub container: &'a str,
}

/// Starts a command without stdin (the stdin direction is [`write_from`]'s own).
async fn start(
    cluster: &Cluster,
    t: &Target<'_>,
    command: &[&str],
) -> Result<AttachedProcess, String> {
    // kube's default buffer is 1 KiB, which makes every read of the output 1 KiB: a dump
    // moves at a fraction of the speed pg_dump has on its own.
    let params = AttachParams::default()
        .container(t.container)
        .stdout(true)
        .stderr(true)
        .max_stdout_buf_size(CHUNK);
    cluster
        .stream_pods()
        .exec(t.pod, command.to_vec(), &params)
        .await
        .map_err(|e| format!("exec in {}/{}: {e}", t.pod, t.container))
}

/// The program a command runs, for messages (`sh -c 'exec pg_dump …'` is pg_dump).
fn label(command: &[&str]) -> String {
    let script = match command {
        ["sh", "-c", script, ..] => script,
        [program, ..] => program,
        [] => "exec",
    };
    let words: Vec<&str> = script.split_whitespace().collect();
    match words.as_slice() {
        ["exec", program, ..] => program.to_string(),
        [program, ..] => program.to_string(),
        [] => "exec".into(),
    }
}

/// Reads stderr from the start, so a chatty command never blocks on a full pipe.
fn stderr_of(p: &mut AttachedProcess) -> tokio::task::JoinHandle<String> {
    let e = p.stderr();
    tokio::spawn(async move {
        let mut s = String::new();
        if let Some(mut e) = e {
            let _ = e.read_to_string(&mut s).await;
        }
        s
    })
}

/// Waits for the command's end: its exit status and what it wrote to stderr.
async fn finish(
    mut p: AttachedProcess,
    stderr: tokio::task::JoinHandle<String>,
    what: &str,
) -> Result<(), String> {
    let status = p.take_status();
    let err = stderr.await.unwrap_or_default();
    let status = match status {
        Some(s) => s.await,
        None => None,
    };
    judge(status, &err, what)
}

/// The command's verdict from its final status and its stderr.
fn judge(status: Option<Status>, err: &str, what: &str) -> Result<(), String> {
    let said = if err.trim().is_empty() {
        String::new()
    } else {
        format!(": {}", err.trim())
    };
    match status {
        Some(s) if s.status.as_deref() == Some("Success") => Ok(()),
        Some(s) => Err(format!(
            "{what} failed: {}{said}",
            s.message.unwrap_or_default()
        )),
        None => Err(format!(
            "{what}: the connection to the pod ended before {what} reported an exit status, so {UNKNOWN}; \
its container's log may tell (kubectl logs POD -c CONTAINER){said}"
        )),
    }
}

/// Said when a command's outcome cannot be known (its stream ended without a status, or the
/// operation's deadline passed while it ran): callers tell what that means for their data.
pub const UNKNOWN: &str = "whether it finished is unknown";

/// Runs `work` until the operation's deadline (the cluster's, when it has one): a hung
/// command never holds the lock forever.
async fn by_deadline<T>(
    cluster: &Cluster,
    what: &str,
    work: impl std::future::Future<Output = Result<T, String>>,
) -> Result<T, String> {
    match cluster.retry_until {
        None => work.await,
        Some(deadline) => tokio::time::timeout_at(deadline, work).await.unwrap_or_else(|_| {
            Err(format!(
                "{what} was still running at the operation's deadline (--timeout) and was stopped, so {UNKNOWN}"
            ))
        }),
    }
}

/// Runs `command` and copies its stdout into `out`; `progress` gets the byte count so far.
/// Ends at the operation's deadline.
pub async fn read_into<W: AsyncWrite + Unpin>(
    cluster: &Cluster,
    t: &Target<'_>,
    command: &[&str],
    out: &mut W,
    progress: &dyn Fn(u64),
) -> Result<u64, String> {
    let what = label(command);
    by_deadline(cluster, &what, copy_out(cluster, t, command, out, progress)).await
}

async fn copy_out<W: AsyncWrite + Unpin>(
    cluster: &Cluster,
    t: &Target<'_>,
    command: &[&str],
    out: &mut W,
    progress: &dyn Fn(u64),
) -> Result<u64, String> {
    let mut p = start(cluster, t, command).await?;
    let stderr = stderr_of(&mut p);
    let mut stdout = p.stdout().ok_or("exec gave no stdout")?;
    let mut buf = vec![0u8; CHUNK];
    let mut total = 0u64;
    loop {
        let n = stdout
            .read(&mut buf)
            .await
            .map_err(|e| format!("reading the output: {e}"))?;
        if n == 0 {
            break;
        }
        out.write_all(&buf[..n])
            .await
            .map_err(|e| format!("writing locally: {e}"))?;
        total += n as u64;
        progress(total);
    }
    finish(p, stderr, &label(command)).await?;
    Ok(total)
}

/// Runs `command` with `input` as its stdin (closed at the end); `progress` gets the bytes
/// sent so far. Returns what the command wrote to stdout. The command starts at once; its
/// input waits for `gate` (a restore's pg_restore starts while the engine stops, and gets no
/// byte before it has). A gate that fails closes the input unsent.
///
/// Speaks the exec WebSocket protocol on kube's connection directly (channel byte 0 stdin,
/// 1 stdout, 2 stderr, 3 the final status, 255 close): stdin goes in messages of [`CHUNK`].
pub async fn write_from<R: AsyncRead + Unpin>(
    cluster: &Cluster,
    t: &Target<'_>,
    command: &[&str],
    input: &mut R,
    gate: impl std::future::Future<Output = Result<(), String>>,
    progress: &dyn Fn(u64),
) -> Result<String, String> {
    let what = label(command);
    by_deadline(
        cluster,
        &what,
        send_in(cluster, t, command, input, gate, progress),
    )
    .await
}

async fn send_in<R: AsyncRead + Unpin>(
    cluster: &Cluster,
    t: &Target<'_>,
    command: &[&str],
    input: &mut R,
    gate: impl std::future::Future<Output = Result<(), String>>,
    progress: &dyn Fn(u64),
) -> Result<String, String> {
    use futures::{SinkExt, StreamExt};
    use tokio_tungstenite::tungstenite::Message;
    let params = AttachParams::default()
        .container(t.container)
        .stdin(true)
        .stdout(true)
        .stderr(true);
    let req = kube::core::Request::new(format!("/api/v1/namespaces/{}/pods", cluster.namespace))
        .exec(t.pod, command.to_vec(), &params)
        .map_err(|e| format!("exec in {}/{}: {e}", t.pod, t.container))?;
    let conn = cluster
        .streams
        .connect(req)
        .await
        .map_err(|e| format!("exec in {}/{}: {e}", t.pod, t.container))?;
    let closes = conn.supports_stream_close();
    let (mut send, mut recv) = conn.into_stream().split();
    let replies = tokio::spawn(async move {
        let (mut out, mut err, mut status) = (Vec::new(), Vec::new(), None);
        while let Some(Ok(msg)) = recv.next().await {
            let Message::Binary(b) = msg else { continue };
            match b.first() {
                Some(1) => out.extend_from_slice(&b[1..]),
                Some(2) => err.extend_from_slice(&b[1..]),
                Some(3) => status = serde_json::from_slice::<Status>(&b[1..]).ok(),
                _ => {}
            }
        }
        (out, err, status)
    });
    if let Err(e) = gate.await {
        replies.abort();
        return Err(e);
    }
    let mut buf = vec![0u8; CHUNK + 1];
    let mut total = 0u64;
    loop {
        let n = match input.read(&mut buf[1..]).await {
            Ok(n) => n,
            Err(e) => {
                // The rest never goes: the remote command sees its input cut short.
                replies.abort();
                return Err(format!("reading the local file: {e}"));
            }
        };
        if n == 0 {
            break;
        }
        buf[0] = STDIN;
        if let Err(e) = send.send(Message::binary(buf[..=n].to_vec())).await {
            // The command stopped reading (it exited early): its own words say why.
            return Err(early_end(replies, command, &e.to_string()).await);
        }
        total += n as u64;
        progress(total);
    }
    let close = if closes {
        send.send(Message::binary(vec![CLOSE, STDIN])).await
    } else {
        send.close().await
    };
    close.map_err(|e| format!("closing stdin: {e}"))?;
    let (out, err, status) = replies.await.map_err(|e| e.to_string())?;
    judge(status, &String::from_utf8_lossy(&err), &label(command))?;
    Ok(String::from_utf8_lossy(&out).into_owned())
}

const STDIN: u8 = 0;
const CLOSE: u8 = 255;

type Replies = tokio::task::JoinHandle<(Vec<u8>, Vec<u8>, Option<Status>)>;

/// Why sending stopped: the command's exit status and stderr, when they arrive within a few
/// seconds of the failed send; else the send's own error.
async fn early_end(replies: Replies, command: &[&str], send_error: &str) -> String {
    let what = label(command);
    match tokio::time::timeout(std::time::Duration::from_secs(5), replies).await {
        Ok(Ok((_, err, status))) => match judge(status, &String::from_utf8_lossy(&err), &what) {
            Err(said) => format!("{what} stopped reading its input: {said}"),
            Ok(()) => format!("{what} exited before it had read all its input"),
        },
        _ => format!("sending to {what}: {send_error}"),
    }
}

/// Runs `command` and returns its stdout.
pub async fn output(cluster: &Cluster, t: &Target<'_>, command: &[&str]) -> Result<String, String> {
    let mut out = Vec::new();
    read_into(cluster, t, command, &mut out, &|_| {}).await?;
    Ok(String::from_utf8_lossy(&out).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A stream that ends without a status does not claim an outcome.
    #[test]
    fn an_end_without_a_status_says_the_outcome_is_unknown() {
        let e = judge(None, "", "pg_restore").unwrap_err();
        assert!(e.contains(UNKNOWN) && e.contains("kubectl logs"), "{e}");
        let ok = Status {
            status: Some("Success".into()),
            ..Default::default()
        };
        assert!(judge(Some(ok), "", "pg_restore").is_ok());
        let failed = Status {
            status: Some("Failure".into()),
            message: Some("command terminated with non-zero exit code".into()),
            ..Default::default()
        };
        let e = judge(Some(failed), "pg_restore: error: bad\n", "pg_restore").unwrap_err();
        assert!(
            e.contains("pg_restore: error: bad") && !e.contains(UNKNOWN),
            "{e}"
        );
    }
}
