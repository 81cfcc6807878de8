#!/usr/bin/env python3
"""Local stand-ins for the HTTP notification receivers: a Slack incoming webhook, a Discord webhook
and a generic AWOOOI webhook receiver, each checking the wire format as its service documents it.

  POST /slack/<scenario>[/...]     Slack: JSON with `text` and Block Kit `blocks` within Slack's
                                   limits; answers 200 "ok", or 400 "invalid_blocks"/"invalid_payload"
  POST /discord/<scenario>[/...]   Discord: JSON with `embeds` within the embed limits; with
                                   ?wait=true answers 200 and the created message, else 204; a bad
                                   body gets 400 {"code": 50035, "message": "Invalid Form Body"}
  POST /webhook/<scenario>         AWOOOI's signed webhook: the signature is checked by the Python
                                   receiver code printed in docs/notifications.md (extracted and run
                                   as is); a bad signature gets 401, a bad body 400, else 200

Scenarios (the path segment after the channel):
  ok              check the request and answer as the service does
  rate_limit      429 with Retry-After: 7 (Discord: also {"retry_after": 2.5, "global": false})
  error500        500
  bad_request     400 (Slack "invalid_payload", Discord code 50035)
  not_found       404 (Slack "no_service", Discord {"message": "Unknown Webhook", "code": 10015})
  not_ok          200 with a body that is not Slack's "ok"
  stall           read the request, then say nothing for 30 s

Every request is recorded in --record-dir as <n>.json ({"channel", "scenario", "path", "query",
"headers", "verdict"}) and <n>.body (the raw bytes), so a test can assert exactly what arrived.
On start the server prints "LISTENING <port>". Python 3 standard library only.

Usage: notify_receiver.py --port 0 --record-dir DIR [--webhook-secret S] [--docs FILE]
"""
import argparse
import http.server
import json
import os
import re
import sys
import threading
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_DOCS = os.path.join(HERE, "..", "..", "docs", "notifications.md")
MARKER = "<!-- webhook-verify -->"


def load_documented_verify(docs_path):
    """The `verify` function from the first ```python block after the marker in the docs."""
    with open(docs_path, encoding="utf-8") as f:
        text = f.read()
    at = text.index(MARKER)
    m = re.search(r"```python\n(.*?)```", text[at:], re.S)
    namespace = {}
    exec(compile(m.group(1), docs_path + " (webhook-verify block)", "exec"), namespace)  # noqa: S102
    return namespace["verify"]


def units(s):
    """Length in UTF-16 code units, as the services' JavaScript limits count."""
    return len(s.encode("utf-16-le")) // 2


class Invalid(Exception):
    pass


def need(cond, why):
    if not cond:
        raise Invalid(why)


def check_text_object(obj, where, max_len, plain_only=False):
    need(isinstance(obj, dict), f"{where}: a text object")
    need(obj.get("type") in (("plain_text",) if plain_only else ("plain_text", "mrkdwn")), f"{where}.type")
    t = obj.get("text")
    need(isinstance(t, str) and 1 <= units(t) <= max_len, f"{where}.text: 1..{max_len} characters")


