//! `skyflo dashboard`: the UI through a port-forward made with the user's own credentials,
//! as `kubectl port-forward` would, without exposing anything to anyone else.

use anyhow::Result;

use crate::cli::DashboardArgs;
use crate::cluster::{Cluster, tunnel};
use crate::error::{Done, Exit};
use crate::settings::Settings;
use crate::ui::Printer;

/// The requested port, else the next free one (up to 20 further).
async fn listen(args: &DashboardArgs, printer: &Printer) -> Result<tokio::net::TcpListener> {
    let mut last = None;
    for port in args.port..=args.port.saturating_add(20) {
        match tokio::net::TcpListener::bind((args.address, port)).await {
            Ok(l) => {
                if port != args.port {
                    printer.info(&format!("port {} is taken; using {port}", args.port));
                }
                return Ok(l);
            }
            Err(e) => last = Some(e),
        }
    }
    Err(Exit::Usage(format!(
        "cannot listen on {}:{}-{}: {}; pass --port",
        args.address,
        args.port,
        args.port.saturating_add(20),
        last.map(|e| e.to_string()).unwrap_or_default()
    ))
    .into())
}

/// `$BROWSER`, else xdg-open, else open (macOS); a failure is said, not fatal.
fn open_browser(url: &str, settings: &Settings, printer: &Printer) {
    let candidates: Vec<String> = settings
        .env
        .get("BROWSER")
        .into_iter()
        .chain(["xdg-open".to_string(), "open".to_string()])
        .collect();
    for c in candidates {
        if std::process::Command::new(&c)
            .arg(url)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .is_ok()
        {
            return;
        }
    }
    printer.info("could not open a browser; open the URL yourself");
}

pub async fn run(args: &DashboardArgs, settings: &Settings, printer: &Printer) -> Result<Done> {
    let cluster = super::connect_named(settings, &args.name).await?;
    let (pod, port) = tunnel::target(&cluster, "ui", "http-proxy")
        .await
        .map_err(anyhow::Error::msg)?;
    let listener = listen(args, printer).await?;
    let url = format!("http://{}/", listener.local_addr()?);
    printer.out(&format!(
        "Skyflo UI of {:?} in namespace {} at {url} (through pod {pod}; Ctrl-C stops)",
        cluster.instance, cluster.namespace
    ))?;
    if !args.no_browser {
        open_browser(&url, settings, printer);
    }
    let current = std::sync::Arc::new(tokio::sync::Mutex::new((pod, port)));
    let mut stop = crate::interrupt::arm(String::new());
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let (local, _) = accepted?;
                tokio::spawn(serve(cluster.clone(), current.clone(), local, printer.clone()));
            }
            _ = stop.signal() => return Ok(Done::Success),
        }
    }
}

/// One browser connection: to the pod in use, or, when that one is gone, to another ready
/// UI pod (a rollout), which then stays in use.
async fn serve(
    cluster: Cluster,
    current: std::sync::Arc<tokio::sync::Mutex<(String, u16)>>,
    local: tokio::net::TcpStream,
    printer: Printer,
) {
    let (pod, port) = current.lock().await.clone();
    if ready(&cluster, &pod).await {
        let _ = tunnel::relay(&cluster, &pod, port, local).await;
        return;
    }
    let Ok((next, port)) = tunnel::target(&cluster, "ui", "http-proxy").await else {
        return;
    };
    printer.info(&format!("pod {pod} is gone; following to {next}"));
    *current.lock().await = (next.clone(), port);
    let _ = tunnel::relay(&cluster, &next, port, local).await;
}

/// Whether the pod still exists, is not being deleted and is ready.
async fn ready(cluster: &Cluster, pod: &str) -> bool {
    use k8s_openapi::api::core::v1::Pod;
    match cluster.typed::<Pod>().get_opt(pod).await {
        Ok(Some(p)) => {
            p.metadata.deletion_timestamp.is_none()
                && p.status
                    .and_then(|s| s.conditions)
                    .is_some_and(|c| c.iter().any(|c| c.type_ == "Ready" && c.status == "True"))
        }
        _ => false,
    }
}
