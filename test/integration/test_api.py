"""The HTTP API as a user sees it: ingestion, incidents, auth, health, metrics, events, analysis."""
import http.client
import json
import time
import unittest

from harness import ServerTest, alertmanager_payload, am_alert, wait_for


class IngestAndRead(ServerTest):
    def test_alertmanager_alert_becomes_an_incident_with_redacted_text(self):
        payload = alertmanager_payload([am_alert(
            {"alertname": "HighErrorRate", "service": "frontend", "severity": "critical"},
            {"summary": "frontend 5xx rate > 15%", "description": "client 192.168.1.100, mail admin@company.com"})])
        status, body = self.server.post_json("/api/v1/alerts/alertmanager", payload)
        self.assertEqual(status, 200, body)
        self.assertEqual(body["alerts"], 1)
        incident_id = body["incidents"][0]
        status, inc = self.server.get_json(f"/api/v1/incidents/{incident_id}")
        self.assertEqual(status, 200)
        self.assertEqual(inc["status"], "firing")
        self.assertEqual(inc["service"], "frontend")
        self.assertEqual(inc["severity"], "critical")
        desc = inc["alerts"][0]["annotations"]["description"]
        self.assertNotIn("192.168.1.100", desc)
        self.assertNotIn("admin@company.com", desc)
        self.assertIn("[IP_1]", desc)
        self.assertIn("[EMAIL_1]", desc)

    def test_resend_updates_and_resolve_closes_the_incident(self):
        labels = {"alertname": "Down", "service": "api"}
        for _ in range(3):
            status, _ = self.server.post_json("/api/v1/alerts/alertmanager", alertmanager_payload([am_alert(labels)]))
            self.assertEqual(status, 200)
        incidents = self.server.incidents()
        self.assertEqual(len(incidents), 1)
        self.assertEqual(incidents[0]["alert_count"], 1)
        resolved = am_alert(labels, status="resolved", ends="2026-11-25T03:10:00Z")
        status, _ = self.server.post_json("/api/v1/alerts/alertmanager", alertmanager_payload([resolved], "resolved"))
        self.assertEqual(status, 200)
        self.assertEqual(self.server.incidents()[0]["status"], "resolved")
        self.assertEqual(len(self.server.incidents("?status=firing")), 0)

    def test_generic_alert_and_filters_and_pagination(self):
        for i in range(5):
            status, _ = self.server.post_json("/api/v1/alerts", {"alertname": f"A{i}", "service": "db" if i % 2 else "web"})
            self.assertEqual(status, 200)
        self.assertEqual(len(self.server.incidents("?service=db")), 2)
        page = self.server.get_json("/api/v1/incidents?limit=2")[1]
        self.assertEqual(len(page["incidents"]), 2)
        rest = self.server.get_json(f"/api/v1/incidents?limit=10&before={page['next_before']}")[1]
        self.assertEqual(len(rest["incidents"]), 3)
        status, body = self.server.get_json("/api/v1/incidents?status=burning")
        self.assertEqual(status, 400)
        self.assertIn("status", body["error"]["message"])


class Auth(ServerTest):
    def test_reads_need_a_token_and_ingestion_does_not_by_default(self):
        status, body = self.server.get("/api/v1/incidents")
        self.assertEqual(status, 401)
        self.assertEqual(json.loads(body)["error"]["code"], "unauthenticated")
        self.assertEqual(self.server.get("/api/v1/incidents", token="awi_wrong")[0], 401)
        for name in ("alice", "bob", "carol", "dave", "admin"):
            status, who = self.server.get_json("/api/v1/whoami", token=self.server.tokens[name])
            self.assertEqual(status, 200)
            self.assertEqual(who["user"], name)
        self.assertEqual(self.server.post_json("/api/v1/alerts", {"alertname": "X"})[0], 200)


class IngestToken(ServerTest):
    config = "ingest:\n  auth: token\n  token: s3cret-ingest-token-0123\n"

    def test_configured_ingestion_token_is_enforced(self):
        self.assertEqual(self.server.post_json("/api/v1/alerts", {"alertname": "X"})[0], 401)
        status, _ = self.server.post_json("/api/v1/alerts", {"alertname": "X"},
                                          headers={"Authorization": "Bearer s3cret-ingest-token-0123"})
        self.assertEqual(status, 200)


class HealthAndMetrics(ServerTest):
    def test_health_ready_metrics_openapi(self):
        self.assertEqual(self.server.get("/healthz")[0], 200)
        self.assertEqual(self.server.get("/readyz")[0], 200)
        self.server.post_json("/api/v1/alerts", {"alertname": "X", "service": "y"})
        status, text = self.server.get("/metrics")
        self.assertEqual(status, 200)
        text = text.decode()
        self.assertIn('awoooi_alerts_ingested_total{source="generic"} 1', text)
        self.assertIn("awoooi_open_incidents 1", text)
        self.assertIn('route="/api/v1/alerts"', text)
        self.assertIn("awoooi_store_batch_alerts_bucket", text)
        status, spec = self.server.get("/api/openapi.json")
        self.assertEqual(status, 200)
        self.assertIn("/api/v1/alerts/alertmanager", json.loads(spec)["paths"])


