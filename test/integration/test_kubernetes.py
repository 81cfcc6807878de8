"""Keeps test/fakes/kube_api_server.py honest: the real kubectl, a client we did not write, drives it.

The executor's unit tests (src/plugins/actions/kubernetes/) trust this server to answer as a Kubernetes API server
does. Here kubectl lists, gets, scales, cordons, drains (server dry run and for real), patches (strategic, merge,
JSON), restarts rollouts, deletes and asks `auth can-i` against it, over plain HTTP with a token and over TLS with a
client certificate, and must see what it sees against a real cluster. Works with Debian 12's kubectl (1.20) and
newer ones; set KUBECTL to choose the binary. Python standard library only.
"""
import base64
import json
import os
import shutil
import ssl
import subprocess
import sys
import tempfile
import unittest
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
FAKE = os.path.join(HERE, "..", "fakes", "kube_api_server.py")
KUBECTL = os.environ.get("KUBECTL", "kubectl")


class KubeApiServer:
    """The test server as a child process on a free port."""

    def __init__(self, *args):
        self.proc = subprocess.Popen([sys.executable, FAKE, "--port", "0", *args], stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        if not line.startswith("LISTENING "):
            self.stop()
            raise RuntimeError(f"kube_api_server.py did not start: {self.proc.stderr.read()}")
        self.port = int(line.split()[1])
        self.tls = "--tls-cert" in args

    def url(self):
        return f"{'https' if self.tls else 'http'}://127.0.0.1:{self.port}"

    def control(self, what, body=None, method="POST"):
        data = json.dumps(body or {}).encode() if method == "POST" else None
        req = urllib.request.Request(f"{self.url()}/_control/{what}", data=data, method=method)
        context = ssl._create_unverified_context() if self.tls else None  # the test's own control channel
        with urllib.request.urlopen(req, timeout=10, context=context) as resp:
            return json.loads(resp.read())

    def requests(self):
        return self.control("requests", method="GET")["requests"]

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=10)
        for stream in (self.proc.stdout, self.proc.stderr):
            if stream:
                stream.close()


def kubeconfig(path, server, user_lines, cluster_lines=""):
    with open(path, "w") as f:
        f.write(f"""apiVersion: v1
kind: Config
clusters:
- name: test
  cluster:
    server: {server}
{cluster_lines}contexts:
- name: test
  context: {{cluster: test, user: tester, namespace: production}}
current-context: test
users:
- name: tester
  user:
{user_lines}""")
    return path


