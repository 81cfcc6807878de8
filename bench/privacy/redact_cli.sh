#!/bin/sh
# `awoooi redact` end to end (read, redact, label, write) on a PII-dense log, one value every ~90
# bytes, and on a clean log: wall-clock MB/s (median of RUNS), findings, bytes per finding.
#
# usage: bench/privacy/redact_cli.sh [AWOOOI_BINARY] [MEGABYTES] [RUNS]
#   defaults: build/release/awoooi, 256 MB, 3 runs
# The logs are generated once into ${TMPDIR:-/tmp}/awoooi-redact-bench/ (bench/privacy/dense_log.py).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
bin=${1:-build/release/awoooi}
mb=${2:-256}
runs=${3:-3}
dir=${TMPDIR:-/tmp}/awoooi-redact-bench
mkdir -p "$dir"
py=/usr/bin/python3
[ -x "$py" ] || py=python3
for kind in dense clean; do
  log="$dir/$kind-$mb.log"
  [ -s "$log" ] || "$py" "$here/dense_log.py" "$mb" "$kind" > "$log"
done

"$py" - "$bin" "$dir" "$mb" "$runs" <<'EOF'
import os, re, statistics, subprocess, sys, time
bin, d, mb, runs = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
for kind in ("dense", "clean"):
    log = os.path.join(d, "%s-%s.log" % (kind, mb))
    size = os.path.getsize(log)
    rates, stats = [], ""
    for _ in range(runs):
        with open(log, "rb") as f, open(os.devnull, "wb") as out:
            t0 = time.perf_counter()
            p = subprocess.run([bin, "redact", "--stats"], stdin=f, stdout=out, stderr=subprocess.PIPE, check=True)
            t1 = time.perf_counter()
        rates.append(size / 1e6 / (t1 - t0))
        stats = p.stderr.decode()
    findings = int(re.search(r"findings: (\d+)", stats).group(1))
    print("%-5s %7.1f MB  %8.1f MB/s wall (median of %d: %s)  findings %d  bytes/finding %.1f"
          % (kind, size / 1e6, statistics.median(rates), runs, " ".join("%.0f" % r for r in rates), findings,
             size / max(findings, 1)))
EOF
