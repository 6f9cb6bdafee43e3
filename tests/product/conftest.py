"""The product tier's fixtures: an installation made by the real `skyflo install` on the test
control plane, upstream's components started from what it installed (stack.py), the first admin
made by `skyflo admin create` through the engine pod's port-forward."""
import contextlib
import json
import os
import secrets as secrets_mod
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
import client  # noqa: E402
import kubelet  # noqa: E402
import stack  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = Path(os.environ.get("SKYFLO_PRODUCT_ARTIFACTS", ROOT / "target/product-artifacts"))


def skyflo_bin():
    p = os.environ.get("SKYFLO_BIN") or str(ROOT / "target/debug/skyflo")
    if not Path(p).exists():
        raise RuntimeError(f"{p} is missing: build it with `cargo build` (tests/run.sh does)")
    return p


def skyflo(*args, env=None, input=None, check=True):
    e = dict(os.environ, KUBECONFIG=kubelet.kubeconfig(), NO_COLOR="1")
    e.update(env or {})
    out = subprocess.run([skyflo_bin(), *args], env=e, input=input, capture_output=True, text=True)
    if check and out.returncode != 0:
        raise AssertionError(f"skyflo {' '.join(args)} exited {out.returncode}:\n{out.stdout}\n{out.stderr}")
    return out


class LlmServer:
    def __init__(self, workdir):
        self.state = Path(workdir)
        self.state.mkdir(parents=True, exist_ok=True)
        self.proc = subprocess.Popen([sys.executable, str(Path(__file__).parent / "llm_server.py"), str(self.state)],
                                     stdout=subprocess.PIPE, text=True)
        self.port = json.loads(self.proc.stdout.readline())["port"]
        self.url = f"http://127.0.0.1:{self.port}/v1"

    def requests(self):
        f = self.state / "requests.jsonl"
        return [json.loads(line) for line in f.read_text().splitlines()] if f.exists() else []

    def stop(self):
        self.proc.kill()
        self.proc.wait()


SPEC = """apiVersion: skyflo.ai/v1
kind: SkyfloAI
metadata:
  name: skyflo
spec:
  ui:
    image: skyfloaiagent/ui:v0.7.0
    proxy:
      image: skyfloaiagent/proxy:v0.7.0
{ui_extra}  engine:
    image: skyfloaiagent/engine:v0.7.0
    llm:
      model: {model}
      host: {llm}
{llm_extra}{engine_extra}  mcp:
    image: skyfloaiagent/mcp:v0.7.0
    accessLevel: {access}
{mcp_extra}  networkPolicy:
    enabled: true
"""


def indent(text, n):
    return "".join(" " * n + line + "\n" for line in text.strip("\n").splitlines()) if text.strip() else ""


