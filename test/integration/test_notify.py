"""`awoooi notify test CHANNEL --config FILE` against local receivers of every channel, and the
webhook-verification code printed in docs/notifications.md on its own."""
import hashlib
import hmac
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest

from harness import AWOOOI, SOURCE_DIR

FAKES = os.path.join(SOURCE_DIR, "test", "fakes")
DOCS = os.path.join(SOURCE_DIR, "docs", "notifications.md")
SECRET = "test-webhook-secret-0123456789"


class Receiver:
    """A fake receiver child process; `port`, `extra` from its LISTENING line; records in `dir`."""

    def __init__(self, python, script, *args):
        self.dir = tempfile.mkdtemp(prefix="awoooi-notify-it-")
        self.proc = subprocess.Popen([python, os.path.join(FAKES, script), "--port", "0", "--record-dir", self.dir,
                                      *args], stdout=subprocess.PIPE, text=True)
        words = self.proc.stdout.readline().split()
        if not words or words[0] != "LISTENING":
            raise RuntimeError(f"{script} did not start")
        self.port = int(words[1])
        self.extra = words[2] if len(words) > 2 else ""

    def records(self):
        out = []
        for name in sorted(os.listdir(self.dir)):
            if name.endswith(".json"):
                with open(os.path.join(self.dir, name), encoding="utf-8") as f:
                    out.append(json.load(f))
        return out

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=10)
        self.proc.stdout.close()
        shutil.rmtree(self.dir, ignore_errors=True)


def documented_verify():
    """The `verify` function exactly as docs/notifications.md prints it."""
    sys.path.insert(0, FAKES)
    try:
        import notify_receiver  # noqa: PLC0415 - the fake's own extractor, so both read the same block
    finally:
        sys.path.pop(0)
    return notify_receiver.load_documented_verify(DOCS)


class NotifyTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.http = Receiver(sys.executable, "notify_receiver.py")
        cls.smtp = Receiver("/usr/bin/python3", "smtp_receiver.py", "--tls", "starttls", "--auth", "awoooi:pw-123")
        cls.tmp = tempfile.mkdtemp(prefix="awoooi-notify-cfg-")
        cls.config = os.path.join(cls.tmp, "awoooi.yaml")
        base = f"http://127.0.0.1:{cls.http.port}"
        with open(cls.config, "w") as f:
            f.write(f"""
notifiers:
  - name: ops-slack
    type: slack
    webhook_url_env: AWOOOI_IT_SLACK_URL
  - name: ops-discord
    type: discord
    webhook_url: {base}/discord/ok/api/webhooks/1/token
  - name: pager-bridge
    type: webhook
    url: {base}/webhook/ok
    secret: {SECRET}
    headers:
      X-Team: sre
  - name: oncall-mail
    type: email
    smtp_url: smtp://localhost:{cls.smtp.port}
    ca_file: {cls.smtp.extra}
    username: awoooi
    password_env: AWOOOI_IT_SMTP_PASSWORD
    from: AWOOOI <awoooi@example.com>
    to: [oncall@example.com, sre-lead@example.com]
  - name: slack-gone
    type: slack
    webhook_url: {base}/slack/not_found/T/B/X
  - name: slack-busy
    type: slack
    webhook_url: {base}/slack/rate_limit/T/B/X
  - name: typo
    type: slack
    webhook_url: {base}/slack/ok/T/B/X
    chanel: "#ops"
""")
        cls.env = dict(os.environ, AWOOOI_IT_SLACK_URL=f"{base}/slack/ok/T000/B000/sekrit",
                       AWOOOI_IT_SMTP_PASSWORD="pw-123")

    @classmethod
    def tearDownClass(cls):
        cls.http.stop()
        cls.smtp.stop()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def notify(self, channel):
        return subprocess.run([AWOOOI, "notify", "test", channel, "--config", self.config], env=self.env,
                              capture_output=True, text=True, timeout=60)

    def test_every_channel_accepts_the_test_message(self):
        for channel, kind in (("ops-slack", "slack"), ("ops-discord", "discord"), ("pager-bridge", "webhook"),
                              ("oncall-mail", "email")):
            r = self.notify(channel)
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
            self.assertTrue(r.stdout.startswith(f"{channel} ({kind}): delivered"), r.stdout)
        verdicts = {rec["channel"]: rec["verdict"] for rec in self.http.records()}
        self.assertEqual(verdicts, {"slack": "ok", "discord": "ok", "webhook": "ok"})
        mail = self.smtp.records()[-1]
        self.assertEqual(mail["subject"], "[AWOOOI] INFO: AWOOOI test notification · 測試通知")
        self.assertEqual(sorted(p["content_type"] for p in mail["parts"]), ["text/html", "text/plain"])
        self.assertTrue(mail["tls"])

    def test_refusals_and_rate_limits_exit_1_and_say_why(self):
        r = self.notify("slack-gone")
        self.assertEqual(r.returncode, 1)
        self.assertEqual(r.stdout.strip(), "slack-gone (slack): rejected: HTTP 404 no_service")
        r = self.notify("slack-busy")
        self.assertEqual(r.returncode, 1)
        self.assertIn("not delivered, a retry could succeed: HTTP 429", r.stdout)
        self.assertIn("asked to wait 7 s", r.stdout)

    def test_configuration_errors_name_the_key_and_never_the_secret(self):
        r = self.notify("typo")
        self.assertEqual(r.returncode, 1)
        self.assertIn("notifiers[6].chanel: unknown key", r.stderr)
        r = self.notify("nope")
        self.assertEqual(r.returncode, 1)
        self.assertIn('no notifier named "nope"', r.stderr)
        self.assertIn("ops-slack, ops-discord", r.stderr)
        env = dict(self.env)
        del env["AWOOOI_IT_SLACK_URL"]
        r = subprocess.run([AWOOOI, "notify", "test", "ops-slack", "--config", self.config], env=env,
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 1)
        self.assertIn("notifiers[0].webhook_url_env: environment variable AWOOOI_IT_SLACK_URL is not set", r.stderr)
        for out in (r.stdout, r.stderr):
            self.assertNotIn("sekrit", out)


class DocumentedVerify(unittest.TestCase):
    """The receiver code in docs/notifications.md accepts what AWOOOI signs and nothing else."""

    def setUp(self):
        self.verify = documented_verify()
        self.body = b'{"event":"approval.requested","title":"\xe6\xb8\xac\xe8\xa9\xa6"}'

    def sign(self, ts, body):
        return "sha256=" + hmac.new(SECRET.encode(), str(ts).encode() + b"." + body, hashlib.sha256).hexdigest()

    def test_accepts_a_fresh_signed_body(self):
        ts = int(time.time())
        headers = {"X-AWOOOI-Timestamp": str(ts), "X-AWOOOI-Signature": self.sign(ts, self.body)}
        self.assertTrue(self.verify(SECRET.encode(), headers, self.body))

    def test_refuses_a_changed_body_a_wrong_secret_and_a_replay(self):
        ts = int(time.time())
        headers = {"X-AWOOOI-Timestamp": str(ts), "X-AWOOOI-Signature": self.sign(ts, self.body)}
        self.assertFalse(self.verify(SECRET.encode(), headers, self.body + b" "))
        self.assertFalse(self.verify(b"another-secret-0123456789", headers, self.body))
        old = ts - 301
        stale = {"X-AWOOOI-Timestamp": str(old), "X-AWOOOI-Signature": self.sign(old, self.body)}
        self.assertFalse(self.verify(SECRET.encode(), stale, self.body))
        self.assertFalse(self.verify(SECRET.encode(), {}, self.body))


if __name__ == "__main__":
    unittest.main()
