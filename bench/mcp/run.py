#!/usr/bin/env python3
"""MCP round trip benchmark: a trivial tool (echo) of the reference server
(@modelcontextprotocol/server-everything) over stdio and over Streamable HTTP.

  python3 bench/mcp/run.py [--awoooi build/release/awoooi] [--count 2000] [--warmup 200]

For each transport, `awoooi mcp bench` connects once, then times sequential calls two ways:
  client    tools/call through the MCP client alone (JSON-RPC over the transport and back)
  executor  the executor's whole call: rehydrate the action, check the arguments against the tool's
            inputSchema, tools/call, render and redact the result
and prints p50/p99 in milliseconds. Over HTTP, the same call from Python's http.client is timed too:
the Node.js server's own floor. The script runs scripts/install-test-tools first (idempotent).
"""
import argparse
import http.client
import json
import os
import socket
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "../.."))
EVERYTHING = os.path.join(ROOT, "test/npm/node_modules/.bin/mcp-server-everything")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def node_major():
    out = subprocess.run(["node", "--version"], capture_output=True, text=True).stdout
    return int(out.strip().lstrip("v").split(".")[0])


def bench(awoooi, target, count, warmup):
    r = subprocess.run([awoooi, "mcp", "bench", *target, "--tool", "echo", "--args", '{"message":"hello"}',
                        "--count", str(count), "--warmup", str(warmup), "--json"],
                       capture_output=True, text=True, timeout=600)
    if r.returncode != 0:
        sys.exit(f"awoooi mcp bench failed: {r.stderr}")
    return json.loads(r.stdout)


def python_baseline(port, count, warmup):
    """The same echo call from Python's http.client, a new connection per request as awoooi makes:
    the server's own floor, to read the client's share of the HTTP figure against."""
    def post(body, headers):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.request("POST", "/mcp", body=json.dumps(body), headers=headers)
        r = conn.getresponse()
        data = r.read()
        sid = r.getheader("mcp-session-id")
        conn.close()
        return data, sid
    base = {"Content-Type": "application/json", "Accept": "application/json, text/event-stream"}
    _, sid = post({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {
        "protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "bench", "version": "0"}}}, base)
    headers = dict(base, **{"MCP-Session-Id": sid, "MCP-Protocol-Version": "2025-11-25"})
    post({"jsonrpc": "2.0", "method": "notifications/initialized"}, headers)
    times = []
    for i in range(warmup + count):
        t0 = time.perf_counter()
        data, _ = post({"jsonrpc": "2.0", "id": i + 1, "method": "tools/call",
                        "params": {"name": "echo", "arguments": {"message": "hello"}}}, headers)
        if i >= warmup:
            times.append((time.perf_counter() - t0) * 1000)
        assert b"Echo: hello" in data
    times.sort()
    pick = lambda q: times[min(len(times), max(1, int(q * len(times) + 0.999999))) - 1]
    return {"p50_ms": pick(0.5), "p99_ms": pick(0.99), "mean_ms": sum(times) / len(times)}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--awoooi", default=os.path.join(ROOT, "build/release/awoooi"))
    ap.add_argument("--count", type=int, default=2000)
    ap.add_argument("--warmup", type=int, default=200)
    args = ap.parse_args()
    subprocess.run([os.path.join(ROOT, "scripts/install-test-tools")], check=True)

    results = {"stdio": bench(args.awoooi, ["--command", EVERYTHING], args.count, args.warmup)}

    port = free_port()
    env = dict(os.environ, PORT=str(port))
    if node_major() == 18:
        env["NODE_OPTIONS"] = "--experimental-global-webcrypto"
    server = subprocess.Popen([EVERYTHING, "streamableHttp"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              env=env)
    try:
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        results["streamable http"] = bench(args.awoooi, ["--url", f"http://127.0.0.1:{port}/mcp"], args.count,
                                           args.warmup)
        results["streamable http"]["python http.client (baseline)"] = python_baseline(port, args.count, args.warmup)
    finally:
        server.terminate()
        server.wait(timeout=10)

    print(f"MCP echo round trip, {args.count} sequential calls after {args.warmup} warm-up calls "
          f"(node {subprocess.run(['node', '--version'], capture_output=True, text=True).stdout.strip()})")
    print("| transport | path | p50 ms | p99 ms | mean ms |")
    print("|---|---|---|---|---|")
    for transport, r in results.items():
        for path in ("client", "executor", "python http.client (baseline)"):
            if path not in r:
                continue
            p = r[path]
            print(f"| {transport} | {path} | {p['p50_ms']:.3f} | {p['p99_ms']:.3f} | {p['mean_ms']:.3f} |")


if __name__ == "__main__":
    main()
