"""`wharfd --roles router`: a router in its own process that follows the API's route stream. It routes
a pushed app, keeps routing it while the main wharfd is stopped (instances outlive wharfd, and so does
the router's last table), and takes route changes made after wharfd is back."""
import os
import time
import unittest

from harness import EXAMPLES, PlatformTest

STATIC_SITE = os.path.join(EXAMPLES, "static-site")
PAGE_TEXT = b"Hello from Wharf"


class StandaloneRouterTest(PlatformTest):
    strict_cleanup = True

    def test_routes_an_app_and_keeps_routing_while_the_api_is_down(self):
        port = self.start_router()
        self.p.wharf("push", cwd=STATIC_SITE)
        status, _h, body = self.wait_for_status("hello.localhost", 200, port=port)
        self.assertIn(PAGE_TEXT, body)
        status, headers, _ = self.get("nope.localhost", port=port)
        self.assertEqual((status, headers.get("x-wharf-router-error")), (404, "unknown_route"))
        self.assertIn("following the routing table of", self.router_log())
        # The table it follows: the instance's address, tagged with the revision it runs.
        status, table = self.p.api("GET", "/v1/routing/table")
        self.assertEqual(status, 200, table)
        hello = [r for r in table["routes"] if r["route"] == "hello.localhost"]
        self.assertEqual(len(hello), 1, table)
        self.assertEqual(len(hello[0]["endpoints"]), 1, table)
        droplet = self.app_json("hello")["current_droplet_guid"]
        self.assertRegex(hello[0]["endpoints"][0]["version"], r"^r\d+-" + droplet[:8] + "-g", hello)
        # Its access log reaches the app's logs through the API.
        self.assertEqual(self.get("hello.localhost", "/index.html?via=standalone", port=port)[0], 200)
        self.poll("the standalone router's [RTR/0] line in wharf logs",
                  lambda: [ln for ln in self.p.wharf("logs", "hello", "--recent").out.splitlines()
                           if "[RTR/0]" in ln and "via=standalone" in ln])

        # The API (and the in-process router) go away; the instance and the standalone router stay.
        self.assertEqual(self.p.stop(), 0)
        self.poll("the router to notice the API is gone", lambda: "lost the API" in self.router_log())
        for _ in range(10):
            status, _h, body = self.get("hello.localhost", port=port)
            self.assertEqual(status, 200, self.router_log())
            self.assertIn(PAGE_TEXT, body)
            time.sleep(0.2)
        self.assertIsNone(self.router_proc.poll())
        # Even a router restarted meanwhile serves the last table it had (kept in the data folder).
        self.stop_router()
        self.start_router(port=port)
        status, _h, body = self.wait_for_status("hello.localhost", 200, port=port)
        self.assertIn(PAGE_TEXT, body)
        self.assertIn("serving the last routing table it had", self.router_log())

        # wharfd is back. Its first table already has the adopted instance, so the router never sees the
        # route without it (no 503 while the cell re-adopts); the router reconnects within its backoff (5 s).
        self.p.start()
        not_ok = []
        deadline = time.monotonic() + 6
        while time.monotonic() < deadline:
            status = self.get("hello.localhost", port=port)[0]
            if status != 200:
                not_ok.append(status)
            time.sleep(0.05)
        self.assertEqual(not_ok, [], self.router_log())
        self.poll("the router to follow the new API", lambda: self.router_log().count("following the routing table") >= 2)
        # A route mapped now reaches the standalone router, and a stop empties the route.
        self.p.wharf("map-route", "hello", "localhost", "--hostname", "hello-again")
        status, _h, body = self.wait_for_status("hello-again.localhost", 200, port=port)
        self.assertIn(PAGE_TEXT, body)
        self.p.wharf("stop", "hello")
        self.wait_for_status("hello.localhost", 503, port=port)

    def test_a_router_started_before_the_api_waits_for_it(self):
        self.assertEqual(self.p.stop(), 0)
        port = self.start_router("--api-url", self.p.api_url)
        self.poll("the router to report the API unreachable", lambda: "cannot reach the API" in self.router_log())
        self.wait_for_status("hello.localhost", 404, port=port)  # listening, but no table yet: nothing routed
        self.p.start()
        self.p.wharf("push", cwd=STATIC_SITE)
        self.wait_for_status("hello.localhost", 200, port=port)

    def test_the_route_stream_needs_a_routing_token(self):
        status, body = self.p.api("GET", "/v1/routing/table", auth=False)
        self.assertEqual(status, 401, body)
        # The router user's token (what a standalone router uses by default) reads the table and nothing else.
        token_file = os.path.join(self.p.data_dir, "router-token")
        self.assertEqual(os.stat(token_file).st_mode & 0o777, 0o600)
        with open(token_file) as f:
            token = f.read().strip()
        status, body = self.p.api("GET", "/v1/routing/table", token=token)
        self.assertEqual(status, 200, body)
        self.assertIn("routes", body)
        status, body = self.p.api("GET", "/v1/apps", token=token)
        self.assertEqual(status, 403, body)
        self.assertIn("may only use the routing API", body["detail"])
        bad = os.path.join(self.p.root, "bad-token")
        with open(bad, "w") as f:
            f.write("wharf_" + "0" * 64 + "\n")
        port = self.start_router("--api-token-file", bad)
        self.poll("the router to report the refusal", lambda: "answered 401" in self.router_log())
        self.assertNotIn("0" * 64, self.router_log())
        self.wait_for_status("hello.localhost", 404, port=port)


if __name__ == "__main__":
    unittest.main()
