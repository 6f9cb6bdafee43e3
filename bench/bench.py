"""skyflo benchmarks on the test control plane; prints a table with the goals in brackets.

Every comparison runs skyflo and kubectl against the same cluster in the same run. Request
counts come from the API server's audit log (skyflo sends User-Agent skyflo/<version>).
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid

ap = argparse.ArgumentParser()
ap.add_argument("--kubeconfig", required=True)
ap.add_argument("--audit", required=True)
ap.add_argument("--skyflo", required=True)
ap.add_argument("--runs", type=int, default=5)
args = ap.parse_args()
KC = args.kubeconfig
ENV = dict(os.environ, KUBECONFIG=KC, NO_COLOR="1", SKYFLO_CONFIG="/nonexistent")
WORK = tempfile.mkdtemp(prefix="skyflo-bench-")
namespaces = []


def ns(prefix):
    name = f"bench-{prefix}-{uuid.uuid4().hex[:6]}"
    namespaces.append(name)
    return name


def spec(extra_ui=""):
    """The default spec with ClusterIP Services (no node port clashes between runs)."""
    text = f"""apiVersion: skyflo.ai/v1
kind: SkyfloAI
metadata:
  name: skyflo
spec:
  ui:
    image: skyfloaiagent/ui:v0.7.0
    service: {{type: ClusterIP}}
{extra_ui}  engine:
    image: skyfloaiagent/engine:v0.7.0
  mcp:
    image: skyfloaiagent/mcp:v0.7.0
    service: {{type: ClusterIP}}
