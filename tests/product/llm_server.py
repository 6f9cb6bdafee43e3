"""A scripted OpenAI-compatible chat-completions server for the product tier, following the
documented API (POST /chat/completions and /v1/chat/completions; stream=true answers as
server-sent `chat.completion.chunk` events ending in `data: [DONE]`, with a usage chunk when
stream_options.include_usage is set; tool calls as `delta.tool_calls`).

The script, by the conversation it receives:
- the last message is a tool result: a streamed text answer quoting it ("TOOL RESULT: ...");
- the last user message contains `TOOL <name> <json args>` and the request offers that tool: a
  streamed call of it;
- anything else (titles too): a streamed or plain text answer "SCRIPTED ANSWER <n>".

    python3 llm_server.py STATE_DIR     # prints {"port": N}, then serves on 127.0.0.1

Every request is appended to STATE_DIR/requests.jsonl: path, headers that matter, the model,
the tool names offered and the messages.
"""
import hashlib
import json
import re
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

STATE = sys.argv[1]
LOCK = threading.Lock()
COUNT = [0]


def chunk(model, delta, finish=None):
    return {"id": "chatcmpl-scripted", "object": "chat.completion.chunk", "created": int(time.time()),
            "model": model, "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}


def plan(messages, tools):
    """(text, tool_call) for this turn. A tool is called only when the request offers tools, as a
    model can only call what it was given (the engine's title and next-speaker requests offer none)."""
    last = messages[-1] if messages else {}
    if last.get("role") == "tool":
        content = last.get("content")
        if isinstance(content, list):
            content = " ".join(p.get("text", "") for p in content if isinstance(p, dict))
        return f"TOOL RESULT: {content}", None
    users = [m for m in messages if m.get("role") == "user"]
    text = users[-1].get("content", "") if users else ""
    if isinstance(text, list):
        text = " ".join(p.get("text", "") for p in text if isinstance(p, dict))
    m = re.search(r"TOOL (\w+) (\{.*\})", text or "")
    if m and last.get("role") == "user" and m.group(1) in tools:
        return None, (m.group(1), m.group(2))
    with LOCK:
        COUNT[0] += 1
        n = COUNT[0]
    return f"SCRIPTED ANSWER {n}", None


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def reply_json(self, value):
        body = json.dumps(value).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        if self.path.rstrip("/").endswith("/models"):
            return self.reply_json({"object": "list", "data": [{"id": "scripted", "object": "model"}]})
        self.send_error(404)

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
        path = self.path.split("?")[0]
        auth = self.headers.get("Authorization") or self.headers.get("x-api-key") or ""
        key = auth.removeprefix("Bearer ")
        # The key's digest only: the tests compare it, nothing here keeps a key.
        record = {"path": path, "authorization": bool(auth),
                  "key_sha256": hashlib.sha256(key.encode()).hexdigest() if key else None,
                  "model": body.get("model"), "stream": bool(body.get("stream")),
                  "tools": [t.get("function", {}).get("name") for t in body.get("tools") or []],
                  "messages": body.get("messages", []), "reasoning_effort": body.get("reasoning_effort")}
        with LOCK, open(f"{STATE}/requests.jsonl", "a") as f:
            f.write(json.dumps(record) + "\n")
        if not path.endswith("/chat/completions"):
            # Another provider's API (Anthropic, Ollama, Gemini): recorded, not scripted.
            self.send_error(501, "the scripted server speaks the OpenAI chat completions API only")
            return
        model = body.get("model", "scripted")
        text, call = plan(body.get("messages", []), record["tools"])
        if not body.get("stream"):
            msg = {"role": "assistant", "content": text}
            if call:
                msg = {"role": "assistant", "content": None, "tool_calls": [
                    {"id": f"call_{uuid.uuid4().hex[:12]}", "type": "function",
                     "function": {"name": call[0], "arguments": call[1]}}]}
            return self.reply_json({
                "id": "chatcmpl-scripted", "object": "chat.completion", "created": int(time.time()), "model": model,
                "choices": [{"index": 0, "message": msg, "finish_reason": "tool_calls" if call else "stop"}],
                "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15}})
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Connection", "close")
        self.end_headers()
        events = [chunk(model, {"role": "assistant", "content": ""})]
        if call:
            events.append(chunk(model, {"tool_calls": [{"index": 0, "id": f"call_{uuid.uuid4().hex[:12]}",
                                                        "type": "function",
                                                        "function": {"name": call[0], "arguments": ""}}]}))
            events.append(chunk(model, {"tool_calls": [{"index": 0, "function": {"arguments": call[1]}}]}))
            events.append(chunk(model, {}, "tool_calls"))
        else:
            # Word by word, so the page shows the answer arriving in pieces.
            for word in re.findall(r"\S+\s*", text):
                events.append(chunk(model, {"content": word}))
            events.append(chunk(model, {}, "stop"))
        if (body.get("stream_options") or {}).get("include_usage"):
            events.append({"id": "chatcmpl-scripted", "object": "chat.completion.chunk", "created": int(time.time()),
                           "model": model, "choices": [],
                           "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15}})
        for e in events:
            self.wfile.write(f"data: {json.dumps(e)}\n\n".encode())
            self.wfile.flush()
            time.sleep(0.02)
        self.wfile.write(b"data: [DONE]\n\n")
        self.wfile.flush()
        self.close_connection = True


if __name__ == "__main__":
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    print(json.dumps({"port": server.server_address[1]}), flush=True)
    server.serve_forever()