class EventsAndAnalysis(ServerTest):
    def read_events(self, path, until, timeout=20):
        conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=timeout)
        conn.request("GET", path, headers={"Authorization": f"Bearer {self.server.tokens['alice']}"})
        resp = conn.getresponse()
        self.assertEqual(resp.status, 200)
        self.assertEqual(resp.getheader("Content-Type"), "text/event-stream")
        buf = b""
        deadline = time.time() + timeout
        while until not in buf and time.time() < deadline:
            chunk = resp.fp.read1(65536) if hasattr(resp.fp, "read1") else resp.read(1)
            if not chunk:
                break
            buf += chunk
        conn.close()
        return buf.decode(errors="replace")

    def test_events_stream_reports_new_incidents(self):
        import threading
        result = {}
        t = threading.Thread(target=lambda: result.update(text=self.read_events("/api/v1/events", b"incident.opened")))
        t.start()
        time.sleep(0.5)
        self.server.post_json("/api/v1/alerts", {"alertname": "X", "service": "frontend"})
        t.join(30)
        self.assertIn("event: incident.opened", result.get("text", ""))

    def test_demo_incident_gets_a_topology_aware_proposal_and_replayable_thinking(self):
        with open(self.server_source("examples/alerts/demo-incident.json")) as f:
            payload = json.load(f)
        status, body = self.server.post_json("/api/v1/alerts/alertmanager", payload)
        self.assertEqual(status, 200)
        frontend = [i for i in self.server.incidents() if i["service"] == "frontend"][0]
        analysis = wait_for(lambda: (lambda r: r[1] if r[0] == 200 and r[1].get("proposal") else None)(
            self.server.get_json(f"/api/v1/incidents/{frontend['id']}/analysis")), what="analysis")
        self.assertEqual(analysis["root_cause"]["root_causes"][0]["service"], "postgres-db")
        self.assertEqual(analysis["proposal"]["root_cause"]["service"], "postgres-db")
        self.assertIn("ingress", [a["service"] for a in analysis["blast_radius"]["affected"]])
        self.assertNotIn("192.168.1.100", json.dumps(analysis))
        self.assertNotIn("admin@company.com", json.dumps(analysis))
        text = self.read_events(f"/api/v1/incidents/{frontend['id']}/thinking", b"event: proposal")
        self.assertIn("event: thinking", text)
        self.assertIn("event: proposal", text)

    def server_source(self, rel):
        from harness import SOURCE_DIR
        import os
        return os.path.join(SOURCE_DIR, rel)


class Topology(ServerTest):
    def test_topology_endpoints_answer_on_the_demo_world(self):
        status, graph = self.server.get_json("/api/v1/topology")
        self.assertEqual(status, 200)
        self.assertIn("postgres-db", [s["name"] for s in graph["services"]])
        status, br = self.server.get_json("/api/v1/topology/postgres-db/blast-radius?depth=3")
        self.assertEqual(status, 200)
        self.assertEqual({a["service"] for a in br["affected"]},
                         {"auth-service", "product-api", "order-api", "frontend", "ingress"})
        self.assertEqual(self.server.get_json("/api/v1/topology/nope/root-cause")[0], 404)
        self.assertEqual(self.server.get_json("/api/v1/topology/frontend/root-cause?depth=0")[0], 400)
        self.assertEqual(self.server.get_json("/api/v1/topology/frontend/root-cause?depth=999999999999")[0], 400)

    def test_health_follows_the_last_delivery_even_when_fire_and_resolve_race(self):
        services = ["frontend", "auth-service", "product-api", "order-api", "postgres-db"]
        for round_ in range(20):
            for svc in services:
                labels = {"alertname": f"Flap{round_}", "service": svc, "severity": "critical"}
                self.assertEqual(self.server.post_json("/api/v1/alerts", {"labels": labels})[0], 200)
                self.assertEqual(self.server.post_json("/api/v1/alerts", {"labels": labels, "status": "resolved"})[0], 200)
        time.sleep(1.0)  # bookkeeping after the last 2xx
        graph = self.server.get_json("/api/v1/topology")[1]
        self.assertEqual({s["name"]: s["health"] for s in graph["services"] if s["name"] in services},
                         {svc: "none" for svc in services})

    def test_alerts_teach_edges_and_set_health(self):
        labels = {"alertname": "PaymentsDbErrors", "service": "checkout", "depends_on": "payments-db",
                  "severity": "critical"}
        self.assertEqual(self.server.post_json("/api/v1/alerts", {"labels": labels})[0], 200)
        self.server.post_json("/api/v1/alerts", {"alertname": "DbDown", "service": "payments-db", "severity": "critical"})
        # Health and learned edges follow the 2xx (bookkeeping after the commit), so wait for them.
        def learned():
            g = self.server.get_json("/api/v1/topology")[1]
            health = {s["name"]: s["health"] for s in g["services"]}
            edge = any(e["from"] == "checkout" and e["to"] == "payments-db" for e in g["edges"])
            return g if edge and health.get("payments-db") == "critical" else None
        wait_for(learned, what="learned edge and payments-db health")
        rc = wait_for(lambda: (lambda r: r if r[0] == 200 else None)(
            self.server.get_json("/api/v1/topology/checkout/root-cause")), what="root cause")[1]
        self.assertEqual(rc["root_causes"][0]["service"], "payments-db")


if __name__ == "__main__":
    unittest.main()
