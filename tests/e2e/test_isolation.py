"""What a hostile tenant's app can reach (issue 10): from inside its container, an app reaches the router's
port on its bridge's gateway (app-to-app traffic goes through routes) and nothing else of the host's
loopback: not the API, not the router's admin port, not a local service that trusts "localhost only", not a
service listening on every interface, and not another app's container directly.

The probe app is the one of test_health_and_scaling. Only loopback traffic and the platform's own network
namespaces; the only processes started are this test's listeners and platform."""
import json
import socket
import threading
import unittest

from harness import PlatformTest, free_port
from test_health_and_scaling import PROBE_PY


class Listener:
    """A TCP server on the host that counts the connections it accepted."""

    def __init__(self, address):
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((address, 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.accepted = 0
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.accepted += 1
            conn.close()

    def close(self):
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.sock.close()


class IsolationTest(PlatformTest):
    strict_cleanup = True
    admin_port = free_port()
    platform_args = {"extra_args": ["--router-admin-port", str(admin_port)]}

    def get_json(self, host, path):
        status, _h, body = self.get(host, path)
        self.assertEqual(status, 200, (host, path, body[:500]))
        return json.loads(body)

    def push_probe(self, name):
        d = self.make_app({"probe.py": PROBE_PY, "Procfile": "web: python3 probe.py\n"})
        self.p.wharf("push", name, "-b", "binary_buildpack", "-m", "128M", cwd=d)
        self.wait_for_status(f"{name}.localhost", 200)

    def test_an_app_reaches_the_router_and_nothing_else_on_the_host_or_beside_it(self):
        local_only = Listener("127.0.0.1")
        everywhere = Listener("0.0.0.0")
        self.addCleanup(local_only.close)
        self.addCleanup(everywhere.close)
        self.push_probe("attacker")
        self.push_probe("victim")
        attacker, victim = "attacker.localhost", "victim.localhost"
        # the admin port answers on the host: the probe below fails for the network's sake, not its own
        self.assertEqual(socket.create_connection(("127.0.0.1", self.admin_port), 5).close(), None)

        def reach(port, host=""):
            return self.get_json(attacker, f"/connect?port={port}&host={host}")

        addr = self.get_json(attacker, "/addr")
        print(f"\n[measure] attacker's address {addr['addr']}, gateway {addr['gateway']}", flush=True)
        allowed = reach(self.p.router_port)
        self.assertTrue(allowed["connected"], allowed)
        routed = self.get_json(attacker, f"/via-router?port={self.p.router_port}&host={victim}")
        self.assertEqual(routed["status"], 200, routed)
        self.assertIn('"index"', routed["body"], routed)

        closed = {
            "the API": reach(self.p.api_port),
            "the router's admin port": reach(self.admin_port),
            "a 127.0.0.1 service": reach(local_only.port),
            "a 0.0.0.0 service": reach(everywhere.port),
        }
        other = self.get_json(victim, "/addr")
        closed["the other app's container"] = reach(other["port"], other["addr"])
        for what, got in closed.items():
            print(f"[measure] {what}: {got}", flush=True)
            self.assertFalse(got["connected"], (what, got))
        self.assertEqual(local_only.accepted, 0)
        self.assertEqual(everywhere.accepted, 0)
        # the victim itself is fine and the API still answers on the host
        self.assertEqual(self.get_json(victim, "/")["index"], "0")
        self.assertEqual(self.p.api("GET", "/v1/info", auth=False)[0], 200)


if __name__ == "__main__":
    unittest.main()
