"""Upstream Skyflo's components as local processes, each started with exactly what the kubelet
would hand its container (kubelet.py), for an installation that `skyflo install` made on the
test control plane.

What cannot stay as installed is rewritten here and only here, and every rewrite is listed
(Stack.rewrites, printed by the tests):
- a Service's host:port (any of name, name.ns, name.ns.svc, name.ns.svc.cluster.local) in an
  env value -> 127.0.0.1 and the local port of the process behind it;
- localhost:<port of another container of the same pod> -> that container's local port;
- a container's listening port -> a free local port (uvicorn --port, MCP --port, the UI's PORT,
  nginx's `listen`, redis-server --port, PostgreSQL -p), and the UI's HOSTNAME -> 127.0.0.1
  (in a pod HOSTNAME is the pod's name, which resolves to the pod's address);
- a mount path -> the same path under the stack's folder (files written with their content);
- MCP's in-cluster configuration (the token and CA at /var/run/secrets/...) -> a kubeconfig with
  that token and CA for the test API server, as kubectl builds it in a pod.
"""
import json
import os
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import kubelet
import services
import upstream
from procs import as_user, free_port, wait_http, wait_tcp

SA_DIR = "/var/run/secrets/kubernetes.io/serviceaccount"


class Rewrites:
    def __init__(self):
        self.hosts = []  # (regex, replacement, what it was, whether it is a pod's own port)
        self.listed = []

    def service(self, name, ns, port, local):
        host = rf"{re.escape(name)}(?:\.{re.escape(ns)}(?:\.svc(?:\.cluster\.local)?)?)?"
        rx = re.compile(rf"(?<![\w.-]){host}:{port}(?![\d])")
        self.hosts.append((rx, f"127.0.0.1:{local}", f"{name}:{port}", False))

    def pod_local(self, port, local):
        rx = re.compile(rf"(?<![\w.-])(?:localhost|127\.0\.0\.1):{port}(?![\d])")
        self.hosts.append((rx, f"127.0.0.1:{local}", f"the pod's own :{port}", True))

    def note(self, text):
        if text not in self.listed:
            self.listed.append(text)

    def env(self, component, env, in_ui_pod=False):
        """`in_ui_pod`: the container shares the UI pod, whose own ports are rewritten too."""
        out = {}
        for k, v in env.items():
            new = v
            for rx, rep, was, pod_local in self.hosts:
                if pod_local and not in_ui_pod:
                    continue
                if rx.search(new):
                    new = rx.sub(rep, new)
                    self.note(f"{component} env {k}: {was} -> {rep}")
            out[k] = new
        return out


