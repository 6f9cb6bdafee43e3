"""External services for the option cases: a test CA, Debian's PostgreSQL serving TLS with a user
and password that need encoding, Debian's Redis with a password and TLS. They listen on
127.0.0.1, which the spec names directly (no rewrite: the engine connects to what it was given,
and verify-full checks the certificate against that address)."""
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

from procs import as_user, free_port


def ca(dir):
    """A CA and a server certificate for 127.0.0.1 and localhost, signed by it."""
    d = Path(dir)
    d.mkdir(parents=True, exist_ok=True)
    run = lambda *a: subprocess.run(["openssl", *a], cwd=d, check=True, capture_output=True)  # noqa: E731
    run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.crt", "-days", "2",
        "-subj", "/CN=skyflo product tier CA")
    run("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr",
        "-subj", "/CN=127.0.0.1")
    (d / "san.ext").write_text("subjectAltName=IP:127.0.0.1,DNS:localhost\n")
    run("x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
        "-out", "server.crt", "-days", "2", "-extfile", "san.ext")
    return d


class Postgres:
    """PostgreSQL with `user`/`password` (scram) and `db`, TLS on when `certs` is given."""

    def __init__(self, user, password, db, certs=None, port=None):
        # A folder the postgres user can reach (pytest's own are root's, mode 0700).
        self.dir = Path(tempfile.mkdtemp(prefix="skyflo-ext-pg-"))
        shutil.chown(self.dir, "postgres", "postgres")
        self.bin = Path(sorted(Path("/usr/lib/postgresql").glob("*/bin"))[-1])
        data = self.dir / "data"
        pw = self.dir / "pw"
        pw.write_text(password)
        pw.chmod(0o600)
        shutil.chown(pw, "postgres", "postgres")
        subprocess.run([str(self.bin / "initdb"), "-D", str(data), "-U", user, f"--pwfile={pw}",
                        "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8"],
                       check=True, capture_output=True, preexec_fn=as_user("postgres"))
        pw.unlink()
        args = ["-c", "listen_addresses=127.0.0.1", "-c", "fsync=off"]
        if certs:
            for f in ["server.crt", "server.key"]:
                shutil.copy(Path(certs) / f, data / f)
                shutil.chown(data / f, "postgres", "postgres")
                (data / f).chmod(0o600)
            args += ["-c", "ssl=on", "-c", "ssl_cert_file=server.crt", "-c", "ssl_key_file=server.key"]
            # TCP only with TLS: a client that does not ask for it is refused.
            (data / "pg_hba.conf").write_text("local all all trust\nhostssl all all 127.0.0.1/32 scram-sha-256\n")
        self.port = port or free_port()
        self.proc = subprocess.Popen([str(self.bin / "postgres"), "-D", str(data), "-p", str(self.port),
                                      "-k", str(self.dir), *args], stdout=subprocess.DEVNULL,
                                     stderr=open(self.dir / "log", "w"), preexec_fn=as_user("postgres"))
        deadline = time.time() + 60
        while subprocess.run(["pg_isready", "-h", str(self.dir), "-p", str(self.port)],
                             capture_output=True).returncode != 0:
            if self.proc.poll() is not None or time.time() > deadline:
                raise RuntimeError(f"postgres: {(self.dir / 'log').read_text()}")
            time.sleep(0.2)
        self.user, self.db = user, db
        if db != "postgres":
            subprocess.run([str(self.bin / "createdb"), "-h", str(self.dir), "-p", str(self.port), "-U", user, db],
                           check=True, capture_output=True, preexec_fn=as_user("postgres"))

    def psql(self, sql):
        out = subprocess.run([str(self.bin / "psql"), "-h", str(self.dir), "-p", str(self.port), "-U", self.user,
                              "-d", self.db, "-At", "-c", sql], capture_output=True, text=True,
                             preexec_fn=as_user("postgres"))
        if out.returncode != 0:
            raise RuntimeError(out.stderr)
        return out.stdout.strip()

    def stop(self):
        # PostgreSQL's fast shutdown (SIGINT): it ends its clients' sessions instead of
        # waiting for them to leave.
        self.proc.send_signal(signal.SIGINT)
        self.proc.wait(30)
        shutil.rmtree(self.dir, ignore_errors=True)


class Redis:
    """redis-server with `password`; TLS only (no plain port) when `certs` is given."""

    def __init__(self, dir, password, certs=None):
        self.dir = Path(dir)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        args = ["redis-server", "--bind", "127.0.0.1", "--dir", str(self.dir), "--save", "", "--appendonly", "no"]
        if password:
            args += ["--requirepass", password]
        if certs:
            c = Path(certs)
            args += ["--port", "0", "--tls-port", str(self.port), "--tls-cert-file", str(c / "server.crt"),
                     "--tls-key-file", str(c / "server.key"), "--tls-ca-cert-file", str(c / "ca.crt"),
                     "--tls-auth-clients", "no"]
        else:
            args += ["--port", str(self.port)]
        self.proc = subprocess.Popen(args, stdout=open(self.dir / "log", "w"), stderr=subprocess.STDOUT)
        import socket
        deadline = time.time() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                break
            except OSError:
                if self.proc.poll() is not None or time.time() > deadline:
                    raise RuntimeError(f"redis: {(self.dir / 'log').read_text()}")
                time.sleep(0.1)

    def stop(self):
        self.proc.terminate()
        self.proc.wait(10)
