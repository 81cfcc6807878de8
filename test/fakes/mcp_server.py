#!/usr/bin/env python3
"""A small MCP server for tests (standard library only), over stdio or Streamable HTTP.

  mcp_server.py [--mode MODE] [--log FILE] [--page-size N]           stdio
  mcp_server.py --http [--mode MODE] [--log FILE]                     HTTP on 127.0.0.1, prints "PORT n"

Tools: echo {message}, add {a, b}, fail (isError), slow {seconds}, env (its environment), add_tool
(adds a tool and notifies tools/list_changed), forget_sessions (HTTP: drops every session).
Modes that misbehave on purpose: notify-first, crash-on-call, hang, garbage, huge-line,
stderr-flood, old-version, late-answer, segv-on-call (stdio); resume, no-session, ask (HTTP).
Every message received is appended to --log as one JSON line ({"headers":...} added over HTTP).
"""
import argparse
import json
import os
import signal
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ARGS = None
LOG_LOCK = threading.Lock()
EXTRA_TOOLS = []
CANCELLED = set()


def log(entry):
    if ARGS.log:
        with LOG_LOCK, open(ARGS.log, "a") as f:
            f.write(json.dumps(entry) + "\n")


def tools():
    base = [
        {"name": "echo", "description": "Echoes the message", "annotations": {"readOnlyHint": True},
         "inputSchema": {"type": "object", "properties": {"message": {"type": "string"}},
                         "required": ["message"], "additionalProperties": False}},
        {"name": "add", "description": "Adds two numbers",
         "inputSchema": {"type": "object", "properties": {"a": {"type": "number"}, "b": {"type": "number"}},
                         "required": ["a", "b"]}},
        {"name": "fail", "description": "Always reports an error", "inputSchema": {"type": "object"}},
        {"name": "slow", "description": "Answers after some seconds",
         "inputSchema": {"type": "object", "properties": {"seconds": {"type": "number", "minimum": 0}}}},
        {"name": "env", "description": "Prints its environment", "inputSchema": {"type": "object"}},
        {"name": "add_tool", "description": "Adds a tool", "inputSchema": {"type": "object"}},
        {"name": "forget_sessions", "description": "Drops every HTTP session", "inputSchema": {"type": "object"}},
        {"name": "structured", "description": "Answers structured content only",
         "inputSchema": {"type": "object"}, "outputSchema": {"type": "object"}},
    ]
    return base + EXTRA_TOOLS


def text(t, is_error=False):
    r = {"content": [{"type": "text", "text": t}]}
    if is_error:
        r["isError"] = True
    return r


def call_tool(params, notify):
    name = params.get("name")
    args = params.get("arguments") or {}
    if name == "echo":
        return text("Echo: " + str(args.get("message")))
    if name == "add":
        return text(str(args.get("a", 0) + args.get("b", 0)))
    if name == "fail":
        return text("the tool failed on purpose", is_error=True)
    if name == "slow":
        time.sleep(float(args.get("seconds", 5)))
        return text("slept")
    if name == "env":
        return text("\n".join(f"{k}={v}" for k, v in sorted(os.environ.items())))
    if name == "add_tool":
        EXTRA_TOOLS.append({"name": f"extra{len(EXTRA_TOOLS) + 1}", "inputSchema": {"type": "object"}})
        notify({"jsonrpc": "2.0", "method": "notifications/tools/list_changed"})
        return text("added")
    if name == "forget_sessions":
        SESSIONS.clear()
        return text("forgotten")
    if name == "structured":
        return {"content": [], "structuredContent": {"owner": "ops@example.com", "count": 3}}
    return None


