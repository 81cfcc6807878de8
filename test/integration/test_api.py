"""The HTTP API as a user sees it: ingestion, incidents, auth, health, metrics, events, analysis."""
import http.client
import json
import re
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


# Every route a user can call, as (method, path) spelled as in the OpenAPI document. A route added to
# the server belongs here and in docs/openapi.json; the tests below fail when the two disagree or when
# a route listed here is not one the server has.
API_ROUTES = [
    ("GET", "/"),
    ("GET", "/healthz"),
    ("GET", "/readyz"),
    ("GET", "/metrics"),
    ("GET", "/api/openapi.json"),
    ("POST", "/api/v1/alerts/alertmanager"),
    ("POST", "/api/v1/alerts"),
    ("GET", "/api/v1/whoami"),
    ("GET", "/api/v1/incidents"),
    ("GET", "/api/v1/incidents/{id}"),
    ("GET", "/api/v1/incidents/{id}/analysis"),
    ("POST", "/api/v1/incidents/{id}/acknowledge"),
    ("GET", "/api/v1/incidents/{id}/proposals"),
    ("GET", "/api/v1/incidents/{id}/thinking"),
    ("GET", "/api/v1/proposals/{id}"),
    ("GET", "/api/v1/events"),
    ("GET", "/api/v1/approvals"),
    ("GET", "/api/v1/approvals/{id}"),
    ("POST", "/api/v1/approvals/{id}/approve"),
    ("POST", "/api/v1/approvals/{id}/reject"),
    ("POST", "/api/v1/actions"),
    ("GET", "/api/v1/trust"),
    ("GET", "/api/v1/audit"),
    ("GET", "/api/v1/audit/verify"),
    ("GET", "/api/v1/audit/checkpoints"),
    ("GET", "/api/v1/cluster"),
    ("POST", "/api/v1/cluster/pods/{namespace}/{name}/restart"),
    ("POST", "/api/v1/cluster/workloads/{namespace}/{name}/scale"),
    ("GET", "/api/v1/notifications"),
    ("GET", "/api/v1/topology"),
    ("GET", "/api/v1/topology/{service}/blast-radius"),
    ("GET", "/api/v1/topology/{service}/root-cause"),
]
SSE_ROUTES = {("GET", "/api/v1/events"), ("GET", "/api/v1/incidents/{id}/thinking")}
HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}


def spec_operations(spec):
    """{(METHOD, path): operation} of an OpenAPI document."""
    return {(m.upper(), path): op
            for path, item in spec["paths"].items() for m, op in item.items() if m in HTTP_METHODS}


def spec_route_problems(spec):
    """What is wrong between API_ROUTES and an OpenAPI document, as sentences (empty when nothing)."""
    problems = []
    ops = spec_operations(spec)
    for method, path in API_ROUTES:
        if (method, path) not in ops:
            problems.append(f"{method} {path} is missing from the spec")
    for method, path in sorted(set(ops) - set(API_ROUTES)):
        problems.append(f"{method} {path} is in the spec but not a route the server has")
    params = spec.get("components", {}).get("parameters", {})
    for (method, path), op in ops.items():
        declared = set()
        for p in op.get("parameters", []) + spec["paths"][path].get("parameters", []):
            p = params[p["$ref"].rsplit("/", 1)[1]] if "$ref" in p else p
            if p["in"] == "path":
                declared.add(p["name"])
        for name in re.findall(r"\{(\w+)\}", path):
            if name not in declared:
                problems.append(f"{method} {path}: path parameter {name} is not declared")
        if not op.get("responses"):
            problems.append(f"{method} {path} has no responses")
        schemes = {name for req in op.get("security", spec.get("security", [])) for name in req}
        if ("accessToken" in schemes) != ((method, path) in SSE_ROUTES):
            problems.append(f"{method} {path}: only the event streams may take ?access_token=")
    return problems


class HealthAndMetrics(ServerTest):
    def test_health_ready_metrics_openapi(self):
        self.assertEqual(self.server.get("/healthz")[0], 200)
        self.assertEqual(self.server.get("/readyz")[0], 200)
        self.server.post_json("/api/v1/alerts", {"alertname": "X", "service": "y"})
        # A request is counted once its answer has been written, which can be after the client
        # has read it: wait for the count rather than race it.
        text = wait_for(lambda: (lambda r: r[1].decode() if r[0] == 200 and b'route="/api/v1/alerts"' in r[1]
                                 else None)(self.server.get("/metrics")), what="the request counted in /metrics")
        self.assertIn('awoooi_alerts_ingested_total{source="generic"} 1', text)
        self.assertIn("awoooi_open_incidents 1", text)
        self.assertIn('route="/api/v1/alerts"', text)
        self.assertIn("awoooi_store_batch_alerts_bucket", text)
        status, spec = self.server.get("/api/openapi.json")
        self.assertEqual(status, 200)
        spec = json.loads(spec)
        self.assertTrue(spec["openapi"].startswith("3.1"), spec["openapi"])
        self.assertEqual(spec_route_problems(spec), [])

    def test_every_route_in_the_list_is_a_route_of_the_server(self):
        # Harmless calls (unknown ids, a non-admin caller, empty bodies): each route answers as itself,
        # never "no such route" (404) or 405, which is how the server answers a path or method it lacks.
        values = {"id": "999999", "service": "frontend", "namespace": "production", "name": "no-such-object"}
        for method, pattern in API_ROUTES:
            path = re.sub(r"\{(\w+)\}", lambda m: values[m.group(1)], pattern)
            conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=30)
            headers = {"Authorization": f"Bearer {self.server.tokens['alice']}"}
            body = None
            if method == "POST":
                body, headers["Content-Type"] = "{}", "application/json"
            conn.request(method, path, body=body, headers=headers)
            resp = conn.getresponse()
            # An event stream stays open: its headers are the answer.
            text = b"" if resp.getheader("Content-Type") == "text/event-stream" else resp.read()
            conn.close()
            self.assertNotEqual(resp.status, 405, f"{method} {path}: {text!r}")
            self.assertFalse(resp.status == 404 and b"no such route" in text,
                             f"{method} {path} is not a route of the server")


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
