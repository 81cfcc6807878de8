"""The notification outbox end to end: `awoooi serve` with Slack- and webhook-shaped channels
pointing at local receivers (test/fakes/notify_receiver.py), the demo incident, and the approval
that follows. Checks what people are told, that a receiver down across a server restart gets each
notification exactly once when it is back, Retry-After, dead letters, and that no raw value from
the alerts reaches any delivered byte."""
import glob
import json
import os
import subprocess
import sys
import time
import unittest

from harness import Server, free_port, wait_for

HERE = os.path.dirname(os.path.abspath(__file__))
RECEIVER = os.path.join(HERE, "..", "fakes", "notify_receiver.py")
DEMO = os.path.join(HERE, "..", "..", "examples", "alerts", "demo-incident.json")
SECRET = "an-outbox-test-secret-0123456789"
RAW = ["192.168.1.100", "admin@company.com", "10.20.3.14", "10.20.3.15"]


class Receiver:
    def __init__(self, record_dir, port=0):
        self.record_dir = record_dir
        self.proc = subprocess.Popen([sys.executable, RECEIVER, "--port", str(port), "--record-dir", record_dir,
                                      "--webhook-secret", SECRET], stdout=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        self.port = int(line.split()[1])

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=10)

    def requests(self, channel=None):
        out = []
        for meta in sorted(glob.glob(os.path.join(self.record_dir, "*.json")), key=lambda p: int(os.path.basename(p)[:-5])):
            with open(meta) as f:
                m = json.load(f)
            with open(meta[:-5] + ".body", "rb") as f:
                m["body"] = f.read()
            if channel is None or m["channel"] == channel:
                out.append(m)
        return out


def config(port, scenario="ok", extra=""):
    return f"""
server:
  public_url: https://awoooi.example.com
notifiers:
  - name: ops-slack
    type: slack
    webhook_url: http://127.0.0.1:{port}/slack/{scenario}
    min_interval: 0s
  - name: pager
    type: webhook
    url: http://127.0.0.1:{port}/webhook/{scenario}
    secret: {SECRET}
notify_routes:
  - channels: [ops-slack]
  - channels: [pager]
    events: ["approval.*"]
{extra}"""


