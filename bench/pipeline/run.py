#!/usr/bin/env python3
"""Pipeline benchmark (issue 5): alert-to-proposal latency with the playbook reasoner under an
ingestion load of about 1,000 alerts/s, the pipeline's throughput in incidents analysed per
second, and memory per open incident.

  python3 bench/pipeline/run.py [--awoooi build/release/awoooi] [--seconds 20]

Latency comes from the server's own histogram awoooi_alert_to_proposal_seconds (commit that
changed an incident -> its proposal stored), read from /metrics; percentiles are interpolated
within the histogram's buckets.
"""
import argparse
import os
import re
import subprocess
import sys
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "../../test/integration"))
import harness  # noqa: E402

LUA = os.path.join(HERE, "../ingest/alerts.lua")


def metrics(port):
    return urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics").read().decode()


def histogram(text, name):
    buckets = [(float("inf") if le == "+Inf" else float(le), float(v))
               for le, v in re.findall(rf'{name}_bucket{{le="([^"]+)"}} (\S+)', text)]
    return buckets


def quantile(buckets, q):
    total = buckets[-1][1]
    if total == 0:
        return float("nan")
    target = q * total
    prev_le, prev_count = 0.0, 0.0
    for le, count in buckets:
        if count >= target:
            if le == float("inf"):
                return prev_le
            frac = (target - prev_count) / max(count - prev_count, 1e-9)
            return prev_le + (le - prev_le) * frac
        prev_le, prev_count = le, count
    return prev_le


def counter(text, name):
    return sum(float(v) for v in re.findall(rf"^{name}(?:{{[^}}]*}})? (\S+)$", text, re.M))



def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--awoooi", default=os.path.join(HERE, "../../build/release/awoooi"))
    ap.add_argument("--seconds", type=int, default=20)
    args = ap.parse_args()
    harness.AWOOOI = os.path.abspath(args.awoooi)

    server = harness.Server("log:\n  level: warn\n", demo=False).start()
    try:
        url = f"http://127.0.0.1:{server.port}/api/v1/alerts/alertmanager"
        rss0 = harness.rss_mb(server.proc.pid)
        # ~1,000 alerts/s: 10 connections, one alert per request, a 10 ms pause between requests;
        # every alert opens a new incident, so every one is analysed (the per-incident
        # min_interval never applies) and the latency is alert -> its incident's first proposal.
        out = subprocess.run(["wrk", "-t1", "-c10", f"-d{args.seconds}s", "-s", LUA, url, "--", "1", "webhook", "10", "0"],
                             capture_output=True, text=True, check=True).stdout
        sent = int(re.search(r"requests=(\d+)", out).group(1))
        time.sleep(2)
        m = metrics(server.port)
        b = histogram(m, "awoooi_alert_to_proposal_seconds")
        analyses = counter(m, "awoooi_analyses_total")
        open_incidents = counter(m, "awoooi_open_incidents")
        rss1 = harness.rss_mb(server.proc.pid)
        print(f"load: {sent / args.seconds:,.0f} alerts/s for {args.seconds} s into {open_incidents:.0f} incidents")
        print(f"alert-to-proposal (playbook): p50 {quantile(b, 0.5) * 1000:.1f} ms, p99 {quantile(b, 0.99) * 1000:.1f} ms "
              f"over {b[-1][1]:.0f} analyses")

        # Throughput: a burst of new incidents, then how fast the pipeline works through them.
        before = analyses
        start = time.time()
        subprocess.run(["wrk", "-t1", "-c8", "-d3s", "-s", LUA, url, "--", "100", "webhook", "0", "0"],
                       capture_output=True, text=True, check=True)
        last = before
        idle_since = None
        while True:
            time.sleep(0.5)
            m = metrics(server.port)
            done = counter(m, "awoooi_analyses_total")
            pending = counter(m, "awoooi_analyses_pending")
            if pending == 0 and done == last:
                idle_since = idle_since or time.time()
                if time.time() - idle_since > 1.0:
                    break
            else:
                idle_since = None
            last = done
        elapsed = (idle_since or time.time()) - start
        print(f"burst: {last - before:.0f} new incidents in 3 s, all analysed {elapsed:.1f} s after the burst began "
              f"({(last - before) / max(elapsed, 1e-9):,.0f} analyses/s; the sustained phase above bounds capacity "
              f"from below when every incident was analysed)")
        print(f"memory: {rss0:.0f} MB idle -> {rss1:.0f} MB with {open_incidents:.0f} open incidents "
              f"(~{(rss1 - rss0) * 1024 / max(open_incidents, 1):.1f} KB per open incident, caches included)")
    finally:
        server.cleanup()


if __name__ == "__main__":
    main()
