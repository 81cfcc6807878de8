"""`awoooi mcp` against the REAL MCP reference server (@modelcontextprotocol/server-everything, from
npm, installed into test/npm by scripts/install-test-tools) over stdio and Streamable HTTP, against
misbehaving fakes, and under the official client conformance scenarios.

Privacy: `mcp call` redacts its --args into a vault (a real value becomes a label), rehydrates at the
call and redacts the answer. Each test proves the real value reached the server and came back only as
its label: over stdio a tee keeps the server's input; over HTTP the echo itself is the proof — had the
server received the label "[IP_1]" instead of the address, its echo would come back escaped as
"[~IP_1]" (the shield escapes label-shaped text it did not mint), not as "[IP_1]".
"""
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
import unittest

from harness import AWOOOI, SOURCE_DIR, free_port, wait_for

NPM_DIR = os.path.join(SOURCE_DIR, "test", "npm")
BIN = os.path.join(NPM_DIR, "node_modules", ".bin")
EVERYTHING = os.path.join(BIN, "mcp-server-everything")
CONFORMANCE = os.path.join(BIN, "conformance")
FAKE = os.path.join(SOURCE_DIR, "test", "fakes", "mcp_server.py")
TEE = os.path.join(SOURCE_DIR, "test", "fakes", "stdio_tee.py")
PYTHON = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else "python3"

# The conformance scenarios `awoooi mcp` passes (docs/mcp.md lists the others and why they fail).
# The scenario's server URL is appended to the command.
CONFORMANCE_SCENARIOS = {
    "initialize": "mcp tools --url",
    "tools_call": "mcp call --tool add_numbers --args '{\"a\":5,\"b\":3}' --url",
}


def node_major():
    try:
        out = subprocess.run(["node", "--version"], capture_output=True, text=True, timeout=10).stdout
        return int(out.strip().lstrip("v").split(".")[0])
    except (OSError, ValueError, subprocess.TimeoutExpired):
        return 0


def setUpModule():
    r = subprocess.run([os.path.join(SOURCE_DIR, "scripts", "install-test-tools")], capture_output=True, text=True,
                       timeout=600)
    if r.returncode != 0 or not os.path.exists(EVERYTHING):
        raise unittest.SkipTest("MCP test tools unavailable (scripts/install-test-tools failed): " + r.stderr[-300:])


def mcp(*args, env=None, timeout=60):
    return subprocess.run([AWOOOI, "mcp", *args], capture_output=True, text=True, timeout=timeout,
                          env=dict(os.environ, **(env or {})))


def node_env():
    # Node 18 (Debian 12) has Web Crypto only behind a flag; the SDK's HTTP transport needs it.
    return {"NODE_OPTIONS": "--experimental-global-webcrypto"} if node_major() == 18 else {}


class EverythingHttp:
    """`mcp-server-everything streamableHttp` on a free port (it reads PORT and prints it)."""

    def __init__(self):
        self.port = free_port()
        self.log = tempfile.NamedTemporaryFile(prefix="everything-http-", suffix=".log", delete=False)
        env = dict(os.environ, PORT=str(self.port), **node_env())
        self.proc = subprocess.Popen([EVERYTHING, "streamableHttp"], stdout=self.log, stderr=subprocess.STDOUT,
                                     env=env)
        def listening():
            with open(self.log.name) as f:
                return f"listening on port {self.port}" in f.read()
        wait_for(listening, timeout=30, what="the reference server's HTTP port")
        self.url = f"http://127.0.0.1:{self.port}/mcp"

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()
        os.unlink(self.log.name)


