"""Local processes for the product tier: free ports, waiting for a server, running as another
user (PostgreSQL refuses to run as root)."""
import os
import pwd
import socket
import time
import urllib.error
import urllib.request


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url, what, proc=None, secs=120, ok=lambda status: status < 500):
    deadline = time.time() + secs
    last = None
    while time.time() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"{what} exited ({proc.returncode}) before answering {url}")
        try:
            with urllib.request.urlopen(url, timeout=5) as r:
                if ok(r.status):
                    return r.status
        except urllib.error.HTTPError as e:
            if ok(e.code):
                return e.code
            last = f"HTTP {e.code}"
        except Exception as e:  # not listening yet
            last = str(e)
        time.sleep(0.3)
    raise RuntimeError(f"{what} did not answer {url} in {secs}s (last: {last})")


def wait_tcp(port, what, proc, secs=60):
    deadline = time.time() + secs
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited ({proc.returncode})")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{what} did not listen on {port} in {secs}s")


def as_user(user):
    pw = pwd.getpwnam(user)

    def demote():
        os.setgid(pw.pw_gid)
        os.setuid(pw.pw_uid)
    return demote
