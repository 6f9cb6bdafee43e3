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


class Mcp:
    """A session on MCP's streamable HTTP transport (initialize first, as a client must)."""

    def __init__(self, port):
        self.url = f"http://127.0.0.1:{port}/mcp"
        self.session = None
        self.n = 0
        init = self.call("initialize", {"protocolVersion": "2025-03-26", "capabilities": {},
                                        "clientInfo": {"name": "skyflo-product-tier", "version": "1"}})
        assert "result" in init, init
        self.call("notifications/initialized")

    def call(self, method, params=None):
        msg = {"jsonrpc": "2.0", "method": method}
        if not method.startswith("notifications/"):
            self.n += 1
            msg["id"] = self.n
        if params is not None:
            msg["params"] = params
        h = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}
        if self.session:
            h["Mcp-Session-Id"] = self.session
        req = urllib.request.Request(self.url, data=json.dumps(msg).encode(), method="POST", headers=h)
        with urllib.request.urlopen(req, timeout=120) as r:
            text = r.read().decode()
            self.session = r.headers.get("Mcp-Session-Id") or self.session
        for line in text.splitlines():
            if line.startswith("data:"):
                return json.loads(line[5:])
        return json.loads(text) if text.strip() else None


def mcp_tools(port):
    return [t["name"] for t in Mcp(port).call("tools/list")["result"]["tools"]]


def mcp_call(port, tool, args):
    """The text a tool answered (its error included)."""
    out = Mcp(port).call("tools/call", {"name": tool, "arguments": args})
    return json.dumps(out)


def port_forward(ns, pod, ports):
    """kwok's PortForward: `kubectl port-forward` to these pod ports reaches local ports."""
    rules = "".join(f"  - ports: [{p}]\n    target: {{address: 127.0.0.1, port: {to}}}\n" for p, to in ports)
    doc = (f"apiVersion: kwok.x-k8s.io/v1alpha1\nkind: PortForward\nmetadata:\n  name: {pod}\n"
           f"  namespace: {ns}\nspec:\n  forwards:\n{rules}")
    kubelet.kubectl("apply", "-f", "-", input=doc)


def flood(port, path, n, source, headers=None, method="POST", body=b"{}"):
    """`n` requests from the loopback address `source` (another client than the browser's
    127.0.0.1) straight to the local proxy; the statuses, in order."""
    import http.client
    statuses = []
    for i in range(n):
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=30, source_address=(source, 0))
        h = dict(headers(i) if callable(headers) else headers or {})
        data = body if method == "POST" else None
        if data is not None:
            h.setdefault("Content-Type", "application/json")
        c.request(method, path, body=data, headers=h)
        r = c.getresponse()
        statuses.append((r.status, r.read().decode(errors="replace")[:200]))
        c.close()
    return statuses
