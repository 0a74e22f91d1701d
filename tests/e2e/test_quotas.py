"""Org quotas against the real wharfd and wharf: a scale, a task or a push past the org's memory is refused
with the quota's figures while the app keeps serving, a scale that fits is accepted; a route and a
managed service instance past their limits are refused at create-route and create-service."""
import os
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

from harness import EXAMPLES, PlatformTest, SharedPlatformTest

STATIC_SITE = os.path.join(EXAMPLES, "static-site")
PAGE_TEXT = b"Hello from Wharf"
BROKER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "services", "testdata",
                      "misbehaving_broker.py")


class QuotasTest(SharedPlatformTest):
    # Only the test's own broker: the built-in services would start servers this file does not need.
    platform_args = {"extra_args": ["--builtin-services", "none"]}
    get = PlatformTest.get
    wait_for_status = PlatformTest.wait_for_status

    def use_quota(self, name, *limits):
        """Creates the org quota and sets it on the default org; the default quota is back afterwards."""
        self.p.wharf("create-quota", name, *limits)
        self.p.wharf("set-quota", "wharf", name)
        self.addCleanup(lambda: (self.p.wharf("set-quota", "wharf", "default"),
                                 self.p.wharf("delete-quota", name, "-f")))

    def process(self, app):
        guid = self.p.api("GET", "/v1/apps?names=" + app)[1]["resources"][0]["guid"]
        return self.p.api("GET", f"/v1/apps/{guid}/processes/web")[1]

    def current_droplet(self, app):
        return self.p.api("GET", "/v1/apps?names=" + app)[1]["resources"][0].get("current_droplet_guid")

    def test_a_scale_or_push_past_the_org_memory_is_refused_and_the_app_keeps_serving(self):
        p = self.p
        p.wharf("push", cwd=STATIC_SITE)  # hello: 1 x 64M
        self.wait_for_status("hello.localhost", 200)
        self.use_quota("small", "-m", "256M", "-r", "100", "-s", "10")
        shown = p.wharf("org-quota", "small").out
        self.assertRegex(shown, r"total memory:\s+256M")
        self.assertRegex(p.wharf("quotas").out, r"small\s+256M\s+unlimited\s+100\s+10\s+unlimited\s+wharf")

        r = p.wharf("scale", "hello", "-i", "5", expect=1)
        self.assertIn("org quota 'small' allows 256 MB of memory in org 'wharf'; 64 MB are in use and this scale "
                      "asks for 256 MB more", r.out + r.err)
        self.assertEqual(self.process("hello")["instances"], 1)
        status, _h, body = self.get("hello.localhost")
        self.assertEqual(status, 200)
        self.assertIn(PAGE_TEXT, body)

        # A task counts too: its memory against what the org has left.
        r = p.wharf("run-task", "hello", "--command", "sleep 1", "-m", "512M", expect=1)
        self.assertIn("org quota 'small' allows 256 MB of memory in org 'wharf'; 64 MB are in use and this task "
                      "asks for 512 MB more", r.out + r.err)
        self.assertIn("No tasks found", p.wharf("tasks", "hello").out)

        # A push whose manifest asks for more fails before it uploads or stages anything.
        droplet = self.current_droplet("hello")
        big = os.path.join(tempfile.mkdtemp(dir=p.root, prefix="app-"), "static-site")
        shutil.copytree(STATIC_SITE, big)
        with open(os.path.join(big, "index.html"), "a") as f:
            f.write("<!-- changed -->\n")
        with open(os.path.join(big, "manifest.yml"), "w") as f:
            f.write("---\napplications:\n- name: hello\n  memory: 512M\n  instances: 1\n"
                    "  buildpacks:\n  - staticfile_buildpack\n")
        r = p.wharf("push", cwd=big, expect=1)
        self.assertIn("org quota 'small' allows 256 MB of memory in org 'wharf'; 64 MB are in use and this scale "
                      "asks for 448 MB more", r.out + r.err)
        self.assertEqual(self.current_droplet("hello"), droplet)
        self.assertEqual(self.process("hello")["memory_in_mb"], 64)
        status, _h, body = self.get("hello.localhost")
        self.assertEqual(status, 200)
        self.assertNotIn(b"changed", body)

        # A scale that fits is accepted.
        p.wharf("scale", "hello", "-i", "2")
        self.assertEqual(self.process("hello")["instances"], 2)
        self.wait_for_status("hello.localhost", 200)
        p.wharf("scale", "hello", "-i", "1")

    def test_routes_and_service_instances_past_the_quota_are_refused(self):
        p = self.p
        routes = len(p.api("GET", "/v1/routes")[1]["resources"])
        self.use_quota("tiny", "-m", "1G", "-r", str(routes + 1), "-s", "1")
        p.wharf("create-route", "localhost", "--hostname", "quota-one")
        r = p.wharf("create-route", "localhost", "--hostname", "quota-two", expect=1)
        self.assertIn(f"org quota 'tiny' allows {routes + 1} routes in org 'wharf'; {routes + 1} are in use and "
                      "this route would be one more", r.out + r.err)

        port_file = os.path.join(p.root, "broker-port")
        broker = subprocess.Popen([sys.executable, "-B", BROKER, port_file])
        self.addCleanup(lambda: (broker.terminate(), broker.wait(timeout=10)))
        deadline = time.monotonic() + 10
        while not os.path.exists(port_file):
            self.assertLess(time.monotonic(), deadline, "the test broker did not start")
            time.sleep(0.05)
        with open(port_file) as f:
            url = "http://127.0.0.1:" + f.read().strip()
        p.wharf("create-service-broker", "test", "broker-user", "broker-pass", url)
        p.wharf("enable-service-access", "testdb")
        p.wharf("create-service", "testdb", "sync", "db1")
        r = p.wharf("create-service", "testdb", "sync", "db2", expect=1)
        self.assertIn("org quota 'tiny' allows 1 service instance in org 'wharf'; 1 is in use and this service "
                      "instance would be one more", r.out + r.err)
        p.wharf("delete-service", "db1", "-f")


if __name__ == "__main__":
    unittest.main()
