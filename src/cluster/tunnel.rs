//! HTTP/1.1 to a port of a pod through the API server's port-forward: nothing is exposed and
//! nothing is written to the cluster. One tunnel is one keep-alive connection, so a sequence
//! of requests (an MCP session) reaches the same pod.

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::SendRequest;
use hyper_util::rt::TokioIo;
use kube::api::Portforwarder;

use super::Cluster;

pub struct Tunnel {
    sender: SendRequest<Full<Bytes>>,
    forwarder: Portforwarder,
}

#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub headers: http::HeaderMap,
    pub body: String,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    }

    pub fn json(&self) -> Option<serde_json::Value> {
        serde_json::from_str(&self.body).ok()
    }
}

impl Tunnel {
    pub async fn open(cluster: &Cluster, pod: &str, port: u16) -> Result<Tunnel, String> {
        let mut forwarder = cluster
            .stream_pods()
            .portforward(pod, &[port])
            .await
            .map_err(|e| format!("port-forward to {pod}:{port} failed: {e}"))?;
        let stream = forwarder
            .take_stream(port)
            .ok_or_else(|| format!("port-forward to {pod}:{port} gave no stream"))?;
        let (sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
            .await
            .map_err(|e| format!("HTTP to {pod}:{port}: {e}"))?;
        tokio::spawn(connection);
        Ok(Tunnel { sender, forwarder })
    }

    /// One request; the whole body is read (an SSE answer of a single JSON-RPC response ends
    /// with its stream).
    pub async fn request(
        &mut self,
        method: http::Method,
        path: &str,
        headers: &[(&str, String)],
        body: Option<String>,
    ) -> Result<Response, String> {
        let mut req = http::Request::builder()
            .method(method)
            .uri(path)
            .header("host", "localhost")
            .header("user-agent", concat!("skyflo/", env!("CARGO_PKG_VERSION")));
        for (k, v) in headers {
            req = req.header(*k, v);
        }
        let req = req
            .body(Full::new(Bytes::from(body.unwrap_or_default())))
            .map_err(|e| e.to_string())?;
        self.sender
            .ready()
            .await
            .map_err(|e| format!("the connection closed: {e}"))?;
        let res = self
            .sender
            .send_request(req)
            .await
            .map_err(|e| format!("no answer: {e}"))?;
        let status = res.status().as_u16();
        let headers = res.headers().clone();
        let bytes = res
            .into_body()
            .collect()
            .await
            .map_err(|e| format!("reading the answer: {e}"))?
            .to_bytes();
        Ok(Response {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        })
    }

    pub async fn get(&mut self, path: &str) -> Result<Response, String> {
        self.request(http::Method::GET, path, &[], None).await
    }
}

/// A ready pod of `component` and the number of its port named `port_name`.
pub async fn target(
    cluster: &Cluster,
    component: &str,
    port_name: &str,
) -> Result<(String, u16), String> {
    let pod = crate::cluster::wait::ready_pod(cluster, component).await?;
    let port = pod
        .spec
        .iter()
        .flat_map(|s| s.containers.iter())
        .flat_map(|c| c.ports.iter().flatten())
        .find(|p| p.name.as_deref() == Some(port_name))
        .and_then(|p| u16::try_from(p.container_port).ok())
        .ok_or_else(|| format!("the {component} pod has no port named {port_name}"))?;
    Ok((pod.metadata.name.clone().unwrap_or_default(), port))
}

impl Drop for Tunnel {
    fn drop(&mut self) {
        self.forwarder.abort();
    }
}

/// Copies one local connection to `port` of `pod` and back, through a port-forward, until
/// either side closes. An error before any byte moved means the pod could not be reached
/// (gone, not ready): the caller may pick another.
pub async fn relay(
    cluster: &Cluster,
    pod: &str,
    port: u16,
    mut local: tokio::net::TcpStream,
) -> Result<(), String> {
    let mut forwarder = cluster
        .stream_pods()
        .portforward(pod, &[port])
        .await
        .map_err(|e| format!("port-forward to {pod}:{port} failed: {e}"))?;
    let mut remote = forwarder
        .take_stream(port)
        .ok_or_else(|| format!("port-forward to {pod}:{port} gave no stream"))?;
    let _ = tokio::io::copy_bidirectional(&mut local, &mut remote).await;
    drop(remote);
    forwarder.abort();
    Ok(())
}