class ReferenceServerStdio(unittest.TestCase):
    def test_call_prints_the_echo(self):
        r = mcp("call", "--command", EVERYTHING, "--tool", "echo", "--args", '{"message":"hi"}')
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout, "Echo: hi\n")

    def test_tools_lists_the_reference_tools_as_text_and_json(self):
        r = mcp("tools", "--command", EVERYTHING)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertRegex(r.stdout, r"(?m)^echo \(message\*: string\)  Echoes back the input string$")
        self.assertRegex(r.stdout, r"(?m)^get-sum \(a\*: number, b\*: number\)")
        r = mcp("tools", "--command", EVERYTHING, "--json")
        self.assertEqual(r.returncode, 0, r.stderr)
        tools = {t["name"]: t for t in json.loads(r.stdout)}
        self.assertEqual(tools["echo"]["inputSchema"]["required"], ["message"])

    def test_a_real_value_reaches_the_server_and_only_its_label_comes_back(self):
        log = tempfile.NamedTemporaryFile(prefix="mcp-tee-", delete=False).name
        self.addCleanup(os.unlink, log)
        r = mcp("call", "--command", PYTHON, TEE, log, EVERYTHING, "--tool", "echo",
                "--args", '{"message":"primary at 10.20.30.40, owner dba@example.com"}')
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout, "Echo: primary at [IP_1], owner [EMAIL_1]\n")
        with open(log) as f:
            sent = f.read()
        self.assertIn('"message":"primary at 10.20.30.40, owner dba@example.com"', sent)  # it reached the server
        for real in ("10.20.30.40", "dba@example.com"):
            self.assertNotIn(real, r.stdout + r.stderr)
        r = mcp("call", "--command", EVERYTHING, "--tool", "echo", "--args", '{"message":"10.20.30.40"}', "--json")
        self.assertEqual(json.loads(r.stdout)["content"][0]["text"], "Echo: [IP_1]")
        self.assertNotIn("10.20.30.40", r.stdout + r.stderr)

    def test_is_error_exits_non_zero_with_the_tools_words(self):
        r = mcp("call", "--command", EVERYTHING, "--tool", "get-resource-reference",
                "--args", '{"resourceType":"Text","resourceId":1.5}')
        self.assertEqual(r.returncode, 1)
        self.assertIn("Must be a finite positive integer", r.stdout)
        self.assertIn("the tool reported an error", r.stderr)

    def test_arguments_the_schema_rejects_never_reach_the_tool(self):
        r = mcp("call", "--command", EVERYTHING, "--tool", "get-sum", "--args", '{"a":1,"b":"two"}')
        self.assertEqual(r.returncode, 1)
        self.assertIn("check parameters failed: arguments.b: must be number, not a string", r.stderr)
        r = mcp("call", "--command", EVERYTHING, "--tool", "no-such-tool", "--args", "{}")
        self.assertEqual(r.returncode, 1)
        self.assertIn("lists no tool named no-such-tool", r.stderr)

    def test_a_call_that_outlives_its_timeout_fails_fast(self):
        start = time.time()
        r = mcp("call", "--command", EVERYTHING, "--tool", "trigger-long-running-operation",
                "--args", '{"duration":20,"steps":4}', "--timeout", "1s")
        self.assertEqual(r.returncode, 1)
        self.assertRegex(r.stderr, r"no answer within (99\d|1000) ms; the server was told to cancel the call")
        self.assertLess(time.time() - start, 10)

    def test_the_server_gets_its_configured_environment_and_nothing_of_ours(self):
        r = mcp("call", "--command", EVERYTHING, "--env", "MCP_DEMO_SETTING=blue", "--tool", "get-env", "--args", "{}",
                env={"AWOOOI_BRAIN_API_KEY": "sk-must-not-reach-the-server"})
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn('"MCP_DEMO_SETTING": "blue"', r.stdout)
        self.assertNotIn("AWOOOI_BRAIN_API_KEY", r.stdout)
        self.assertNotIn("sk-must-not-reach-the-server", r.stdout)


