//! `skyflo status`: per-component health, access, release, lock and drift (`--watch`
//! redraws on every change).

use std::time::Duration;

use anyhow::Result;
use k8s_openapi::api::apps::v1::{Deployment, StatefulSet};
use k8s_openapi::api::core::v1::Pod;

use crate::cli::StatusArgs;
use crate::cluster::Cluster;
use crate::cluster::diagnose::status::{self, Status};
use crate::cluster::watch::{Ev, spawn_watch};
use crate::error::{Done, Exit};
use crate::render::labels::instance_selector;
use crate::settings::Settings;
use crate::ui::{Printer, table};

pub async fn run(args: &StatusArgs, settings: &Settings, printer: &Printer) -> Result<Done> {
    let cluster = super::connect_named(settings, &args.name).await?;
    if !args.watch {
        return once(&cluster, printer, false).await;
    }
    // Redraw on every change the watches report (coalesced), until Ctrl-C.
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let selector = instance_selector(&cluster.instance);
    spawn_watch(
        cluster.typed::<Deployment>(),
        selector.clone(),
        tx.clone(),
        Ev::Deploy,
    );
    spawn_watch(
        cluster.typed::<StatefulSet>(),
        selector.clone(),
        tx.clone(),
        Ev::Sts,
    );
    spawn_watch(cluster.typed::<Pod>(), selector, tx, Ev::Pod);
    let mut code = once(&cluster, printer, true).await?;
    let mut stop = crate::interrupt::arm(String::new());
    loop {
        tokio::select! {
            ev = rx.recv() => {
                if ev.is_none() { return Ok(code); }
                tokio::time::sleep(Duration::from_millis(200)).await;
                while rx.try_recv().is_ok() {}
                code = once(&cluster, printer, true).await?;
            }
            _ = stop.signal() => return Ok(code),
        }
    }
}

async fn once(cluster: &Cluster, printer: &Printer, redraw: bool) -> Result<Done> {
    let Some(status) = status::read(cluster).await? else {
        return Err(Exit::NotInstalled(format!(
            "no skyflo installation {:?} in namespace {}",
            cluster.instance, cluster.namespace
        ))
        .into());
    };
    if printer.is_machine() {
        printer.data(&status)?;
    } else {
        if redraw {
            printer.clear_screen();
        }
        printer.out(&text(&status, printer))?;
    }
    Ok(if status.ready() {
        Done::Success
    } else {
        Done::NotReady
    })
}

fn short_time(t: &Option<String>) -> String {
    let Some(t) = t else { return String::new() };
    let Ok(ts) = t.parse::<jiff::Timestamp>() else {
        return t.clone();
    };
    let secs = (jiff::Timestamp::now().as_second() - ts.as_second()).max(0);
    match secs {
        s if s < 120 => format!("{s}s"),
        s if s < 7200 => format!("{}m", s / 60),
        s if s < 172_800 => format!("{}h", s / 3600),
        s => format!("{}d", s / 86_400),
    }
}

/// One row per component.
fn components(s: &Status, printer: &Printer) -> comfy_table::Table {
    let mut t = table::new([
        "COMPONENT",
        "PHASE",
        "READY",
        "UP-TO-DATE",
        "IMAGE",
        "AGE",
        "MESSAGE",
    ]);
    for (name, c) in s.components() {
        let phase = match c.phase.as_str() {
            "Ready" => printer.green("Ready"),
            "External" => "External".into(),
            "Progressing" => printer.yellow("Progressing"),
            other => printer.red(other),
        };
        let (ready, updated) = if c.phase == "External" {
            ("-".into(), "-".into())
        } else {
            (
                format!("{}/{}", c.ready_replicas, c.desired_replicas),
                c.updated_replicas.to_string(),
            )
        };
        t.add_row([
            name.to_string(),
            phase,
            ready,
            updated,
            c.image.clone(),
            short_time(&c.created),
            c.message.clone(),
        ]);
    }
    t
}

/// Who can reach what: the UI from outside (how), self-registration, the admin, MCP's rights.
fn exposure_line(e: &crate::spec::ExposureSummary, admin: Option<bool>, namespace: &str) -> String {
    let mut out = ui_exposure(e, admin, namespace);
    if !e.ui_plain_http.is_empty() {
        out.push_str(&format!(
            "Plain http: through {}, {}\n",
            e.ui_plain_http.join(" and "),
            crate::spec::PLAIN_HTTP
        ));
    }
    if let Some(how) = &e.engine_outside {
        out.push_str(&format!(
            "Engine: reachable from OUTSIDE the cluster through {how}; {}\n",
            crate::spec::ENGINE_OUTSIDE
        ));
    }
    out
}

fn ui_exposure(e: &crate::spec::ExposureSummary, admin: Option<bool>, namespace: &str) -> String {
    let Some(how) = &e.ui_outside else {
        return format!(
            "Exposure: the UI is reachable inside the cluster only; MCP access level {}\n",
            e.mcp_access
        );
    };
    let admin = match admin {
        Some(true) => "an admin exists".to_string(),
        Some(false) => format!(
            "NO ADMIN yet: the first to register becomes it; run `skyflo admin create -n {namespace} --email E`"
        ),
        None => "whether an admin exists is unknown (the engine did not answer)".to_string(),
    };
    format!(
        "Exposure: the UI is reachable from OUTSIDE the cluster through {how}; self-registration {}; {admin}; \
the agent runs kubectl with MCP access level {}\n",
        if e.signup_open { "OPEN" } else { "closed" },
        e.mcp_access
    )
}

pub fn text(s: &Status, printer: &Printer) -> String {
    let mut out = table::render(&components(s, printer));
    out.push_str(&format!(
        "\n\nUI:   {}\nMCP:  {}\n",
        s.access.ui, s.access.mcp
    ));
    if let Some(e) = &s.access.exposure {
        out.push_str(&exposure_line(e, s.access.admin_exists, &s.namespace));
    }
    match &s.release {
        Some(r) => out.push_str(&format!(
            "Release: revision {} ({}, {}), {} by skyflo {}\n",
            r.revision,
            serde_json::to_value(r.outcome)
                .ok()
                .and_then(|v| v.as_str().map(String::from))
                .unwrap_or_default(),
            r.operation,
            r.time,
            r.cli_version
        )),
        None => out.push_str("Release: none recorded\n"),
    }
    match &s.lock {
        Some(h) => out.push_str(&format!(
            "Lock: held by {} since {}{}\n",
            h.holder,
            h.since.as_deref().unwrap_or("?"),
            if h.expired {
                " (expired: the next operation takes it over)"
            } else {
                ""
            }
        )),
        None => out.push_str("Lock: free\n"),
    }
    for w in &s.warnings {
        out.push_str(&format!("Warning: {w}\n"));
    }
    if s.drift.is_empty() {
        out.push_str("Drift: none\n");
    } else {
        out.push_str(&format!(
            "Drift: {} change(s) made outside skyflo (`skyflo upgrade` restores the spec):\n",
            s.drift.len()
        ));
        for d in &s.drift {
            out.push_str(&format!(
                "  {} {}: live {} , desired {}\n",
                d.object, d.field, d.live, d.desired
            ));
        }
    }
    out
}
