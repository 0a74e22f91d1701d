"""What a new user does with a running app: push the bundled example and reach it through the router,
read its logs, stop and start it, restart wharfd under it, see a crash and a staging failure explained,
and scale it out. Containers outlive wharfd, so cleanup here is strict: a leaked container fails the test."""
import os
import re
import signal
import time
import unittest

from harness import EXAMPLES, PlatformTest

STATIC_SITE = os.path.join(EXAMPLES, "static-site")
PAGE_TEXT = b"Hello from Wharf"


class RunningAppTest(PlatformTest):
    strict_cleanup = True

    # --- helpers ----------------------------------------------------------------
    def web_process_guid(self, app_name):
        app = self.app_json(app_name)
        status, body = self.p.api("GET", f"/v1/apps/{app['guid']}/processes/web")
        self.assertEqual(status, 200, body)
        return body["guid"]

    def instances(self, app_name):
        status, body = self.p.api("GET", f"/v1/processes/{self.web_process_guid(app_name)}/instances")
        self.assertEqual(status, 200, body)
        return body["resources"]

    def running_instances(self, app_name, count):
        """Waits until exactly `count` instances are RUNNING and returns them."""
        def check():
            inst = self.instances(app_name)
            running = [i for i in inst if i["state"] == "RUNNING"]
            return running if len(running) == count and len(inst) == count else None
        return self.poll(f"{count} RUNNING instance(s) of {app_name}", check, timeout=30)

    def recent_logs(self, app_name):
        return self.p.wharf("logs", app_name, "--recent").out

    def push_hello(self):
        r = self.p.wharf("push", cwd=STATIC_SITE)
        self.wait_for_status("hello.localhost", 200)
        return r

    # --- tests --------------------------------------------------------------------
    def test_push_the_example_and_reach_it_through_the_router(self):
        r = self.push_hello()
        self.assertIn(f"App hello is available at http://hello.localhost:{self.p.router_port}", r.out)
        status, _headers, body = self.get("hello.localhost")
        self.assertEqual(status, 200)
        self.assertIn(PAGE_TEXT, body)

        app = self.p.wharf("app", "hello").out
        self.assertRegex(app, r"(?m)^#0\s+running\s", app)
        self.assertEqual([i["state"] for i in self.instances("hello")], ["RUNNING"])

        logs = self.recent_logs("hello")
        self.assertIn("[STG/0]", logs)
        self.assertIn("[CELL/0]", logs)
        # the request above is logged by the router and by nginx in the app; both arrive asynchronously
        logs = self.poll("[RTR/0] and [APP/PROC/WEB/0] lines in the recent logs",
                         lambda: (lambda l: l if "[RTR/0]" in l and "[APP/PROC/WEB/0]" in l else None)(
                             self.recent_logs("hello")), timeout=10, interval=0.5)
        rtr = [line for line in logs.splitlines() if "[RTR/0]" in line]
        self.assertTrue(any("hello.localhost" in line and '"GET / HTTP/1.1" 200' in line for line in rtr), rtr)

    def test_stop_and_start(self):
        self.push_hello()
        self.p.wharf("stop", "hello")
        status, headers, _ = self.wait_for_status("hello.localhost", 503, timeout=5)
        self.assertEqual(headers.get("x-wharf-router-error"), "no_endpoints")
        self.poll("no instances listed after stop", lambda: self.instances("hello") == [], timeout=10)
        self.assertEqual(self.app_json("hello")["state"], "STOPPED")

        self.p.wharf("start", "hello")
        _, _, body = self.wait_for_status("hello.localhost", 200, timeout=10)
        self.assertIn(PAGE_TEXT, body)
        self.assertEqual([i["state"] for i in self.instances("hello")], ["RUNNING"])

    def init_pid(self, container_id):
        """The container's init process as the cell recorded it ("PID START_TICKS"), or None."""
        try:
            with open(os.path.join(self.p.containers_dir(), container_id, "init.pid")) as f:
                return f.read().strip()
        except OSError:
            return None

    def restart_wharfd(self, sig):
        code = self.p.stop(sig)
        if sig == signal.SIGTERM:
            self.assertEqual(code, 0)
        self.p.start()
        _, _, body = self.wait_for_status("hello.localhost", 200, timeout=10)
        self.assertIn(PAGE_TEXT, body)
        return self.running_instances("hello", 1)[0]

    def test_the_instance_survives_restarts_of_wharfd(self):
        self.push_hello()
        before = self.running_instances("hello", 1)[0]
        containers = self.p.container_ids()
        self.assertEqual(len(containers), 1, containers)
        init = self.init_pid(containers[0])
        creations = self.recent_logs("hello").count("Creating container")
        self.assertEqual(creations, 1)

        for sig in (signal.SIGTERM, signal.SIGKILL):
            with self.subTest(signal=sig.name):
                after = self.restart_wharfd(sig)
                # adopted, not restarted: same container and init process, no container created
                self.assertEqual(self.p.container_ids(), containers)
                self.assertEqual(self.init_pid(containers[0]), init)
                self.assertEqual(after.get("address"), before.get("address"), (before, after))
                self.assertGreaterEqual(after.get("uptime", 0), before.get("uptime", 0), (before, after))
                self.assertEqual(self.recent_logs("hello").count("Creating container"), creations)

    def test_an_adopted_instance_keeps_its_since(self):
        self.push_hello()
        before = self.running_instances("hello", 1)[0]
        time.sleep(1.1)  # `since` has one-second resolution: make a reset visible
        for sig in (signal.SIGTERM, signal.SIGKILL):
            after = self.restart_wharfd(sig)
            self.assertEqual(after["since"], before["since"], (sig.name, before, after))

    def test_cleanup_stops_the_apps_of_a_killed_wharfd(self):
        """The harness itself: containers of a wharfd a test killed are still stopped at cleanup."""
        self.push_hello()
        self.p.stop(signal.SIGKILL)
        self.assertEqual(len(self.p.container_ids()), 1)
        self.assertEqual(self.p.cleanup(strict=True), [])
        self.assertFalse(os.path.exists(self.p.root))

    def test_a_crashing_app_fails_the_push_and_is_recorded(self):
        d = self.make_app({"Procfile": "web: echo boom; exit 3\n"})
        r = self.p.wharf("push", "boom", "-b", "binary_buildpack", cwd=d, expect=None)
        self.assertNotEqual(r.code, 0, r)
        self.assertIn("crashed", r.out + r.err)
        self.assertIn("status 3", r.out + r.err)

        events = self.p.wharf("events", "boom").out
        self.assertIn("app-crashed", events)
        self.assertIn("exit_code: 3", events)
        logs = self.recent_logs("boom")
        self.assertIn("Exit status 3", logs)
        self.assertIn("boom", [line.split(" OUT ", 1)[-1] for line in logs.splitlines() if "[APP/PROC/WEB/0]" in line])
        self.assertNotEqual(self.get("boom.localhost")[0], 200)

    def test_a_staging_failure_names_the_buildpacks_and_keeps_the_old_instance(self):
        d = self.make_app({"README.txt": "just words\n"})
        r = self.p.wharf("push", "words", cwd=d, expect=None)
        self.assertNotEqual(r.code, 0, r)
        msg = r.out + r.err
        self.assertIn("staging failed", msg)
        for bp in ("staticfile_buildpack", "nodejs_buildpack", "python_buildpack", "binary_buildpack"):
            self.assertIn(bp, msg)
        self.assertIsNone(self.app_json("words")["current_droplet_guid"])

        # an app that already runs keeps serving its old droplet when a new push fails staging
        site = self.make_app({"index.html": "<p>version one</p>"}, manifest="applications:\n- name: site\n")
        self.p.wharf("push", cwd=site)
        self.assertIn(b"version one", self.wait_for_status("site.localhost", 200)[2])
        before = self.running_instances("site", 1)[0]
        droplet = self.app_json("site")["current_droplet_guid"]
        os.unlink(os.path.join(site, "index.html"))
        with open(os.path.join(site, "README.txt"), "w") as f:
            f.write("nothing to serve\n")
        r = self.p.wharf("push", cwd=site, expect=None)
        self.assertNotEqual(r.code, 0, r)
        self.assertIn("staticfile_buildpack", r.out + r.err)
        status, _, body = self.get("site.localhost")
        self.assertEqual(status, 200)
        self.assertIn(b"version one", body)
        self.assertEqual(self.app_json("site")["current_droplet_guid"], droplet)
        after = self.running_instances("site", 1)[0]
        self.assertEqual(after["since"], before["since"])

    def rtr_instance_ids(self, app_name):
        ids = set()
        for line in self.recent_logs(app_name).splitlines():
            if "[RTR/0]" in line:
                m = re.search(r'instance_id:"([^"]+)"', line)
                if m and m.group(1) != "-":
                    ids.add(m.group(1))
        return ids

    def assert_router_reaches_two_instances(self):
        def two_ids():
            for _ in range(10):
                status, _, body = self.get("hello.localhost")
                self.assertEqual(status, 200)
                self.assertIn(PAGE_TEXT, body)
            ids = self.rtr_instance_ids("hello")
            return ids if len(ids) >= 2 else None
        ids = self.poll("router access log naming two instance ids", two_ids, timeout=15, interval=0.3)
        self.assertEqual(len(ids), 2, ids)
        self.assertEqual(ids, set(self.p.container_ids()))
        # The instances' output is tailed a few times a second: poll for the second one's lines.
        self.poll("[APP/PROC/WEB/1] lines in the app's log",
                  lambda: "[APP/PROC/WEB/1]" in self.recent_logs("hello"), timeout=10, interval=0.3)

    def test_scale_out_and_the_router_reaches_both_instances(self):
        self.push_hello()
        self.p.wharf("scale", "hello", "-i", "2")
        self.running_instances("hello", 2)
        self.poll("'wharf app hello' showing #0 and #1 running",
                  lambda: re.search(r"(?m)^#0\s+running\s.*\n#1\s+running\s", self.p.wharf("app", "hello").out),
                  timeout=10)
        self.assert_router_reaches_two_instances()

    def test_scale_through_the_api(self):
        self.push_hello()
        status, body = self.p.api("POST", f"/v1/processes/{self.web_process_guid('hello')}/actions/scale",
                                  {"instances": 2})
        self.assertEqual(status, 200, body)
        self.assertEqual(body["instances"], 2)
        indexes = sorted(i["index"] for i in self.running_instances("hello", 2))
        self.assertEqual(indexes, [0, 1])
        self.assert_router_reaches_two_instances()


if __name__ == "__main__":
    unittest.main()
