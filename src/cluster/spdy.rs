//! Exec with stdin over SPDY/3.1, the protocol kubectl spoke for years and every kubelet
//! serves. The API server passes an SPDY exec through to the kubelet as it is; kube's
//! WebSocket (v5) exec it decodes and encodes again as SPDY on the way, and a v4 WebSocket
//! goes to the kubelet's WebSocket server, which is slower still. Measured on the 2-core test
//! machine with 120 MiB into one pod: 0.42 s through SPDY, 0.95 s through WebSocket v5, and
//! the API server's CPU 0.18 s instead of 0.95 s: on a small cluster that CPU is taken from
//! the very pg_restore being fed.
//!
//! Only what `exec::write_from` needs: the four streams of `v4.channel.k8s.io` (error,
//! stdin, stdout, stderr, opened in that order as client-go does), stdin as data frames and
//! its end as an empty frame with FIN, the server's pings answered. Header blocks go out as
//! stored (uncompressed) deflate blocks, which a zlib reader takes without SPDY's dictionary;
//! the server's own header blocks are never needed (its frames name their stream).

use std::sync::Arc;

use http::header::{self, HeaderValue};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Status;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::{Mutex, watch};

type Io = hyper_util::rt::TokioIo<hyper::upgrade::Upgraded>;
type Writer = Arc<Mutex<tokio::io::WriteHalf<Io>>>;

const ERROR: u32 = 1;
const STDIN: u32 = 3;
const STDOUT: u32 = 5;
const STDERR: u32 = 7;

const SYN_STREAM: u16 = 1;
const SYN_REPLY: u16 = 2;
const RST_STREAM: u16 = 3;
const PING: u16 = 6;
const GOAWAY: u16 = 7;
const FIN: u8 = 1;

/// What the command said: stdout, stderr and its final status (none if the stream ended
/// without one).
pub type Replies = (Vec<u8>, Vec<u8>, Option<Status>);

/// An exec whose streams are open: stdin goes through [`Exec::send`] and [`Exec::close`]; the
/// replies are collected as they come, by the task [`open`] returns beside it.
pub struct Exec {
    writer: Writer,
    /// Whether the server took the stdin stream (data sent before would be dropped).
    taken: watch::Receiver<bool>,
}

/// Why the server did not upgrade to SPDY.
pub enum Refused {
    /// An answer of the API server that WebSocket would get as well (not allowed, no pod).
    Final(String),
    /// Something between skyflo and the kubelet that does not pass SPDY on: WebSocket may.
    NotSpoken(String),
}

/// Opens the exec `req` (as kube builds it for WebSocket) over SPDY.
pub async fn open(
    client: &kube::Client,
    req: http::Request<Vec<u8>>,
) -> Result<(Exec, tokio::task::JoinHandle<Replies>), Refused> {
    if crate::failpoint::on("exec-spdy-refused") {
        return Err(Refused::NotSpoken("refused by the test's failpoint".into()));
    }
    let (mut parts, body) = req.into_parts();
    let h = &mut parts.headers;
    h.insert(header::CONNECTION, HeaderValue::from_static("Upgrade"));
    h.insert(header::UPGRADE, HeaderValue::from_static("SPDY/3.1"));
    h.insert(
        "X-Stream-Protocol-Version",
        HeaderValue::from_static("v4.channel.k8s.io"),
    );
    let req = http::Request::from_parts(parts, kube::client::Body::from(body));
    let res = client
        .send(req)
        .await
        .map_err(|e| Refused::Final(e.to_string()))?;
    if res.status() != http::StatusCode::SWITCHING_PROTOCOLS {
        return Err(refusal(res).await);
    }
    let upgraded = hyper::upgrade::on(res)
        .await
        .map_err(|e| Refused::NotSpoken(format!("upgrading the connection: {e}")))?;
    let (read, write) = tokio::io::split(hyper_util::rt::TokioIo::new(upgraded));
    let writer = Arc::new(Mutex::new(write));
    let mut blocks = HeaderBlocks::default();
    {
        let mut w = writer.lock().await;
        for (id, kind) in [
            (ERROR, "error"),
            (STDIN, "stdin"),
            (STDOUT, "stdout"),
            (STDERR, "stderr"),
        ] {
            w.write_all(&syn_stream(id, &blocks.encode(&[("streamtype", kind)])))
                .await
                .map_err(|e| Refused::NotSpoken(format!("opening the exec streams: {e}")))?;
        }
        w.flush()
            .await
            .map_err(|e| Refused::NotSpoken(format!("opening the exec streams: {e}")))?;
    }
    let (took, taken) = watch::channel(false);
    let replies = tokio::spawn(collect(read, writer.clone(), took));
    Ok((Exec { writer, taken }, replies))
}

