"""No PII in logs: a server at debug level ingests alerts full of PII (and bad requests that
echo it back in errors); none of those values appears in its log output or API answers."""
import glob
import json
import os
import unittest

from harness import Server, alertmanager_payload, am_alert, wait_for

PII = ["192.168.1.100", "10.20.3.14", "2001:db8::8a2e:370:7334", "admin@company.com", "jane.doe@example.org",
       "3fa85f64-5717-4562-b3fc-2c963f66afa6", "AKIAIOSFODNN7EXAMPLE", "ghp_1234567890abcdefghijklmnopqrstuvwxyzAB",
       "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"]


class NoPiiInLogs(unittest.TestCase):
    def test_logs_and_api_carry_labels_not_values(self):
        server = Server("log:\n  level: debug\n  format: json\n")
        self.addCleanup(server.cleanup)
        server.start()
        text = " ".join(PII)
        payload = alertmanager_payload([am_alert(
            {"alertname": "AuthFailures", "service": "auth-service", "instance": "10.20.3.14:9100"},
            {"summary": f"login failures from {PII[0]}", "description": text})])
        status, body = server.post_json("/api/v1/alerts/alertmanager", payload)
        self.assertEqual(status, 200)
        # Errors that might echo input: a bad label value, a bad time.
        server.post_json("/api/v1/alerts", {"alertname": "x", "starts_at": f"{PII[3]}"})
        server.request("GET", f"/api/v1/incidents/{PII[0]}", token=server.tokens["alice"])
        status, inc = server.get_json(f"/api/v1/incidents/{body['incidents'][0]}")
        api_text = json.dumps(inc)
        server.stop()
        logs = server.logs()
        self.assertIn("listening", logs)
        for value in PII:
            self.assertNotIn(value, logs, f"{value} leaked into the logs")
            self.assertNotIn(value, api_text, f"{value} leaked into the API")


    def test_learned_edges_keep_only_service_names(self):
        """Dependency labels holding an address or an e-mail teach no edge; a service name does."""
        server = Server("log:\n  level: debug\n  format: json\n")
        self.addCleanup(server.cleanup)
        server.start()
        payload = alertmanager_payload([am_alert(
            {"alertname": "HighLatency", "service": "orders-api",
             "depends_on": "10.20.3.14, orders-db", "upstream": "admin@company.com"},
            {"summary": "slow"})])
        status, body = server.post_json("/api/v1/alerts/alertmanager", payload)
        self.assertEqual(status, 200)

        def topology():
            st, topo = server.get_json("/api/v1/topology")
            return topo if st == 200 and "orders-db" in json.dumps(topo) else None
        topo = wait_for(topology, what="the learned edge orders-api -> orders-db")
        incident_id = body["incidents"][0]
        analysis = wait_for(lambda: (lambda r: r[1] if r[0] == 200 and r[1].get("proposal") else None)(
            server.get_json(f"/api/v1/incidents/{incident_id}/analysis")), what="the analysis")
        _, inc = server.get_json(f"/api/v1/incidents/{incident_id}")
        seen = json.dumps(topo) + json.dumps(inc) + json.dumps(analysis)
        server.stop()
        stored = b""
        for path in glob.glob(os.path.join(server.data_dir, "*")):
            if os.path.isfile(path):
                with open(path, "rb") as f:
                    stored += f.read()
        for value in ("10.20.3.14", "admin@company.com"):
            self.assertNotIn(value, seen, f"{value} reached the API")
            self.assertNotIn(value, server.logs(), f"{value} reached the logs")
            self.assertNotIn(value.encode(), stored, f"{value} reached the data directory")


if __name__ == "__main__":
    unittest.main()
