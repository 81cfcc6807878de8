"""End to end with an LLM brain: `awoooi serve` configured with each provider type, pointed at
test/fakes/llm_server.py (a local process speaking the providers' real streaming wire formats,
since the real services cannot be reached from here). A PII-laden Alertmanager alert must become a
stored proposal answered by that provider, with streamed thinking, and no original value may
appear in any byte the "provider" received. A provider that misbehaves falls back to the
playbook, and the fallback is recorded."""
import json
import os
import subprocess
import sys
import tempfile
import unittest

from harness import SOURCE_DIR, Server, wait_for

FAKE = os.path.join(SOURCE_DIR, "test", "fakes", "llm_server.py")
PII = ["192.168.1.100", "admin@company.com", "10.20.3.14", "10.20.3.15"]


class LlmProvider(unittest.TestCase):
    def start_fake(self):
        self.record = os.path.join(tempfile.mkdtemp(), "requests.jsonl")
        self.fake = subprocess.Popen([sys.executable, FAKE, "--port", "0", "--record", self.record],
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        self.addCleanup(lambda: (self.fake.kill(), self.fake.wait(), self.fake.stdout.close()))
        line = self.fake.stdout.readline()
        self.assertTrue(line.startswith("LISTENING"), line)
        return int(line.split()[1])

    def analyse_demo(self, brain_yaml):
        server = Server(brain_yaml)
        self.addCleanup(server.cleanup)
        server.start()
        with open(os.path.join(SOURCE_DIR, "examples/alerts/demo-incident.json")) as f:
            status, body = server.post_json("/api/v1/alerts/alertmanager", json.load(f))
        self.assertEqual(status, 200)
        frontend = [i for i in server.incidents() if i["service"] == "frontend"][0]
        return wait_for(lambda: (lambda r: r[1] if r[0] == 200 else None)(
            server.get_json(f"/api/v1/incidents/{frontend['id']}/analysis")), timeout=60, what="analysis")

    def recorded(self):
        with open(self.record) as f:
            return [json.loads(line) for line in f if line.strip()]

    def test_each_provider_answers_and_never_sees_pii(self):
        port = self.start_fake()
        for provider, base in (("openai", f"http://127.0.0.1:{port}/s/normal/v1"),
                               ("anthropic", f"http://127.0.0.1:{port}/s/normal"),
                               ("ollama", f"http://127.0.0.1:{port}/s/normal")):
            with self.subTest(provider=provider):
                analysis = self.analyse_demo(
                    f"brain:\n  type: {provider}\n  model: test-model\n  base_url: {base}\n  api_key: sk-test-123\n"
                    f"  timeout: 20s\n")
                proposal = analysis["proposal"]
                self.assertEqual(proposal["reasoner"], provider, proposal.get("fallback_reason"))
                self.assertEqual(proposal["fallback_reason"], "")
                self.assertEqual(proposal["root_cause"]["service"], "postgres-db")
        sent = json.dumps(self.recorded())
        self.assertGreaterEqual(len(self.recorded()), 3)
        self.assertIn("[IP_1]", sent)  # the context reached the provider, redacted
        for value in PII:
            self.assertNotIn(value, sent, f"{value} reached the provider")

    def test_a_provider_proposing_an_injected_action_falls_back_to_the_playbook(self):
        port = self.start_fake()
        analysis = self.analyse_demo(
            f"brain:\n  type: openai\n  model: m\n  base_url: http://127.0.0.1:{port}/s/injection/v1\n"
            f"  api_key: sk-test\n  timeout: 20s\n")
        proposal = analysis["proposal"]
        self.assertEqual(proposal["reasoner"], "playbook")
        self.assertIn("openai", proposal["fallback_reason"])
        self.assertNotIn("delete namespace", json.dumps(proposal["actions"]))


if __name__ == "__main__":
    unittest.main()
