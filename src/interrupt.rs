//! SIGINT, SIGTERM and SIGHUP. While an operation that holds the lock is armed, the first
//! signal stops it the way Ctrl-C does (the revision is recorded as failed, the lock
//! released, exit 128 + the signal's number) and a second one exits at once, saying that the
//! lock will expire by itself. With nothing armed, a signal ends skyflo at once: there is
//! nothing to clean up.
//!
//! The handlers are installed when the runtime starts, so a signal that arrives while an
//! operation is between two awaits (or stopped) is never lost to the default action.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};

use tokio::signal::unix::{SignalKind, signal};
use tokio::sync::watch;

use crate::error::Signal;

struct State {
    armed: AtomicUsize,
    note: Mutex<String>,
    received: watch::Sender<Option<Signal>>,
}

static STATE: OnceLock<State> = OnceLock::new();

fn state() -> &'static State {
    STATE.get_or_init(|| State {
        armed: AtomicUsize::new(0),
        note: Mutex::new(String::new()),
        received: watch::channel(None).0,
    })
}

/// Set by the signal handler itself, at once: see [`requested`].
static REQUESTED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Whether SIGINT, SIGTERM or SIGHUP has arrived, even if tokio's listener has not run since.
pub fn requested() -> bool {
    REQUESTED.load(Ordering::SeqCst)
}

/// Installs the handlers; call once inside the runtime, before any work.
pub fn install() {
    for sig in [libc::SIGINT, libc::SIGTERM, libc::SIGHUP] {
        // SAFETY: the action only stores to an atomic, which is async-signal-safe.
        let _ = unsafe {
            signal_hook_registry::register(sig, || REQUESTED.store(true, Ordering::SeqCst))
        };
    }
    let (Ok(mut int), Ok(mut term), Ok(mut hup)) = (
        signal(SignalKind::interrupt()),
        signal(SignalKind::terminate()),
        signal(SignalKind::hangup()),
    ) else {
        return; // the default actions (termination) stay in force
    };
    tokio::spawn(async move {
        loop {
            let sig = tokio::select! {
                _ = int.recv() => Signal::Interrupt,
                _ = term.recv() => Signal::Terminate,
                _ = hup.recv() => Signal::Hangup,
            };
            let s = state();
            if s.armed.load(Ordering::SeqCst) == 0 {
                std::process::exit(sig.exit_code() as i32);
            }
            if s.received.borrow().is_some() {
                let note = s.note.lock().map(|n| n.clone()).unwrap_or_default();
                eprintln!(
                    "error: second {} received: exiting at once without cleaning up; {note}",
                    sig.name()
                );
                std::process::exit(sig.exit_code() as i32);
            }
            s.received.send_replace(Some(sig));
        }
    });
}

/// Arms the handlers for one operation until the returned guard is dropped. `note` is what a
/// second signal says about the lock left behind.
pub fn arm(note: String) -> Armed {
    let s = state();
    if let Ok(mut n) = s.note.lock() {
        *n = note;
    }
    s.armed.fetch_add(1, Ordering::SeqCst);
    Armed(s.received.subscribe())
}

pub struct Armed(watch::Receiver<Option<Signal>>);

impl Armed {
    /// Resolves with the first signal received since the process started (also one that
    /// arrived before this was awaited).
    pub async fn signal(&mut self) -> Signal {
        loop {
            if let Some(sig) = *self.0.borrow_and_update() {
                return sig;
            }
            if self.0.changed().await.is_err() {
                return std::future::pending().await;
            }
        }
    }
}

impl Drop for Armed {
    fn drop(&mut self) {
        state().armed.fetch_sub(1, Ordering::SeqCst);
    }
}