@unittest.skipUnless(shutil.which(KUBECTL), "kubectl is not installed (scripts/install-deps installs Debian's)")
class KubectlAgainstTheTestServer(unittest.TestCase):
    """Plain HTTP, where kubectl (like the executor) sends no credentials: the server's anonymous user."""

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="awoooi-kubectl-")
        self.server = KubeApiServer()
        self.config = kubeconfig(os.path.join(self.tmp, "config"), self.server.url(), "    {}\n")

    def tearDown(self):
        self.server.stop()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def kubectl(self, *args, ok=True, config=None, timeout=60):
        cmd = [KUBECTL, "--kubeconfig", config or self.config, "--cache-dir", os.path.join(self.tmp, "cache"),
               *args]
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        out = p.stdout + p.stderr
        if ok:
            self.assertEqual(p.returncode, 0, f"{' '.join(args)}:\n{out}")
        else:
            self.assertNotEqual(p.returncode, 0, f"{' '.join(args)} should fail:\n{out}")
        return out

    def json(self, *args):
        return json.loads(self.kubectl(*args, "-o", "json"))

    def pods(self, selector, ns="production"):
        return [p["metadata"]["name"] for p in self.json("get", "pods", "-n", ns, "-l", selector)["items"]]

    def node_of(self, selector):
        return self.json("get", "pods", "-l", selector)["items"][0]["spec"]["nodeName"]

    def mutations(self):
        """API requests that change something (GETs and dry runs left out)."""
        return [r for r in self.server.requests()
                if r["method"] != "GET" and "dryRun=All" not in r["query"] and '"All"' not in r["body"]
                and not r["path"].endswith("selfsubjectaccessreviews")]

    # -- reading ---------------------------------------------------------------------------------------------------

    def test_get_prints_the_servers_tables_and_json_with_resource_versions(self):
        out = self.kubectl("get", "pods")
        self.assertRegex(out, r"NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE")
        self.assertRegex(out, r"postgres-db-0\s+1/1\s+Running\s+0")
        self.assertRegex(self.kubectl("get", "deployments"), r"frontend\s+3/3\s+3\s+3")
        self.assertRegex(self.kubectl("get", "statefulsets"), r"postgres-db\s+1/1")
        self.assertRegex(self.kubectl("get", "pdb", "order-api-pdb"), r"order-api-pdb\s+2\s+N/A\s+0")
        self.assertRegex(self.kubectl("get", "pvc"), r"data-postgres-db-0\s+Bound")
        self.assertRegex(self.kubectl("get", "nodes"), r"10\.0\.3\.7\s+Ready")
        self.assertIn("production", self.kubectl("get", "namespaces"))
        deployment = self.json("get", "deployment", "frontend")
        self.assertEqual(deployment["kind"], "Deployment")
        self.assertTrue(deployment["metadata"]["resourceVersion"])
        self.assertEqual(len(self.pods("app=frontend")), 3)
        node = self.node_of("app=postgres-db")
        on_node = self.json("get", "pods", "-A", "--field-selector", f"spec.nodeName={node}")["items"]
        self.assertIn("postgres-db-0", [p["metadata"]["name"] for p in on_node])
        self.assertEqual(self.mutations(), [])

    def test_missing_objects_and_faults_are_status_errors(self):
        out = self.kubectl("get", "pod", "nope", ok=False)
        self.assertIn('Error from server (NotFound): pods "nope" not found', out)
        self.server.control("faults", {"rules": [{"method": "GET", "path": "/deployments$", "status": 503,
                                                  "message": "etcd is unavailable", "times": 1}]})
        out = self.kubectl("get", "deployments", ok=False)
        self.assertIn("etcd is unavailable", out)

    # -- changing --------------------------------------------------------------------------------------------------

    def test_scale_goes_through_the_scale_subresource_and_the_controllers_follow(self):
        self.assertIn("deployment.apps/frontend scaled", self.kubectl("scale", "deployment", "frontend",
                                                                      "--replicas=5"))
        self.assertEqual(len(self.pods("app=frontend")), 5)
        self.assertTrue(any(r["path"].endswith("/deployments/frontend/scale") for r in self.mutations()))
        self.kubectl("scale", "statefulset", "postgres-db", "--replicas=2")
        self.assertEqual(sorted(self.pods("app=postgres-db")), ["postgres-db-0", "postgres-db-1"])
        self.assertIn("data-postgres-db-1", self.kubectl("get", "pvc"))
        before = len(self.mutations())
        self.kubectl("scale", "deployment", "frontend", "--replicas=1", "--dry-run=server")
        self.assertEqual(len(self.pods("app=frontend")), 5)
        self.assertEqual(len(self.mutations()), before)

    def test_cordon_and_uncordon_patch_the_node(self):
        self.assertIn("node/node-a cordoned", self.kubectl("cordon", "node-a"))
        self.assertRegex(self.kubectl("get", "nodes"), r"node-a\s+Ready,SchedulingDisabled")
        patch = [r for r in self.mutations() if r["path"] == "/api/v1/nodes/node-a"][-1]
        self.assertEqual(patch["method"], "PATCH")
        self.assertEqual(json.loads(patch["body"]), {"spec": {"unschedulable": True}})
        self.assertIn("node/node-a uncordoned", self.kubectl("uncordon", "node-a"))
        self.assertRegex(self.kubectl("get", "nodes"), r"node-a\s+Ready\s")
        self.assertIn("cordoned (server dry run)", self.kubectl("cordon", "node-b", "--dry-run=server"))
        self.assertNotIn("SchedulingDisabled", self.kubectl("get", "nodes"))

    def test_drain_server_dry_run_evicts_nothing(self):
        node = self.node_of("app=frontend")
        before = sorted(self.pods("app=frontend"))
        out = self.kubectl("drain", node, "--dry-run=server", "--ignore-daemonsets", "--pod-selector=app=frontend")
        self.assertIn(f"node/{node} cordoned (server dry run)", out)
        self.assertRegex(out, r"evicting pod production/frontend-\S+ \(server dry run\)")
        self.assertIn(f"node/{node} drained (server dry run)", out)
        evictions = [r for r in self.server.requests() if r["path"].endswith("/eviction")]
        self.assertTrue(evictions)
        self.assertTrue(all(r["status"] == 201 for r in evictions))
        self.assertEqual(sorted(self.pods("app=frontend")), before)
        self.assertNotIn("SchedulingDisabled", self.kubectl("get", "nodes"))
        self.assertEqual(self.mutations(), [])

    def test_drain_meets_the_eviction_apis_pdb_answers(self):
        # Two PDBs cover postgres-db-0: 500, which kubectl reports without retrying.
        node = self.node_of("app=postgres-db")
        out = self.kubectl("drain", node, "--dry-run=server", "--ignore-daemonsets", "--pod-selector=app=postgres-db",
                           "--timeout=20s", ok=False)
        self.assertIn("This pod has more than one PodDisruptionBudget, which the eviction subresource does not "
                      "support", out)
        # order-api-pdb allows no disruption: 429, retried every 5 s until kubectl's timeout.
        node = self.node_of("app=order-api")
        out = self.kubectl("drain", node, "--dry-run=server", "--ignore-daemonsets", "--pod-selector=app=order-api",
                           "--timeout=6s", ok=False)
        self.assertIn("Cannot evict pod as it would violate the pod's disruption budget", out)
        self.assertIn("will retry after 5s", out)
        refused = [r for r in self.server.requests() if r["path"].endswith("/eviction") and r["status"] == 429]
        self.assertGreaterEqual(len(refused), 2)

    def test_drain_for_real_evicts_and_the_replicaset_replaces_the_pods(self):
        node = self.node_of("app=frontend")
        before = set(self.pods("app=frontend"))
        out = self.kubectl("drain", node, "--ignore-daemonsets", "--pod-selector=app=frontend", "--timeout=30s")
        self.assertRegex(out, rf"node/{node} (drained|evicted)")  # kubectl 1.20 says "evicted"
        self.assertRegex(out, r"pod/frontend-\S+ evicted")
        after = set(self.pods("app=frontend"))
        self.assertEqual(len(after), 3)
        self.assertNotEqual(after, before)
        self.assertRegex(self.kubectl("get", "nodes"), rf"{node}\s+Ready,SchedulingDisabled")

    def test_patch_in_every_format_and_resource_version_preconditions(self):
        self.assertIn("deployment.apps/web patched",
                      self.kubectl("-n", "default", "patch", "deployment", "web", "-p", '{"spec":{"replicas":3}}'))
        self.assertEqual(len(self.pods("app=web", ns="default")), 3)
        self.kubectl("-n", "default", "patch", "deployment", "web", "--type", "merge",
                     "-p", '{"metadata":{"labels":{"team":"shop"}}}')
        self.kubectl("-n", "default", "patch", "deployment", "web", "--type", "json",
                     "-p", '[{"op":"replace","path":"/spec/replicas","value":1}]')
        web = self.json("-n", "default", "get", "deployment", "web")
        self.assertEqual(web["metadata"]["labels"]["team"], "shop")
        self.assertEqual(web["spec"]["replicas"], 1)
        self.assertEqual(len(self.pods("app=web", ns="default")), 1)
        kinds = {r["content_type"] for r in self.mutations() if r["method"] == "PATCH"}
        self.assertEqual(kinds, {"application/strategic-merge-patch+json", "application/merge-patch+json",
                                 "application/json-patch+json"})
        out = self.kubectl("-n", "default", "patch", "deployment", "web", "--type", "merge",
                           "-p", '{"metadata":{"resourceVersion":"1"},"spec":{"replicas":2}}', ok=False)
        self.assertIn("the object has been modified", out)

    def test_rollout_restart_patches_restarted_at_and_refuses_paused_deployments(self):
        before = set(self.pods("app=frontend"))
        self.assertIn("deployment.apps/frontend restarted", self.kubectl("rollout", "restart", "deployment/frontend"))
        annotations = self.json("get", "deployment", "frontend")["spec"]["template"]["metadata"]["annotations"]
        self.assertIn("kubectl.kubernetes.io/restartedAt", annotations)
        self.assertTrue(before.isdisjoint(self.pods("app=frontend")))
        self.assertIn("statefulset.apps/postgres-db restarted",
                      self.kubectl("rollout", "restart", "statefulset/postgres-db"))
        out = self.kubectl("rollout", "restart", "deployment/checkout", ok=False)
        self.assertIn("can't restart paused deployment", out)

    def test_delete_with_server_dry_run_keeps_the_object(self):
        self.assertIn("(server dry run)", self.kubectl("delete", "pvc", "scratch-data", "--dry-run=server"))
        self.assertIn("scratch-data", self.kubectl("get", "pvc"))
        self.kubectl("delete", "pvc", "scratch-data")
        self.assertNotIn("scratch-data", self.kubectl("get", "pvc"))
        self.kubectl("delete", "pvc", "data-postgres-db-0", "--wait=false")
        self.assertRegex(self.kubectl("get", "pvc"), r"data-postgres-db-0\s+Terminating")

    def test_an_admission_webhook_without_side_effects_none_refuses_dry_run(self):
        self.server.control("webhook", {"name": "policy.example.com", "refuse_dry_run": True,
                                        "resources": ["nodes"]})
        out = self.kubectl("patch", "node", "node-a", "-p", '{"spec":{"unschedulable":true}}', "--dry-run=server",
                           ok=False)
        self.assertIn('admission webhook "policy.example.com" does not support dry run', out)
        # (kubectl cordon prints the same refusal, but exits 0.)
        self.assertIn("does not support dry run", self.kubectl("cordon", "node-a", "--dry-run=server"))
        self.assertIn("node/node-a cordoned", self.kubectl("cordon", "node-a"))

    def test_auth_can_i_follows_the_rbac_deny_list(self):
        self.assertEqual(self.kubectl("auth", "can-i", "create", "pods", "--subresource=eviction").strip(), "yes")
        self.server.control("deny", {"rules": [{"verb": "create", "resource": "pods", "subresource": "eviction"}]})
        out = self.kubectl("auth", "can-i", "create", "pods", "--subresource=eviction", ok=False)
        self.assertTrue(out.startswith("no"), out)
        self.assertEqual(self.kubectl("auth", "can-i", "delete", "pods").strip(), "yes")
        out = self.kubectl("drain", self.node_of("app=frontend"), "--dry-run=server", "--ignore-daemonsets",
                           "--pod-selector=app=frontend", "--timeout=10s", ok=False)
        self.assertIn('cannot create resource "pods/eviction"', out)


