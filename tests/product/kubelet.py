"""What the kubelet would hand each container of an installed pod: its environment (envFrom,
env with secretKeyRef/configMapKeyRef/fieldRef resolved and $(VAR) expanded, the namespace's
service links), and the files of its volume mounts (ConfigMaps, Secrets, the projected
ServiceAccount token, the cluster CA and the namespace), read back from the test API server.

kwok runs no containers, so this is what we have instead of a kubelet: it reads the Pod the
scheduler bound (admission has already added the token volume) and nothing else.
"""
import base64
import json
import os
import re
import subprocess
from dataclasses import dataclass, field


def kubeconfig():
    path = os.environ.get("SKYFLO_TEST_KUBECONFIG")
    if not path:
        raise RuntimeError("SKYFLO_TEST_KUBECONFIG is not set: the product tier needs the test control plane "
                           "(tests/run.sh starts it; or export SKYFLO_TEST_KUBECONFIG=$(tests/cluster/up | tail -n1))")
    return path


def kubectl(*args, input=None, check=True):
    out = subprocess.run(["kubectl", "--kubeconfig", kubeconfig(), *args], input=input,
                         capture_output=True, text=True)
    if check and out.returncode != 0:
        raise RuntimeError(f"kubectl {' '.join(args)}: {out.stderr.strip()}")
    return out


def get(kind, ns, name=None, selector=None):
    args = ["get", kind, "-n", ns, "-o", "json"]
    if name:
        args.insert(2, name)
    if selector:
        args += ["-l", selector]
    return json.loads(kubectl(*args).stdout)


@dataclass
class Container:
    name: str
    image: str
    command: list
    args: list
    env: dict
    # mount path -> {file name -> bytes}
    files: dict = field(default_factory=dict)
    ports: dict = field(default_factory=dict)


@dataclass
class Pod:
    name: str
    namespace: str
    service_account: str
    containers: dict


def _data(obj):
    """A ConfigMap's or Secret's keys as bytes."""
    out = {k: v.encode() for k, v in (obj.get("data") or {}).items()} if obj["kind"] == "ConfigMap" else {
        k: base64.b64decode(v) for k, v in (obj.get("data") or {}).items()}
    for k, v in (obj.get("binaryData") or {}).items():
        out[k] = base64.b64decode(v)
    return out


class _Reader:
    def __init__(self, ns):
        self.ns = ns
        self.cache = {}

    def data(self, kind, name, optional=False):
        key = (kind, name)
        if key not in self.cache:
            out = kubectl("get", kind, name, "-n", self.ns, "-o", "json", check=False)
            if out.returncode != 0:
                if optional:
                    return {}
                raise RuntimeError(f"{kind}/{name} in {self.ns}: {out.stderr.strip()}")
            self.cache[key] = _data(json.loads(out.stdout))
        return self.cache[key]


_VAR = re.compile(r"\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)|\$\$")


def expand(value, env):
    """Kubernetes' $(VAR) expansion: defined names are replaced, $$ is a literal $, the rest stays."""
    def sub(m):
        if m.group(0) == "$$":
            return "$"
        return env.get(m.group(1), m.group(0))
    return _VAR.sub(sub, value)


def _field(pod, path):
    meta = pod["metadata"]
    return {
        "metadata.name": meta["name"],
        "metadata.namespace": meta["namespace"],
        "metadata.uid": meta.get("uid", ""),
        "spec.nodeName": pod["spec"].get("nodeName", ""),
        "spec.serviceAccountName": pod["spec"].get("serviceAccountName", ""),
        "status.podIP": pod.get("status", {}).get("podIP", ""),
        "status.hostIP": pod.get("status", {}).get("hostIP", ""),
    }.get(path, "")


def service_links(ns):
    """The docker-link variables the kubelet adds for every Service of the namespace
    (enableServiceLinks defaults to true) and the kubernetes Service's own."""
    env = {}
    services = get("services", ns)["items"] + [get("services", "default", "kubernetes")]
    for s in services:
        ip = s["spec"].get("clusterIP")
        if not ip or ip == "None" or not s["spec"].get("ports"):
            continue
        base = s["metadata"]["name"].upper().replace("-", "_")
        first = s["spec"]["ports"][0]
        env[f"{base}_SERVICE_HOST"] = ip
        env[f"{base}_SERVICE_PORT"] = str(first["port"])
        env[f"{base}_PORT"] = f"{first['protocol'].lower()}://{ip}:{first['port']}"
        for p in s["spec"]["ports"]:
            proto = p["protocol"].lower()
            if p.get("name"):
                env[f"{base}_SERVICE_PORT_{p['name'].upper().replace('-', '_')}"] = str(p["port"])
            stem = f"{base}_PORT_{p['port']}_{p['protocol']}"
            env[stem] = f"{proto}://{ip}:{p['port']}"
            env[f"{stem}_PROTO"] = proto
            env[f"{stem}_PORT"] = str(p["port"])
            env[f"{stem}_ADDR"] = ip
    return env


