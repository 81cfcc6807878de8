"""Server-sent events hold many idle viewers without a thread each: 1,000 idle /api/v1/events
streams stay open while the API keeps answering, and every viewer gets a published event."""
import resource
import socket
import time
import unittest

from harness import Server, wait_for

VIEWERS = 1000


class ManyIdleViewers(unittest.TestCase):
    def setUp(self):
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        if hard != resource.RLIM_INFINITY and hard < 4 * VIEWERS:
            self.skipTest(f"file descriptor limit {hard} is too low for {VIEWERS} viewers")
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 8192) if hard != resource.RLIM_INFINITY else 8192, hard))
        self.server = Server().start()  # inherits the raised limit
        self.addCleanup(self.server.cleanup)

    def test_a_thousand_idle_viewers_all_receive_an_event(self):
        token = self.server.tokens["alice"]
        sockets = []
        self.addCleanup(lambda: [s.close() for s in sockets])
        request = (f"GET /api/v1/events?access_token={token} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").encode()
        for _ in range(VIEWERS):
            s = socket.create_connection(("127.0.0.1", self.server.port))
            s.sendall(request)
            sockets.append(s)
        wait_for(lambda: f"awoooi_event_viewers {VIEWERS}" in self.server.get("/metrics")[1].decode(),
                 what=f"{VIEWERS} viewers registered")
        start = time.time()
        self.assertEqual(self.server.get("/healthz")[0], 200)
        self.assertLess(time.time() - start, 5)
        self.assertEqual(self.server.post_json("/api/v1/alerts", {"alertname": "Fanout", "service": "web"})[0], 200)
        received = 0
        for s in sockets:
            s.settimeout(10)
            buf = b""
            while b"incident.opened" not in buf:
                chunk = s.recv(65536)
                if not chunk:
                    break
                buf += chunk
            received += b"incident.opened" in buf
        self.assertEqual(received, VIEWERS)


if __name__ == "__main__":
    unittest.main()
