#!/usr/bin/env python3
"""Ingestion benchmark, side by side in one run with the same load generator (wrk) and the same
alerts: AWOOOI durable ingestion vs Prometheus Alertmanager's in-memory POST /api/v2/alerts.

  python3 bench/ingest/run.py [--awoooi build/release/awoooi] [--seconds 10] [--connections 16]

Prints a Markdown table (alerts/s, p50/p99, ratio), the p99 latency at half of AWOOOI's peak
request rate, and AWOOOI's RSS after ingesting 1,000,000 alerts.
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "../../test/integration"))
import harness  # noqa: E402


def wrk(url, seconds, connections, per_request, mode, delay_ms=0, threads=1):
    out = subprocess.run(["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s",
                          "-s", os.path.join(HERE, "alerts.lua"), url, "--", str(per_request), mode, str(delay_ms)],
                         capture_output=True, text=True, check=True).stdout
    m = re.search(r"RESULT (.*)", out)
    r = {k: int(v) for k, v in (kv.split("=") for kv in m.group(1).split())}
    secs = r["duration_us"] / 1e6
    ok = r["requests"] - r["non2xx"]
    return {"req_s": r["requests"] / secs, "alerts_s": ok * per_request / secs, "p50_ms": r["p50_us"] / 1000,
            "p99_ms": r["p99_us"] / 1000, "non2xx": r["non2xx"], "requests": r["requests"],
            "errors": r["errors_connect"] + r["errors_read"] + r["errors_write"] + r["errors_timeout"]}


def start_alertmanager():
    am = shutil.which("prometheus-alertmanager")
    tmp = tempfile.mkdtemp(prefix="bench-am-")
    port = harness.free_port()
    with open(f"{tmp}/am.yml", "w") as f:
        f.write("route:\n  receiver: blackhole\nreceivers:\n  - name: blackhole\n")
    proc = subprocess.Popen([am, f"--config.file={tmp}/am.yml", f"--storage.path={tmp}/data",
                             f"--web.listen-address=127.0.0.1:{port}", "--cluster.listen-address="],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    harness.wait_for(lambda: urllib.request.urlopen(f"http://127.0.0.1:{port}/-/ready").status == 200)
    return proc, port, tmp



def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--awoooi", default=os.path.join(HERE, "../../build/release/awoooi"))
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--connections", type=int, default=16)
    ap.add_argument("--skip-rss", action="store_true")
    args = ap.parse_args()
    harness.AWOOOI = os.path.abspath(args.awoooi)
    rows = []

    am, am_port, am_tmp = start_alertmanager()
    try:
        am_url = f"http://127.0.0.1:{am_port}/api/v2/alerts"
        wrk(am_url, 2, args.connections, 1, "amv2")  # warm-up
        rows.append(("Alertmanager 0.25 POST /api/v2/alerts (in memory)", 1,
                     wrk(am_url, args.seconds, args.connections, 1, "amv2")))
        rows.append(("Alertmanager 0.25 POST /api/v2/alerts (in memory)", 100,
                     wrk(am_url, args.seconds, args.connections, 100, "amv2")))
    finally:
        am.terminate()
        am.wait()
        shutil.rmtree(am_tmp, ignore_errors=True)

    server = harness.Server("log:\n  level: warn\n", demo=False)
    server.start()
    try:
        url = f"http://127.0.0.1:{server.port}/api/v1/alerts/alertmanager"
        wrk(url, 2, args.connections, 1, "webhook")
        one = wrk(url, args.seconds, args.connections, 1, "webhook")
        rows.append(("AWOOOI POST /api/v1/alerts/alertmanager (durable, fsync per batch)", 1, one))
        rows.append(("AWOOOI POST /api/v1/alerts/alertmanager (durable, fsync per batch)", 100,
                     wrk(url, args.seconds, args.connections, 100, "webhook")))
        # Half the peak request rate: each connection pauses so the total is about peak / 2.
        per_conn = one["req_s"] / 2 / args.connections
        pause = max(0, int(1000 / per_conn - one["p50_ms"]))
        half = wrk(url, args.seconds, args.connections, 1, "webhook", delay_ms=pause)
        metrics = urllib.request.urlopen(f"http://127.0.0.1:{server.port}/metrics").read().decode()
        rss_before = harness.rss_mb(server.proc.pid)
        rss_after = None
        if not args.skip_rss:
            ingested = int(float(re.search(r'awoooi_alerts_ingested_total\{source="alertmanager"\} (\S+)', metrics).group(1)))
            while ingested < 1_000_000:
                wrk(url, 5, args.connections, 100, "webhook")
                metrics = urllib.request.urlopen(f"http://127.0.0.1:{server.port}/metrics").read().decode()
                ingested = int(float(re.search(r'awoooi_alerts_ingested_total\{source="alertmanager"\} (\S+)', metrics).group(1)))
            rss_after = (ingested, harness.rss_mb(server.proc.pid))
    finally:
        server.cleanup()

    print("| peer | alerts/request | requests/s | alerts/s | p50 ms | p99 ms | non-2xx |")
    print("|---|---|---|---|---|---|---|")
    for name, per, r in rows:
        print(f"| {name} | {per} | {r['req_s']:,.0f} | {r['alerts_s']:,.0f} | {r['p50_ms']:.2f} | {r['p99_ms']:.2f} | {r['non2xx']} |")
    am1 = rows[0][2]["alerts_s"]
    aw1 = rows[2][2]["alerts_s"]
    am100 = rows[1][2]["alerts_s"]
    aw100 = rows[3][2]["alerts_s"]
    print(f"\nratio AWOOOI durable / Alertmanager in-memory: {aw1 / am1:.2f}x (1 alert/request), "
          f"{aw100 / am100:.2f}x (100 alerts/request)")
    print(f"p99 at half of AWOOOI's peak ({half['req_s']:,.0f} req/s of {one['req_s']:,.0f}): {half['p99_ms']:.2f} ms")
    if rss_after:
        print(f"AWOOOI RSS: {rss_before:.0f} MB after the runs above, {rss_after[1]:.0f} MB after {rss_after[0]:,} alerts")
    print(f"machine: {os.cpu_count()} cores, wrk -t1 -c{args.connections} -d{args.seconds}s, same host")


if __name__ == "__main__":
    main()
