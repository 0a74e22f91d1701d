"""Services: user-provided service instances and their bindings, seen by a running app in VCAP_SERVICES
exactly in Cloud Foundry's shape; manifest `services:` bound on push; bind-service / unbind-service with a
restart; delete-service refused while bindings exist; deleting an app unbinds it. One wharfd for the file.

Only loopback traffic; the only processes are this test's own wharfd and its containers."""
import json
import os
import re
import subprocess
import sys
import time
import unittest

from harness import PlatformTest

# Answers GET / with the instance's VCAP_SERVICES.
ENV_APP = r'''
import os
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class H(BaseHTTPRequestHandler):
    def do_GET(self):
        body = os.environ.get("VCAP_SERVICES", "").encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


ThreadingHTTPServer(("0.0.0.0", int(os.environ["PORT"])), H).serve_forever()
'''

DB_CREDENTIALS = {"uri": "postgres://dbuser:s3cret-pw@db.example.com:5432/shop", "username": "dbuser",
                  "password": "s3cret-pw"}


class UserProvidedServicesTest(PlatformTest):
    def vcap(self, host):
        status, _, body = self.wait_for_status(host, 200, timeout=60)
        return json.loads(body)

    def test_user_provided_services_reach_the_app(self):
        p = self.p

        # Bad input is refused with the field named, and nothing is created.
        r = p.wharf("cups", "db", "-p", "{not json", expect=2)
        self.assertIn("-p: '{not json' is neither JSON nor a file", r.err)
        r = p.wharf("cups", "db", "-p", "[1, 2]", expect=2)
        self.assertIn("-p: must be a JSON object", r.err)
        r = p.wharf("cups", "db", "-l", "ftp://logs", expect=1)
        self.assertIn("syslog_drain_url 'ftp://logs' must be a URL", r.out + r.err)
        self.assertIn("No service instances found", p.wharf("services").out)

        started = time.monotonic()
        r = p.wharf("cups", "db", "-p", json.dumps(DB_CREDENTIALS), "-t", "sql, postgres")
        print(f"\n[measure] wharf cups took {time.monotonic() - started:.3f}s", flush=True)
        self.assertIn("Creating user provided service db", r.out)
        self.assertIn("OK", r.out)
        self.assertIn("already exists", p.wharf("cups", "db", "-p", "{}").out)
        # -p FILE
        cred_file = os.path.join(p.root, "cache.json")
        with open(cred_file, "w") as f:
            json.dump({"host": "cache.example.com", "port": 6379}, f)
        p.wharf("create-user-provided-service", "cache", "-p", cred_file)

        # Manifest services: bound on push, before the app starts.
        app = self.make_app({"app.py": ENV_APP, "Procfile": "web: python3 app.py\n"},
                            manifest="applications:\n- name: web\n  memory: 64M\n  buildpacks: [binary_buildpack]\n"
                                     "  services: [db]\n")
        r = p.wharf("push", cwd=app, timeout=300)
        self.assertIn("Binding service instance db to app web", r.out)
        host = "web.localhost"
        vcap = self.vcap(host)
        self.assertEqual(list(vcap.keys()), ["user-provided"])
        entry = vcap["user-provided"][0]
        db = p.wharf("service", "db", "--guid").out.strip()
        self.assertEqual(set(entry.keys()), {"name", "instance_guid", "instance_name", "binding_guid", "binding_name",
                                             "label", "tags", "credentials", "syslog_drain_url", "volume_mounts"})
        self.assertEqual(entry["name"], "db")
        self.assertEqual(entry["instance_name"], "db")
        self.assertEqual(entry["instance_guid"], db)
        self.assertIsNone(entry["binding_name"])
        self.assertEqual(entry["label"], "user-provided")
        self.assertEqual(entry["tags"], ["sql", "postgres"])
        self.assertEqual(entry["credentials"], DB_CREDENTIALS)
        self.assertEqual(entry["syslog_drain_url"], "")
        self.assertEqual(entry["volume_mounts"], [])
        # A second push binds nothing new.
        r = p.wharf("push", cwd=app, timeout=300)
        self.assertNotIn("Binding service instance", r.out)
        # `wharf env` shows it too, and DATABASE_URL comes from the bound database's uri.
        env = p.wharf("env", "web").out
        self.assertIn('"instance_name": "db"', env)

        # bind-service: the app sees the binding after a restart, as in Cloud Foundry.
        started = time.monotonic()
        r = p.wharf("bind-service", "web", "cache", "--binding-name", "sessions")
        print(f"\n[measure] wharf bind-service (user-provided) took {time.monotonic() - started:.3f}s", flush=True)
        self.assertIn("Binding service instance cache to app web", r.out)
        self.assertIn("TIP: Use 'wharf restage web' to ensure your env variable changes take effect", r.out)
        self.assertIn("already bound", p.wharf("bind-service", "web", "cache").out)
        self.assertEqual(len(self.vcap(host)["user-provided"]), 1)
        p.wharf("restart", "web", timeout=180)
        ups = self.vcap(host)["user-provided"]
        self.assertEqual([e["name"] for e in ups], ["db", "sessions"])
        self.assertEqual(ups[1]["binding_name"], "sessions")
        self.assertEqual(ups[1]["instance_name"], "cache")
        self.assertEqual(ups[1]["credentials"], {"host": "cache.example.com", "port": 6379})

        # Listing and showing.
        services = p.wharf("services").out
        self.assertRegex(services, r"db\s+user-provided\s+web\s+create succeeded")
        shown = p.wharf("service", "cache").out
        self.assertIn("type:", shown)
        self.assertRegex(shown, r"web\s+sessions\s+create succeeded")

        # delete-service is refused while bound, naming the bindings.
        r = p.wharf("delete-service", "db", "-f", expect=1)
        self.assertIn("service instance 'db' has bindings or keys: app web", r.out + r.err)
        p.wharf("unbind-service", "web", "db")
        self.assertIn("did not exist", p.wharf("unbind-service", "web", "db").out)
        p.wharf("delete-service", "db", "-f")
        self.assertIn("did not exist", p.wharf("delete-service", "db", "-f").out)
        p.wharf("restart", "web", timeout=180)
        self.assertEqual([e["name"] for e in self.vcap(host)["user-provided"]], ["sessions"])

        # update-user-provided-service changes the instance; bindings keep their credentials until rebound.
        r = p.wharf("uups", "cache", "-p", '{"host": "cache2.example.com"}')
        self.assertIn("TIP: To make these changes take effect", r.out)

        # Deleting the app unbinds it; then the instance can go.
        p.wharf("delete", "web", "-f")
        self.assertIn("There are no bound apps", p.wharf("service", "cache").out)
        p.wharf("delete-service", "cache", "-f")
        self.assertIn("No service instances found", p.wharf("services").out)

        # Credentials are never logged.
        self.assertNotIn("s3cret-pw", p.daemon_log())
        with open(os.path.join(p.data_dir, "logs", "events.log")) as f:
            self.assertNotIn("s3cret-pw", f.read())