def handle(msg, notify):
    """The answer to one message (None for none)."""
    method = msg.get("method")
    mid = msg.get("id")
    if method is None:
        return None  # a response to something we asked
    if mid is None:
        if method == "notifications/cancelled":
            CANCELLED.add(msg.get("params", {}).get("requestId"))
        return None
    if method == "initialize":
        version = msg["params"]["protocolVersion"]
        if ARGS.mode == "old-version":
            version = "2024-11-05"
        elif version not in ("2025-11-25", "2025-06-18"):
            version = "2025-06-18"
        return {"jsonrpc": "2.0", "id": mid, "result": {
            "protocolVersion": version, "capabilities": {"tools": {"listChanged": True}},
            "serverInfo": {"name": "fake", "version": "1.0"}}}
    if method == "tools/list":
        all_tools = tools()
        size = ARGS.page_size or len(all_tools)
        start = int(msg.get("params", {}).get("cursor") or 0)
        page = all_tools[start:start + size]
        result = {"tools": page}
        if start + size < len(all_tools):
            result["nextCursor"] = str(start + size)
        return {"jsonrpc": "2.0", "id": mid, "result": result}
    if method == "tools/call":
        result = call_tool(msg.get("params", {}), notify)
        if result is None:
            return {"jsonrpc": "2.0", "id": mid, "error": {"code": -32602, "message": "Unknown tool"}}
        return {"jsonrpc": "2.0", "id": mid, "result": result}
    if method == "ping":
        return {"jsonrpc": "2.0", "id": mid, "result": {}}
    return {"jsonrpc": "2.0", "id": mid, "error": {"code": -32601, "message": "Method not found"}}


# ---------------------------------------------------------------- stdio

def stdio_main():
    out = sys.stdout
    lock = threading.Lock()

    def send(obj):
        with lock:
            out.write(json.dumps(obj) + "\n")
            out.flush()

    if ARGS.mode == "stderr-flood":
        sys.stderr.write("x" * (1 << 20))
        sys.stderr.flush()
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        msg = json.loads(line)
        log(msg)
        method = msg.get("method")
        if ARGS.mode == "hang":
            continue
        if ARGS.mode == "garbage" and method == "initialize":
            out.write("this is not json\n")
            out.flush()
            continue
        if method == "initialize" and ARGS.mode == "notify-first":
            send({"jsonrpc": "2.0", "method": "notifications/tools/list_changed"})
            send({"jsonrpc": "2.0", "id": "srv-1", "method": "ping"})
            send({"jsonrpc": "2.0", "method": "notifications/message", "params": {"level": "info", "data": "hi"}})
        if method == "tools/call":
            if ARGS.mode == "crash-on-call":
                sys.stderr.write("fatal: lost the cluster at 10.0.0.9\n")
                sys.exit(3)
            if ARGS.mode == "segv-on-call":
                os.kill(os.getpid(), signal.SIGSEGV)
            if ARGS.mode == "huge-line":
                out.write('{"jsonrpc":"2.0","id":' + str(msg["id"]) + ',"result":{"content":[{"type":"text","text":"')
                chunk = "y" * (1 << 20)
                for _ in range(10):
                    out.write(chunk)
                out.write('"}]}}\n')
                out.flush()
                continue
            if ARGS.mode == "late-answer":
                send({"jsonrpc": "2.0", "id": msg["id"] + 1000, "result": {"content": []}})
            if msg.get("params", {}).get("name") == "slow":
                # Answer from a thread so cancellations keep being read.
                def later(m=msg):
                    reply = handle(m, send)
                    if m["id"] not in CANCELLED:
                        send(reply)
                threading.Thread(target=later, daemon=True).start()
                continue
        reply = handle(msg, send)
        if reply is not None:
            send(reply)


# ---------------------------------------------------------------- HTTP