def _env(pod, c, reader, links):
    env = dict(links) if pod["spec"].get("enableServiceLinks", True) else {
        k: v for k, v in links.items() if k.startswith("KUBERNETES_")}
    for src in c.get("envFrom") or []:
        prefix = src.get("prefix", "")
        if "configMapRef" in src:
            ref = src["configMapRef"]
            d = reader.data("configmap", ref["name"], ref.get("optional", False))
        else:
            ref = src["secretRef"]
            d = reader.data("secret", ref["name"], ref.get("optional", False))
        for k, v in d.items():
            env[prefix + k] = v.decode()
    for e in c.get("env") or []:
        if "value" in e:
            env[e["name"]] = expand(e["value"], env)
        elif "valueFrom" in e:
            vf = e["valueFrom"]
            if "secretKeyRef" in vf or "configMapKeyRef" in vf:
                kind, ref = ("secret", vf["secretKeyRef"]) if "secretKeyRef" in vf else (
                    "configmap", vf["configMapKeyRef"])
                d = reader.data(kind, ref["name"], ref.get("optional", False))
                if ref["key"] in d:
                    env[e["name"]] = d[ref["key"]].decode()
                elif not ref.get("optional"):
                    raise RuntimeError(f"{c['name']}: {kind} {ref['name']} has no key {ref['key']} "
                                       f"(the kubelet would not start the container)")
            elif "fieldRef" in vf:
                env[e["name"]] = _field(pod, vf["fieldRef"]["fieldPath"])
            else:
                raise RuntimeError(f"{c['name']}: env {e['name']}: unsupported valueFrom {list(vf)}")
        else:
            env[e["name"]] = ""
    return env


def _items(d, items, mode):
    if not items:
        return dict(d)
    return {i["path"]: d[i["key"]] for i in items if i["key"] in d}


def _token(pod, audience=None, seconds=3607):
    """A bound token for the pod's ServiceAccount, as the kubelet requests it (TokenRequest)."""
    args = ["create", "token", pod["spec"]["serviceAccountName"], "-n", pod["metadata"]["namespace"],
            "--bound-object-kind", "Pod", "--bound-object-name", pod["metadata"]["name"],
            "--bound-object-uid", pod["metadata"]["uid"], "--duration", f"{seconds}s"]
    if audience:
        args += ["--audience", audience]
    return kubectl(*args).stdout.strip().encode()


def _volume(pod, v, reader):
    """{relative file path -> bytes} of one volume."""
    if "configMap" in v:
        cm = v["configMap"]
        return _items(reader.data("configmap", cm["name"], cm.get("optional", False)), cm.get("items"), None)
    if "secret" in v:
        s = v["secret"]
        return _items(reader.data("secret", s["secretName"], s.get("optional", False)), s.get("items"), None)
    if "projected" in v:
        out = {}
        for src in v["projected"]["sources"]:
            if "serviceAccountToken" in src:
                t = src["serviceAccountToken"]
                out[t["path"]] = _token(pod, t.get("audience"), t.get("expirationSeconds", 3607))
            elif "configMap" in src:
                cm = src["configMap"]
                out.update(_items(reader.data("configmap", cm["name"], cm.get("optional", False)), cm.get("items"), None))
            elif "secret" in src:
                s = src["secret"]
                out.update(_items(reader.data("secret", s["name"], s.get("optional", False)), s.get("items"), None))
            elif "downwardAPI" in src:
                for i in src["downwardAPI"]["items"]:
                    out[i["path"]] = _field(pod, i["fieldRef"]["fieldPath"]).encode()
        return out
    if "emptyDir" in v or "persistentVolumeClaim" in v:
        return {}
    raise RuntimeError(f"volume {v['name']}: unsupported source {[k for k in v if k != 'name']}")


def _mounts(pod, c, reader):
    volumes = {v["name"]: v for v in pod["spec"].get("volumes") or []}
    files = {}
    for m in c.get("volumeMounts") or []:
        content = _volume(pod, volumes[m["name"]], reader)
        if m.get("subPath"):
            files[m["mountPath"]] = {"": content.get(m["subPath"], b"")}
        else:
            files[m["mountPath"]] = content
    return files


def pods(ns, component, instance=None):
    sel = f"app.kubernetes.io/component={component}"
    if instance:
        sel += f",app.kubernetes.io/instance={instance}"
    items = [p for p in get("pods", ns, selector=sel)["items"] if not p["metadata"].get("deletionTimestamp")]
    if not items:
        raise RuntimeError(f"no pod of {component} in {ns}")
    return items


def pod(ns, component, instance=None):
    """The first live pod of a component, with every container as the kubelet would start it."""
    p = pods(ns, component, instance)[0]
    reader = _Reader(ns)
    links = service_links(ns)
    containers = {}
    for c in p["spec"]["containers"]:
        env = _env(p, c, reader, links)
        containers[c["name"]] = Container(
            name=c["name"], image=c.get("image", ""),
            command=[expand(a, env) for a in c.get("command") or []],
            args=[expand(a, env) for a in c.get("args") or []],
            env=env, files=_mounts(p, c, reader),
            ports={pt.get("name", str(pt["containerPort"])): pt["containerPort"] for pt in c.get("ports") or []})
    return Pod(p["metadata"]["name"], ns, p["spec"].get("serviceAccountName", ""), containers)
