#!/usr/bin/env python3
"""Runs a stdio MCP server and keeps a copy of every byte sent to it (standard library only).

  stdio_tee.py LOG COMMAND [ARG...]

Stdin is copied to the server and appended to LOG; the server's stdout and stderr pass through.
Tests use it to see exactly what reached a real server.
"""
import subprocess
import sys
import threading


def main():
    log_path, command = sys.argv[1], sys.argv[2:]
    child = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=sys.stdout, stderr=sys.stderr)

    def pump():
        with open(log_path, "ab") as log:
            while True:
                data = sys.stdin.buffer.read1(65536)
                if not data:
                    break
                log.write(data)
                log.flush()
                try:
                    child.stdin.write(data)
                    child.stdin.flush()
                except BrokenPipeError:
                    break
        try:
            child.stdin.close()
        except BrokenPipeError:
            pass

    threading.Thread(target=pump, daemon=True).start()
    sys.exit(child.wait())


if __name__ == "__main__":
    main()
