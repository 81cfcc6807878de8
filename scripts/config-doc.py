#!/usr/bin/env python3
"""Regenerates the key table of docs/configuration.md from kConfigKeys in src/server/config.cc
(a unit test fails when the two disagree)."""
import os
import re

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
src = open(os.path.join(root, "src/server/config.cc")).read()
rows = re.findall(r'\{"([a-z_.]+)", "([^"]*)", "((?:[^"\\]|\\.)*)"\}', src)
table = ["| key | environment variable | default | meaning |", "|---|---|---|---|"]
for key, default, meaning in rows:
    env = "AWOOOI_" + key.upper().replace(".", "_")
    table.append(f"| `{key}` | `{env}` | `{default}` | {meaning} |")
path = os.path.join(root, "docs/configuration.md")
doc = open(path).read()
start = doc.index("| key | environment variable |")
end = doc.index("\n\n", start)
open(path, "w").write(doc[:start] + "\n".join(table) + doc[end:])
