"""Server-sent events hold many idle viewers without a thread each: 1,000 idle /api/v1/events
streams stay open while the API keeps answering, and every viewer gets a published event.
Viewer caps answer with JSON errors, and no text (an alert name, an LLM's reasoning) can forge an
event or a field: the stream is parsed here exactly as a browser's EventSource parses it."""
import os
import resource
import socket
import subprocess
import tempfile
import time
import unittest

import harness
from harness import Server, wait_for

VIEWERS = 1000
# The viewers come from several loopback addresses (all of 127.0.0.0/8 is local on Linux), as a
# dashboard's viewers come from several hosts: one address may hold at most
# server.max_connections_per_client (256) connections.
SOURCES = [f"127.0.0.{i}" for i in range(1, 6)]
# One user holds all 1,000 streams here: lift the per-user stream cap for this server.
MANY_STREAMS_ENV = {"AWOOOI_SERVER_MAX_EVENT_VIEWERS_PER_USER": str(2 * VIEWERS)}


def parse_event_stream(body):
    """The WHATWG event-stream parser: lines end at CRLF, LF or CR; returns (type, data, id) per event."""
    events, etype, data, last_id, has_data = [], "", [], "", False
    i = 0
    text = body.decode("utf-8", "replace")
    while i < len(text):
        end = i
        while end < len(text) and text[end] not in "\r\n":
            end += 1
        if end == len(text):
            break  # an unterminated last line is not processed
        line = text[i:end]
        i = end + (2 if text[end] == "\r" and end + 1 < len(text) and text[end + 1] == "\n" else 1)
        if line == "":
            if has_data:
                events.append((etype or "message", "\n".join(data), last_id))
            etype, data, has_data = "", [], False
            continue
        if line.startswith(":"):
            continue
        field, _, value = line.partition(":")
        if value.startswith(" "):
            value = value[1:]
        if field == "data":
            data.append(value)
            has_data = True
        elif field == "event":
            etype = value
        elif field == "id" and "\0" not in value:
            last_id = value
    return events


def open_stream(port, path, token, source="127.0.0.1"):
    s = socket.socket()
    s.bind((source, 0))
    s.connect(("127.0.0.1", port))
    s.sendall(f"GET {path}{'&' if '?' in path else '?'}access_token={token} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
    return s


def read_until(s, needle, timeout=10):
    s.settimeout(timeout)
    buf = b""
    try:
        while needle not in buf:
            chunk = s.recv(65536)
            if not chunk:
                break
            buf += chunk
    except socket.timeout:
        pass
    return buf


def read_to_end(s, timeout=20):
    s.settimeout(timeout)
    buf = b""
    try:
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            buf += chunk
    except socket.timeout:
        pass
    return buf


class ManyIdleViewers(unittest.TestCase):
    def setUp(self):
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        if hard != resource.RLIM_INFINITY and hard < 4 * VIEWERS:
            self.skipTest(f"file descriptor limit {hard} is too low for {VIEWERS} viewers")
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 8192) if hard != resource.RLIM_INFINITY else 8192, hard))
        self.server = Server(env=MANY_STREAMS_ENV).start()  # inherits the raised limit
        self.addCleanup(self.server.cleanup)

    def test_a_thousand_idle_viewers_all_receive_an_event(self):
        token = self.server.tokens["alice"]
        sockets = []
        self.addCleanup(lambda: [s.close() for s in sockets])
        for i in range(VIEWERS):
            sockets.append(open_stream(self.server.port, "/api/v1/events", token, SOURCES[i % len(SOURCES)]))
        wait_for(lambda: f"awoooi_event_viewers {VIEWERS}" in self.server.get("/metrics")[1].decode(),
                 what=f"{VIEWERS} viewers registered")
        start = time.time()
        self.assertEqual(self.server.get("/healthz")[0], 200)
        self.assertLess(time.time() - start, 5)
        self.assertEqual(self.server.post_json("/api/v1/alerts", {"alertname": "Fanout", "service": "web"})[0], 200)
        received = 0
        for s in sockets:
            s.settimeout(10)
            buf = b""
            while b"incident.opened" not in buf:
                chunk = s.recv(65536)
                if not chunk:
                    break
                buf += chunk
            received += b"incident.opened" in buf
        self.assertEqual(received, VIEWERS)


