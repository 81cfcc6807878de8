"""Acknowledged = durable: kill -9 under load loses no alert that got a 2xx; SIGTERM finishes
in-flight requests."""
import http.client
import json
import os
import signal
import sqlite3
import sys
import threading
import time
import unittest

from harness import Server, alertmanager_payload, am_alert


def load(port, prefix, acked, errors, stop, per_request=1):
    n = 0
    conn = None
    while not stop.is_set():
        names = [f"{prefix}-{n + i}" for i in range(per_request)]
        n += per_request
        body = json.dumps(alertmanager_payload([am_alert({"alertname": a, "service": "load"}) for a in names]))
        try:
            if conn is None:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            conn.request("POST", "/api/v1/alerts/alertmanager", body=body, headers={"Content-Type": "application/json"})
            resp = conn.getresponse()
            resp.read()
            if 200 <= resp.status < 300:
                acked.extend(names)
            else:
                errors.append(resp.status)
        except (OSError, http.client.HTTPException):
            conn = None
            time.sleep(0.01)


def stored_alertnames(db_path):
    db = sqlite3.connect(db_path)
    names = {json.loads(row[0]).get("alertname") for row in db.execute("SELECT labels FROM alerts")}
    db.close()
    return names


class Durability(unittest.TestCase):
    def run_load(self, server, seconds, threads=8, per_request=1):
        acked, errors, stop = [], [], threading.Event()
        workers = [threading.Thread(target=load, args=(server.port, f"t{i}", acked, errors, stop, per_request))
                   for i in range(threads)]
        for w in workers:
            w.start()
        time.sleep(seconds)
        return acked, errors, stop, workers

    def test_kill_minus_nine_under_load_loses_no_acknowledged_alert(self):
        server = Server()
        self.addCleanup(server.cleanup)
        server.start()
        acked, errors, stop, workers = self.run_load(server, 3.0, per_request=5)
        server.kill9()  # mid-load: requests are in flight right now
        stop.set()
        for w in workers:
            w.join()
        self.assertGreater(len(acked), 500, "the load generator should have been acknowledged many times")
        stored = stored_alertnames(os.path.join(server.data_dir, "awoooi.db"))
        lost = [a for a in acked if a not in stored]
        print(f"\nkill -9 under load: {len(acked)} alerts acknowledged, {len(lost)} lost, "
              f"{len(stored)} stored", file=sys.stderr)
        self.assertEqual(lost, [], f"{len(lost)} acknowledged alerts lost of {len(acked)}")
        # And the server starts again on the same data.
        again = Server(data_dir=server.data_dir)
        self.addCleanup(again.cleanup)
        again.start()
        self.assertEqual(again.get("/readyz")[0], 200)

    def test_sigterm_finishes_in_flight_requests_and_keeps_what_it_acknowledged(self):
        server = Server()
        self.addCleanup(server.cleanup)
        server.start()
        acked, errors, stop, workers = self.run_load(server, 1.5)
        rc = server.stop(signal.SIGTERM)
        stop.set()
        for w in workers:
            w.join()
        self.assertEqual(rc, 0, "graceful shutdown exits 0")
        stored = stored_alertnames(os.path.join(server.data_dir, "awoooi.db"))
        self.assertEqual([a for a in acked if a not in stored], [])
        self.assertNotIn(500, errors)


if __name__ == "__main__":
    unittest.main()
