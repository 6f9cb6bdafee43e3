//! Commands run inside a pod's container through the API server's exec, with their output
//! streamed to a local writer or their input streamed from a local reader: nothing is
//! written inside the pod.

use k8s_openapi::api::core::v1::Pod;
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
        .typed::<Pod>()
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
            "{what}: the connection ended without an exit status{said}"
        )),
    }
}

/// Runs `command` and copies its stdout into `out`; `progress` gets the byte count so far.
pub async fn read_into<W: AsyncWrite + Unpin>(
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
/// sent so far. Returns what the command wrote to stdout.
///
/// Speaks the exec WebSocket protocol on kube's connection directly (channel byte 0 stdin,
/// 1 stdout, 2 stderr, 3 the final status, 255 close): stdin goes in messages of [`CHUNK`].
pub async fn write_from<R: AsyncRead + Unpin>(
    cluster: &Cluster,
    t: &Target<'_>,
    command: &[&str],
    input: &mut R,
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
        .client
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
        send.send(Message::binary(buf[..=n].to_vec()))
            .await
            .map_err(|e| format!("sending: {e}"))?;
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

/// Runs `command` and returns its stdout.
pub async fn output(cluster: &Cluster, t: &Target<'_>, command: &[&str]) -> Result<String, String> {
    let mut out = Vec::new();
    read_into(cluster, t, command, &mut out, &|_| {}).await?;
    Ok(String::from_utf8_lossy(&out).into_owned())
}