class EventFraming(unittest.TestCase):
    def setUp(self):
        self.server = Server().start()
        self.addCleanup(self.server.cleanup)

    def test_line_ends_in_an_alert_name_cannot_forge_an_event(self):
        # The playbook's reasoning quotes the alert name; CR, CRLF and LF in it each end a data
        # line and nothing after them becomes a field or a new event.
        name = "Evil\revent: forged\r\rdata: injected\r\nid: 666\nretry: 1\r\n\r\nX"
        status, body = self.server.post_json("/api/v1/alerts", {"alertname": name, "service": "web"})
        self.assertEqual(status, 200, body)
        incident = body["incidents"][0]
        wait_for(lambda: self.server.get_json(f"/api/v1/incidents/{incident}/analysis")[0] == 200,
                 what="the analysis")
        s = open_stream(self.server.port, f"/api/v1/incidents/{incident}/thinking", self.server.tokens["alice"])
        raw = read_to_end(s)
        s.close()
        self.assertTrue(raw.startswith(b"HTTP/1.1 200"), raw[:200])
        events = parse_event_stream(raw.split(b"\r\n\r\n", 1)[1])
        self.assertEqual([e[0] for e in events], ["thinking", "proposal"], events)
        thinking = events[0][1]
        # The whole name arrives, its line ends turned into LF, inside the one thinking event.
        self.assertIn("Evil\nevent: forged\n\ndata: injected\nid: 666\nretry: 1\n\nX", thinking)
        self.assertEqual(events[0][2], "")  # no id was set by the text
        self.assertNotIn(b"\r", raw.split(b"\r\n\r\n", 1)[1])


def config_keys_known(*keys):
    """True when this build's configuration has `keys` (the app wires them from server.*)."""
    path = os.path.join(tempfile.mkdtemp(prefix="awoooi-probe-"), "probe.yaml")
    with open(path, "w") as f:
        f.write("server:\n" + "".join(f"  {k}: -1\n" for k in keys))
    r = subprocess.run([harness.AWOOOI, "serve", "--config", path], capture_output=True, text=True, timeout=30)
    return "unknown key" not in r.stderr


class ViewerCaps(unittest.TestCase):
    """server.max_event_viewers (all streams) and server.max_event_viewers_per_user (per token's user)."""

    def setUp(self):
        if not config_keys_known("max_event_viewers", "max_event_viewers_per_user"):
            self.skipTest("this build has no server.max_event_viewers* configuration keys yet")
        self.server = Server("server:\n  max_event_viewers: 5\n  max_event_viewers_per_user: 3\n").start()
        self.addCleanup(self.server.cleanup)
        self.sockets = []
        self.addCleanup(lambda: [s.close() for s in self.sockets])

    def open(self, user):
        s = open_stream(self.server.port, "/api/v1/events", self.server.tokens[user])
        self.sockets.append(s)
        return s

    def assert_refused(self, s, status, code):
        reply = read_to_end(s, timeout=10)
        head, _, body = reply.partition(b"\r\n\r\n")
        self.assertTrue(head.startswith(f"HTTP/1.1 {status}".encode()), reply[:300])
        self.assertIn(f'"code":"{code}"'.encode(), body)

    def test_one_user_cannot_take_every_stream_and_the_server_has_a_ceiling(self):
        alice = [self.open("alice") for _ in range(3)]
        for s in alice:
            self.assertIn(b": stream open", read_until(s, b": stream open"))
        self.assert_refused(self.open("alice"), 429, "too_many_streams")
        for s in (self.open("bob"), self.open("bob")):
            self.assertIn(b": stream open", read_until(s, b": stream open"))
        self.assert_refused(self.open("carol"), 503, "unavailable")
        # A viewer that leaves frees its place.
        alice[0].close()
        def reopened():
            s = self.open("alice")
            ok = b": stream open" in read_until(s, b": stream open", timeout=5)
            if not ok:
                s.close()
            return ok
        wait_for(reopened, what="a free place after a viewer left")


if __name__ == "__main__":
    unittest.main()