class Installation:
    """`skyflo install` into a namespace of its own, then the real components, then the admin.

    `secrets`: {name: {key: value}} created in the namespace before the install (the user's own
    Secrets the spec names); `llm_extra`, `engine_extra`, `mcp_extra`: YAML under engine.llm,
    engine and mcp; `env`: the environment of `skyflo install` (the API key, when no Secret
    holds it)."""

    def __init__(self, prefix, access="cluster-admin", signup="closed", model="openai/scripted-model",
                 llm_extra="", engine_extra="", mcp_extra="", secrets=None, env=None):
        self.ns = f"{prefix}-{os.getpid() % 100000}-{secrets_mod.token_hex(2)}"
        self.dir = Path(tempfile.mkdtemp(prefix=f"skyflo-{prefix}-"))
        self.dir.chmod(0o755)  # PostgreSQL runs as its own user below it
        self.llm = LlmServer(self.dir / "llm")
        self.api_key = "sk-product-" + secrets_mod.token_hex(8)
        ui_extra = f"    signup: {signup}\n" if signup != "closed" else ""
        spec = SPEC.format(llm=self.llm.url, access=access, ui_extra=ui_extra, model=model,
                           llm_extra=indent(llm_extra, 6), engine_extra=indent(engine_extra, 4),
                           mcp_extra=indent(mcp_extra, 4))
        self.spec = self.dir / "skyflo.yaml"
        self.spec.write_text(spec)
        self.secrets = secrets or {}
        self.env = {"OPENAI_API_KEY": self.api_key} if env is None else env
        self.admin_email = "admin@example.com"
        self.admin_password = "Adm1n-" + secrets_mod.token_hex(8)
        self.stack = None
        self.timings = {}

    def up(self, ui=True):
        t = time.time()
        if self.secrets:
            kubelet.kubectl("create", "namespace", self.ns)
            for name, data in self.secrets.items():
                doc = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": name, "namespace": self.ns},
                       "stringData": data}
                kubelet.kubectl("apply", "-f", "-", input=json.dumps(doc))
        skyflo("install", "-n", self.ns, "-f", str(self.spec), "--skip-checks", "-q", env=self.env)
        self.timings["install"] = time.time() - t
        t = time.time()
        self.stack = stack.Stack(self.ns, "skyflo", self.dir / "stack").start(ui=ui)
        self.timings["components"] = time.time() - t
        self.stack.print_rewrites()
        # Kept for tests/product/run, which prints them all after the run (the parallel
        # workers' own output is not shown for passing tests).
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        with open(ARTIFACTS / f"rewrites-{self.ns}.txt", "w") as f:
            self.stack.print_rewrites(out=f)
        p = self.stack.pods
        client.port_forward(self.ns, p["engine"].name, [(8080, self.stack.engine_port)])
        if ui:
            client.port_forward(self.ns, p["ui"].name, [(8080, self.stack.proxy_port),
                                                         (3000, self.stack.ports["ui"][3000])])
        client.port_forward(self.ns, p["mcp"].name, [(8888, self.stack.mcp_port)])
        return self

    def create_admin(self):
        return skyflo("admin", "create", "-n", self.ns, "--email", self.admin_email, "--password-stdin",
                      input=self.admin_password + "\n")

    @property
    def base(self):
        """The UI as a browser reaches it: the proxy."""
        return f"http://127.0.0.1:{self.stack.proxy_port}"

    @property
    def engine_base(self):
        return f"http://127.0.0.1:{self.stack.engine_port}"

    def token(self, base=None):
        return client.login(base or self.base, self.admin_email, self.admin_password)

    def diagnostics(self):
        out = [f"--- {self.ns}: what each component said (last lines)"]
        if self.stack:
            for name in self.stack.procs:
                out.append(f"--- {name}\n{self.stack.log(name)}")
        return "\n".join(out)

    def down(self):
        if self.stack:
            self.stack.stop()
        self.llm.stop()
        kubelet.kubectl("delete", "namespace", self.ns, "--wait=false", check=False)


@pytest.hookimpl(tryfirst=True, hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    setattr(item, "rep_" + rep.when, rep)  # fixtures read it to keep artifacts of a failure
    if rep.failed:
        inst = item.funcargs.get("inst") if hasattr(item, "funcargs") else None
        if inst is not None:
            rep.sections.append(("components", inst.diagnostics()))


def running(installation, ui=True, admin=True):
    """A fixture's body: the installation up (with its admin), then down, whatever happened;
    what each component said is printed when the start failed."""
    try:
        installation.up(ui=ui)
        if admin:
            installation.create_admin()
        yield installation
    except Exception:
        print(installation.diagnostics())
        raise
    finally:
        installation.down()


@contextlib.contextmanager
def victim(ns):
    """A Deployment `victim` in a namespace of its own, for the agent to (try to) delete."""
    kubelet.kubectl("create", "namespace", ns)
    try:
        kubelet.kubectl("create", "deployment", "victim", "-n", ns, "--image=nginx")
        yield ns
    finally:
        kubelet.kubectl("delete", "namespace", ns, "--wait=false", check=False)


@pytest.fixture(scope="session")
def inst():
    """The standard installation (cluster-admin, sign-up closed) with its first admin."""
    yield from running(Installation("product"))
