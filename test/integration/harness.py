"""Test harness: starts real `awoooi serve` processes (and peers) on loopback and talks HTTP.

Every test starts the processes it needs and stops them, so tests are independent. Only the
Python standard library is used.
"""
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import unittest

AWOOOI = os.environ.get("AWOOOI_BIN", os.path.join(os.path.dirname(__file__), "../../build/release/awoooi"))
SOURCE_DIR = os.path.abspath(os.path.join(os.path.dirname(__file__), "../.."))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_mb(pid):
    """Resident memory of a process, in MB (for benchmarks)."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def wait_for(predicate, timeout=20.0, interval=0.05, what="condition"):
    deadline = time.time() + timeout
    last = None
    while time.time() < deadline:
        try:
            last = predicate()
            if last:
                return last
        except Exception as e:  # noqa: BLE001 - retried until the deadline
            last = e
        time.sleep(interval)
    raise AssertionError(f"timed out waiting for {what} (last: {last!r})")


class Server:
    """An `awoooi serve` process with its own data directory and config."""

    def __init__(self, config_yaml="", data_dir=None, env=None, demo=True, extra_args=()):
        self.tmp = tempfile.mkdtemp(prefix="awoooi-it-")
        self.data_dir = data_dir or os.path.join(self.tmp, "data")
        self.port = free_port()
        self.config_path = os.path.join(self.tmp, "awoooi.yaml")
        with open(self.config_path, "w") as f:
            f.write(config_yaml)
        self.log_path = os.path.join(self.tmp, "server.log")
        self.out_path = os.path.join(self.tmp, "server.out")
        self.env = dict(os.environ, **(env or {}))
        self.demo = demo
        self.extra_args = list(extra_args)
        self.proc = None
        self.tokens = {}

    def start(self):
        # free_port() only finds a port that was free a moment ago: a parallel test's client
        # connection can take it before the server binds it. Then start again on another port.
        for attempt in range(3):
            log_offset = os.path.getsize(self.log_path) if os.path.exists(self.log_path) else 0
            args = [AWOOOI, "serve", "--config", self.config_path, "--data-dir", self.data_dir,
                    "--listen", f"127.0.0.1:{self.port}"] + self.extra_args
            if self.demo:
                args.append("--demo")
            self._out = open(self.out_path, "a")
            self._err = open(self.log_path, "a")
            self.proc = subprocess.Popen(args, stdout=self._out, stderr=self._err, env=self.env)
            if self._wait_healthy(log_offset):
                break
            self._out.close()
            self._err.close()
            self.port = free_port()
        else:
            raise AssertionError("awoooi serve found no free port in three attempts")
        if self.demo:
            with open(self.out_path) as f:
                text = f.read()
            for name, token in re.findall(r"^\s+(\w+) \(\w+\): (awi_[0-9a-f]+)$", text, re.M):
                self.tokens[name] = token
        return self

    def _wait_healthy(self, log_offset, timeout=20.0):
        """True once /healthz answers 200; False if the server exited because its port was taken.
        Any other early exit fails with the server's own words."""
        deadline = time.time() + timeout
        last = None
        while time.time() < deadline:
            if self.proc.poll() is not None:
                with open(self.log_path, errors="replace") as f:
                    f.seek(log_offset)
                    said = f.read()
                if "Address already in use" in said:
                    return False
                raise AssertionError(f"awoooi serve exited with {self.proc.returncode} before it was healthy:\n"
                                     f"{said[-3000:]}")
            try:
                if self.request("GET", "/healthz", timeout=2)[0] == 200:
                    return True
            except Exception as e:  # noqa: BLE001 - not listening yet
                last = e
            time.sleep(0.05)
        raise AssertionError(f"timed out waiting for server health (last: {last!r}):\n{self.logs()[-3000:]}")

    def stop(self, sig=signal.SIGTERM, timeout=30):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        for f in (getattr(self, "_out", None), getattr(self, "_err", None)):
            if f:
                f.close()
        return self.proc.returncode if self.proc else None

    def kill9(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def cleanup(self):
        self.stop()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def logs(self):
        text = ""
        for path in (self.log_path, self.out_path):
            with open(path, errors="replace") as f:
                text += f.read()
        return text

    def request(self, method, path, body=None, headers=None, token=None, timeout=30):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        hdrs = dict(headers or {})
        if token:
            hdrs["Authorization"] = f"Bearer {token}"
        if isinstance(body, (dict, list)):
            body = json.dumps(body)
            hdrs.setdefault("Content-Type", "application/json")
        conn.request(method, path, body=body, headers=hdrs)
        resp = conn.getresponse()
        data = resp.read()
        conn.close()
        return resp.status, data, dict(resp.getheaders())

    def get(self, path, token=None):
        status, data, _ = self.request("GET", path, token=token)
        return status, data

    def get_json(self, path, token=None):
        status, data = self.get(path, token or self.tokens.get("alice"))
        return status, json.loads(data) if data else None

    def post_json(self, path, payload, headers=None, token=None):
        status, data, _ = self.request("POST", path, body=payload, headers=headers, token=token)
        return status, json.loads(data) if data else None

    def incidents(self, query=""):
        status, body = self.get_json("/api/v1/incidents" + query)
        assert status == 200, (status, body)
        return body["incidents"]


def alertmanager_payload(alerts, status="firing"):
    """A webhook body shaped exactly like Alertmanager 0.25 sends it."""
    return {
        "receiver": "awoooi", "status": status, "alerts": alerts,
        "groupLabels": {}, "commonLabels": {}, "commonAnnotations": {},
        "externalURL": "http://alertmanager:9093", "version": "4", "groupKey": "{}:{}", "truncatedAlerts": 0,
    }


def am_alert(labels, annotations=None, status="firing", starts="2026-11-25T03:00:00Z",
             ends="0001-01-01T00:00:00Z"):
    return {"status": status, "labels": labels, "annotations": annotations or {}, "startsAt": starts,
            "endsAt": ends, "generatorURL": "http://prometheus:9090/graph", "fingerprint": "0"}


class ServerTest(unittest.TestCase):
    """Starts one server per test with `config` (a YAML string)."""
    config = ""

    def setUp(self):
        self.server = Server(self.config).start()
        self.addCleanup(self.server.cleanup)
