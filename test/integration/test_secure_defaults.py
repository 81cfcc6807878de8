"""Secure by default, as a user meets it: private files, no open door off loopback, the Host check,
strict JSON, signed ingestion with a replay window, and no brute-force oracle in the API."""
import hashlib
import hmac
import json
import os
import stat
import subprocess
import time
import unittest

from harness import AWOOOI, Server, alertmanager_payload, am_alert, free_port, wait_for


def alertmanager_fingerprint(labels):
    """Alertmanager's own fingerprint: FNV-1a 64 over the sorted names and values, 0xff separated."""
    h = 14695981039346656037
    for name in sorted(labels):
        for part in (name.encode(), b"\xff", labels[name].encode(), b"\xff"):
            for byte in part:
                h ^= byte
                h = (h * 1099511628211) & 0xFFFFFFFFFFFFFFFF
    return f"{h:016x}"


def serve_until_exit(args, timeout=20):
    """Runs `awoooi serve` that is expected to refuse to start; returns (exit code, output)."""
    r = subprocess.run([AWOOOI, "serve", *args], capture_output=True, text=True, timeout=timeout)
    return r.returncode, r.stdout + r.stderr


class SecureDefaults(unittest.TestCase):
    def test_data_directory_and_its_files_are_private(self):
        server = Server()
        self.addCleanup(server.cleanup)
        server.start()
        server.post_json("/api/v1/alerts/alertmanager",
                         alertmanager_payload([am_alert({"alertname": "A", "service": "frontend"})]))
        self.assertEqual(stat.S_IMODE(os.stat(server.data_dir).st_mode), 0o700)
        names = os.listdir(server.data_dir)
        self.assertIn("vault.key", names)
        for name in names:
            path = os.path.join(server.data_dir, name)
            if os.path.isfile(path):
                mode = stat.S_IMODE(os.stat(path).st_mode)
                self.assertEqual(mode & 0o077, 0, f"{name} is readable by others: {oct(mode)}")

    def test_a_missing_vault_key_stops_start_up_instead_of_minting_a_new_one(self):
        server = Server()
        self.addCleanup(server.cleanup)
        server.start()
        status, _ = server.post_json(
            "/api/v1/alerts/alertmanager",
            alertmanager_payload([am_alert({"alertname": "A", "service": "frontend", "instance": "10.1.2.3:9100"})]))
        self.assertEqual(status, 200)
        server.stop()
        os.remove(os.path.join(server.data_dir, "vault.key"))
        code, out = serve_until_exit(["--config", server.config_path, "--data-dir", server.data_dir,
                                      "--listen", f"127.0.0.1:{free_port()}"])
        self.assertNotEqual(code, 0)
        self.assertIn("vault.key", out)
        self.assertFalse(os.path.exists(os.path.join(server.data_dir, "vault.key")), "a new key was minted")

    def test_off_loopback_without_ingest_authentication_does_not_start(self):
        server = Server()
        self.addCleanup(server.cleanup)
        code, out = serve_until_exit(["--config", server.config_path, "--data-dir", server.data_dir,
                                      "--listen", f"0.0.0.0:{free_port()}"])
        self.assertNotEqual(code, 0)
        self.assertIn("ingest.auth", out)

    def test_foreign_host_names_are_refused(self):
        server = Server()
        self.addCleanup(server.cleanup)
        server.start()
        token = server.tokens["alice"]
        status, _, _ = server.request("GET", "/api/v1/whoami", token=token, headers={"Host": "evil.example"})
        self.assertEqual(status, 421)
        status, _, _ = server.request("GET", "/api/v1/whoami", token=token, headers={"Host": f"localhost:{server.port}"})
        self.assertEqual(status, 200)

    def test_configured_host_names_are_accepted(self):
        server = Server("server:\n  allowed_hosts: awoooi.example.com\n")
        self.addCleanup(server.cleanup)
        server.start()
        token = server.tokens["alice"]
        ok, _, _ = server.request("GET", "/api/v1/whoami", token=token, headers={"Host": "awoooi.example.com"})
        bad, _, _ = server.request("GET", "/api/v1/whoami", token=token, headers={"Host": "awoooi.example.com.evil.net"})
        self.assertEqual((ok, bad), (200, 421))

    def test_json_routes_want_application_json(self):
        server = Server()
        self.addCleanup(server.cleanup)
        server.start()
        body = json.dumps(alertmanager_payload([am_alert({"alertname": "A", "service": "frontend"})]))
        for content_type in ("text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"):
            status, _, _ = server.request("POST", "/api/v1/alerts/alertmanager", body=body,
                                          headers={"Content-Type": content_type})
            self.assertEqual(status, 415, content_type)
        status, _, _ = server.request("POST", "/api/v1/alerts/alertmanager", body=body,
                                      headers={"Content-Type": "application/json; charset=utf-8"})
        self.assertEqual(status, 200)

    def test_signed_ingestion_has_a_replay_window(self):
        secret = "s3cret-for-tests"
        server = Server(f"ingest:\n  auth: hmac\n  hmac_secret: {secret}\n  hmac_window: 2m\n")
        self.addCleanup(server.cleanup)
        server.start()
        body = json.dumps(alertmanager_payload([am_alert({"alertname": "Signed", "service": "frontend"})]))

        def send(timestamp, signature=None):
            mac = hmac.new(secret.encode(), f"{timestamp}.{body}".encode(), hashlib.sha256).hexdigest()
            headers = {"Content-Type": "application/json", "X-AWOOOI-Timestamp": str(timestamp),
                       "X-AWOOOI-Signature": signature or f"sha256={mac}"}
            return server.request("POST", "/api/v1/alerts/alertmanager", body=body, headers=headers)[0]

        now = int(time.time())
        self.assertEqual(send(now), 200)
        self.assertEqual(send(now - 600), 401, "a request signed ten minutes ago is a replay")
        self.assertEqual(send(now + 600), 401)
        self.assertEqual(send(now, signature="sha256=" + "0" * 64), 401)
        for extreme in (9223372036854775807, -9223372036854775808, -1, 0):
            self.assertEqual(send(extreme), 401, extreme)
        no_timestamp = server.request("POST", "/api/v1/alerts/alertmanager", body=body,
                                      headers={"Content-Type": "application/json"})[0]
        self.assertEqual(no_timestamp, 401)

    def test_the_exposed_fingerprint_is_not_alertmanagers(self):
        server = Server()
        self.addCleanup(server.cleanup)
        server.start()
        labels = {"alertname": "NodeDown", "service": "frontend", "instance": "10.20.3.14:9100"}
        status, body = server.post_json("/api/v1/alerts/alertmanager", alertmanager_payload([am_alert(labels)]))
        self.assertEqual(status, 200)
        status, inc = server.get_json(f"/api/v1/incidents/{body['incidents'][0]}")
        self.assertEqual(status, 200)
        exposed = inc["alerts"][0]["fingerprint"]
        self.assertTrue(exposed)
        self.assertNotEqual(exposed, alertmanager_fingerprint(labels))
        self.assertNotIn(alertmanager_fingerprint(labels), json.dumps(inc))
        # Stable for the same alert, so a user can still follow it.
        server.post_json("/api/v1/alerts/alertmanager", alertmanager_payload([am_alert(labels)]))
        _, again = server.get_json(f"/api/v1/incidents/{body['incidents'][0]}")
        self.assertEqual(again["alerts"][0]["fingerprint"], exposed)

    def test_demo_tokens_of_an_earlier_start_stop_working(self):
        server = Server()
        self.addCleanup(server.cleanup)
        server.start()
        old = server.tokens["alice"]
        self.assertEqual(server.get("/api/v1/whoami", token=old)[0], 200)
        server.stop()
        again = Server(data_dir=server.data_dir)
        self.addCleanup(again.cleanup)
        again.start()
        self.assertNotEqual(again.tokens["alice"], old)
        self.assertEqual(again.get("/api/v1/whoami", token=again.tokens["alice"])[0], 200)
        wait_for(lambda: again.get("/api/v1/whoami", token=old)[0] == 401, what="the old demo token refused")

    def test_no_demo_users_off_loopback_unless_asked_for(self):
        # Embedded defaults (no --config) create demo users, but only on a loopback listener;
        # `serve --demo` asks for them on any listener.
        env = {"AWOOOI_INGEST_AUTH": "token", "AWOOOI_INGEST_TOKEN": "t" * 32}
        for demo in (False, True):
            server = Server(env=env)
            self.addCleanup(server.cleanup)
            server.port = free_port()
            args = [AWOOOI, "serve", "--data-dir", server.data_dir, "--listen", f"0.0.0.0:{server.port}"]
            with open(server.out_path, "w") as out, open(server.log_path, "w") as err:
                server.proc = subprocess.Popen(args + (["--demo"] if demo else []), stdout=out, stderr=err,
                                               env=server.env)
            wait_for(lambda: server.get("/healthz")[0] == 200, what="server health")
            if demo:
                wait_for(lambda: "admin (admin): awi_" in server.logs(), what="demo tokens")
            else:
                wait_for(lambda: "demo users are not created" in server.logs(), what="the warning")
                self.assertNotIn("awi_", server.logs())
            server.stop()

    def test_cluster_changes_are_for_admins_only(self):
        server = Server()
        self.addCleanup(server.cleanup)
        server.start()
        _, cluster = server.get_json("/api/v1/cluster", token=server.tokens["bob"])
        pod = next(p for p in cluster["pods"] if p["owner"] == "frontend")
        restart = f"/api/v1/cluster/pods/{pod['namespace']}/{pod['name']}/restart"
        for user in ("alice", "bob", "carol", "dave"):
            status, body, _ = server.request("POST", restart, token=server.tokens[user])
            self.assertEqual(status, 403, (user, body))
        status, body, _ = server.request("POST", restart)
        self.assertEqual(status, 401, body)
        status, body, _ = server.request("POST", restart, token=server.tokens["admin"])
        self.assertEqual(status, 200, body)


if __name__ == "__main__":
    unittest.main()
