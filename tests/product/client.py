"""Small HTTP clients for the product tier: the engine's API through the proxy (login, agent
chat as server-sent events, approvals, conversations), MCP's streamable HTTP transport, and
kwok's port-forward mapping."""
import json
import urllib.error
import urllib.parse
import urllib.request

import kubelet


def request(method, url, body=None, headers=None, form=False, timeout=60):
    """(status, headers, text); never raises for an HTTP status."""
    data = None
    headers = dict(headers or {})
    if body is not None:
        if form:
            data = urllib.parse.urlencode(body).encode()
            headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
        else:
            data = json.dumps(body).encode()
            headers.setdefault("Content-Type", "application/json")
    req = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, dict(r.headers), r.read().decode(errors="replace")
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read().decode(errors="replace")


def login(base, email, password):
    status, _, text = request("POST", f"{base}/api/v1/auth/jwt/login",
                              {"username": email, "password": password}, form=True)
    assert status == 200, f"login of {email} through {base}: {status} {text[:300]}"
    return json.loads(text)["access_token"]


def sse_events(base, path, body, token, timeout=180):
    """The events of one agent stream (chat or approval) as (event, data), read to its end (the
    engine closes it on completed, error, awaiting_approval or stopped)."""
    headers = {"Accept": "text/event-stream", "Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    req = urllib.request.Request(f"{base}{path}", data=json.dumps(body).encode(), method="POST", headers=headers)
    events = []
    with urllib.request.urlopen(req, timeout=timeout) as r:
        assert r.headers.get("Content-Type", "").startswith("text/event-stream"), dict(r.headers)
        name, data = "message", []
        for raw in r:
            line = raw.decode().rstrip("\r\n")
            if line.startswith("event:"):
                name = line[6:].strip()
            elif line.startswith("data:"):
                data.append(line[5:].strip())
            elif line == "" and data:
                try:
                    payload = json.loads("\n".join(data))
                except ValueError:
                    payload = {"raw": "\n".join(data)}
                events.append((name, payload))
                name, data = "message", []
    return events


def mcp_tools(port):
    """tools/list over MCP's streamable HTTP transport (initialize first, as a client must)."""
    url = f"http://127.0.0.1:{port}/mcp"
    hdr = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}

    def call(msg, session=None):
        h = dict(hdr)
        if session:
            h["Mcp-Session-Id"] = session
        req = urllib.request.Request(url, data=json.dumps(msg).encode(), method="POST", headers=h)
        with urllib.request.urlopen(req, timeout=30) as r:
            text = r.read().decode()
            sid = r.headers.get("Mcp-Session-Id")
        for line in text.splitlines():
            if line.startswith("data:"):
                return json.loads(line[5:]), sid
        return (json.loads(text) if text.strip() else None), sid

    init, session = call({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2025-03-26", "capabilities": {},
        "clientInfo": {"name": "skyflo-product-tier", "version": "1"}}})
    assert "result" in init, init
    call({"jsonrpc": "2.0", "method": "notifications/initialized"}, session)
    tools, _ = call({"jsonrpc": "2.0", "id": 2, "method": "tools/list"}, session)
    return [t["name"] for t in tools["result"]["tools"]]


def port_forward(ns, pod, ports):
    """kwok's PortForward: `kubectl port-forward` to these pod ports reaches local ports."""
    rules = "".join(f"  - ports: [{p}]\n    target: {{address: 127.0.0.1, port: {to}}}\n" for p, to in ports)
    doc = (f"apiVersion: kwok.x-k8s.io/v1alpha1\nkind: PortForward\nmetadata:\n  name: {pod}\n"
           f"  namespace: {ns}\nspec:\n  forwards:\n{rules}")
    kubelet.kubectl("apply", "-f", "-", input=doc)