SESSIONS = {}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def reply(self, status, body=b"", ctype="application/json", headers=None):
        self.send_response(status)
        if body:
            self.send_header("Content-Type", ctype)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body:
            self.wfile.write(body)

    def sse_start(self, headers=None):
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True

    def sse(self, data=None, event_id=None, retry=None):
        parts = []
        if event_id:
            parts.append(f"id: {event_id}")
        if retry is not None:
            parts.append(f"retry: {retry}")
        parts.append("data: " + ("" if data is None else json.dumps(data)))
        self.wfile.write(("\n".join(parts) + "\n\n").encode())
        self.wfile.flush()

    def do_DELETE(self):
        SESSIONS.pop(self.headers.get("MCP-Session-Id"), None)
        self.reply(200)

    def do_GET(self):
        log({"http": "GET", "headers": dict(self.headers)})
        sid = self.headers.get("MCP-Session-Id")
        pending = PENDING.pop(self.headers.get("Last-Event-ID"), None)
        if pending is None:
            self.reply(405)
            return
        self.sse_start()
        self.sse(pending, event_id="ev-2")

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        msg = json.loads(body)
        log({"http": "POST", "headers": dict(self.headers), "message": msg})
        accept = self.headers.get("Accept", "")
        if "application/json" not in accept or "text/event-stream" not in accept:
            self.reply(406, json.dumps({"jsonrpc": "2.0", "id": msg.get("id"),
                                        "error": {"code": -32000, "message": "Not Acceptable"}}).encode())
            return
        sid = self.headers.get("MCP-Session-Id")
        method = msg.get("method")
        if method == "initialize":
            sid = None if ARGS.mode == "no-session" else uuid.uuid4().hex
            if sid:
                SESSIONS[sid] = True
            reply = handle(msg, lambda m: None)
            self.reply(200, json.dumps(reply).encode(), headers={"MCP-Session-Id": sid} if sid else None)
            return
        if ARGS.mode != "no-session":
            if not sid:
                self.reply(400, json.dumps({"jsonrpc": "2.0", "id": msg.get("id"),
                                            "error": {"code": -32000, "message": "Bad Request: no session"}}).encode())
                return
            if sid not in SESSIONS:
                self.reply(404)
                return
            if self.headers.get("MCP-Protocol-Version") not in ("2025-11-25", "2025-06-18"):
                self.reply(400, b'{"jsonrpc":"2.0","id":null,"error":{"code":-32000,"message":"Bad MCP-Protocol-Version"}}')
                return
        if method is None and msg.get("id") == "srv-ping" and "result" in msg:
            ANSWERED.set()
        if "id" not in msg or method is None:
            handle(msg, lambda m: None)
            self.reply(202)
            return
        if method == "tools/call":
            notes = []
            reply = handle(msg, notes.append)
            if ARGS.mode == "resume":
                PENDING["ev-1"] = reply
                self.sse_start()
                self.sse(None, event_id="ev-1", retry=100)  # a priming event, then the stream ends
                return
            self.sse_start()
            if ARGS.mode == "ask":
                # A request of the server's own inside the call's stream: answer it before ours comes.
                ANSWERED.clear()
                self.sse({"jsonrpc": "2.0", "id": "srv-ping", "method": "ping"})
                if not ANSWERED.wait(5):
                    reply = {"jsonrpc": "2.0", "id": msg["id"], "error": {"code": -32000, "message": "ping unanswered"}}
            self.sse({"jsonrpc": "2.0", "method": "notifications/message",
                      "params": {"level": "info", "data": "working"}})
            for n in notes:
                self.sse(n)
            self.sse(reply, event_id="ev-9")
            return
        reply = handle(msg, lambda m: None)
        self.reply(200, json.dumps(reply).encode())


PENDING = {}
ANSWERED = threading.Event()


def http_main():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    print(f"PORT {server.server_address[1]}", flush=True)
    server.serve_forever()


def main():
    global ARGS
    ap = argparse.ArgumentParser()
    ap.add_argument("--mode", default="normal")
    ap.add_argument("--log")
    ap.add_argument("--page-size", type=int, default=0)
    ap.add_argument("--http", action="store_true")
    ARGS = ap.parse_args()
    if ARGS.http:
        http_main()
    else:
        stdio_main()


if __name__ == "__main__":
    main()
