//! Kubeconfig / context → `kube::Client`, with a clear error when the cluster does not answer.

use std::time::Duration;

use anyhow::{Context, Result};
use kube::config::{KubeConfigOptions, Kubeconfig};
use kube::{Client, Config};

use crate::settings::Settings;

/// How long to wait for the API server before saying it is unreachable.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

pub async fn config(settings: &Settings) -> Result<Config> {
    let options = KubeConfigOptions {
        context: settings.context.clone(),
        ..Default::default()
    };
    let mut config = match &settings.kubeconfig {
        Some(path) => {
            let kc = Kubeconfig::read_from(path)
                .with_context(|| format!("reading kubeconfig {}", path.display()))?;
            Config::from_custom_kubeconfig(kc, &options)
                .await
                .with_context(|| format!("loading kubeconfig {}", path.display()))?
        }
        // A context only makes sense with a kubeconfig; without one, infer() also covers the
        // in-cluster config of a pod.
        None if settings.context.is_some() => Config::from_kubeconfig(&options)
            .await
            .context("loading the kubeconfig (KUBECONFIG or ~/.kube/config)")?,
        None => Config::infer().await.context(
            "no cluster configured: set KUBECONFIG, pass --kubeconfig, or run inside a pod",
        )?,
    };
    config.connect_timeout = Some(CONNECT_TIMEOUT);
    // Lets audit logs and API priority and fairness tell skyflo's requests apart.
    config.headers.push((
        http::header::USER_AGENT,
        http::HeaderValue::from_static(concat!("skyflo/", env!("CARGO_PKG_VERSION"))),
    ));
    config.read_timeout = Some(settings.read_timeout);
    Ok(config)
}

/// Clients for the configured cluster: one for requests (with the read timeout) and one for
/// long streams (exec, logs, port-forward) with none. The first request made is what proves
/// that the cluster answers; [`unreachable`] turns its failure into a clear message.
pub async fn connect(settings: &Settings) -> Result<(Client, Client, String)> {
    let config = config(settings).await?;
    let server = config.cluster_url.to_string();
    let mut quiet_ok = config.clone();
    quiet_ok.read_timeout = None;
    let client = build(config, Protocol::Multiplexed)?;
    let streams = build(quiet_ok, Protocol::Upgradable)?;
    Ok((client, streams, server))
}

/// How a client talks to the API server.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Protocol {
    /// Requests share one connection over HTTP/2 when the server offers it (every API server
    /// does), as kubectl's do: concurrent reads cost one TLS handshake instead of one each.
    Multiplexed,
    /// HTTP/1.1 only: exec, logs and port-forward upgrade their connection to a WebSocket.
    Upgradable,
}

/// kube's own stack, layer for layer, with two changes: ALPN h2 for [`Protocol::Multiplexed`]
/// and TCP_NODELAY. Behind a proxy kube's builder stays in charge, as it knows how to tunnel.
fn build(config: Config, protocol: Protocol) -> Result<Client> {
    use hyper_util::client::legacy::connect::HttpConnector;
    use kube::client::ConfigExt;
    use kube::client::retry::RetryPolicy;
    use tower::ServiceBuilder;
    use tower::retry::RetryLayer;

    if config.proxy_url.is_some() {
        return Client::try_from(config).context("building the Kubernetes client");
    }
    let mut http = HttpConnector::new();
    http.enforce_http(false);
    // Without it a request's body waits behind its headers for the server's delayed ACK:
    // 40 ms on every write, and a stream's last partial segment as long (Nagle's algorithm;
    // Go's clients, kubectl's too, turn it off).
    http.set_nodelay(true);
    let tls = config
        .rustls_client_config()
        .context("building the Kubernetes client's TLS configuration")?;
    let https = hyper_rustls::HttpsConnectorBuilder::new()
        .with_tls_config(tls)
        .https_or_http();
    let https = match &config.tls_server_name {
        Some(name) => https.with_server_name_resolver(hyper_rustls::FixedServerNameResolver::new(
            name.clone()
                .try_into()
                .with_context(|| format!("tls-server-name {name:?} is not a valid name"))?,
        )),
        None => https,
    };
    let https = match protocol {
        Protocol::Multiplexed => https.enable_all_versions().wrap_connector(http),
        Protocol::Upgradable => https.enable_http1().wrap_connector(http),
    };
    let mut connector = hyper_timeout::TimeoutConnector::new(https);
    connector.set_connect_timeout(config.connect_timeout);
    connector.set_read_timeout(config.read_timeout);
    connector.set_write_timeout(config.write_timeout);
    let http_client =
        hyper_util::client::legacy::Builder::new(hyper_util::rt::TokioExecutor::new())
            .build::<_, kube::client::Body>(connector);
    let service = ServiceBuilder::new()
        .layer(config.base_uri_layer())
        .option_layer(
            config
                .default_retry
                .then(|| RetryLayer::new(RetryPolicy::server_retry())),
        )
        .option_layer(config.auth_layer().context("kubeconfig credentials")?)
        .layer(config.extra_headers_layer().context("kubeconfig headers")?)
        .map_err(tower::BoxError::from)
        .service(http_client);
    Ok(Client::new(service, config.default_namespace))
}

/// True when an error means the API server could not be reached at all (as opposed to an
/// API error such as 403 or 404).
pub fn is_unreachable(err: &kube::Error) -> bool {
    !matches!(err, kube::Error::Api(_))
}

/// True when a request never reached the API server (connection refused or reset while
/// connecting): safe to send again, even a create, because nothing was received.
pub fn is_connect_error(err: &anyhow::Error) -> bool {
    err.chain().any(|e| {
        e.downcast_ref::<std::io::Error>().is_some_and(|io| {
            matches!(
                io.kind(),
                std::io::ErrorKind::ConnectionRefused | std::io::ErrorKind::NotConnected
            )
        }) || e.to_string().contains("client error (Connect)")
    })
}

/// Runs a write, sending it again while the API server cannot be reached (a restart), until
/// `deadline`. Any answer from the server, success or error, is final.
pub async fn retrying<T, F, Fut>(deadline: tokio::time::Instant, mut f: F) -> Result<T>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T>>,
{
    let started = tokio::time::Instant::now();
    let mut backoff = Duration::from_millis(200);
    loop {
        match f().await {
            Err(e) if is_connect_error(&e) => {
                if tokio::time::Instant::now() + backoff >= deadline {
                    let secs = started.elapsed().as_secs();
                    return Err(e.context(format!(
                        "the API server has not answered for {secs} s (an outage or a restart that outlasted the timeout)"
                    )));
                }
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(Duration::from_secs(2));
            }
            r => return r,
        }
    }
}
