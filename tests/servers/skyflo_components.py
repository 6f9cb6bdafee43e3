"""Local stand-ins for Skyflo's UI pod (nginx proxy + Next.js UI), engine and MCP server, for
the tests of `skyflo verify`. They answer the paths, headers and framing of the real
components: the proxy's nginx routes (/health, /api/v1/ to the engine, / to the UI), the
engine's /api/v1/health/, /api/v1/health/database (200 either way, the body tells) and the
rate-limited /api/v1/auth/is_admin_user, and MCP's streamable HTTP transport on /mcp
(JSON-RPC in POST, answers as SSE events, Mcp-Session-Id, 202 for notifications).

    python3 skyflo_components.py STATE_DIR

Prints one JSON line {"proxy": port, "ui": port, "engine": port, "mcp": port}, then serves.
What misbehaves is read from STATE_DIR/mode at every request (empty: all good):
  database-down, redis-down, proxy-no-engine-route, mcp-forbidden, proxy-open
The proxy answers like skyflo's proxy template: agent and conversation calls without a login
get 401, registration 403; with proxy-open it passes them to the engine (as the image's own
configuration does), which refuses their empty bodies with 422.
Every request is appended to STATE_DIR/requests.log as "<server> <method> <path> <rpc method>".
"""
import http.client
import json
import os
import sys
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

STATE = sys.argv[1]
PORTS = {}
LOCK = threading.Lock()
SESSIONS = set()


def mode():
    try:
        with open(os.path.join(STATE, "mode")) as f:
            return f.read().strip()
    except FileNotFoundError:
        return ""


def record(line):
    with LOCK, open(os.path.join(STATE, "requests.log"), "a") as f:
        f.write(line + "\n")


class Base(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_name = "?"

    def log_message(self, *args):
        pass

    def body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def reply(self, status, body, content_type="application/json", headers=()):
        data = body if isinstance(body, bytes) else (
            body.encode() if isinstance(body, str) else json.dumps(body).encode())
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)


class UI(Base):
    def do_GET(self):
        record(f"ui GET {self.path}")
        if self.path == "/api/health":
            return self.reply(200, {"status": "ok"})
        return self.reply(200, "<html>Skyflo</html>", "text/html")


class Engine(Base):
    def do_GET(self):
        record(f"engine GET {self.path}")
        m = mode()
        if self.path == "/api/v1/health":
            return self.reply(307, b"", headers=[("Location", "/api/v1/health/")])
        if self.path == "/api/v1/health/":
            return self.reply(200, {"status": "ok", "version": "0.7.0"})
        if self.path == "/api/v1/health/database":
            if m == "database-down":
                return self.reply(200, {"status": "error", "database": "disconnected",
                                        "error": "postgres://skyflo:planted-pw-4711@skyflo-postgres:5432/skyflo: "
                                                 "[Errno 111] Connect call failed ('10.96.0.12', 5432)"})
            return self.reply(200, {"status": "ok", "database": "connected"})
        if self.path == "/api/v1/auth/is_admin_user":
            if m == "redis-down":
                # fastapi_limiter without Redis: an unhandled exception in the dependency.
                return self.reply(500, "Internal Server Error", "text/plain; charset=utf-8")
            if m == "database-down":
                return self.reply(500, {"detail": "Error checking admin status: connection refused"})
            return self.reply(200, {"is_admin": False})
        return self.reply(404, {"detail": "Not Found"})

    def do_POST(self):
        self.body()
        record(f"engine POST {self.path}")
        # FastAPI's validation of an empty body: nothing runs, nothing is created.
        return self.reply(422, {"detail": [{"type": "missing", "loc": ["body", "messages"], "msg": "Field required"}]})


class Proxy(Base):
    def do_POST(self):
        body = self.body()
        record(f"proxy POST {self.path}")
        gated = self.path.startswith("/api/v1/agent") or self.path.startswith("/api/v1/conversations")
        if mode() != "proxy-open":
            if gated and not self.headers.get("Authorization"):
                return self.reply(401, {"detail": "Unauthorized"})
            if self.path.startswith("/api/v1/auth/register"):
                return self.reply(403, {"detail": "self-registration is closed: an admin adds members"})
        c = http.client.HTTPConnection("127.0.0.1", PORTS["engine"], timeout=5)
        c.request("POST", self.path, body=body, headers={"Content-Type": "application/json"})
        r = c.getresponse()
        return self.reply(r.status, r.read(), r.getheader("Content-Type") or "application/json")

    def do_GET(self):
        record(f"proxy GET {self.path}")
        if self.path == "/health":
            return self.reply(200, "ok", "text/plain")
        if self.path.startswith("/api/conversation/"):
            # The UI's route handler asks the engine through the proxy (its API_URL), which
            # answers 401 without a login; with proxy-open the engine answers for an unknown id.
            if mode() == "proxy-open":
                return self.reply(404, {"status": "error", "error": "Failed to fetch conversation details"})
            return self.reply(401, {"status": "error", "error": "Failed to fetch conversation details"})
        if self.path.startswith("/api/v1/"):
            if mode() == "proxy-no-engine-route":
                return self.reply(404, "<html><center><h1>404 Not Found</h1></center><hr><center>nginx</center></html>", "text/html")
            return self.forward(PORTS["engine"])
        return self.forward(PORTS["ui"])

    def forward(self, port):
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            c.request("GET", self.path)
            r = c.getresponse()
            data = r.read()
            return self.reply(r.status, data, r.getheader("Content-Type") or "text/plain")
        except OSError:
            return self.reply(502, "<html><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></html>", "text/html")