"""
    path = os.path.join(WORK, f"spec-{uuid.uuid4().hex[:6]}.yaml")
    with open(path, "w") as f:
        f.write(text)
    return path


def run(cmd, stdin=None, check=True):
    t = time.perf_counter()
    p = subprocess.run(cmd, input=stdin, capture_output=True, env=ENV)
    elapsed = time.perf_counter() - t
    if check and p.returncode != 0:
        sys.exit(f"failed: {' '.join(cmd)}\n{p.stderr.decode()}")
    return elapsed, p


def sky(*a, **kw):
    return run([args.skyflo, *a], **kw)


def audit_offset():
    return os.path.getsize(args.audit)


def audit_since(offset, agent_prefix="skyflo/"):
    entries = []
    with open(args.audit, "rb") as f:
        f.seek(offset)
        for line in f:
            try:
                e = json.loads(line)
            except ValueError:
                continue
            if (e.get("userAgent") or "").startswith(agent_prefix) and e.get("stage") == "ResponseComplete":
                entries.append(e)
    return entries


def median(xs):
    return statistics.median(xs)


rows = []


def cleanup():
    for n in namespaces:
        subprocess.run(["kubectl", "delete", "namespace", n, "--wait=false"], capture_output=True, env=ENV)
        subprocess.run(["kubectl", "delete", "clusterrolebinding", "-l", f"skyflo.ai/namespace={n}"],
                       capture_output=True, env=ENV)


import atexit  # noqa: E402
atexit.register(cleanup)


def row(name, value, goal, ok):
    rows.append((name, value, goal, "yes" if ok else "NO"))


# 1. Apply phase of a fresh install vs kubectl apply --server-side of the same objects.
sky_apply, kubectl_apply = [], []
for _ in range(args.runs):
    f = spec()
    t, _ = sky("install", "-n", ns("apply"), "-f", f, "--no-wait", "--skip-checks", "-q")
    sky_apply.append(t)
    target = ns("kubectl")
    # The same 28 objects skyflo applies, the generated Secrets included.
    _, tpl = sky("template", "-n", target, "-f", f, "--include-generated-secrets")
    t, _ = run(["kubectl", "apply", "--server-side", "-f", "-"], stdin=tpl.stdout)
    kubectl_apply.append(t)
ratio = median(sky_apply) / median(kubectl_apply)
row("fresh install, apply phase (--no-wait) vs kubectl apply --server-side",
    f"{median(sky_apply)*1000:.0f} ms vs {median(kubectl_apply)*1000:.0f} ms = {ratio:.2f}", "<= 0.5", ratio <= 0.5)

# 2. API requests of one full install (apply + wait + record), from the audit log: every
# request skyflo sent (the bench runs one command at a time), without and with the pre-flight.
f = spec()
target = ns("count")
# Every object the install writes, the generated Secrets included (template leaves them out).
_, tpl = sky("template", "-n", target, "-f", f, "--include-generated-secrets")
objects = tpl.stdout.decode().count("\n---\n") + 1
off = audit_offset()
sky("install", "-n", target, "-f", f, "--skip-checks", "-q")
time.sleep(1.0)  # watches are logged when their connection closes
without = len(audit_since(off))
row("API requests of a fresh install (with waiting), --skip-checks", f"{without} for {objects} objects",
    f"<= {objects + 10}", without <= objects + 10)
off = audit_offset()
sky("install", "-n", ns("count-checks"), "-f", f, "-q")
time.sleep(1.0)
with_checks = len(audit_since(off))
row("  the same with its pre-flight checks (default install)", f"{with_checks} for {objects} objects",
    f"<= {objects + 15}", with_checks <= objects + 15)

# 3. No-op upgrade: wall time and writes.
times = []
off = audit_offset()
for _ in range(args.runs):
    t, _ = sky("upgrade", "-n", target, "-f", f, "-q")
    times.append(t)
writes = [e for e in audit_since(off)
          if e["verb"] in ("create", "update", "patch", "delete") and "dryRun" not in e["requestURI"]]
row("no-op upgrade: wall time", f"{median(times)*1000:.0f} ms", "<= 300 ms", median(times) <= 0.3)
row("no-op upgrade: writes", f"{len(writes)}", "0", len(writes) == 0)

# 3b. Ownership checks reuse the plan's lists: a no-op upgrade costs the same number of requests
# in a namespace shared with 200 objects of other teams as in a namespace of its own.
def noop_requests(target):
    counts = []
    for _ in range(3):  # median: an entry of an earlier request can land late in the log
        off = audit_offset()
        sky("upgrade", "-n", target, "-f", f, "-q")
        time.sleep(1.0)
        counts.append(len([e for e in audit_since(off) if target in e.get("requestURI", "")
                           or target in json.dumps(e.get("objectRef", {}))]))
    return int(median(counts))


# The same namespace before and after another team puts 200 objects into it.
own = noop_requests(target)
foreign = {"apiVersion": "v1", "kind": "List", "items": [
    {"apiVersion": "v1", "kind": kind, "metadata": {"name": f"team-{kind.lower()}-{i}", "namespace": target},
     **({"data": {"k": "v"}} if kind == "ConfigMap" else {"stringData": {"k": "v"}})}
    for i in range(100) for kind in ("ConfigMap", "Secret")]}
run(["kubectl", "apply", "-f", "-"], stdin=json.dumps(foreign).encode())
in_shared = noop_requests(target)
row("no-op upgrade: API requests, alone vs beside 200 objects of another team",
    f"{own} vs {in_shared}", "equal", own == in_shared)

# 4. Delay between the last pod becoming Ready and skyflo exiting (median of 10).
def watch_ready(p, ready_at):
    dec = json.JSONDecoder()
    buf = ""
    while True:
        chunk = p.stdout.readline()
        if not chunk:
            break
        buf += chunk.decode()
        while True:
            s = buf.lstrip()
            try:
                obj, end = dec.raw_decode(s)
            except ValueError:
                break
            buf = s[end:]
            conds = obj.get("status", {}).get("conditions", [])
            if any(c["type"] == "Ready" and c["status"] == "True" for c in conds):
                ready_at.setdefault(obj["metadata"]["name"], time.time())


delays = []
for _ in range(10):
    target = ns("delay")
    subprocess.run(["kubectl", "create", "namespace", target], capture_output=True, env=ENV, check=True)
    ready_at = {}
    watcher = subprocess.Popen(["kubectl", "get", "pods", "-n", target, "-w", "-o", "json"],
                               stdout=subprocess.PIPE, env=ENV)
    th = threading.Thread(target=watch_ready, args=(watcher, ready_at), daemon=True)
    th.start()
    time.sleep(0.5)
    sky("install", "-n", target, "-f", spec(), "--skip-checks", "-q")
    exited = time.time()
    time.sleep(0.3)  # let the watcher deliver what it already has
    watcher.kill()
    watcher.wait()
    if ready_at:
        delays.append(exited - max(ready_at.values()))
d = median(delays) * 1000
row("last pod Ready -> skyflo exits (median of 10)", f"{d:.0f} ms", "<= 100 ms", d <= 100)

# 5. status vs kubectl get on the same (normal) install.
target = ns("status")
sky("install", "-n", target, "-f", spec(), "--skip-checks", "-q")
s_times, k_times = [], []
for _ in range(3 * args.runs):  # interleaved, so both see the same cluster load
    s_times.append(sky("status", "-n", target)[0])
    k_times.append(run(["kubectl", "get", "deploy,sts,svc,pods", "-n", target])[0])
ratio = median(s_times) / median(k_times)
row("status vs kubectl get deploy,sts,svc,pods",
    f"{median(s_times)*1000:.0f} ms vs {median(k_times)*1000:.0f} ms = {ratio:.2f}", "<= 0.5", ratio <= 0.5)

# 6. 500 UI replicas: install wall time and peak memory; status time.
big = spec("    replicas: 500\n")
target = ns("big")
t0 = time.perf_counter()
p = subprocess.run(["/usr/bin/time", "-f", "%M", args.skyflo, "install", "-n", target, "-f", big,
                    "--skip-checks", "-q", "--timeout", "10m"], capture_output=True, env=ENV)
big_time = time.perf_counter() - t0
if p.returncode != 0:
    sys.exit(p.stderr.decode())
peak_kib = int(p.stderr.decode().strip().splitlines()[-1])
rows.append(("install + wait, ui.replicas 500: wall time", f"{big_time:.1f} s", "(info)", ""))
rows.append(("install + wait, ui.replicas 500: skyflo peak RSS", f"{peak_kib/1024:.1f} MiB", "(info)", ""))
st = [sky("status", "-n", target, "-q")[0] for _ in range(args.runs)]
row("status with ui.replicas 500", f"{median(st)*1000:.0f} ms", "<= 1 s", median(st) <= 1.0)

w = max(len(r[0]) for r in rows)
v = max(len(r[1]) for r in rows)
print(f"{'benchmark':<{w}}  {'measured':<{v}}  {'goal':<10}  met")
for name, value, goal, ok in rows:
    print(f"{name:<{w}}  {value:<{v}}  [{goal}]".ljust(w + v + 16) + f"  {ok}")
