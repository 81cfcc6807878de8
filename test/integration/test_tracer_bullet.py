"""`awoooi tracer-bullet`: the five steps of the loop, in-process and against a running server."""
import re
import subprocess
import unittest

from harness import AWOOOI, ServerTest


def run(*args):
    out = subprocess.run([AWOOOI, "tracer-bullet", *args], capture_output=True, text=True, timeout=240)
    return out.returncode, out.stdout


class TracerBullet(unittest.TestCase):
    def assert_all_passed(self, code, text):
        self.assertEqual(code, 0, text)
        self.assertRegex(text, r"Test ID: tb2-\d{14}\n")
        for step in ("trigger_alert", "graphrag_analysis", "generate_approval", "multisig_approval", "mcp_execution"):
            self.assertIn(f"[x] [{step}] PASS", text)
        for line in ("Total Steps: 5", "Passed: 5", "Failed: 0", "Status: ALL PASSED"):
            self.assertIn(line, text)

    def test_without_a_url_it_runs_its_own_server(self):
        self.assert_all_passed(*run())


class TracerBulletAgainstAServer(ServerTest):
    def test_against_the_running_demo_twice(self):
        for _ in range(2):
            code, text = run("--url", f"http://127.0.0.1:{self.server.port}", "--data-dir", self.server.data_dir)
            TracerBullet.assert_all_passed(self, code, text)
            self.assertIn("signed by alice (devops), bob (sre)", text)

    def test_a_failing_step_says_why_and_exits_non_zero(self):
        # Nothing listens on port 9: the first step fails with the reason, the rest do not run.
        code, text = run("--url", "http://127.0.0.1:9", "--data-dir", self.server.data_dir, "--timeout", "2")
        self.assertNotEqual(code, 0)
        self.assertIn("[ ] [trigger_alert] FAIL: cannot reach", text)
        self.assertIn("Status: FAILED", text)


if __name__ == "__main__":
    unittest.main()