def check_slack(body):
    """https://api.slack.com/reference/block-kit/blocks"""
    msg = json.loads(body.decode("utf-8"))
    need(isinstance(msg, dict), "not an object")
    need(isinstance(msg.get("text"), str) and msg["text"], "no top-level text fallback")
    blocks = msg.get("blocks")
    need(isinstance(blocks, list) and 1 <= len(blocks) <= 50, "blocks: 1..50")
    for i, b in enumerate(blocks):
        w = f"blocks[{i}]"
        kind = b.get("type")
        if kind == "header":
            check_text_object(b.get("text"), w + ".text", 150, plain_only=True)
        elif kind == "section":
            need("text" in b or "fields" in b, w + ": text or fields")
            if "text" in b:
                check_text_object(b["text"], w + ".text", 3000)
            if "fields" in b:
                need(isinstance(b["fields"], list) and 1 <= len(b["fields"]) <= 10, w + ".fields: 1..10")
                for j, f in enumerate(b["fields"]):
                    check_text_object(f, f"{w}.fields[{j}]", 2000)
        elif kind == "context":
            els = b.get("elements")
            need(isinstance(els, list) and 1 <= len(els) <= 10, w + ".elements: 1..10")
            for j, e in enumerate(els):
                check_text_object(e, f"{w}.elements[{j}]", 3000)
        elif kind == "actions":
            els = b.get("elements")
            need(isinstance(els, list) and 1 <= len(els) <= 25, w + ".elements: 1..25")
            for j, e in enumerate(els):
                need(e.get("type") == "button", f"{w}.elements[{j}]: a button")
                check_text_object(e.get("text"), f"{w}.elements[{j}].text", 75, plain_only=True)
                url = e.get("url", "")
                need(isinstance(url, str) and units(url) <= 3000, f"{w}.elements[{j}].url: up to 3000")
                need(len(e.get("action_id", "")) <= 255, f"{w}.elements[{j}].action_id: up to 255")
        elif kind == "divider":
            pass
        else:
            raise Invalid(f"{w}: unknown block type {kind!r}")


def check_discord(body):
    """https://discord.com/developers/docs/resources/message#embed-object-embed-limits"""
    msg = json.loads(body.decode("utf-8"))
    need(isinstance(msg, dict), "not an object")
    embeds = msg.get("embeds", [])
    need(isinstance(embeds, list) and len(embeds) <= 10, "embeds: up to 10")
    need(msg.get("content") or embeds, "content or embeds")
    total = 0
    for i, e in enumerate(embeds):
        w = f"embeds[{i}]"
        for key, limit in (("title", 256), ("description", 4096)):
            if key in e:
                need(isinstance(e[key], str) and units(e[key]) <= limit, f"{w}.{key}: up to {limit}")
                total += units(e[key])
        if "color" in e:
            need(isinstance(e["color"], int) and 0 <= e["color"] <= 0xFFFFFF, f"{w}.color")
        if "timestamp" in e:
            need(re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$", e["timestamp"]),
                 f"{w}.timestamp: ISO8601")
        if "footer" in e:
            t = e["footer"].get("text", "")
            need(isinstance(t, str) and 1 <= units(t) <= 2048, f"{w}.footer.text: 1..2048")
            total += units(t)
        fields = e.get("fields", [])
        need(isinstance(fields, list) and len(fields) <= 25, f"{w}.fields: up to 25")
        for j, f in enumerate(fields):
            need(isinstance(f.get("name"), str) and 1 <= units(f["name"]) <= 256, f"{w}.fields[{j}].name: 1..256")
            need(isinstance(f.get("value"), str) and 1 <= units(f["value"]) <= 1024,
                 f"{w}.fields[{j}].value: 1..1024")
            total += units(f["name"]) + units(f["value"])
    need(total <= 6000, f"embeds: {total} characters in total, more than 6000")


