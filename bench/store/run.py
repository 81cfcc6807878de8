#!/usr/bin/env python3
"""Store at scale: builds a SQLite store of N alerts in M incidents as `awoooi serve` writes them,
starts a real `awoooi serve` on it and measures start-up to /readyz, RSS, and the p50/p99 latency
of the incident list (filters, keyset pages) and of incident detail with random ids (wrk).

  python3 bench/store/run.py [--awoooi build/release/awoooi] [--alerts 10000000] [--incidents 1000000]
                             [--seconds 10] [--connections 8] [--store DIR] [--keep] [--prune-days 30]

The schema comes from the binary itself (`awoooi migrate`: every migration in
src/plugins/stores/sqlite/migrations); the rows are written directly with Python's sqlite3, shaped
like the rows the ingest writer and the analysis pipeline write (checked against a store filled
through the HTTP API): incidents grouped by service x alertname, the newest `--firing` of them still
firing, each resolved one with all its alerts resolved, each with its analysis document. The
alerts carry no PII, so the shield mints nothing and, as in awoooi itself, no vault rows exist.
Alerts of neighbouring incidents are interleaved, as concurrent incidents' deliveries are. Not
written: the audit trail and the outbox (no measured path reads them).

`--prune-days D` then restarts the server with `store.retention_days: D` and ingests alerts with
wrk (bench/ingest/alerts.lua, 1 alert per request) in 3-second slices before and while the server's
own retention pass (a minute after start) deletes the incidents quiet for D days: it reports the
pass's counts and duration and the ingest p99 of the slices before and during it. The store is
then marked so that `--store` rebuilds it next time.

`--store DIR` keeps the built store in DIR and reuses it when it already holds the same sizes
(building 10M alerts takes minutes). Standard library only.
"""
import argparse
import datetime
import hashlib
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "../../test/integration"))
import harness  # noqa: E402

SERVICES = 2000
ALERTNAMES = ["HighErrorRate", "HighLatency", "PodCrashLooping", "TargetDown", "DiskFull", "MemoryPressure",
              "CPUThrottling", "ReplicationLag", "CertExpiring", "QueueBacklog"]
SPAN_DAYS = 60  # incidents opened over the last 60 days (inside the default 90-day retention)
INTERLEAVE = 64  # alerts of this many neighbouring incidents are written interleaved


