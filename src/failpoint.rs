//! Named points in the lifecycle where the fault-injection tests stop skyflo, the way a
//! killed CI job or a sleeping laptop would: `SKYFLO_FAILPOINT=<name>` sends SIGKILL to this
//! process when it reaches `<name>`, and `SKYFLO_FAILPOINT=<name>:stop` sends SIGSTOP (a test
//! resumes it with SIGCONT). Unset, a point costs one environment lookup.

pub fn hit(name: &str) {
    let Ok(wanted) = std::env::var("SKYFLO_FAILPOINT") else {
        return;
    };
    let (point, action) = wanted.split_once(':').unwrap_or((wanted.as_str(), "kill"));
    if point != name {
        return;
    }
    let signal = if action == "stop" {
        libc::SIGSTOP
    } else {
        libc::SIGKILL
    };
    // SAFETY: kill(2) on our own pid has no memory effects.
    unsafe {
        libc::kill(libc::getpid(), signal);
    }
}
