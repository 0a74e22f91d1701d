"""The router inside wharfd: database routes reach it, mapped routes without instances answer 503,
unknown hosts 404, and unmapping or deleting a route takes it out of the router."""
import http.client
import time
import unittest

from harness import PlatformTest


class RoutingTest(PlatformTest):
    def get(self, host, path="/"):
        conn = http.client.HTTPConnection("127.0.0.1", self.p.router_port, timeout=10)
        try:
            try:
                conn.request("GET", path, headers={"Host": host})
            except ConnectionRefusedError:  # the router starts just after the API answers
                return 0, None, b""
            resp = conn.getresponse()
            return resp.status, resp.getheader("X-Wharf-Router-Error"), resp.read()
        finally:
            conn.close()

    def wait_for(self, host, status, timeout=10):
        deadline = time.monotonic() + timeout
        while True:
            got = self.get(host)
            if got[0] == status or time.monotonic() > deadline:
                return got
            time.sleep(0.1)

    def test_mapped_route_without_instances_is_503_and_unknown_host_404(self):
        d = self.make_app({"index.html": "x"}, manifest="applications:\n- name: web\n")
        self.p.wharf("push", "--no-start", cwd=d)
        status, error, _ = self.wait_for("web.localhost", 503)
        self.assertEqual((status, error), (503, "no_endpoints"))
        status, error, _ = self.get("WEB.localhost:1234")  # case and port do not matter
        self.assertEqual(status, 503)
        status, error, _ = self.get("nope.localhost")
        self.assertEqual((status, error), (404, "unknown_route"))

    def test_unmapped_and_deleted_routes_leave_the_router(self):
        d = self.make_app({"index.html": "x"}, manifest="applications:\n- name: web\n")
        self.p.wharf("push", "--no-start", cwd=d)
        self.assertEqual(self.wait_for("web.localhost", 503)[0], 503)
        app_guid = self.app_json("web")["guid"]
        status, routes = self.p.api("GET", "/v1/routes?app_guid=" + app_guid)
        self.assertEqual(status, 200, routes)
        route_guid = routes["resources"][0]["guid"]
        status, body = self.p.api("DELETE", f"/v1/routes/{route_guid}/destinations/{app_guid}")
        self.assertEqual(status, 200, body)
        self.assertEqual(self.wait_for("web.localhost", 404)[0], 404)
        status, body = self.p.api("POST", f"/v1/routes/{route_guid}/destinations", {"app_guid": app_guid})
        self.assertEqual(status, 200, body)
        self.assertEqual(self.wait_for("web.localhost", 503)[0], 503)
        status, body = self.p.api("DELETE", f"/v1/routes/{route_guid}")
        self.assertEqual(status, 204, body)
        self.assertEqual(self.wait_for("web.localhost", 404)[0], 404)

    def test_routes_survive_a_restart(self):
        d = self.make_app({"index.html": "x"}, manifest="applications:\n- name: web\n")
        self.p.wharf("push", "--no-start", cwd=d)
        self.p.stop()
        self.p.start()
        self.assertEqual(self.wait_for("web.localhost", 503)[0], 503)


if __name__ == "__main__":
    unittest.main()
