"""Route registrations over NATS (issue 17): wharfd's api role publishes its routing table on a real
nats-server (Debian's) as gorouter-style router.register / router.unregister messages, and a router-only
wharfd started with --nats-url builds its table from them (two such routers converge on the same one). Route
changes reach them; they keep serving while NATS is down and catch up when NATS is back, and while the API
restarts.

Only loopback traffic; the test signals only the nats-server it started, by its pid."""
import os
import shutil
import signal
import subprocess
import time

from harness import EXAMPLES, PlatformTest, free_port

STATIC_SITE = os.path.join(EXAMPLES, "static-site")
PAGE_TEXT = b"Hello from Wharf"
NATS_SERVER = shutil.which("nats-server") or "/usr/sbin/nats-server"


class NatsServer:
    def __init__(self, root):
        self.port = free_port()
        self.url = f"nats://127.0.0.1:{self.port}"
        self.log = open(os.path.join(root, "nats-server.log"), "ab")
        self.proc = None

    def start(self):
        self.proc = subprocess.Popen([NATS_SERVER, "-a", "127.0.0.1", "-p", str(self.port)],
                                     stdout=self.log, stderr=self.log, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                import socket
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.05)
        raise AssertionError("nats-server did not listen within 10 s")

    def kill(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()

    def close(self):
        self.kill()
        self.log.close()


class NatsRoutingTest(PlatformTest):
    strict_cleanup = True

    def setUp(self):
        self.assertTrue(os.access(NATS_SERVER, os.X_OK), "nats-server is not installed (scripts/setup.sh installs it)")
        import tempfile
        self.nats_dir = tempfile.mkdtemp(prefix="wharf-nats-")
        self.addCleanup(shutil.rmtree, self.nats_dir, True)
        self.nats = NatsServer(self.nats_dir)
        self.nats.start()
        self.addCleanup(self.nats.close)
        self.platform_args = {"extra_args": ["--nats-url", self.nats.url]}
        super().setUp()

    def start_nats_router(self):
        return self.start_router("--nats-url", self.nats.url, "--route-register-interval", "2",
                                 "--route-prune-threshold", "10")

    def until_status(self, host, status, port, timeout=20):
        """Seconds until `host` answers `status` through the router on `port`."""
        began = time.monotonic()
        self.wait_for_status(host, status, port=port, timeout=timeout)
        return time.monotonic() - began

    def serves_throughout(self, port, seconds, host="hello.localhost"):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            status, _h, body = self.get(host, port=port)
            self.assertEqual(status, 200, self.router_log())
            self.assertIn(PAGE_TEXT, body)
            time.sleep(0.2)

    def test_routes_travel_over_nats_and_survive_nats_and_api_restarts(self):
        port = self.start_nats_router()
        first_log = self.router_log
        other = self.start_nats_router()  # a second router on the same bus converges on the same table
        self.router_log = first_log
        self.p.wharf("push", cwd=STATIC_SITE)
        self.wait_for_status("hello.localhost", 200, port=port, timeout=30)
        self.wait_for_status("hello.localhost", 200, port=other, timeout=10)
        self.assertIn("on NATS; asked the emitters for every route", self.router_log())
        status, headers, _ = self.get("nope.localhost", port=port)
        self.assertEqual((status, headers.get("x-wharf-router-error")), (404, "unknown_route"))

        # A new route: from the API's commit to the other router, through NATS.
        self.p.wharf("map-route", "hello", "localhost", "--hostname", "second")
        mapped = self.until_status("second.localhost", 200, port)
        self.wait_for_status("second.localhost", 200, port=other, timeout=5)
        # Unmapped: the router forgets it at once (router.unregister), not after the prune threshold.
        self.p.wharf("unmap-route", "hello", "localhost", "--hostname", "second")
        unmapped = self.until_status("second.localhost", 404, port, timeout=5)
        print(f"\n[measure] over NATS: a mapped route served by the other router after {mapped:.2f}s, "
              f"an unmapped one gone after {unmapped:.2f}s", flush=True)

        # NATS dies: the router keeps its table well past its prune threshold (10 s).
        self.nats.kill()
        self.poll("the router to notice NATS is gone", lambda: "disconnected; serving the last routing table"
                  in self.router_log(), timeout=10)
        self.serves_throughout(port, 12)
        # A change made while NATS is away arrives once it is back (and not before: this router's routes
        # come over NATS only, not from the API's stream).
        self.p.wharf("map-route", "hello", "localhost", "--hostname", "third")
        time.sleep(1)
        self.assertEqual(self.get("third.localhost", port=port)[0], 404)
        self.nats.start()
        back = self.until_status("third.localhost", 200, port, timeout=30)
        print(f"[measure] NATS restarted: a route mapped while it was down served after {back:.2f}s", flush=True)
        self.serves_throughout(port, 3)

        # The API restarts (its emitter with it): the router keeps serving throughout, and afterwards the
        # routes stay (the new emitter sends them again before the prune threshold).
        self.assertEqual(self.p.stop(), 0)
        self.serves_throughout(port, 2)
        self.p.start()
        self.serves_throughout(port, 14)
        self.assertEqual(self.get("third.localhost", port=port)[0], 200)
        self.assertEqual(self.get("third.localhost", port=other)[0], 200)