class Stack:
    """The installation `instance` in namespace `ns`, run locally."""

    def __init__(self, ns, instance, workdir, llm_host=None):
        self.ns, self.instance = ns, instance
        self.dir = Path(workdir)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.dir.chmod(0o755)
        self.procs = {}
        self.rw = Rewrites()
        self.ports = {}  # component -> {container port -> local port}
        self.pods = {}
        self.logs = {}

    # --- reading the installation -------------------------------------------------------
    def read(self):
        for c in ["engine", "mcp", "ui", "postgres", "redis"]:
            try:
                self.pods[c] = kubelet.pod(self.ns, c, self.instance)
            except RuntimeError:
                if c in ("engine", "mcp", "ui"):
                    raise
        for comp, pod in self.pods.items():
            self.ports[comp] = {}
            for cont in pod.containers.values():
                for port in cont.ports.values():
                    self.ports[comp][port] = free_port()
                    self.rw.note(f"{comp}/{cont.name} listens on {port} -> 127.0.0.1:{self.ports[comp][port]}")
        for svc in kubelet.get("services", self.ns, selector=f"app.kubernetes.io/instance={self.instance}")["items"]:
            comp = (svc["spec"].get("selector") or {}).get("app.kubernetes.io/component")
            if comp not in self.ports:
                continue
            for p in svc["spec"]["ports"]:
                target = p.get("targetPort", p["port"])
                if isinstance(target, str):
                    target = next(cp for c in self.pods[comp].containers.values()
                                  for n, cp in c.ports.items() if n == target)
                if target in self.ports[comp]:
                    self.rw.service(svc["metadata"]["name"], self.ns, p["port"], self.ports[comp][target])
        for port, local in self.ports.get("ui", {}).items():
            self.rw.pod_local(port, local)

    def files(self, comp, cont):
        """Writes the container's mounts under the stack's folder; returns {mount path: local}."""
        out = {}
        for mount, content in cont.files.items():
            local = self.dir / comp / cont.name / mount.lstrip("/")
            if "" in content and len(content) == 1:  # a subPath mount: one file
                local.parent.mkdir(parents=True, exist_ok=True)
                local.write_bytes(content[""])
            else:
                local.mkdir(parents=True, exist_ok=True)
                for name, data in content.items():
                    (local / name).parent.mkdir(parents=True, exist_ok=True)
                    (local / name).write_bytes(data)
            out[mount] = local
            self.rw.note(f"{comp}/{cont.name} mount {mount} -> {local}")
        return out

    def _paths(self, comp, env, mounts):
        """Env values that name a file under a mount point the local path of that file."""
        out = dict(env)
        for k, v in env.items():
            for mount, local in sorted(mounts.items(), key=lambda m: -len(m[0])):
                if mount in v:
                    out[k] = v.replace(mount, str(local))
                    self.rw.note(f"{comp} env {k}: path {mount} -> {local}")
                    break
        return out

    def _spawn(self, name, args, env, cwd=None, user=None):
        log = open(self.dir / f"{name}.log", "ab")
        self.logs[name] = self.dir / f"{name}.log"
        p = subprocess.Popen(args, env=env, cwd=cwd, stdout=log, stderr=subprocess.STDOUT,
                             preexec_fn=as_user(user) if user else None, start_new_session=True)
        self.procs[name] = p
        return p

    def log(self, name, tail=60):
        p = self.logs.get(name)
        if not p or not p.exists():
            return ""
        return "\n".join(p.read_text(errors="replace").splitlines()[-tail:])

    # --- the data stores ----------------------------------------------------------------
    def start_postgres(self):
        """Debian's PostgreSQL initialised as the postgres image's entrypoint does: the
        container's user, password and database, scram for TCP."""
        env = self.pods["postgres"].containers["postgres"].env
        user = env.get("POSTGRES_USER", "postgres")
        port = self.ports["postgres"][5432]
        self.pg = services.Postgres(user, env["POSTGRES_PASSWORD"], env.get("POSTGRES_DB", user), port=port)
        self.logs["postgres"] = self.pg.dir / "log"
        self.rw.note(f"postgres: its data and socket in {self.pg.dir} (the image's /var/lib/postgresql/data)")

    def psql(self, sql):
        return self.pg.psql(sql)

    def start_redis(self):
        cont = self.pods["redis"].containers["redis"]
        port = self.ports["redis"][6379]
        d = self.dir / "redis"
        d.mkdir(parents=True, exist_ok=True)
        args = list(cont.command or ["redis-server"]) + list(cont.args)
        args += ["--port", str(port), "--bind", "127.0.0.1", "--dir", str(d), "--save", ""]
        self.rw.note(f"redis: --port {port} --bind 127.0.0.1 --dir {d} (the image's /data)")
        p = self._spawn("redis", args, dict(os.environ))
        wait_tcp(port, "redis", p)

    # --- Skyflo's own components ----------------------------------------------------------
    def _base_env(self, env):
        # The process environment a container has: PATH and HOME of its own, nothing of ours.
        out = {"PATH": os.environ["PATH"], "HOME": str(self.dir), "LANG": "C.UTF-8"}
        out.update(env)
        return out

    def start_mcp(self):
        cont = self.pods["mcp"].containers["mcp"]
        mounts = self.files("mcp", cont)
        env = self.rw.env("mcp", self._paths("mcp", cont.env, mounts))
        if SA_DIR in mounts and "KUBECONFIG" not in env:
            env["KUBECONFIG"] = str(self._in_cluster_kubeconfig(mounts[SA_DIR]))
            self.rw.note(f"mcp: in-cluster config ({SA_DIR}) -> KUBECONFIG {env['KUBECONFIG']} "
                         "with that token and CA, server = the test API server")
        port = self.ports["mcp"][8888]
        venv = upstream.venv("mcp")
        tools = self.dir / "mcp-bin"
        tools.mkdir(exist_ok=True)
        # As in the image: kubectl and helm on PATH (Helm is built beside the test cluster's
        # kubeconfig); kubectl-argo-rollouts is not on this machine, so MCP's /health/ready
        # says 503 and its Argo tools cannot run (said in the rewrites).
        helm = Path(kubelet.kubeconfig()).parent / "helm"
        if not helm.exists() and shutil.which("helm"):
            helm = Path(shutil.which("helm"))
        if helm.exists() and not (tools / "helm").exists():
            (tools / "helm").symlink_to(helm)
        if not shutil.which("kubectl-argo-rollouts"):
            self.rw.note("mcp: kubectl-argo-rollouts is not installed here (MCP's /health/ready answers 503)")
        env = self._base_env(env)
        env["PATH"] = f"{venv}/bin:{tools}:{env['PATH']}"
        p = self._spawn("mcp", [f"{venv}/bin/python", "main.py", "--host", "127.0.0.1", "--port", str(port)],
                        env, cwd=upstream.sources() / "mcp")
        wait_http(f"http://127.0.0.1:{port}/health", "mcp", p)

    def _in_cluster_kubeconfig(self, sa):
        server = kubelet.kubectl("config", "view", "--minify", "--raw", "-o",
                                 "jsonpath={.clusters[0].cluster.server}").stdout.strip()
        kc = {"apiVersion": "v1", "kind": "Config",
              "clusters": [{"name": "in-cluster", "cluster": {"server": server,
                                                              "certificate-authority": str(sa / "ca.crt")}}],
              "users": [{"name": "sa", "user": {"tokenFile": str(sa / "token")}}],
              "contexts": [{"name": "in-cluster", "context": {"cluster": "in-cluster", "user": "sa",
                                                              "namespace": (sa / "namespace").read_text()}}],
              "current-context": "in-cluster"}
        path = self.dir / "mcp-in-cluster.kubeconfig"
        path.write_text(json.dumps(kc))
        return path

    def start_engine(self):
        cont = self.pods["engine"].containers["engine"]
        mounts = self.files("engine", cont)
        env = self._base_env(self.rw.env("engine", self._paths("engine", cont.env, mounts)))
        port = self.ports["engine"][8080]
        venv = upstream.venv("engine")
        work = self.dir / "engine-app"
        if not work.exists():
            shutil.copytree(upstream.sources() / "engine", work)
        env["PATH"] = f"{venv}/bin:{env['PATH']}"
        env["PYTHONPATH"] = str(work / "src")  # the image's PYTHONPATH=/app/src
        env["VIRTUAL_ENV"] = str(venv)
        # As engine/entrypoint.sh: migrations, then uvicorn.
        mig = subprocess.run([f"{venv}/bin/aerich", "upgrade"], cwd=work, env=env, capture_output=True, text=True)
        (self.dir / "engine-migrations.log").write_text(mig.stdout + mig.stderr)
        if mig.returncode != 0:
            raise RuntimeError(f"engine migrations failed:\n{mig.stdout}\n{mig.stderr}")
        self.migrations = mig.stdout + mig.stderr
        p = self._spawn("engine", [f"{venv}/bin/uvicorn", "src.api.asgi:app", "--host", "127.0.0.1",
                                   "--port", str(port)], env, cwd=work)
        wait_http(f"http://127.0.0.1:{port}/api/v1/health/", "engine", p, ok=lambda s: s == 200)

    def start_ui(self, override=None):
        """`override`: env values a test sets on purpose (a drifted ConfigMap), said in its output."""
        cont = self.pods["ui"].containers["ui"]
        mounts = self.files("ui", cont)
        env = self._base_env(self.rw.env("ui", self._paths("ui", cont.env, mounts), in_ui_pod=True))
        for k, v in (override or {}).items():
            print(f"ui env {k} overridden by the test: {v}", file=sys.stderr)
            env[k] = v
        port = self.ports["ui"][3000]
        env["PORT"] = str(port)
        env["HOSTNAME"] = "127.0.0.1"
        build = upstream.ui_build()
        p = self._spawn("ui", ["node", "server.js"], env, cwd=build)
        wait_http(f"http://127.0.0.1:{port}/api/health", "ui", p)

    def restart_ui(self, override=None):
        p = self.procs.pop("ui")
        os.killpg(p.pid, signal.SIGTERM)
        p.wait(10)
        self.start_ui(override)

    def start_proxy(self):
        cont = self.pods["ui"].containers["proxy"]
        mounts = self.files("proxy", cont)
        env = self.rw.env("proxy", cont.env, in_ui_pod=True)
        template = Path(mounts["/etc/nginx/templates/default.conf.template"]).read_text()
        # The image's entrypoint (20-envsubst-on-templates.sh): envsubst with the variables
        # defined in the environment only, so nginx's own $variables stay.
        defined = " ".join(f"${{{k}}}" for k in env)
        conf = subprocess.run(["envsubst", defined], input=template, capture_output=True, text=True,
                              env={**env, "PATH": os.environ["PATH"]}, check=True).stdout
        port = self.ports["ui"][8080]
        conf, n = re.subn(r"listen\s+8080\s*;", f"listen 127.0.0.1:{port};", conf)
        assert n == 1, "the proxy template has one `listen 8080;`"
        self.rw.note(f"proxy: nginx `listen 8080` -> 127.0.0.1:{port}")
        d = self.dir / "nginx"
        (d / "logs").mkdir(parents=True, exist_ok=True)
        (d / "conf.d").mkdir(exist_ok=True)
        (d / "conf.d/default.conf").write_text(conf)
        self.proxy_conf = conf
        # The image's /etc/nginx/nginx.conf: includes conf.d/*.conf inside http {}.
        (d / "nginx.conf").write_text(f"""pid {d}/nginx.pid;
error_log {d}/logs/error.log warn;
events {{ worker_connections 1024; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log {d}/logs/access.log;
    client_body_temp_path {d}/body; proxy_temp_path {d}/proxy;
    fastcgi_temp_path {d}/fastcgi; uwsgi_temp_path {d}/uwsgi; scgi_temp_path {d}/scgi;
    sendfile on;
    keepalive_timeout 65;
    include {d}/conf.d/*.conf;
}}
""")
        nginx = "/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else shutil.which("nginx")
        p = self._spawn("proxy", [nginx, "-p", str(d), "-c", str(d / "nginx.conf"), "-g", "daemon off;"],
                        dict(os.environ))
        wait_http(f"http://127.0.0.1:{port}/health", "proxy", p)

    def start(self, ui=True):
        """Every component of the installation; without `ui` the UI pod's two containers stay
        down (the option cases talk to the engine and MCP only)."""
        self.read()
        if "postgres" in self.pods:
            self.start_postgres()
        if "redis" in self.pods:
            self.start_redis()
        self.start_mcp()
        self.start_engine()
        if ui:
            self.start_ui()
            self.start_proxy()
        return self

    @property
    def proxy_port(self):
        return self.ports["ui"][8080]

    @property
    def engine_port(self):
        return self.ports["engine"][8080]

    @property
    def mcp_port(self):
        return self.ports["mcp"][8888]

    def stop(self):
        for name, p in reversed(list(self.procs.items())):
            if p.poll() is None:
                try:
                    os.killpg(p.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
        for p in self.procs.values():
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
        if getattr(self, "pg", None):
            self.pg.stop()

    def print_rewrites(self, out=sys.stdout):
        print(f"rewrites for {self.ns}/{self.instance} (nothing else differs from what the kubelet hands):", file=out)
        for r in self.rw.listed:
            print(f"  - {r}", file=out)