def ts(t):
    return datetime.datetime.fromtimestamp(t, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.") + \
        f"{int(t * 1000) % 1000:03d}Z"


def build(awoooi, data_dir, n_alerts, n_incidents, firing):
    os.makedirs(data_dir, exist_ok=True)
    subprocess.run([awoooi, "migrate", "--data-dir", data_dir], check=True, capture_output=True)
    db = sqlite3.connect(os.path.join(data_dir, "awoooi.db"), isolation_level=None)
    db.execute("PRAGMA journal_mode=DELETE")
    db.execute("PRAGMA journal_mode=OFF")
    db.execute("PRAGMA synchronous=OFF")
    db.execute("PRAGMA cache_size=-1000000")
    db.execute("BEGIN")
    now = time.time() - 3600
    start = now - SPAN_DAYS * 86400
    groups = SERVICES * len(ALERTNAMES)
    avg = max(1, n_alerts // n_incidents)
    group_keys = [hashlib.sha256(f"bench-group-{g}".encode()).hexdigest() for g in range(groups)]
    first_firing = n_incidents - firing + 1
    alerts_written = 0
    t0 = time.time()
    inc_rows, alert_rows, analysis_rows = [], [], []

    def flush():
        db.executemany(
            "INSERT INTO incidents (id, group_key, status, service, alertname, severity, title, opened_at, "
            "updated_at, resolved_at, alert_count, firing_count, version, group_labels, notified) "
            "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,1)", inc_rows)
        db.executemany(
            "INSERT INTO alerts (incident_id, fingerprint, status, labels, annotations, starts_at, ends_at, "
            "generator_url, source, received_at, updated_at, receive_count) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
            alert_rows)
        db.executemany(
            "INSERT INTO analyses (incident_id, incident_version, document, thinking, created_at) "
            "VALUES (?,?,?,?,?)", analysis_rows)
        inc_rows.clear()
        alert_rows.clear()
        analysis_rows.clear()

    chunk = []  # (incident id, alert rows) of INTERLEAVE neighbouring incidents
    for i in range(1, n_incidents + 1):
        g = (i - 1) % groups  # consecutive incidents fall in different groups: the newest are firing
        svc = f"svc-{g // len(ALERTNAMES):04d}"
        name = ALERTNAMES[g % len(ALERTNAMES)]
        severity = "critical" if g % 3 == 0 else "warning"
        k = avg + ((i * 37) % (2 * avg - 1)) - (avg - 1) if avg > 1 else 1
        if i == n_incidents:
            k = max(1, n_alerts - alerts_written)
        alerts_written += k
        opened = start + (i / n_incidents) * (now - start)
        is_firing = i >= first_firing
        resolved = opened + 60 + (i * 7919) % 21600
        updated = opened + 30 if is_firing else resolved
        o, u = ts(opened), ts(updated)
        title = f"{name} on {svc}"
        inc_rows.append((i, group_keys[g], "firing" if is_firing else "resolved", svc, name, severity, title, o, u,
                         None if is_firing else u, k, k if is_firing else 0, 1 if is_firing else 2,
                         f'{{"alertname":"{name}","service":"{svc}"}}'))
        rows = []
        for j in range(k):
            pod = f"{svc}-{(i * 31 + j) % 9973:04x}-{j}"
            labels = (f'{{"alertname":"{name}","instance":"{pod}","namespace":"prod","service":"{svc}",'
                      f'"severity":"{severity}"}}')
            rows.append((i, f"{(i * 2654435761 + j * 40503) & 0xFFFFFFFFFFFFFFFF:016x}",
                         "firing" if is_firing else "resolved", labels,
                         f'{{"summary":"{name} on {svc}: instance {pod} above its threshold"}}', o,
                         None if is_firing else u,
                         f"http://prometheus:9090/graph?g0.expr=job%3D%22{svc}%22", "alertmanager", o, u,
                         1 if is_firing else 2))
        chunk.append(rows)
        doc = (f'{{"alertname":"{name}","blast_radius":null,"context":"incident: {svc} (not in the topology)\\n'
               f'alert [{severity}] {svc}: {name} - {title}\\n","incident_id":{i},"incident_version":1,'
               f'"parent_id":null,"proposal":null,"proposal_error":"rejected: root_cause.service \\"{svc}\\" is '
               f'not in the topology","root_cause":null,"service":"{svc}","severity":"{severity}",'
               f'"topology_note":"unknown service \'{svc}\'"}}')
        analysis_rows.append((i, 1, doc, "1. The alerts name " + svc + ". " + "x" * 700, ts(opened + 2)))
        if len(chunk) == INTERLEAVE or i == n_incidents:
            longest = max(len(r) for r in chunk)
            for j in range(longest):
                for rows in chunk:
                    if j < len(rows):
                        alert_rows.append(rows[j])
            chunk = []
            if len(alert_rows) >= 200_000:
                flush()
                done = i / n_incidents
                el = time.time() - t0
                print(f"  built {i:,} incidents, {alerts_written:,} alerts ({el:.0f} s, about "
                      f"{el / done - el:.0f} s left)", file=sys.stderr, flush=True)
    flush()
    db.execute("INSERT INTO plugin_state (key, value, updated_at) VALUES ('bench.store', ?, ?)",
               (f"{n_alerts}/{n_incidents}/{firing}", ts(now)))
    db.execute("COMMIT")
    db.execute("PRAGMA journal_mode=WAL")
    db.close()
    return time.time() - t0


def wrk(port, scenario, token, incidents, firing, seconds, connections):
    out = subprocess.run(["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s",
                          "-s", os.path.join(HERE, "queries.lua"), f"http://127.0.0.1:{port}", "--", scenario,
                          token, str(incidents), str(SERVICES), str(firing)], capture_output=True, text=True, check=True).stdout
    m = re.search(r"RESULT (.*)", out)
    r = {k: int(v) for k, v in (kv.split("=") for kv in m.group(1).split())}
    return {"req_s": r["requests"] / (r["duration_us"] / 1e6), "p50_ms": r["p50_us"] / 1000,
            "p99_ms": r["p99_us"] / 1000, "max_ms": r["max_us"] / 1000, "non2xx": r["non2xx"],
            "errors": r["errors"]}


def wrk_ingest(port, seconds, connections):
    out = subprocess.run(["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", "-s",
                          os.path.join(HERE, "../ingest/alerts.lua"),
                          f"http://127.0.0.1:{port}/api/v1/alerts/alertmanager", "--", "1", "webhook", "0", "1000"],
                         capture_output=True, text=True, check=True).stdout
    m = re.search(r"RESULT (.*)", out)
    r = {k: int(v) for k, v in (kv.split("=") for kv in m.group(1).split())}
    return {"req_s": r["requests"] / (r["duration_us"] / 1e6), "p50_ms": r["p50_us"] / 1000,
            "p99_ms": r["p99_us"] / 1000, "non2xx": r["non2xx"]}


def prune_under_ingest(awoooi, data_dir, tmp, days, connections):
    """Ingest in slices before and during the server's own retention pass."""
    config = os.path.join(tmp, "prune.yaml")
    with open(config, "w") as f:
        f.write(f"log:\n  level: info\nstore:\n  retention_days: {days}\n")
    port = harness.free_port()
    log_path = os.path.join(tmp, "prune.log")
    log = open(log_path, "w")
    started = time.time()
    proc = subprocess.Popen([awoooi, "serve", "--config", config, "--data-dir", data_dir, "--listen",
                             f"127.0.0.1:{port}"], stdout=log, stderr=log)
    pass_start = started + 60  # the maintenance thread's first pass
    before, during, line = [], [], None
    try:
        harness.wait_for(lambda: urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz").status == 200,
                         timeout=120)
        while line is None and time.time() < pass_start + 1800:
            t = time.time()
            r = wrk_ingest(port, 3, connections)
            (during if t + 3 > pass_start else before).append(r)
            with open(log_path) as f:
                m = re.search(r"retention: pruned (\d+) resolved incidents \((\d+) alerts\).* in (\d+) batches",
                              f.read())
            if m:
                line = m
                pass_end = time.time()
    finally:
        proc.terminate()
        proc.wait()
        log.close()
    db = sqlite3.connect(os.path.join(data_dir, "awoooi.db"))
    db.execute("UPDATE plugin_state SET value = 'pruned' WHERE key = 'bench.store'")
    db.commit()
    db.close()
    if line is None:
        return None
    return {"incidents": int(line.group(1)), "alerts": int(line.group(2)), "batches": int(line.group(3)),
            "seconds": pass_end - pass_start, "before": before, "during": during}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--awoooi", default=os.path.join(HERE, "../../build/release/awoooi"))
    ap.add_argument("--alerts", type=int, default=10_000_000)
    ap.add_argument("--incidents", type=int, default=1_000_000)
    ap.add_argument("--firing", type=int, default=2000, help="newest incidents still firing")
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--connections", type=int, default=8)
    ap.add_argument("--store", help="directory for the built store, reused when it holds the same sizes")
    ap.add_argument("--keep", action="store_true", help="keep the temporary store")
    ap.add_argument("--prune-days", type=int, default=0,
                    help="then measure ingestion during a retention pass that prunes incidents quiet this long")
    args = ap.parse_args()
    awoooi = os.path.abspath(args.awoooi)
    firing = min(args.firing, args.incidents, SERVICES * len(ALERTNAMES))
    tmp = tempfile.mkdtemp(prefix="bench-store-")
    data_dir = args.store or os.path.join(tmp, "data")
    db_path = os.path.join(data_dir, "awoooi.db")
    marker = f"{args.alerts}/{args.incidents}/{firing}"
    reuse = False
    if os.path.exists(db_path):
        try:
            row = sqlite3.connect(db_path).execute(
                "SELECT value FROM plugin_state WHERE key = 'bench.store'").fetchone()
            reuse = row is not None and row[0] == marker
        except sqlite3.Error:
            reuse = False
        if not reuse:
            shutil.rmtree(data_dir)
    build_s = None
    if not reuse:
        print(f"building {args.alerts:,} alerts in {args.incidents:,} incidents in {data_dir}", file=sys.stderr)
        build_s = build(awoooi, data_dir, args.alerts, args.incidents, firing)
    db_bytes = sum(os.path.getsize(os.path.join(data_dir, f)) for f in os.listdir(data_dir)
                   if f.startswith("awoooi.db"))

    token_out = subprocess.run([awoooi, "token", "create", "--user", "bench", "--role", "viewer", "--data-dir",
                                data_dir], check=True, capture_output=True, text=True).stdout
    token = re.search(r"(awi_[0-9a-f]+)", token_out).group(1)

    port = harness.free_port()
    config = os.path.join(tmp, "awoooi.yaml")
    with open(config, "w") as f:
        f.write("log:\n  level: warn\n")
    log = open(os.path.join(tmp, "server.log"), "w")
    t0 = time.time()
    proc = subprocess.Popen([awoooi, "serve", "--config", config, "--data-dir", data_dir, "--listen",
                             f"127.0.0.1:{port}"], stdout=log, stderr=log)
    rows = []
    try:
        def ready():
            try:
                return urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=1).status == 200
            except OSError:
                return False
        harness.wait_for(ready, timeout=120, interval=0.01, what="/readyz")
        startup_s = time.time() - t0
        time.sleep(1)
        rss_start = harness.rss_mb(proc.pid)
        scenarios = [
            ("first", "GET /api/v1/incidents (newest 50)"),
            ("page", "GET /api/v1/incidents?before=R (random keyset page)"),
            ("firing", "GET /api/v1/incidents?status=firing&before=R (R among the firing)"),
            ("service", "GET /api/v1/incidents?service=S&before=R"),
            ("both", "GET /api/v1/incidents?status=resolved&service=S&before=R"),
            ("detail", "GET /api/v1/incidents/R (with its alerts)"),
        ]
        wrk(port, "detail", token, args.incidents, firing, 2, args.connections)  # warm-up
        for scenario, name in scenarios:
            rows.append((name, wrk(port, scenario, token, args.incidents, firing, args.seconds, args.connections)))
        rss_end = harness.rss_mb(proc.pid)
        proc.terminate()
        proc.wait()
        pruned = prune_under_ingest(awoooi, data_dir, tmp, args.prune_days, args.connections) \
            if args.prune_days > 0 else None
    finally:
        proc.terminate()
        proc.wait()
        log.close()
        if args.keep:
            print(f"kept {tmp}", file=sys.stderr)
        else:
            shutil.rmtree(tmp, ignore_errors=True)

    print(f"store: {args.alerts:,} alerts, {args.incidents:,} incidents ({firing:,} firing), "
          f"{db_bytes / 1e9:.1f} GB on disk" + (f", built in {build_s:.0f} s" if build_s else " (reused)"))
    print(f"start-up to /readyz: {startup_s:.2f} s; RSS {rss_start:.0f} MB after start, "
          f"{rss_end:.0f} MB after the runs")
    print()
    print("| request | requests/s | p50 ms | p99 ms | max ms | non-2xx |")
    print("|---|---|---|---|---|---|")
    for name, r in rows:
        print(f"| {name} | {r['req_s']:,.0f} | {r['p50_ms']:.2f} | {r['p99_ms']:.2f} | {r['max_ms']:.1f} | "
              f"{r['non2xx'] + r['errors']} |")
    if args.prune_days > 0:
        if pruned is None:
            print(f"\nretention pass (store.retention_days: {args.prune_days}): no pass seen in the server log")
        else:
            def p99s(slices):
                v = sorted(r["p99_ms"] for r in slices)
                return f"median {v[len(v) // 2]:.1f} ms, worst {v[-1]:.1f} ms" if v else "none"
            rate = sum(r["req_s"] for r in pruned["during"]) / max(1, len(pruned["during"]))
            print(f"\nretention pass (store.retention_days: {args.prune_days}): {pruned['incidents']:,} incidents and "
                  f"{pruned['alerts']:,} alerts deleted in {pruned['batches']:,} batches in about "
                  f"{pruned['seconds']:.0f} s while ingesting (wrk -c{args.connections}, 1 alert/request, "
                  f"{rate:,.0f} requests/s during the pass)")
            print(f"ingest p99 of 3-second slices: before the pass {p99s(pruned['before'])}; during it "
                  f"{p99s(pruned['during'])}; non-2xx during it: "
                  f"{sum(r['non2xx'] for r in pruned['during'])}")
    print(f"\nmachine: {os.cpu_count()} cores, wrk -t1 -c{args.connections} -d{args.seconds}s, same host")


if __name__ == "__main__":
    main()