@unittest.skipUnless(shutil.which(KUBECTL) and shutil.which("openssl"), "needs kubectl and openssl")
class KubectlOverTlsWithAClientCertificate(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="awoooi-kubectl-tls-")
        ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]

        def run(*args):
            subprocess.run(["openssl", *args], cwd=self.tmp, check=True, capture_output=True)

        with open(os.path.join(self.tmp, "server.ext"), "w") as f:
            f.write("subjectAltName=IP:127.0.0.1\n")
        run("req", "-x509", *ec, "-keyout", "ca.key", "-out", "ca.crt", "-days", "1", "-subj", "/CN=test-ca")
        run("req", *ec, "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=127.0.0.1")
        run("x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
            "-out", "server.crt", "-days", "1", "-extfile", "server.ext")
        run("req", *ec, "-keyout", "client.key", "-out", "client.csr", "-subj", "/CN=kubectl-user")
        run("x509", "-req", "-in", "client.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
            "-out", "client.crt", "-days", "1")
        p = lambda name: os.path.join(self.tmp, name)  # noqa: E731
        self.server = KubeApiServer("--tls-cert", p("server.crt"), "--tls-key", p("server.key"),
                                    "--client-ca", p("ca.crt"), "--token", "kubectl-tls-token")

    def tearDown(self):
        self.server.stop()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def data(self, name):
        with open(os.path.join(self.tmp, name), "rb") as f:
            return base64.b64encode(f.read()).decode()

    def kubectl(self, name, user_lines, *args):
        config = kubeconfig(os.path.join(self.tmp, name), self.server.url(), user_lines,
                            f"    certificate-authority-data: {self.data('ca.crt')}\n")
        return subprocess.run([KUBECTL, "--kubeconfig", config, "--cache-dir", os.path.join(self.tmp, "cache"),
                               *args], capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)

    def test_ca_data_and_client_certificate_data(self):
        p = self.kubectl("cert", f"    client-certificate-data: {self.data('client.crt')}\n"
                                 f"    client-key-data: {self.data('client.key')}\n", "get", "nodes")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("node-a", p.stdout)
        users = {r["user"] for r in self.server.requests()}
        self.assertEqual(users, {"kubectl-user"})

    def test_a_bearer_token_and_a_wrong_one(self):
        p = self.kubectl("token", "    token: kubectl-tls-token\n", "cordon", "node-a")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("node/node-a cordoned", p.stdout)
        p = self.kubectl("wrong", "    token: not-the-token\n", "get", "nodes")
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("Unauthorized", p.stdout + p.stderr)


if __name__ == "__main__":
    unittest.main()