TOOLS = [
    {"name": "k8s_get", "title": "Get Kubernetes Resources", "annotations": {"readOnlyHint": True},
     "inputSchema": {"type": "object", "properties": {"resource_type": {"type": "string"},
                                                       "namespace": {"type": "string"}},
                     "required": ["resource_type"]}},
    {"name": "k8s_logs", "title": "Get Kubernetes Pod Logs", "annotations": {"readOnlyHint": True},
     "inputSchema": {"type": "object", "properties": {"pod_name": {"type": "string"}}}},
    {"name": "k8s_delete", "title": "Delete Kubernetes Resource",
     "annotations": {"readOnlyHint": False, "destructiveHint": True},
     "inputSchema": {"type": "object", "properties": {"name": {"type": "string"}}}},
]


class MCP(Base):
    def do_DELETE(self):
        record("mcp DELETE /mcp")
        SESSIONS.discard(self.headers.get("mcp-session-id"))
        return self.reply(200, b"")

    def do_POST(self):
        if self.path != "/mcp":
            return self.reply(404, {"detail": "Not Found"})
        accept = self.headers.get("Accept") or ""
        if "application/json" not in accept or "text/event-stream" not in accept:
            return self.reply(406, {"jsonrpc": "2.0", "id": "server-error", "error": {
                "code": -32600, "message": "Not Acceptable: Client must accept both application/json and text/event-stream"}})
        msg = json.loads(self.body())
        method = msg.get("method")
        record(f"mcp POST /mcp {method}")
        if method == "initialize":
            session = uuid.uuid4().hex
            SESSIONS.add(session)
            return self.sse(msg["id"], {
                "protocolVersion": msg["params"]["protocolVersion"],
                "capabilities": {"tools": {"listChanged": True}},
                "serverInfo": {"name": "Skyflo MCP Server", "version": "2.13.0"}},
                [("mcp-session-id", session)])
        if self.headers.get("mcp-session-id") not in SESSIONS:
            return self.reply(400, {"jsonrpc": "2.0", "id": "server-error", "error": {
                "code": -32600, "message": "Bad Request: Missing session ID"}})
        if not self.headers.get("mcp-protocol-version"):
            return self.reply(400, {"jsonrpc": "2.0", "id": "server-error", "error": {
                "code": -32600, "message": "Bad Request: Missing protocol version"}})
        if method == "notifications/initialized":
            return self.reply(202, b"")
        if method == "tools/list":
            return self.sse(msg["id"], {"tools": TOOLS})
        if method == "tools/call":
            args = msg["params"].get("arguments", {})
            ns = args.get("namespace", "default")
            if mode() == "mcp-forbidden":
                out = {"output": f"Error executing command kubectl with args ['get', 'pods', '-n', '{ns}']: "
                                 f"Error from server (Forbidden): pods is forbidden: User "
                                 f"\"system:serviceaccount:{ns}:skyflo-mcp\" cannot list resource \"pods\" "
                                 f"in API group \"\" in the namespace \"{ns}\"", "error": True}
            else:
                out = {"output": "NAME          READY   STATUS    RESTARTS   AGE\nskyflo-ui-1   2/2     Running   0          1m",
                       "error": False}
            return self.sse(msg["id"], {"content": [{"type": "text", "text": json.dumps(out)}],
                                        "structuredContent": out, "isError": False})
        return self.sse(msg["id"], None, error={"code": -32601, "message": f"Method not found: {method}"})

    def sse(self, rid, result, headers=(), error=None):
        reply = {"jsonrpc": "2.0", "id": rid}
        if error:
            reply["error"] = error
        else:
            reply["result"] = result
        event = f"event: message\r\ndata: {json.dumps(reply)}\r\n\r\n".encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache, no-transform")
        self.send_header("Transfer-Encoding", "chunked")
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        # The event in two chunks, as a stream may deliver it.
        for part in (event[:20], event[20:]):
            self.wfile.write(f"{len(part):x}\r\n".encode() + part + b"\r\n")
        self.wfile.write(b"0\r\n\r\n")


def main():
    servers = {}
    for name, handler in (("ui", UI), ("engine", Engine), ("proxy", Proxy), ("mcp", MCP)):
        s = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        servers[name] = s
        PORTS[name] = s.server_address[1]
    print(json.dumps(PORTS), flush=True)
    for s in servers.values():
        threading.Thread(target=s.serve_forever, daemon=True).start()
    threading.Event().wait()


if __name__ == "__main__":
    main()
