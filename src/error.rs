//! Outcomes that map to exit codes other than 0 and 1 (README "Exit codes").

use crate::spec::SpecErrors;

pub const EXIT_FAILURE: u8 = 1;
pub const EXIT_USAGE: u8 = 2;
pub const EXIT_NOT_READY: u8 = 3;
pub const EXIT_LOCKED: u8 = 4;
pub const EXIT_NOT_INSTALLED: u8 = 5;
pub const EXIT_CHANGES_PENDING: u8 = 6;
pub const EXIT_INTERRUPTED: u8 = 130;

/// How a command that ran to its end finished: success, or an outcome a script branches on
/// (README "Exit codes"). Failures are errors ([`Exit`] or any other, exit 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Done {
    Success,
    /// `check` found a failing check.
    ChecksFailed,
    /// `status` or `verify` found something not ready.
    NotReady,
    /// `upgrade --diff` found changes to make.
    ChangesPending,
}

impl Done {
    pub fn code(self) -> u8 {
        match self {
            Done::Success => 0,
            Done::ChecksFailed => EXIT_FAILURE,
            Done::NotReady => EXIT_NOT_READY,
            Done::ChangesPending => EXIT_CHANGES_PENDING,
        }
    }
}

/// A signal that stops an operation the way Ctrl-C does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signal {
    Interrupt,
    Terminate,
    Hangup,
}

impl Signal {
    pub fn name(self) -> &'static str {
        match self {
            Signal::Interrupt => "SIGINT",
            Signal::Terminate => "SIGTERM",
            Signal::Hangup => "SIGHUP",
        }
    }

    /// 128 + the signal number, as shells report a process killed by it.
    pub fn exit_code(self) -> u8 {
        match self {
            Signal::Interrupt => EXIT_INTERRUPTED,
            Signal::Terminate => 143,
            Signal::Hangup => 129,
        }
    }
}

/// Errors a caller branches on. Anything else is exit 1.
#[derive(Debug, thiserror::Error)]
pub enum Exit {
    /// Bad flags or arguments; nothing was sent to the cluster.
    #[error("{0}")]
    Usage(String),
    /// The spec file is invalid; nothing was sent to the cluster.
    #[error(transparent)]
    Invalid(#[from] SpecErrors),
    /// Applied, but not healthy within the timeout (or `status` found something not ready).
    #[error("{0}")]
    NotReady(String),
    /// Another install, upgrade or uninstall holds the namespace's lock.
    #[error("{0}")]
    Locked(String),
    /// There is no skyflo installation in the namespace.
    #[error("{0}")]
    NotInstalled(String),
    /// This process lost the lock while it ran (paused, asleep, cut off) and stopped before
    /// its next write.
    #[error("{0}")]
    LockLost(String),
    /// Ctrl-C, SIGTERM or SIGHUP: the lock was released and the revision recorded as failed.
    #[error("interrupted by {}", .0.name())]
    Interrupted(Signal),
}

impl Exit {
    pub fn code(&self) -> u8 {
        match self {
            Exit::Usage(_) | Exit::Invalid(_) => EXIT_USAGE,
            Exit::NotReady(_) => EXIT_NOT_READY,
            Exit::Locked(_) | Exit::LockLost(_) => EXIT_LOCKED,
            Exit::NotInstalled(_) => EXIT_NOT_INSTALLED,
            Exit::Interrupted(s) => s.exit_code(),
        }
    }
}

/// The exit code for an error chain: the first [`Exit`] in it decides, else 1.
pub fn code_for(err: &anyhow::Error) -> u8 {
    // An Exit attached with `.context()` is only visible through the top-level downcast.
    err.downcast_ref::<Exit>()
        .or_else(|| err.chain().find_map(|e| e.downcast_ref::<Exit>()))
        .map_or(EXIT_FAILURE, Exit::code)
}

/// A closed stdout (`skyflo template | head`) is not an error.
pub fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|e| {
        e.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