async fn refusal(res: http::Response<kube::client::Body>) -> Refused {
    use http_body_util::BodyExt;
    let status = res.status();
    let body = res
        .into_body()
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    let said = match serde_json::from_slice::<Status>(&body) {
        Ok(Status {
            message: Some(m), ..
        }) => format!("{m} ({status})"),
        _ => format!("the API server answered {status}"),
    };
    match status.as_u16() {
        401 | 403 | 404 => Refused::Final(said),
        _ => Refused::NotSpoken(said),
    }
}

impl Exec {
    /// Sends `frame` (from [`Exec::frame`]: its first 8 bytes are left for the header) as
    /// stdin data. Waits, the first time, until the server has taken the stream.
    pub async fn send(&mut self, frame: &mut [u8]) -> std::io::Result<()> {
        if !*self.taken.borrow() {
            self.taken
                .wait_for(|t| *t)
                .await
                .map_err(|_| std::io::Error::other("the server never took the stdin stream"))?;
        }
        let len = frame.len() - 8;
        frame[..8].copy_from_slice(&data_header(STDIN, 0, len));
        let mut w = self.writer.lock().await;
        w.write_all(frame).await?;
        w.flush().await
    }

    /// Ends stdin: the command reads end-of-file.
    pub async fn close(&mut self) -> std::io::Result<()> {
        let mut w = self.writer.lock().await;
        w.write_all(&data_header(STDIN, FIN, 0)).await?;
        w.flush().await
    }
}

/// Reads the server's frames until the connection ends: stdout, stderr and the error
/// stream's status; answers pings.
async fn collect(
    read: tokio::io::ReadHalf<Io>,
    writer: Writer,
    took: watch::Sender<bool>,
) -> Replies {
    let mut r = tokio::io::BufReader::with_capacity(64 * 1024, read);
    let (mut out, mut err, mut status) = (Vec::new(), Vec::new(), Vec::new());
    let mut head = [0u8; 8];
    while r.read_exact(&mut head).await.is_ok() {
        let len = u32::from_be_bytes([0, head[5], head[6], head[7]]) as usize;
        let mut payload = vec![0u8; len];
        if r.read_exact(&mut payload).await.is_err() {
            break;
        }
        if head[0] & 0x80 == 0 {
            let id = u32::from_be_bytes([head[0], head[1], head[2], head[3]]);
            match id {
                STDOUT => out.extend_from_slice(&payload),
                STDERR => err.extend_from_slice(&payload),
                ERROR => status.extend_from_slice(&payload),
                _ => {}
            }
            continue;
        }
        match u16::from_be_bytes([head[2], head[3]]) {
            SYN_REPLY if payload.get(..4) == Some(&STDIN.to_be_bytes()) => {
                let _ = took.send(true);
            }
            PING => {
                let mut w = writer.lock().await;
                let _ = w.write_all(&head).await;
                let _ = w.write_all(&payload).await;
                let _ = w.flush().await;
            }
            GOAWAY => break,
            RST_STREAM if payload.get(..4) == Some(&STDIN.to_be_bytes()) => break,
            _ => {}
        }
    }
    (out, err, serde_json::from_slice::<Status>(&status).ok())
}

/// A data frame's header: stream id, flags, 24-bit length.
fn data_header(stream: u32, flags: u8, len: usize) -> [u8; 8] {
    let id = stream.to_be_bytes();
    let l = (len as u32).to_be_bytes();
    [id[0], id[1], id[2], id[3], flags, l[1], l[2], l[3]]
}