class ReferenceServerHttp(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = EverythingHttp()

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def test_call_and_tools_over_streamable_http(self):
        r = mcp("call", "--url", self.server.url, "--tool", "echo", "--args", '{"message":"hi"}')
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout, "Echo: hi\n")
        r = mcp("tools", "--url", self.server.url, "--json")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("get-sum", {t["name"] for t in json.loads(r.stdout)})

    def test_a_real_value_reaches_the_server_and_only_its_label_comes_back(self):
        r = mcp("call", "--url", self.server.url, "--tool", "echo", "--args", '{"message":"replica 10.9.8.7 lags"}')
        self.assertEqual(r.returncode, 0, r.stderr)
        # "[IP_1]", not "[~IP_1]": the server echoed the address, and the shield labelled it again.
        self.assertEqual(r.stdout, "Echo: replica [IP_1] lags\n")
        self.assertNotIn("10.9.8.7", r.stdout + r.stderr)

    def test_structured_content_is_redacted_in_json(self):
        r = mcp("call", "--url", self.server.url, "--tool", "get-sum", "--args", '{"a":2,"b":40}', "--json")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("42", json.loads(r.stdout)["content"][0]["text"])

    def test_a_call_that_outlives_its_timeout_fails_fast(self):
        start = time.time()
        r = mcp("call", "--url", self.server.url, "--tool", "trigger-long-running-operation",
                "--args", '{"duration":20,"steps":4}', "--timeout", "1s")
        self.assertEqual(r.returncode, 1)
        self.assertRegex(r.stderr, r"no answer within (99\d|1000) ms")
        self.assertLess(time.time() - start, 10)

    def test_nobody_listening_is_a_clear_failure(self):
        r = mcp("call", "--url", f"http://127.0.0.1:{free_port()}/mcp", "--tool", "echo", "--args", "{}")
        self.assertEqual(r.returncode, 1)
        self.assertIn("Couldn't connect to server", r.stderr)


class MisbehavingServers(unittest.TestCase):
    """Each is a clear failure with exit code 1; the CLI never crashes or hangs."""

    def call(self, mode, timeout="10s"):
        return mcp("call", "--command", PYTHON, FAKE, "--mode", mode, "--tool", "echo", "--args", '{"message":"x"}',
                   "--timeout", timeout)

    def test_each_failure_is_named(self):
        cases = {
            "crash-on-call": "exited with status 3",
            "segv-on-call": "killed by signal 11 (SIGSEGV)",
            "garbage": "not JSON",
            "huge-line": "longer than 4194304 bytes",
            "old-version": "speaks MCP protocol version \"2024-11-05\"",
        }
        for mode, expected in cases.items():
            with self.subTest(mode=mode):
                r = self.call(mode)
                self.assertEqual(r.returncode, 1, r.stderr)
                self.assertIn(expected, r.stderr)
        r = self.call("crash-on-call")
        self.assertIn("the server's last words on stderr (redacted):\nfatal: lost the cluster at [IP_1]", r.stderr)
        r = self.call("hang", timeout="500ms")
        self.assertEqual(r.returncode, 1)
        # The whole command had 500 ms, a little of it spent before initialize was sent.
        self.assertRegex(r.stderr, r"no answer to initialize within (49\d|500) ms")

    def test_a_missing_command_is_named(self):
        r = mcp("call", "--command", "no-such-mcp-server", "--tool", "echo", "--args", "{}")
        self.assertEqual(r.returncode, 1)
        self.assertIn('"no-such-mcp-server" was not found on PATH', r.stderr)

    def test_usage_errors_exit_2(self):
        self.assertEqual(mcp("call", "--command", EVERYTHING, "--tool", "echo").returncode, 2)
        self.assertEqual(mcp("call", "--tool", "echo", "--args", "{}").returncode, 2)
        self.assertEqual(mcp("call", "--command", EVERYTHING, "--tool", "echo", "--args", "[1]").returncode, 2)
        self.assertEqual(mcp("frobnicate").returncode, 2)
        r = mcp("--help")
        self.assertEqual(r.returncode, 0)
        self.assertIn("awoooi mcp call", r.stdout)


@unittest.skipIf(node_major() < 20, "the conformance suite needs Node.js 20 or newer")
class Conformance(unittest.TestCase):
    def test_client_scenarios_pass(self):
        out = tempfile.mkdtemp(prefix="mcp-conformance-")
        self.addCleanup(shutil.rmtree, out, True)
        for scenario, command in CONFORMANCE_SCENARIOS.items():
            with self.subTest(scenario=scenario):
                r = subprocess.run([CONFORMANCE, "client", "--command", f"{os.path.abspath(AWOOOI)} {command}", "--scenario", scenario,
                                    "--timeout", "20000", "-o", out], capture_output=True, text=True, timeout=120,
                                   cwd=out)
                text = re.sub(r"\x1b\[[0-9;]*m", "", r.stdout + r.stderr)
                self.assertEqual(r.returncode, 0, text[-2000:])
                self.assertIn("OVERALL: PASSED", text)


if __name__ == "__main__":
    unittest.main()
