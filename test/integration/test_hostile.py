"""Hostile HTTP: every bad request gets a clear 4xx (or is cut off), the server keeps serving, and
nothing already acknowledged is lost."""
import json
import socket
import time
import unittest

from harness import ServerTest, alertmanager_payload, am_alert

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
        reply = self.raw_exchange(b"POST /api/v1/alerts HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
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
        status, data, _ = self.server.request("GET", "/nope")
        self.assertEqual(status, 404)
        status, data, headers = self.server.request("DELETE", "/api/v1/alerts")
        self.assertEqual(status, 405)
        self.assertIn("POST", headers.get("Allow", ""))

    def test_slow_client_is_cut_off_while_others_are_served(self):
        s = socket.create_connection(("127.0.0.1", self.server.port))
        s.sendall(b"POST /api/v1/alerts HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n")
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
        reply = self.raw_exchange(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 30000 + b"\r\n\r\n")
        self.assertTrue(reply.startswith(b"HTTP/1.1 431"), reply[:100])


if __name__ == "__main__":
    unittest.main()