/// A SYN_STREAM control frame opening `stream` with an encoded header block.
fn syn_stream(stream: u32, block: &[u8]) -> Vec<u8> {
    let len = (10 + block.len()) as u32;
    let mut f = Vec::with_capacity(18 + block.len());
    f.extend_from_slice(&[0x80, 3]);
    f.extend_from_slice(&SYN_STREAM.to_be_bytes());
    f.push(0);
    f.extend_from_slice(&len.to_be_bytes()[1..]);
    f.extend_from_slice(&stream.to_be_bytes());
    f.extend_from_slice(&0u32.to_be_bytes()); // associated stream: none
    f.extend_from_slice(&[0, 0]); // priority 0, slot 0
    f.extend_from_slice(block);
    f
}

/// The client's side of SPDY's header compression: one zlib stream for the connection, each
/// block a stored deflate block and a sync flush (SPDY needs a valid zlib stream, not a
/// compressed one).
#[derive(Default)]
struct HeaderBlocks {
    started: bool,
}

impl HeaderBlocks {
    fn encode(&mut self, pairs: &[(&str, &str)]) -> Vec<u8> {
        let mut raw = Vec::new();
        raw.extend_from_slice(&(pairs.len() as u32).to_be_bytes());
        for (name, value) in pairs {
            for s in [name, value] {
                raw.extend_from_slice(&(s.len() as u32).to_be_bytes());
                raw.extend_from_slice(s.as_bytes());
            }
        }
        let mut out = Vec::with_capacity(raw.len() + 7);
        if !std::mem::replace(&mut self.started, true) {
            // CMF 0x78 (deflate, 32 KiB window), FLG 0x01: no preset dictionary, check bits.
            out.extend_from_slice(&[0x78, 0x01]);
        }
        let n = raw.len() as u16;
        out.push(0); // BFINAL 0, BTYPE 00 (stored), then padding to the byte
        out.extend_from_slice(&n.to_le_bytes());
        out.extend_from_slice(&(!n).to_le_bytes());
        out.extend_from_slice(&raw);
        // An empty stored block, as a sync flush ends one: Go's reader hands a block's data
        // on only when the next block starts, so without it the server would wait for (and
        // then fail on) bytes of the next frame.
        out.extend_from_slice(&[0, 0, 0, 0xff, 0xff]);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    /// The header blocks of one connection read back, in order, as one zlib stream: what the
    /// server's SPDY framer does with them.
    #[test]
    fn header_blocks_are_one_valid_zlib_stream() {
        let mut blocks = HeaderBlocks::default();
        let mut wire = Vec::new();
        for kind in ["error", "stdin", "stdout", "stderr"] {
            let frame = syn_stream(3, &blocks.encode(&[("streamtype", kind)]));
            assert_eq!(&frame[..4], &[0x80, 3, 0, 1]);
            let len = u32::from_be_bytes([0, frame[5], frame[6], frame[7]]) as usize;
            assert_eq!(len, frame.len() - 8);
            wire.extend_from_slice(&frame[18..]);
        }
        let mut z = flate2::read::ZlibDecoder::new(&wire[..]);
        let mut raw = Vec::new();
        // The stream never ends (no final block): read what it holds.
        let _ = z.read_to_end(&mut raw);
        let mut expected = Vec::new();
        for kind in ["error", "stdin", "stdout", "stderr"] {
            expected.extend_from_slice(&1u32.to_be_bytes());
            expected.extend_from_slice(&10u32.to_be_bytes());
            expected.extend_from_slice(b"streamtype");
            expected.extend_from_slice(&(kind.len() as u32).to_be_bytes());
            expected.extend_from_slice(kind.as_bytes());
        }
        assert_eq!(raw, expected);
    }

    #[test]
    fn data_frames_carry_their_stream_flags_and_length() {
        assert_eq!(data_header(STDIN, 0, 0x01_02_03), [0, 0, 0, 3, 0, 1, 2, 3]);
        assert_eq!(data_header(STDIN, FIN, 0), [0, 0, 0, 3, 1, 0, 0, 0]);
    }
}
