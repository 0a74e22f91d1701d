"""The everyday verbs: apps, app, env, set-env, events, logs, routes, domains, delete; and persistence."""
import json
import signal
import unittest

from harness import PlatformTest


class LifecycleTest(PlatformTest):
    def push_simple(self, name="web"):
        d = self.make_app({"index.html": "x"}, manifest=f"applications:\n- name: {name}\n  env:\n    A: one\n")
        self.p.wharf("push", cwd=d)
        return d

    def test_apps_and_app_listings_in_text_and_json(self):
        r = self.p.wharf("apps")
        self.assertIn("No apps found", r.out)
        self.push_simple()
        r = self.p.wharf("apps")
        self.assertIn("web", r.out)
        self.assertIn("web.localhost", r.out)
        apps = json.loads(self.p.wharf("apps", "--json").out)
        self.assertEqual([a["name"] for a in apps], ["web"])
        app = json.loads(self.p.wharf("app", "web", "--json").out)
        self.assertEqual(app["name"], "web")
        self.p.wharf("app", "nope", expect=1)

    def test_env_set_and_unset(self):
        self.push_simple()
        self.assertIn("A: one", self.p.wharf("env", "web").out)
        self.p.wharf("set-env", "web", "B", "two words")
        self.assertEqual(self.app_json("web")["environment_variables"], {"A": "one", "B": "two words"})
        self.p.wharf("unset-env", "web", "A")
        self.assertEqual(self.app_json("web")["environment_variables"], {"B": "two words"})
        self.p.wharf("set-env", "web", "VCAP_SERVICES", "x", expect=1)

    def test_start_without_a_droplet_explains_why(self):
        d = self.make_app({"index.html": "x"}, manifest="applications:\n- name: web\n")
        self.p.wharf("push", "--no-start", cwd=d)
        r = self.p.wharf("start", "web", expect=1)
        self.assertIn("droplet", r.err + r.out)
        self.assertEqual(self.app_json("web")["state"], "STOPPED")

    def test_events_and_recent_logs_record_what_happened(self):
        self.push_simple()
        self.p.wharf("set-env", "web", "B", "2")
        events = self.p.wharf("events", "web").out
        self.assertIn("app-created", events)
        logs = self.p.wharf("logs", "web", "--recent").out
        self.assertIn("[API/0]", logs)

    def test_routes_domains_map_and_unmap(self):
        self.push_simple()
        self.p.wharf("create-domain", "apps.example.org")
        self.assertIn("apps.example.org", self.p.wharf("domains").out)
        self.p.wharf("map-route", "web", "apps.example.org", "--hostname", "api", "--path", "/v1")
        routes = self.p.wharf("routes").out
        self.assertIn("api", routes)
        self.assertIn("/v1", routes)
        self.assertIn("api.apps.example.org/v1", self.app_json("web")["routes"])
        self.p.wharf("unmap-route", "web", "apps.example.org", "--hostname", "api", "--path", "/v1")
        self.assertNotIn("api.apps.example.org/v1", self.app_json("web")["routes"])
        # apps.internal is there from the start (container-to-container names; see test_network_security)
        self.assertRegex(self.p.wharf("domains").out, r"apps\.internal\s+shared\s+true")
        self.p.wharf("create-domain", "Bad_Domain", expect=1)

    def test_delete_needs_confirmation_or_force(self):
        self.push_simple()
        self.p.wharf("delete", "web", input="n\n", expect=None)
        self.assertEqual(self.app_json("web")["name"], "web")
        self.p.wharf("delete", "web", "-f")
        status, body = self.p.api("GET", "/v1/apps?names=web")
        self.assertEqual(body["resources"], [])

    def test_usage_errors_exit_2_and_help_works(self):
        self.assertEqual(self.p.wharf("frobnicate", expect=2).code, 2)
        self.p.wharf("push", "--instances-bogus", expect=2)
        self.assertIn("push", self.p.wharf("help", "push").out)
        self.assertIn("push", self.p.wharf("push", "--help").out)
        self.assertTrue(self.p.wharf("version").out.strip())

    def test_state_survives_sigterm_and_kill_9(self):
        self.push_simple("keep")
        before = self.app_json("keep")
        self.assertEqual(self.p.stop(signal.SIGTERM), 0)
        self.p.start()
        self.assertEqual(self.app_json("keep")["guid"], before["guid"])
        self.p.wharf("set-env", "keep", "C", "3")
        self.p.stop(signal.SIGKILL)
        self.p.start()
        after = self.app_json("keep")
        self.assertEqual(after["environment_variables"]["C"], "3")
        self.assertEqual(after["routes"], before["routes"])
        status, body = self.p.api("GET", f"/v1/apps/{after['guid']}/packages")
        self.assertEqual(len(body["resources"]), 1)
        status, _ = self.p.api("GET", f"/v1/packages/{body['resources'][0]['guid']}/download")
        self.assertEqual(status, 200)


if __name__ == "__main__":
    unittest.main()
