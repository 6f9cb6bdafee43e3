"""A local stand-in for the engine's auth, agent and conversation routes and for the UI, as the
real v0.7.0 engine answers them (skyflo-upstream.md §7), for the tests of skyflo's proxy
template in front of real nginx.

    python3 engine_auth.py STATE_DIR

Prints one JSON line {"engine": port, "ui": port}, then serves. Registrations (their JSON
bodies) are appended to STATE_DIR/registrations.log; `is_admin_user` answers true while
there is none, as the engine does while no account exists. The valid token is
"good-token". Every request that reaches the engine is appended to STATE_DIR/requests.log as
"<method> <path> <authorization>". The agent's event stream sends `event: ready`, then waits
until STATE_DIR/release exists before it sends `event: heartbeat` and ends: a buffering proxy
would hold the first event back until the end.
"""
import json
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

STATE = sys.argv[1]
LOCK = threading.Lock()
GOOD = "Bearer good-token"


def record(line):
    with LOCK, open(os.path.join(STATE, "requests.log"), "a") as f:
        f.write(line + "\n")


class Base(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def reply(self, status, body, content_type="application/json"):
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


class Engine(Base):
    def handle_any(self, method):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n else b""
        auth = self.headers.get("Authorization") or "-"
        record(f"{method} {self.path} {auth}")
        path = self.path.split("?")[0]
        if path == "/api/v1/auth/me":
            if auth == GOOD:
                return self.reply(200, {"id": "u1", "email": "admin@example.com", "is_superuser": True,
                                        "role": "admin"})
            return self.reply(401, {"detail": "Unauthorized"})
        if path == "/api/v1/team/members" and auth == GOOD:
            # The account that logged in is the only admin (the real race is the product tier's).
            return self.reply(200, [{"id": "u1", "email": "admin@example.com", "role": "admin",
                                     "created_at": "2026-01-01T00:00:00+00:00"}])
        if path == "/api/v1/auth/jwt/login" and method == "POST":
            return self.reply(200, {"access_token": "good-token", "token_type": "bearer"})
        if path == "/api/v1/auth/jwt/refresh" and method == "POST":
            return self.reply(200, {"access_token": "good-token", "token_type": "bearer"})
        if method == "POST" and body.strip() in (b"", b"{}") and path in (
                "/api/v1/auth/register/register", "/api/v1/agent/chat"):
            # FastAPI's validation of an empty body: nothing runs, nothing is created.
            return self.reply(422, {"detail": [{"type": "missing", "loc": ["body"], "msg": "Field required"}]})
        users = os.path.join(STATE, "registrations.log")
        if path == "/api/v1/auth/register/register" and method == "POST":
            first = not os.path.exists(users)
            with LOCK, open(users, "a") as f:
                f.write(body.decode() + "\n")
            return self.reply(201, {"id": "u2", "email": json.loads(body).get("email"), "is_superuser": first})
        if path == "/api/v1/auth/is_admin_user":
            # True while no account exists: the next to register becomes the admin.
            return self.reply(200, {"is_admin": not os.path.exists(users)})
        if path in ("/api/v1/health", "/api/v1/health/"):
            return self.reply(200, {"status": "ok", "version": "0.7.0"})
        if path == "/api/v1/agent/chat" and method == "POST":
            # The real engine answers without a login too: the proxy is the gate.
            return self.stream()
        if path.startswith("/api/v1/conversations"):
            return self.reply(200, [])
        return self.reply(404, {"detail": "Not Found"})

    def stream(self):
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()

        def chunk(text):
            data = text.encode()
            self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
            self.wfile.flush()

        chunk('event: ready\ndata: {"run_id": "r1"}\n\n')
        release = os.path.join(STATE, "release")
        deadline = time.time() + 20
        while not os.path.exists(release) and time.time() < deadline:
            time.sleep(0.05)
        chunk('event: heartbeat\ndata: {}\n\n')
        self.wfile.write(b"0\r\n\r\n")

    def do_GET(self):
        self.handle_any("GET")

    def do_POST(self):
        self.handle_any("POST")


class UI(Base):
    def do_GET(self):
        if self.path.startswith("/api/conversation/"):
            return self.conversation_route()
        return self.reply(200, b"<html>Skyflo UI</html>", "text/html")

    def conversation_route(self):
        """As the UI's route handler (ui/src/app/api/conversation/[id]/route.ts at the tag):
        GET API_URL/conversations/<id> with the auth_token cookie as a bearer token, and the
        answer's status passed on. API_URL is the rendered one, its host:port pointed at the
        test's nginx (STATE/api_url, written by tests/common/nginx.rs)."""
        import http.client
        import urllib.parse
        api = urllib.parse.urlsplit(open(os.path.join(STATE, "api_url")).read().strip())
        cookies = dict(c.strip().split("=", 1) for c in (self.headers.get("Cookie") or "").split(";") if "=" in c)
        headers = {"Authorization": f"Bearer {cookies['auth_token']}"} if "auth_token" in cookies else {}
        c = http.client.HTTPConnection(api.hostname, api.port, timeout=5)
        c.request("GET", api.path + "/conversations/" + self.path.rsplit("/", 1)[1], headers=headers)
        status = c.getresponse().status
        if status != 200:
            return self.reply(status, {"status": "error", "error": "Failed to fetch conversation details"})
        return self.reply(200, {"status": "success", "messages": []})


def main():
    servers = {"engine": ThreadingHTTPServer(("127.0.0.1", 0), Engine),
               "ui": ThreadingHTTPServer(("127.0.0.1", 0), UI)}
    print(json.dumps({k: s.server_address[1] for k, s in servers.items()}), flush=True)
    for s in servers.values():
        threading.Thread(target=s.serve_forever, daemon=True).start()
    time.sleep(600)  # stops by itself


if __name__ == "__main__":
    main()
