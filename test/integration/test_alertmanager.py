"""A real Prometheus Alertmanager (Debian's prometheus-alertmanager) delivers to `awoooi serve`.

Alerts are posted to Alertmanager's own /api/v2/alerts; Alertmanager groups them and calls our
webhook; they must arrive as incidents, firing first and then resolved (via endsAt)."""
import datetime
import json
import os
import shutil
import subprocess
import tempfile
import unittest
import urllib.request

from harness import Server, free_port, wait_for

ALERTMANAGER = shutil.which("prometheus-alertmanager") or shutil.which("alertmanager")


def iso(dt):
    return dt.strftime("%Y-%m-%dT%H:%M:%S.000Z")


class Alertmanager:
    def __init__(self, webhook_url):
        self.tmp = tempfile.mkdtemp(prefix="awoooi-am-")
        self.port = free_port()
        config = os.path.join(self.tmp, "alertmanager.yml")
        with open(config, "w") as f:
            f.write(f"""
route:
  receiver: awoooi
  group_by: [alertname, service]
  group_wait: 1s
  group_interval: 1s
  repeat_interval: 1h
receivers:
  - name: awoooi
    webhook_configs:
      - url: {webhook_url}
        send_resolved: true
""")
        self.log = open(os.path.join(self.tmp, "alertmanager.log"), "w")
        self.proc = subprocess.Popen(
            [ALERTMANAGER, f"--config.file={config}", f"--storage.path={self.tmp}/data",
             f"--web.listen-address=127.0.0.1:{self.port}", "--cluster.listen-address="],
            stdout=self.log, stderr=self.log)
        wait_for(lambda: urllib.request.urlopen(f"http://127.0.0.1:{self.port}/-/ready", timeout=2).status == 200,
                 what="alertmanager ready")

    def post(self, alerts):
        req = urllib.request.Request(f"http://127.0.0.1:{self.port}/api/v2/alerts", data=json.dumps(alerts).encode(),
                                     headers={"Content-Type": "application/json"}, method="POST")
        with urllib.request.urlopen(req, timeout=5) as r:
            assert r.status == 200, r.status

    def alerts(self):
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/api/v2/alerts", timeout=5) as r:
            return json.load(r)

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=20)
        self.log.close()
        shutil.rmtree(self.tmp, ignore_errors=True)


@unittest.skipIf(ALERTMANAGER is None, "prometheus-alertmanager is not installed (scripts/install-deps installs it)")
class RealAlertmanager(unittest.TestCase):
    def setUp(self):
        self.server = Server().start()
        self.addCleanup(self.server.cleanup)
        self.am = Alertmanager(f"http://127.0.0.1:{self.server.port}/api/v1/alerts/alertmanager")
        self.addCleanup(self.am.stop)

    def test_firing_then_resolved_arrive_as_an_incident(self):
        now = datetime.datetime.now(datetime.timezone.utc)
        labels = {"alertname": "HighErrorRate", "service": "frontend", "severity": "critical"}
        annotations = {"summary": "5xx > 15% <for> 10.1.2.3 & friends", "description": "ünïcode ✓"}
        self.am.post([{"labels": labels, "annotations": annotations, "startsAt": iso(now),
                       "generatorURL": "http://prometheus/graph"}])
        incident = wait_for(lambda: next(iter(self.server.incidents("?service=frontend")), None),
                            what="incident from alertmanager")
        self.assertEqual(incident["status"], "firing")
        status, detail = self.server.get_json(f"/api/v1/incidents/{incident['id']}")
        alert = detail["alerts"][0]
        # Alertmanager's fingerprint is an unkeyed hash of the raw labels (an oracle for values the
        # shield replaced): the API shows a keyed one instead, stable for the same alert.
        raw = self.am.alerts()[0]["fingerprint"]
        self.assertRegex(alert["fingerprint"], r"^[0-9a-f]{16}$")
        self.assertNotEqual(alert["fingerprint"], raw)
        self.assertEqual(alert["labels"]["alertname"], "HighErrorRate")
        self.assertEqual(alert["annotations"]["description"], "ünïcode ✓")
        self.assertIn("<for>", alert["annotations"]["summary"])
        self.assertNotIn("10.1.2.3", alert["annotations"]["summary"])

        # Resolve by setting endsAt in the past; Alertmanager sends the resolved notification.
        self.am.post([{"labels": labels, "annotations": annotations, "startsAt": iso(now),
                       "endsAt": iso(datetime.datetime.now(datetime.timezone.utc))}])
        resolved = wait_for(lambda: (lambda i: i if i["status"] == "resolved" else None)(
            self.server.get_json(f"/api/v1/incidents/{incident['id']}")[1]), timeout=30, what="resolved incident")
        self.assertIsNotNone(resolved["resolved_at"])
        self.assertEqual(len(self.server.incidents()), 1, "re-deliveries must update, not duplicate")

    def test_many_alerts_in_one_group_are_all_stored(self):
        now = datetime.datetime.now(datetime.timezone.utc)
        alerts = [{"labels": {"alertname": "PodCrashLooping", "service": "order-api", "pod": f"order-api-{i}"},
                   "startsAt": iso(now)} for i in range(50)]
        self.am.post(alerts)
        incident = wait_for(lambda: (lambda l: l[0] if l and l[0]["alert_count"] == 50 else None)(
            self.server.incidents("?service=order-api")), timeout=30, what="50 alerts in one incident")
        self.assertEqual(incident["firing_count"], 50)


if __name__ == "__main__":
    unittest.main()