BROKER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "services", "testdata",
                      "misbehaving_broker.py")


class ServiceBrokersTest(PlatformTest):
    # Only the test's own broker (the built-in ones have test_builtin_services.py).
    platform_args = {"extra_args": ["--builtin-services", "none"]}

    def start_broker(self):
        port_file = os.path.join(self.p.root, "broker-port")
        proc = subprocess.Popen([sys.executable, "-B", BROKER, port_file])
        self.addCleanup(lambda: (proc.terminate(), proc.wait(timeout=10)))
        deadline = time.monotonic() + 10
        while not os.path.exists(port_file):
            self.assertLess(time.monotonic(), deadline, "the test broker did not start")
            time.sleep(0.05)
        with open(port_file) as f:
            return "http://127.0.0.1:" + f.read().strip()

    def test_brokers_marketplace_and_service_access(self):
        p = self.p
        url = self.start_broker()
        # A broker that refuses the credentials, or is down, is not registered, and says why.
        r = p.wharf("create-service-broker", "test", "broker-user", "wrong-pass", url, expect=1)
        self.assertIn("refused the platform's credentials (401)", r.out + r.err)
        r = p.wharf("create-service-broker", "test", "broker-user", "broker-pass", "http://127.0.0.1:1", expect=1)
        self.assertIn("not reachable", r.out + r.err)
        self.assertIn("No service brokers found", p.wharf("service-brokers").out)

        p.wharf("create-service-broker", "test", "broker-user", "broker-pass", url)
        self.assertRegex(p.wharf("service-brokers").out, r"test\s+" + url)
        self.assertIn("already exists",
                      (lambda r: r.out + r.err)(p.wharf("create-service-broker", "test", "broker-user",
                                                        "broker-pass", url, expect=1)))
        # New plans are disabled until an admin enables them.
        market = p.wharf("marketplace").out
        self.assertRegex(market, r"testdb\s+a test database\s+test")
        p.wharf("enable-service-access", "testdb", "-p", "sync")
        self.assertRegex(p.wharf("marketplace").out, r"testdb\s+sync\s+a test database\s+test")
        detail = p.wharf("marketplace", "-e", "testdb").out
        self.assertRegex(detail, r"sync\s+s\s+free\s+enabled")
        self.assertRegex(detail, r"async\s+a\s+free\s+disabled")
        p.wharf("disable-service-access", "testdb")
        self.assertNotRegex(p.wharf("marketplace").out, r"testdb\s+sync")
        r = p.wharf("enable-service-access", "nosuch", expect=1)
        self.assertIn("service offering 'nosuch' not found", r.out + r.err)

        # Managed instances: a synchronous and an asynchronous provision; a broker error leaves "create failed".
        p.wharf("enable-service-access", "testdb")
        started = time.monotonic()
        r = p.wharf("create-service", "testdb", "sync", "db1", "-t", "mine")
        print(f"\n[measure] wharf create-service (sync broker) took {time.monotonic() - started:.3f}s", flush=True)
        self.assertIn("Service instance db1 created.", r.out)
        r = p.wharf("create-service", "testdb", "boom", "bad", expect=1)
        self.assertIn("create failed", r.out + r.err)
        self.assertIn("boom: disk full", r.out + r.err)
        started = time.monotonic()
        p.wharf("create-service", "testdb", "async", "slowdb", "--wait", timeout=60)
        print(f"\n[measure] wharf create-service --wait (async broker, 2 polls with Retry-After: 1) took "
              f"{time.monotonic() - started:.3f}s", flush=True)
        # update-service: checks before the broker naming the field, "update failed" keeps the old plan,
        # plan changes within the offering (synchronous and asynchronous), tags at once.
        r = p.wharf("update-service", "db1", "-p", "nosuch", expect=1)
        self.assertIn("-p: service plan 'nosuch' not found for service offering 'testdb'", r.out + r.err)
        p.wharf("enable-service-access", "fixeddb")
        p.wharf("create-service", "fixeddb", "small", "fx")
        r = p.wharf("update-service", "fx", "-p", "large", expect=1)
        self.assertIn("plan_guid: service offering 'fixeddb' does not allow plan changes", r.out + r.err)
        r = p.wharf("update-service", "db1", "-p", "boom", "--wait", expect=1)
        self.assertIn("update failed: ", r.out + r.err)
        self.assertIn("boom: cannot resize", r.out + r.err)
        self.assertIn("the instance keeps its plan 'sync'", r.out + r.err)
        self.assertRegex(p.wharf("services").out, r"db1\s+testdb\s+sync\s+update failed\s+test")
        started = time.monotonic()
        r = p.wharf("update-service", "db1", "-p", "async", "-t", "mine", "--wait", timeout=60)
        print(f"\n[measure] wharf update-service --wait (async broker, polled) took {time.monotonic() - started:.3f}s",
              flush=True)
        self.assertIn("Update of service instance db1 completed (plan async).", r.out)
        r = p.wharf("update-service", "db1", "-p", "sync")
        self.assertIn("Update of service instance db1 completed (plan sync).", r.out)
        self.assertIn("No changes were made.", p.wharf("update-service", "db1").out)
        r = p.wharf("update-service", "nosuch", "-p", "sync", expect=1)
        self.assertIn("not found", r.out + r.err)

        # update-service-broker reads the catalog first: nothing changes when it is unreachable or invalid.
        r = p.wharf("update-service-broker", "test", "broker-user", "broker-pass", "http://127.0.0.1:1", expect=1)
        self.assertIn("service broker 'test' was not changed", r.out + r.err)
        r = p.wharf("update-service-broker", "test", "broker-user", "broker-pass", url + "/bad", expect=1)
        self.assertIn("catalog: services[0].name is missing", r.out + r.err)
        r = p.wharf("update-service-broker", "test", "broker-user", "wrong-pass", url, expect=1)
        self.assertIn("refused the platform's credentials (401)", r.out + r.err)
        self.assertRegex(p.wharf("service-brokers").out, r"test\s+" + url)
        local_url = url.replace("127.0.0.1", "localhost")
        p.wharf("update-service-broker", "test", "broker-user", "broker-pass", local_url)
        self.assertRegex(p.wharf("service-brokers").out, r"test\s+" + local_url)
        self.assertRegex(p.wharf("marketplace").out, r"testdb\s+sync, async, boom\s+a test database\s+test")

        services = p.wharf("services").out
        self.assertRegex(services, r"bad\s+testdb\s+boom\s+create failed\s+test")
        self.assertRegex(services, r"db1\s+testdb\s+sync\s+update succeeded\s+test")
        self.assertRegex(services, r"slowdb\s+testdb\s+async\s+create succeeded\s+test")
        # A managed binding: the broker's credentials reach the app, under the offering's label.
        app = self.make_app({"app.py": ENV_APP, "Procfile": "web: python3 app.py\n"})
        p.wharf("push", "web", "-b", "binary_buildpack", "-m", "64M", cwd=app, timeout=300)
        r = p.wharf("bind-service", "web", "db1")
        self.assertIn("TIP: Use 'wharf restage web'", r.out)
        self.poll("the managed binding created",
                  lambda: re.search(r"web\s+create succeeded", p.wharf("service", "db1").out), timeout=30)
        p.wharf("restart", "web", timeout=180)
        status, _, body = self.wait_for_status("web.localhost", 200, timeout=60)
        vcap = json.loads(body)
        self.assertEqual(list(vcap.keys()), ["testdb"])
        entry = vcap["testdb"][0]
        self.assertEqual(entry["label"], "testdb")
        self.assertEqual(entry["plan"], "sync")
        self.assertEqual(entry["name"], "db1")
        self.assertEqual(entry["tags"], ["test", "mine"])
        self.assertTrue(entry["credentials"]["uri"].startswith("test://"), entry)
        # Deleting the app unbinds its managed binding at the broker first (as cf delete does).
        started = time.monotonic()
        p.wharf("delete", "web", "-f")
        print(f"\n[measure] wharf delete of an app with a managed binding took {time.monotonic() - started:.3f}s",
              flush=True)
        self.assertIn("There are no bound apps", p.wharf("service", "db1").out)

        # Service keys: the broker's credentials for use outside the platform; deletion refused while one exists.
        p.wharf("create-service-key", "db1", "k1")
        self.assertRegex(p.wharf("service-keys", "db1").out, r"k1\s+create succeeded")
        key = p.wharf("service-key", "db1", "k1").out
        self.assertIn('"uri": "test://', key)
        r = p.wharf("delete-service", "db1", "-f", expect=1)
        self.assertIn("has bindings or keys: key k1", r.out + r.err)
        p.wharf("delete-service-key", "db1", "k1", "-f")
        self.poll("the key removed", lambda: "No service key" in p.wharf("service-keys", "db1").out, timeout=30)

        r = p.wharf("delete-service-broker", "test", "-f", expect=1)
        self.assertIn("has 4 service instance(s)", r.out + r.err)
        for name in ("bad", "db1", "slowdb", "fx"):
            p.wharf("delete-service", name, "-f")
        self.poll("managed instances deprovisioned",
                  lambda: "No service instances found" in p.wharf("services").out, timeout=30)

        p.wharf("delete-service-broker", "test", "-f")
        self.assertIn("No service offerings found", p.wharf("marketplace").out)
        # The broker's password is never logged.
        self.assertNotIn("broker-pass", p.daemon_log())
        with open(os.path.join(p.data_dir, "logs", "events.log")) as f:
            self.assertNotIn("broker-pass", f.read())


if __name__ == "__main__":
    unittest.main()