class Outbox(unittest.TestCase):
    def setUp(self):
        self.record_dir = os.path.join(os.environ.get("TMPDIR", "/tmp"), f"awoooi-outbox-{os.getpid()}-{time.time_ns()}")
        os.makedirs(self.record_dir)

    def start(self, port, scenario="ok", data_dir=None, extra=""):
        server = Server(config(port, scenario, extra), data_dir=data_dir).start()
        self.addCleanup(server.cleanup)
        return server

    def post_demo(self, server):
        with open(DEMO) as f:
            status, _, _ = server.request("POST", "/api/v1/alerts/alertmanager", body=f.read(),
                                          headers={"Content-Type": "application/json"})
        self.assertEqual(status, 200)

    def deliveries(self, server, query=""):
        status, body = server.get_json("/api/v1/notifications" + query)
        self.assertEqual(status, 200, body)
        return body["deliveries"]

    def test_people_are_told_once_per_failure_and_about_the_approval_with_no_raw_value(self):
        receiver = Receiver(self.record_dir)
        self.addCleanup(receiver.stop)
        server = self.start(receiver.port)
        self.post_demo(server)
        wait_for(lambda: len(receiver.requests("webhook")) >= 1 and len(receiver.requests("slack")) >= 2,
                 timeout=30, what="the opened incident and the approval request delivered")
        slack = [json.loads(r["body"]) for r in receiver.requests("slack")]
        texts = [m["text"] for m in slack]
        # One failure pages once: the frontend incident is folded under the database's.
        self.assertTrue(any("PostgresTooManyConnections on postgres-db" in t for t in texts), texts)
        self.assertFalse(any("HighErrorRate on frontend" in t for t in texts), texts)
        self.assertTrue(any("Approval needed: restart_pod postgres-db" in t for t in texts), texts)
        hook = receiver.requests("webhook")[0]
        self.assertEqual(hook["verdict"], "ok")  # the documented receiver verified the signature
        payload = json.loads(hook["body"])
        self.assertEqual(payload["event"], "approval.requested")
        self.assertIn("https://awoooi.example.com/approvals/", payload["link"])
        for r in receiver.requests():
            for raw in RAW:
                self.assertNotIn(raw.encode(), r["body"])
        # The receiver answers before the server records the delivery: wait for the record.
        ds = wait_for(lambda: (lambda d: d if len(d) >= 3 else None)(self.deliveries(server, "?status=delivered")),
                      timeout=30, what="three deliveries recorded as delivered")
        self.assertTrue(all(d["idempotency_key"].startswith("awoooi-notification-") for d in ds))

    def test_a_receiver_down_across_a_restart_gets_each_notification_exactly_once(self):
        port = free_port()
        server = self.start(port)
        self.post_demo(server)
        wait_for(lambda: self.deliveries(server, "?status=pending") and all(
            d["attempts"] >= 1 for d in self.deliveries(server, "?status=pending")), timeout=30,
            what="deliveries attempted against the receiver that is down")
        pending = len(self.deliveries(server, "?status=pending"))
        data_dir = server.data_dir
        server.stop()
        receiver = Receiver(self.record_dir, port=port)
        self.addCleanup(receiver.stop)
        again = Server(config(port), data_dir=data_dir).start()
        self.addCleanup(again.cleanup)
        wait_for(lambda: not self.deliveries(again, "?status=pending"), timeout=90, what="every delivery made")
        keys = [r["headers"].get("X-AWOOOI-Idempotency-Key") for r in receiver.requests("webhook")]
        slack = receiver.requests("slack")
        # Every delivery reached its receiver exactly once (more may have been made after the
        # count above, e.g. the approval request once the analysis was stored).
        delivered = self.deliveries(again, "?status=delivered")
        self.assertGreaterEqual(len(delivered), pending)
        self.assertEqual(len(slack) + len(keys), len(delivered))
        self.assertEqual(len(keys), len(set(keys)))  # nothing sent twice

    def test_retry_after_is_honoured_and_rejections_are_dead_letters(self):
        receiver = Receiver(self.record_dir)
        self.addCleanup(receiver.stop)
        server = self.start(receiver.port, scenario="rate_limit")
        self.post_demo(server)
        wait_for(lambda: any(d["http_status"] == 429 and d["channel"] == "ops-slack" for d in self.deliveries(server)),
                 timeout=30, what="a 429 recorded")
        d = next(d for d in self.deliveries(server) if d["http_status"] == 429 and d["channel"] == "ops-slack")
        self.assertEqual(d["status"], "pending")
        # Retry-After: 7 s — the next attempt is scheduled no sooner.
        import datetime
        nxt = datetime.datetime.fromisoformat(d["next_attempt_at"].replace("Z", "+00:00"))
        # (read a moment after the 429; a busy machine may take a few seconds to get here)
        self.assertGreater((nxt - datetime.datetime.now(datetime.timezone.utc)).total_seconds(), 2)

        os.makedirs(os.path.join(self.record_dir, "bad"))
        bad = Receiver(os.path.join(self.record_dir, "bad"))
        self.addCleanup(bad.stop)
        server2 = self.start(bad.port, scenario="bad_request")
        self.post_demo(server2)
        # Each channel's delivery dies on its own schedule (the pager's may come first): wait for Slack's.
        wait_for(lambda: any(d["channel"] == "ops-slack" for d in self.deliveries(server2, "?status=dead")),
                 timeout=30, what="a dead letter for ops-slack")
        status, metrics = server2.get("/metrics")
        self.assertIn(b'awoooi_notifications{channel="ops-slack",status="dead"}', metrics)


if __name__ == "__main__":
    unittest.main()
