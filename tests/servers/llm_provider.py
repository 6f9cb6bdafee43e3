"""A local stand-in for the LLM providers' model-list APIs, as each documents them, for the
tests of `skyflo check`'s `llm` line. Accepts the key "good-key" only.

    python3 llm_provider.py PORT          # answers like the providers
    python3 llm_provider.py PORT hang     # accepts connections and never answers
    python3 llm_provider.py PORT record FILE
        # answers every request 200 and appends its path and headers (JSON lines) to FILE
    python3 llm_provider.py PORT redirect URL
        # answers every request 307 to URL + the path asked
"""
import json
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

GOOD = "good-key"
OPENAI_MODELS = ["gpt-4o", "gpt-4o-mini", "o3", "deepseek-chat", "llama-3.3-70b-versatile",
                 "mistral-large-latest"]


class Provider(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def reply(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        path = self.path.split("?")[0]
        if path == "/models":  # OpenAI, Groq, Mistral, DeepSeek: Bearer token
            if self.headers.get("Authorization") != f"Bearer {GOOD}":
                key = (self.headers.get("Authorization") or "").removeprefix("Bearer ")
                # OpenAI echoes a masked key in its message.
                masked = key[:3] + "*" * 4 + key[-4:] if len(key) > 8 else "***"
                return self.reply(401, {"error": {
                    "message": f"Incorrect API key provided: {masked}. You can find your API key at https://platform.openai.com/account/api-keys.",
                    "type": "invalid_request_error", "param": None, "code": "invalid_api_key"}})
            return self.reply(200, {"object": "list", "data": [
                {"id": m, "object": "model", "created": 1700000000, "owned_by": "system"}
                for m in OPENAI_MODELS]})
        if path == "/v1/models":  # Anthropic: x-api-key and anthropic-version
            if self.headers.get("x-api-key") != GOOD or not self.headers.get("anthropic-version"):
                return self.reply(401, {"type": "error", "error": {
                    "type": "authentication_error", "message": "invalid x-api-key"}})
            return self.reply(200, {"data": [
                {"type": "model", "id": "claude-sonnet-4-5", "display_name": "Claude Sonnet 4.5"},
                {"type": "model", "id": "claude-opus-4-1", "display_name": "Claude Opus 4.1"}],
                "has_more": False, "first_id": "claude-sonnet-4-5", "last_id": "claude-opus-4-1"})
        if path == "/v1beta/models":  # Gemini: x-goog-api-key; a bad key is a 400
            if self.headers.get("x-goog-api-key") != GOOD:
                return self.reply(400, {"error": {
                    "code": 400, "message": "API key not valid. Please pass a valid API key.",
                    "status": "INVALID_ARGUMENT"}})
            return self.reply(200, {"models": [
                {"name": "models/gemini-2.5-pro", "displayName": "Gemini 2.5 Pro"},
                {"name": "models/gemini-2.5-flash", "displayName": "Gemini 2.5 Flash"}]})
        if path == "/api/tags":  # Ollama: no key
            return self.reply(200, {"models": [{"name": "llama3.1:latest", "model": "llama3.1:latest"}]})
        return self.reply(404, {"error": {"message": f"no route {path}"}})


def announce(port):
    # The test passes port 0 and reads the bound port here: choosing a free port itself and
    # handing it over would race with every other server the parallel tests start.
    print(port, flush=True)


def hang(port):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", port))
    s.listen(16)
    announce(s.getsockname()[1])
    held = []
    deadline = time.time() + 300  # stops by itself
    s.settimeout(1)
    while time.time() < deadline:
        try:
            conn, _ = s.accept()
            held.append(conn)
        except socket.timeout:
            pass


class Recorder(BaseHTTPRequestHandler):
    """Whatever reaches it is written down: a key in a header shows in the file."""
    record = None

    def log_message(self, *args):
        pass

    def do_GET(self):
        with open(Recorder.record, "a") as f:
            f.write(json.dumps({"path": self.path, "headers": dict(self.headers)}) + "\n")
        data = json.dumps({"object": "list", "data": [{"id": "gpt-4o"}]}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


class Redirector(BaseHTTPRequestHandler):
    target = None

    def log_message(self, *args):
        pass

    def do_GET(self):
        self.send_response(307)
        self.send_header("Location", Redirector.target + self.path)
        self.send_header("Content-Length", "0")
        self.end_headers()


if __name__ == "__main__":
    port = int(sys.argv[1])
    mode = sys.argv[2] if len(sys.argv) > 2 else ""
    if mode == "hang":
        hang(port)
    else:
        handler = Provider
        if mode == "record":
            Recorder.record, handler = sys.argv[3], Recorder
        elif mode == "redirect":
            Redirector.target, handler = sys.argv[3], Redirector
        server = ThreadingHTTPServer(("127.0.0.1", port), handler)
        announce(server.server_address[1])
        threading.Timer(300, server.shutdown).start()  # stops by itself
        server.serve_forever()
