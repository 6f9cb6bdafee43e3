//! SIGINT, SIGTERM and SIGHUP stop a running operation the same way: the revision is recorded
//! as failed, the lock released, and the exit code is 128 + the signal's number. A second
//! signal while that cleanup runs exits at once (the lock then expires by itself).

use tokio::signal::unix::{SignalKind, signal};

use crate::error::Signal;

/// Resolves with the first of SIGINT, SIGTERM or SIGHUP. From then on a second one ends the
/// process immediately, after saying so on stderr.
pub async fn received(lock_note: String) -> Signal {
    let first = next().await;
    tokio::spawn(async move {
        let second = next().await;
        eprintln!(
            "error: second {} received: exiting at once without cleaning up; {lock_note}",
            second.name()
        );
        std::process::exit(second.exit_code() as i32);
    });
    first
}

async fn next() -> Signal {
    let (Ok(mut int), Ok(mut term), Ok(mut hup)) = (
        signal(SignalKind::interrupt()),
        signal(SignalKind::terminate()),
        signal(SignalKind::hangup()),
    ) else {
        // Without signal handlers the default action (termination) applies.
        return std::future::pending().await;
    };
    tokio::select! {
        _ = int.recv() => Signal::Interrupt,
        _ = term.recv() => Signal::Terminate,
        _ = hup.recv() => Signal::Hangup,
    }
}
