"""The CLI as a user runs it."""
import json
import os
import subprocess
import tempfile
import unittest

from harness import AWOOOI, SOURCE_DIR, Server, wait_for

DEMO_ALERT = os.path.join(SOURCE_DIR, "examples/alerts/demo-incident.json")
SHARED = os.path.join(SOURCE_DIR, "test", "testdata", "shared", "topologies")


def run(*args, stdin=None):
    return subprocess.run([AWOOOI, *args], input=stdin, capture_output=True, text=True, timeout=60)


class Cli(unittest.TestCase):
    def test_version_and_help(self):
        r = run("version")
        self.assertEqual(r.returncode, 0)
        self.assertRegex(r.stdout, r"^awoooi \d+\.\d+\.\d+")
        r = run("--help")
        self.assertEqual(r.returncode, 0)
        for cmd in ("serve", "migrate", "user", "token", "redact", "topology", "analyze"):
            self.assertIn(cmd, r.stdout)
        self.assertNotEqual(run("frobnicate").returncode, 0)

    def test_token_create_prints_a_token_that_the_server_accepts(self):
        data = tempfile.mkdtemp()
        r = run("migrate", "--data-dir", data)
        self.assertEqual(r.returncode, 0, r.stderr)
        r = run("user", "add", "erin", "--role", "sre", "--data-dir", data)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertNotEqual(run("user", "add", "erin", "--role", "sre", "--data-dir", data).returncode, 0)
        self.assertNotEqual(run("user", "add", "x", "--role", "king", "--data-dir", data).returncode, 0)
        r = run("token", "create", "--user", "frank", "--role", "devops", "--data-dir", data)
        self.assertEqual(r.returncode, 0, r.stderr)
        token = r.stdout.strip().splitlines()[-1]
        self.assertTrue(token.startswith("awi_"))
        server = Server(data_dir=data, demo=False)
        self.addCleanup(server.cleanup)
        server.start()
        status, who = server.get_json("/api/v1/whoami", token=token)
        self.assertEqual((status, who["user"], who["role"]), (200, "frank", "devops"))
        # Who made users and tokens is in the audit trail.
        status, trail = server.get_json("/api/v1/audit?kind=token.created", token=token)
        self.assertEqual(status, 200, trail)
        self.assertEqual([e["subject"] for e in trail["entries"]], ["user/frank"])
        self.assertTrue(trail["entries"][0]["actor"].startswith("cli:"), trail)
        _, added = server.get_json("/api/v1/audit?kind=user.added", token=token)
        self.assertEqual([e["subject"] for e in added["entries"]], ["user/erin"])

        # token list shows it (never the token itself); token revoke stops it at once (the server's
        # token cache holds an answer for at most a second).
        r = run("token", "list", "--data-dir", data)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertNotIn(token, r.stdout)
        rows = [line.split("\t") for line in r.stdout.strip().splitlines()[1:]]
        frank = [row for row in rows if row[1] == "frank"]
        self.assertEqual(len(frank), 1, r.stdout)
        self.assertEqual((frank[0][2], frank[0][4], frank[0][5]), ("devops", "never", "active"))
        r = run("token", "revoke", frank[0][0], "--data-dir", data)
        self.assertEqual(r.returncode, 0, r.stderr)
        wait_for(lambda: server.get("/api/v1/whoami", token=token)[0] == 401, what="the revoked token refused")
        self.assertIn("revoked", run("token", "list", "--data-dir", data).stdout)
        self.assertNotEqual(run("token", "revoke", "999999", "--data-dir", data).returncode, 0)

    def test_token_expiry(self):
        data = tempfile.mkdtemp()
        self.assertNotEqual(run("token", "create", "--user", "gina", "--expires", "soon", "--data-dir", data).returncode, 0)
        self.assertNotEqual(run("token", "create", "--user", "gina", "--expires", "-5m", "--data-dir", data).returncode, 0)
        r = run("token", "create", "--user", "gina", "--expires", "90d", "--data-dir", data)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("expires 20", r.stdout)
        long_lived = r.stdout.strip().splitlines()[-1]
        r = run("token", "create", "--user", "gina", "--expires", "2s", "--data-dir", data)
        self.assertEqual(r.returncode, 0, r.stderr)
        short_lived = r.stdout.strip().splitlines()[-1]
        server = Server(data_dir=data, demo=False)
        self.addCleanup(server.cleanup)
        server.start()
        self.assertEqual(server.get("/api/v1/whoami", token=long_lived)[0], 200)
        wait_for(lambda: server.get("/api/v1/whoami", token=short_lived)[0] == 401, timeout=10,
                 what="the expired token refused")
        self.assertEqual(server.get("/api/v1/whoami", token=long_lived)[0], 200)
        self.assertIn("expired", run("token", "list", "--data-dir", data).stdout)

    def test_bad_config_names_the_key(self):
        path = os.path.join(tempfile.mkdtemp(), "bad.yaml")
        with open(path, "w") as f:
            f.write("server:\n  max_connections: -5\n")
        r = run("serve", "--config", path)
        self.assertEqual(r.returncode, 1)
        self.assertIn("server.max_connections", r.stderr)

    def test_analyze_json_finds_the_database_and_redacts(self):
        r = run("analyze", "--alert", DEMO_ALERT, "--json")
        self.assertEqual(r.returncode, 0, r.stderr)
        out = json.loads(r.stdout)
        self.assertEqual(out["analysis"]["root_cause"]["root_causes"][0]["service"], "postgres-db")
        self.assertEqual(out["proposal"]["root_cause"]["service"], "postgres-db")
        self.assertTrue(out["proposal"]["actions"])
        self.assertNotIn("192.168.1.100", r.stdout)
        self.assertNotIn("admin@company.com", r.stdout)

    def test_analyze_sees_the_incident_from_its_entry_point_whatever_the_alert_order(self):
        with open(DEMO_ALERT) as f:
            payload = json.load(f)
        payload["alerts"].reverse()  # the database's alert first
        path = os.path.join(tempfile.mkdtemp(), "reversed.json")
        with open(path, "w") as f:
            json.dump(payload, f)
        out = json.loads(run("analyze", "--alert", path, "--json").stdout)
        self.assertEqual(out["analysis"]["service"], "frontend")
        self.assertEqual(out["analysis"]["root_cause"]["root_causes"][0]["service"], "postgres-db")
        self.assertEqual([a["service"] for a in out["analysis"]["blast_radius"]["affected"]], ["ingress"])

    def test_topology_root_cause_json_on_a_shared_topology(self):
        topo = os.path.join(SHARED, "online-boutique.yaml")
        if not os.path.exists(topo):
            self.skipTest("shared topologies not present")
        r = run("topology", "root-cause", "frontend", "--topology", topo, "--unhealthy", "redis-cart:critical,cartservice",
                "--json")
        self.assertEqual(r.returncode, 0, r.stderr)
        ranked = [c["service"] for c in json.loads(r.stdout)["root_causes"]]
        self.assertEqual(ranked[0], "redis-cart")
        self.assertIn("cartservice", ranked)
        self.assertNotEqual(run("topology", "check", os.path.join(SOURCE_DIR, "README.md")).returncode, 0)

    def test_redact_stdin(self):
        r = run("redact", stdin="user 192.168.1.100 mailed admin@company.com from 192.168.1.100\n")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout, "user [IP_1] mailed [EMAIL_1] from [IP_1]\n")


if __name__ == "__main__":
    unittest.main()
