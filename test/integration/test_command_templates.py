"""Command templates over HTTP: `type: command` gets the configured templates, a hand-requested
run_template action is dry-run (the argv shown exactly as it would run), signed and executed once,
and its output comes back in the result; hostile values never become an action; a template whose
program is missing is blocked by its dry-run (the Ansible example of docs/executors.md)."""
import os
import unittest

from harness import ServerTest

CONFIG = """
executors:
  - type: simulated
  - type: command
    timeout: 10s
    env:
      GREETING: hello
command_templates:
  - name: echo-host
    description: Echo a host name
    argv: [/bin/echo, host, "{{host}}"]
    slots: {host: name}
  - name: restart-nginx-host
    description: Restart nginx on one web host with the site playbook
    argv: [ansible-playbook-not-installed, /etc/awoooi/playbooks/restart-nginx.yml, --inventory,
           /etc/awoooi/inventory.ini, --limit, "{{host}}"]
    slots: {host: name}
"""


class CommandTemplates(ServerTest):
    config = CONFIG

    def request_action(self, who, action):
        return self.server.post_json("/api/v1/actions", action, token=self.server.tokens[who])

    def sign(self, who, approval):
        return self.server.post_json(f"/api/v1/approvals/{approval['id']}/approve",
                                     {"comment": "ok", "state_fingerprint": approval["dry_run"]["state_fingerprint"]},
                                     token=self.server.tokens[who])

    def test_a_template_runs_once_after_its_signatures(self):
        status, a = self.request_action("admin", {"kind": "run_template",
                                                  "params": {"template": "echo-host", "host": "db-1"}})
        self.assertEqual(status, 201, a)
        self.assertEqual(a["risk"]["effective"], "HIGH", a["risk"])
        self.assertTrue(a["dry_run"]["passed"], a["dry_run"])
        checks = {c["name"]: c for c in a["dry_run"]["checks"]}
        self.assertEqual(checks["argv"]["detail"], 'argv (3 elements, no shell): ["/bin/echo", "host", "db-1"]')
        self.assertEqual(checks["program"]["detail"].split(" ")[0], "/bin/echo")
        status, body = self.sign("alice", a)
        self.assertEqual(status, 200, body)
        status, done = self.sign("bob", a)
        self.assertEqual(status, 200, done)
        self.assertEqual(done["status"], "succeeded", done)
        self.assertEqual(done["result"]["output"], "host db-1\n")
        self.assertEqual(done["result"]["detail"], "/bin/echo exited 0")

    def test_hostile_values_never_become_an_action(self):
        for host in ("db-1; rm -rf /", "$(id)", "`id`", "--all", "-A", "a b", "db-1\n--all", "'a' b"):
            status, body = self.request_action("alice", {"kind": "run_template",
                                                         "params": {"template": "echo-host", "host": host}})
            self.assertEqual(status, 400, (host, body))
        status, body = self.request_action("alice", {"kind": "run_template", "params": {"template": "not-configured"}})
        self.assertEqual(status, 400, body)

    def test_a_missing_program_blocks_the_request(self):
        status, a = self.request_action("alice", {"kind": "run_template",
                                                  "params": {"template": "restart-nginx-host", "host": "web-3"}})
        self.assertEqual(status, 201, a)
        self.assertFalse(a["dry_run"]["passed"], a["dry_run"])
        checks = {c["name"]: c for c in a["dry_run"]["checks"]}
        self.assertFalse(checks["program"]["passed"])
        self.assertIn("ansible-playbook-not-installed is not an executable file on PATH", checks["program"]["detail"])
        self.assertEqual(checks["argv"]["detail"],
                         'argv (6 elements, no shell): ["ansible-playbook-not-installed", '
                         '"/etc/awoooi/playbooks/restart-nginx.yml", "--inventory", "/etc/awoooi/inventory.ini", '
                         '"--limit", "web-3"]')
        status, body = self.sign("alice", a)
        self.assertNotEqual(status, 200, body)


if __name__ == "__main__":
    unittest.main()