def check_webhook_body(body):
    msg = json.loads(body.decode("utf-8"))
    for key in ("event", "idempotency_key", "severity", "title", "text", "fields", "link", "at"):
        need(key in msg, f"missing {key}")
    need(isinstance(msg["fields"], list), "fields: a list")
    for f in msg["fields"]:
        need(set(f) == {"label", "value"}, "fields: {label, value}")


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def answer(self, status, body=b"", content_type="text/plain", headers=()):
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        if status != 204:
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if status != 204:
            self.wfile.write(body)

    def do_POST(self):  # noqa: N802 - http.server's naming
        server = self.server
        url = urllib.parse.urlsplit(self.path)
        parts = [p for p in url.path.split("/") if p]
        channel = parts[0] if parts else ""
        scenario = parts[1] if len(parts) > 1 else "ok"
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        verdict = "ok"
        try:
            if channel == "slack":
                need(self.headers.get("Content-Type", "").startswith("application/json"), "Content-Type")
                check_slack(body)
            elif channel == "discord":
                need(self.headers.get("Content-Type", "").startswith("application/json"), "Content-Type")
                check_discord(body)
            elif channel == "webhook":
                if not server.verify(server.webhook_secret, self.headers, body):
                    verdict = "bad signature"
                else:
                    check_webhook_body(body)
            else:
                verdict = "unknown channel"
        except (Invalid, ValueError, KeyError, AttributeError, TypeError) as e:
            verdict = f"invalid: {e}"
        with server.lock:
            server.count += 1
            n = server.count
        record = {"channel": channel, "scenario": scenario, "path": url.path, "query": url.query,
                  "headers": {k.lower(): v for k, v in self.headers.items()}, "verdict": verdict}
        with open(os.path.join(server.record_dir, f"{n:04d}.body"), "wb") as f:
            f.write(body)
        with open(os.path.join(server.record_dir, f"{n:04d}.json"), "w", encoding="utf-8") as f:
            json.dump(record, f, ensure_ascii=False)

        if scenario == "stall":
            time.sleep(30)
            return self.answer(500, b"stalled")
        if scenario == "rate_limit":
            if channel == "discord":
                return self.answer(429, json.dumps({"message": "You are being rate limited.", "retry_after": 2.5,
                                                    "global": False}).encode(), "application/json",
                                   [("Retry-After", "3")])
            return self.answer(429, b"rate_limited", headers=[("Retry-After", "7")])
        if scenario == "error500":
            return self.answer(500, b"rollup_error" if channel == "slack" else b"internal error")
        if scenario == "bad_request":
            if channel == "discord":
                return self.answer(400, b'{"message": "Invalid Form Body", "code": 50035}', "application/json")
            return self.answer(400, b"invalid_payload")
        if scenario == "not_found":
            if channel == "discord":
                return self.answer(404, b'{"message": "Unknown Webhook", "code": 10015}', "application/json")
            return self.answer(404, b"no_service")
        if scenario == "not_ok":
            return self.answer(200, b"<html>hello</html>", "text/html")

        if verdict == "bad signature":
            return self.answer(401, b"bad signature")
        if verdict != "ok":
            if channel == "slack":
                return self.answer(400, b"invalid_blocks")
            if channel == "discord":
                return self.answer(400, json.dumps({"message": "Invalid Form Body", "code": 50035,
                                                    "errors": verdict}).encode(), "application/json")
            return self.answer(400, verdict.encode())
        if channel == "slack":
            return self.answer(200, b"ok")
        if channel == "discord":
            if urllib.parse.parse_qs(url.query).get("wait") == ["true"]:
                message = json.loads(body)
                message.update({"id": str(1000 + n), "channel_id": "42", "type": 0})
                return self.answer(200, json.dumps(message).encode(), "application/json")
            return self.answer(204)
        return self.answer(200, b'{"received": true}', "application/json")


def exit_with_parent():
    """Stops this receiver when the test that started it is gone (even if it crashed)."""
    parent = os.getppid()

    def watch():
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(0)

    threading.Thread(target=watch, daemon=True).start()


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--record-dir", required=True)
    ap.add_argument("--webhook-secret", default="test-webhook-secret-0123456789")
    ap.add_argument("--docs", default=DEFAULT_DOCS)
    args = ap.parse_args()
    exit_with_parent()
    os.makedirs(args.record_dir, exist_ok=True)
    server = Server(("127.0.0.1", args.port), Handler)
    server.record_dir = args.record_dir
    server.webhook_secret = args.webhook_secret.encode()
    server.verify = load_documented_verify(args.docs)
    server.lock = threading.Lock()
    server.count = 0
    print(f"LISTENING {server.server_address[1]}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
