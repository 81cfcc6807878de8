"""Hostile HTTP: every bad request gets a clear 4xx (or is cut off), the server keeps serving, and
nothing already acknowledged is lost. Floods of connections meet a per-address cap and a global cap
kept below the process's descriptor limit; running out of descriptors anyway does not make the
server spin; random methods and paths cannot grow /metrics."""
import json
import os
import random
import re
import resource
import shutil
import socket
import stat
import subprocess
import tempfile
import time
import unittest

import harness
from harness import Server, ServerTest, alertmanager_payload, am_alert, wait_for

GOOD = alertmanager_payload([am_alert({"alertname": "Acked", "service": "api"})])


class HostileInput(ServerTest):
    config = "server:\n  request_timeout: 2s\n  max_body_bytes: 1048576\n"

    def setUp(self):
        super().setUp()
        status, body = self.server.post_json("/api/v1/alerts/alertmanager", GOOD)
        self.assertEqual(status, 200)
        self.acked = body["incidents"][0]

    def tearDown(self):
        # Still serving, and the acknowledged alert is still there.
        status, inc = self.server.get_json(f"/api/v1/incidents/{self.acked}")
        self.assertEqual(status, 200)
        self.assertEqual(inc["alerts"][0]["labels"]["alertname"], "Acked")

    def post_raw(self, path, body, content_type="application/json"):
        status, data, _ = self.server.request("POST", path, body=body, headers={"Content-Type": content_type})
        return status, json.loads(data) if data else None

    def assert_error(self, status, body, expected_status, message_part):
        self.assertEqual(status, expected_status, body)
        self.assertIn("error", body)
        self.assertIn(message_part, body["error"]["message"])

    def test_malformed_json(self):
        self.assert_error(*self.post_raw("/api/v1/alerts/alertmanager", b'{"alerts": ['), 400, "malformed JSON")

    def test_wrong_types_and_missing_fields(self):
        self.assert_error(*self.post_raw("/api/v1/alerts/alertmanager", b'{"alerts": "many"}'), 400, "alerts")
        self.assert_error(*self.post_raw("/api/v1/alerts/alertmanager", b'{"version":"4"}'), 400, "alerts: is required")
        bad = json.dumps(alertmanager_payload([{"status": "firing", "labels": {"a": 5}}]))
        self.assert_error(*self.post_raw("/api/v1/alerts/alertmanager", bad), 400, "alerts[0].labels.a")

    def test_empty_alerts_array(self):
        self.assert_error(*self.post_raw("/api/v1/alerts/alertmanager", json.dumps(alertmanager_payload([]))), 400, "empty")

    def raw_exchange(self, data):
        s = socket.create_connection(("127.0.0.1", self.server.port))
        s.settimeout(5)
        try:
            s.sendall(data)
        except OSError:
            pass  # the server may answer and close before reading everything
        reply = b""
        try:
            while b"\r\n\r\n" not in reply:
                chunk = s.recv(4096)
                if not chunk:
                    break
                reply += chunk
        except OSError:
            pass
        s.close()
        return reply

    def test_body_over_the_limit(self):
        # A 50 MB body is refused from its Content-Length, before it is read.
        reply = self.raw_exchange(b"POST /api/v1/alerts HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                                  b"Content-Length: 52428800\r\n\r\n" + b"x" * 65536)
        self.assertTrue(reply.startswith(b"HTTP/1.1 413"), reply[:100])

    def test_ten_thousand_labels(self):
        labels = {f"l{i}": "v" for i in range(10000)}
        labels["alertname"] = "X"
        self.assert_error(*self.post_raw("/api/v1/alerts/alertmanager", json.dumps(alertmanager_payload([am_alert(labels)]))),
                          400, "more than 256")

    def test_deep_nesting(self):
        self.assert_error(*self.post_raw("/api/v1/alerts", b"[" * 200000), 400, "nested")

    def test_invalid_utf8(self):
        body = b'{"alertname": "bad \xff\xfe utf8"}'
        self.assert_error(*self.post_raw("/api/v1/alerts", body), 400, "malformed JSON")

    def test_wrong_content_type(self):
        status, body = self.post_raw("/api/v1/alerts", b"alertname=x", "application/x-www-form-urlencoded")
        self.assert_error(status, body, 415, "Content-Type")

    def test_unknown_route_and_wrong_method(self):
        # Unknown API routes are 404 (other paths are the dashboard's client-side routes).
        status, data, _ = self.server.request("GET", "/api/v1/nope")
        self.assertEqual(status, 404)
        status, data, headers = self.server.request("DELETE", "/api/v1/alerts")
        self.assertEqual(status, 405)
        self.assertIn("POST", headers.get("Allow", ""))

    def test_slow_client_is_cut_off_while_others_are_served(self):
        s = socket.create_connection(("127.0.0.1", self.server.port))
        s.sendall(b"POST /api/v1/alerts HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100\r\n\r\n")
        start = time.time()
        closed = False
        while time.time() - start < 10:
            self.assertEqual(self.server.get("/healthz")[0], 200)  # others are served meanwhile
            try:
                s.sendall(b"x")
            except OSError:
                closed = True
                break
            s.settimeout(1.0)
            try:
                if s.recv(1024) == b"":
                    closed = True
                    break
            except socket.timeout:
                pass
        s.close()
        self.assertTrue(closed, "a client sending one byte per second must be cut off by the request timeout")

    def test_garbage_request_line(self):
        s = socket.create_connection(("127.0.0.1", self.server.port))
        s.sendall(b"\x16\x03\x01 not http at all\r\n\r\n")
        s.settimeout(5)
        reply = s.recv(4096)
        s.close()
        self.assertTrue(reply.startswith(b"HTTP/1.1 400"), reply[:100])

    def test_huge_header(self):
        reply = self.raw_exchange(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + b"a" * 30000 + b"\r\n\r\n")
        self.assertTrue(reply.startswith(b"HTTP/1.1 431"), reply[:100])


# ---------------------------------------------------------------------------------------------
# Connection floods, descriptor exhaustion, metrics cardinality.

HEALTHZ = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"


def connect(port, source="127.0.0.1", request=HEALTHZ):
    s = socket.socket()
    s.bind((source, 0))
    s.settimeout(10)
    s.connect(("127.0.0.1", port))
    if request:
        try:
            s.sendall(request)
        except OSError:
            pass  # refused at accept: the answer is already waiting
    return s


def read_reply(s):
    """(status, body) of one response on `s`, or (None, b"") when the server closed without one."""
    buf = b""
    try:
        while b"\r\n\r\n" not in buf:
            chunk = s.recv(65536)
            if not chunk:
                return (None, b"") if not buf else (int(buf.split()[1]), b"")
            buf += chunk
        head, _, body = buf.partition(b"\r\n\r\n")
        m = re.search(rb"Content-Length: (\d+)", head, re.I)
        length = int(m.group(1)) if m else 0
        while len(body) < length:
            chunk = s.recv(65536)
            if not chunk:
                break
            body += chunk
        return int(head.split()[1]), body
    except (ConnectionResetError, socket.timeout):
        return (None, b"") if not buf else (int(buf.split()[1]), b"")


def cpu_seconds(pid):
    """User + system CPU time the process has used, from /proc/<pid>/stat."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cpu_share(pid, seconds=2.0):
    """Fraction of one core the process used over `seconds`."""
    before, t0 = cpu_seconds(pid), time.time()
    time.sleep(seconds)
    return (cpu_seconds(pid) - before) / (time.time() - t0)


def open_descriptors(pid):
    return len(os.listdir(f"/proc/{pid}/fd"))


def config_key_known(key):
    path = os.path.join(tempfile.mkdtemp(prefix="awoooi-probe-"), "probe.yaml")
    section, name = key.split(".")
    with open(path, "w") as f:
        f.write(f"{section}:\n  {name}: -1\n")
    r = subprocess.run([harness.AWOOOI, "serve", "--config", path], capture_output=True, text=True, timeout=30)
    return "unknown key" not in r.stderr


# While descriptors run out the server must idle, not spin: an accept loop that retries at once
# burns a whole core (100%). 30% of one core over 2 s is a generous bound for "idle" on a shared,
# noisy 2-core machine; the fixed server measures about 0% here.
MAX_CPU_SHARE_WHILE_FULL = 0.30


class ConnectionFloods(unittest.TestCase):
    def setUp(self):
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        if hard != resource.RLIM_INFINITY and hard < 2048:
            self.skipTest(f"file descriptor limit {hard} is too low for these floods")
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 8192) if hard != resource.RLIM_INFINITY else 8192, hard))
        self.sockets = []
        self.addCleanup(self.close_all)

    def close_all(self):
        for s in self.sockets:
            s.close()
        self.sockets = []

    def start(self, config="", limit=None):
        """A server, optionally started under `ulimit -n <limit>` (soft and hard) by a shell wrapper."""
        server = Server(config)
        self.addCleanup(server.cleanup)
        if limit is None:
            return server.start()
        wrapper_dir = tempfile.mkdtemp(prefix="awoooi-ulimit-")
        self.addCleanup(shutil.rmtree, wrapper_dir, True)
        wrapper = os.path.join(wrapper_dir, "awoooi")
        with open(wrapper, "w") as f:
            f.write(f"#!/bin/sh\nulimit -n {limit} || exit 99\nexec {os.path.abspath(harness.AWOOOI)} \"$@\"\n")
        os.chmod(wrapper, os.stat(wrapper).st_mode | stat.S_IXUSR)
        saved, harness.AWOOOI = harness.AWOOOI, wrapper
        try:
            server.start()
        finally:
            harness.AWOOOI = saved
        return server

    def test_one_address_cannot_take_every_connection(self):
        cap = 20 if config_key_known("server.max_connections_per_client") else 256
        server = self.start(f"server:\n  max_connections_per_client: {cap}\n" if cap != 256 else "")
        for _ in range(cap):
            s = connect(server.port)
            self.sockets.append(s)
            self.assertEqual(read_reply(s)[0], 200)
        extra = connect(server.port)
        self.sockets.append(extra)
        status, body = read_reply(extra)
        self.assertEqual(status, 429, body)
        self.assertEqual(json.loads(body)["error"]["code"], "too_many_connections")
        # Another address is another client, and the flooding address gets a place back once one
        # of its connections closes.
        other = connect(server.port, source="127.0.0.2")
        self.sockets.append(other)
        self.assertEqual(read_reply(other)[0], 200)
        self.sockets.pop(0).close()

        def served_again():
            s = connect(server.port)
            status = read_reply(s)[0]
            s.close()
            return status == 200
        wait_for(served_again, what="a connection from the flooding address after one closed")

    def test_connection_cap_stays_below_the_descriptor_limit(self):
        # 256 descriptors: the cap is lowered to 256 - 64 = 192, so the flood meets 503s instead of
        # EMFILE, and the server keeps descriptors for its store and logs.
        server = self.start(limit=256)
        self.assertIn("server.max_connections 10000 lowered to 192", server.logs())
        statuses = []
        for _ in range(300):
            s = connect(server.port)
            self.sockets.append(s)
            status, body = read_reply(s)
            statuses.append(status)
            if status == 503:
                self.assertEqual(json.loads(body)["error"]["code"], "unavailable")
        served = statuses.count(200)
        self.assertGreaterEqual(served, 150, statuses)
        self.assertLessEqual(served, 192, statuses)
        self.assertGreaterEqual(statuses.count(503), 300 - 192)
        self.assertLessEqual(open_descriptors(server.proc.pid), 256)
        self.assertLess(cpu_share(server.proc.pid), MAX_CPU_SHARE_WHILE_FULL)
        # Once the flood leaves, new clients are served.
        self.close_all()
        wait_for(lambda: server.get("/healthz")[0] == 200, what="health after the flood")
        for _ in range(100):
            s = connect(server.port)
            self.sockets.append(s)
            self.assertEqual(read_reply(s)[0], 200)

    def test_running_out_of_descriptors_does_not_spin_and_recovers(self):
        server = self.start()
        pid = server.proc.pid
        soft, hard = resource.prlimit(pid, resource.RLIMIT_NOFILE)
        # Leave the running server 20 descriptors: the next connections make accept() fail with
        # EMFILE while they wait in the listen backlog.
        limit = open_descriptors(pid) + 20
        resource.prlimit(pid, resource.RLIMIT_NOFILE, (limit, hard))
        self.addCleanup(lambda: server.proc.poll() is None and resource.prlimit(pid, resource.RLIMIT_NOFILE, (soft, hard)))
        for _ in range(100):
            self.sockets.append(connect(server.port))
        wait_for(lambda: open_descriptors(pid) >= limit, what="the server to use up its descriptors")
        self.assertLess(cpu_share(pid), MAX_CPU_SHARE_WHILE_FULL)
        self.assertIn("accept failed: Too many open files", server.logs())
        # Every waiting connection is served as the ones before it finish and free descriptors.
        for s in list(self.sockets):
            self.assertEqual(read_reply(s)[0], 200)
            s.close()
            self.sockets.remove(s)
        resource.prlimit(pid, resource.RLIMIT_NOFILE, (soft, hard))
        self.assertEqual(server.get("/healthz")[0], 200)


class MetricsCardinality(ServerTest):
    def series(self):
        status, body = self.server.get("/metrics")
        self.assertEqual(status, 200)
        return {line.rsplit(" ", 1)[0] for line in body.decode().splitlines() if line and not line.startswith("#")}

    def send_random_requests(self, rng, count):
        known = ["/healthz", "/api/v1/alerts", "/api/v1/incidents", "/metrics"]
        s = connect(self.server.port, request=None)
        try:
            for i in range(count):
                method = "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ") for _ in range(rng.randint(3, 12)))
                if i % 3 == 0:
                    path = rng.choice(known)
                else:
                    path = "/" + "/".join(f"{rng.getrandbits(40):x}" for _ in range(rng.randint(1, 4)))
                if i % 5 == 0:
                    method = "GET"
                s.sendall(f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
                status, _ = read_reply(s)
                self.assertIsNotNone(status, (method, path))
        finally:
            s.close()

    def test_random_methods_and_paths_add_a_bounded_number_of_series(self):
        rng = random.Random(16)
        before = self.series()
        self.send_random_requests(rng, 1000)
        first = self.series()
        grown = first - before
        # Unknown methods count as "OTHER", unmatched paths as route "unmatched": a handful of
        # series (a few routes x a few codes, one latency histogram per route), not 1,000.
        self.assertLessEqual(len(grown), 80, sorted(grown)[:40])
        self.assertFalse([line for line in grown if "method=" in line and not re.search(
            r'method="(GET|HEAD|POST|PUT|PATCH|DELETE|OPTIONS|OTHER)"', line)][:40])
        # The next 1,000 different random requests add nothing at all.
        self.send_random_requests(rng, 1000)
        self.assertEqual(self.series() - first, set())


class IngestRefusedFromHeaders(ServerTest):
    """With token authentication, ingestion is refused from its headers: the body is never read."""
    config = "ingest:\n  auth: token\n  token: s3cret-ingest-token\n"

    def setUp(self):
        super().setUp()
        if "awoooi_http_refused_at_headers_total" not in self.server.get("/metrics")[1].decode():
            self.skipTest("this build's routes do not use the header-phase hook yet")

    def refused_count(self):
        text = self.server.get("/metrics")[1].decode()
        return float(re.search(r"^awoooi_http_refused_at_headers_total (\S+)$", text, re.M).group(1))

    def test_a_sender_without_the_token_is_refused_before_sending_its_body(self):
        before = self.refused_count()
        s = connect(self.server.port, request=b"POST /api/v1/alerts/alertmanager HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    b"Content-Type: application/json\r\nContent-Length: 5000000\r\nExpect: 100-continue\r\n\r\n")
        status, body = read_reply(s)  # the final answer, not "100 Continue"
        s.close()
        self.assertEqual(status, 401, body)
        self.assertEqual(json.loads(body)["error"]["code"], "unauthenticated")
        self.assertEqual(self.refused_count(), before + 1)

    def test_a_wrong_content_type_is_refused_before_the_body(self):
        s = connect(self.server.port, request=b"POST /api/v1/alerts HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    b"Authorization: Bearer s3cret-ingest-token\r\nContent-Type: text/plain\r\n"
                    b"Content-Length: 5000000\r\nExpect: 100-continue\r\n\r\n")
        status, body = read_reply(s)
        s.close()
        self.assertEqual(status, 415, body)

    def test_the_right_token_still_ingests(self):
        status, body = self.server.post_json("/api/v1/alerts", {"alertname": "Tokened", "service": "api"},
                                             token="s3cret-ingest-token")
        self.assertEqual(status, 200, body)


if __name__ == "__main__":
    unittest.main()
