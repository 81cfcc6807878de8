#!/usr/bin/env python3
"""Regenerates the key table of docs/configuration.md from the binary's own list of keys
(`awoooi config keys`, from ConfigKeys() in src/runtime/config.cc); a unit test fails when the
two disagree. Usage: scripts/config-doc.py [path/to/awoooi] (default build/release/awoooi)."""
import os
import subprocess
import sys

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
binary = sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, "build/release/awoooi")
rows = subprocess.run([binary, "config", "keys"], check=True, capture_output=True, text=True).stdout
table = ["| key | environment variable | default | meaning |", "|---|---|---|---|"]
for line in rows.splitlines():
    key, default, meaning = line.split("\t", 2)
    env = "AWOOOI_" + key.upper().replace(".", "_")
    table.append(f"| `{key}` | `{env}` | `{default}` | {meaning} |")
path = os.path.join(root, "docs/configuration.md")
doc = open(path).read()
start = doc.index("| key | environment variable |")
end = doc.index("\n\n", start)
open(path, "w").write(doc[:start] + "\n".join(table) + doc[end:])
