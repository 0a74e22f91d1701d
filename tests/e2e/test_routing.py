"""The router inside wharfd: database routes reach it, mapped routes without instances answer 503,
unknown hosts 404, and unmapping or deleting a route takes it out of the router."""
import unittest

from harness import PlatformTest


class RoutingTest(PlatformTest):
    def route_error(self, host):
        """(status, X-Wharf-Router-Error) of a GET through the router."""
        status, headers, _ = self.get(host)
        return status, headers.get("x-wharf-router-error")

    def test_mapped_route_without_instances_is_503_and_unknown_host_404(self):
        d = self.make_app({"index.html": "x"}, manifest="applications:\n- name: web\n")
        self.p.wharf("push", "--no-start", cwd=d)
        self.wait_for_status("web.localhost", 503, timeout=10)
        self.assertEqual(self.route_error("web.localhost"), (503, "no_endpoints"))
        self.assertEqual(self.route_error("WEB.localhost:1234")[0], 503)  # case and port do not matter
        self.assertEqual(self.route_error("nope.localhost"), (404, "unknown_route"))

    def test_unmapped_and_deleted_routes_leave_the_router(self):
        d = self.make_app({"index.html": "x"}, manifest="applications:\n- name: web\n")
        self.p.wharf("push", "--no-start", cwd=d)
        self.wait_for_status("web.localhost", 503, timeout=10)
        app_guid = self.app_json("web")["guid"]
        status, routes = self.p.api("GET", "/v1/routes?app_guid=" + app_guid)
        self.assertEqual(status, 200, routes)
        route_guid = routes["resources"][0]["guid"]
        status, body = self.p.api("DELETE", f"/v1/routes/{route_guid}/destinations/{app_guid}")
        self.assertEqual(status, 200, body)
        self.wait_for_status("web.localhost", 404, timeout=10)
        status, body = self.p.api("POST", f"/v1/routes/{route_guid}/destinations", {"app_guid": app_guid})
        self.assertEqual(status, 200, body)
        self.wait_for_status("web.localhost", 503, timeout=10)
        status, body = self.p.api("DELETE", f"/v1/routes/{route_guid}")
        self.assertEqual(status, 204, body)
        self.wait_for_status("web.localhost", 404, timeout=10)

    def lb_in_routing_table(self, route):
        status, table = self.p.api("GET", "/v1/routing/table")
        self.assertEqual(status, 200, table)
        return {r["route"]: r["load_balancing"] for r in table["routes"]}.get(route)

    def test_route_options_and_domains_from_the_cli(self):
        r = self.p.wharf("create-route", "localhost", "--hostname", "lc", "--option", "loadbalancing=least-connection")
        self.assertIn("Route lc.localhost has been created.", r.out)
        self.assertIn("already exists", self.p.wharf("create-route", "localhost", "--hostname", "lc").out)
        self.assertIn("loadbalancing=least-connection", self.p.wharf("routes").out)
        bad = self.p.wharf("create-route", "localhost", "--hostname", "x", "--option", "loadbalancing=random", expect=None)
        self.assertNotEqual(bad.code, 0)
        self.assertIn("'random' is not round-robin, least-connection or hash", bad.err)

        d = self.make_app({"index.html": "x"}, manifest="applications:\n- name: web\n")
        self.p.wharf("push", "--no-start", cwd=d)
        self.p.wharf("map-route", "web", "localhost", "--hostname", "lc")
        self.poll("least-connection in the routing table",
                  lambda: self.lb_in_routing_table("lc.localhost") == "least-connection")
        r = self.p.wharf("update-route", "localhost", "--hostname", "lc", "--remove-option", "loadbalancing")
        self.assertIn("loadbalancing=round-robin", r.out)
        self.poll("round-robin in the routing table", lambda: self.lb_in_routing_table("lc.localhost") == "round-robin")
        self.assertNotIn("loadbalancing=", self.p.wharf("routes").out)

        self.p.wharf("create-domain", "apps.test")
        self.assertIn("apps.test", self.p.wharf("domains").out)
        self.p.wharf("delete-domain", "apps.test", "-f")
        self.assertNotIn("apps.test", self.p.wharf("domains").out)

    def test_routes_survive_a_restart(self):
        d = self.make_app({"index.html": "x"}, manifest="applications:\n- name: web\n")
        self.p.wharf("push", "--no-start", cwd=d)
        self.p.stop()
        self.p.start()
        self.wait_for_status("web.localhost", 503, timeout=10)


if __name__ == "__main__":
    unittest.main()
