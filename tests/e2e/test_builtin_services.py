"""Wharf's built-in service brokers (issue 12) end to end, with one wharfd for the file: the marketplace
lists PostgreSQL, Redis and MySQL (MariaDB); a Node app using the `pg` and `redis` npm packages, bound to
one instance of each, writes and reads through its bindings, still after a restart of wharfd and of the
app; a second app bound to other instances sees none of the first one's data and cannot open the first
database; an unbound app cannot even connect to the servers' ports, and a user-provided service naming a
host port opens nothing, nor does any app reach the brokers' own ports; unbinding closes the port again;
deleting an app keeps the data, deprovisioning removes it. The servers' users (postgres, redis, mysql)
read their own data beside the data folder and nothing in it (wharf.db, droplets, the brokers' records);
no secret (brokers', bindings', keys' passwords) reaches wharfd's log, its event log or the servers' logs.

MySQL: its bound app reaches the server's port (an unbound one does not), and a service key's
credentials read and write through the mariadb client; another instance's key cannot open the database.

Prints [measure] lines: the time to provision and to bind each service type.
Only loopback traffic and the platform's own network namespaces; the servers are the platform's own."""
import json
import os
import re
import shutil
import subprocess
import time
import unittest
import urllib.parse

from harness import Platform, PlatformTest

APP_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "apps", "services-node")


class BuiltinServicesTest(PlatformTest):
    strict_cleanup = True  # also: no postgres or redis-server process is left once wharfd stopped

    def setUp(self):
        self.p = Platform()
        self.addCleanup(lambda: self.p.cleanup(strict=self.strict_cleanup))
        # The servers run as the postgres and redis users: they must be able to pass through the
        # test's temporary folder (mode 0700 from mkdtemp) to the services folder beside the data
        # folder (DATA-services, 0710 for their group); the data folder stays 0700.
        os.chmod(self.p.root, 0o711)
        self.p.start().login()

    def call(self, app, path, status=200, timeout=60):
        """GET through the router until it answers `status` (the app may still be starting)."""
        deadline = time.monotonic() + timeout
        while True:
            got = self.get(f"{app}.localhost", path, timeout=20)
            if got[0] == status:
                return json.loads(got[2])
            if time.monotonic() > deadline:
                self.fail(f"{app}{path} answered {got[0]} {got[2][:400]!r}, not {status}\n{self.p.daemon_log()}")
            time.sleep(0.3)

    def probe(self, app, host, port):
        q = urllib.parse.urlencode({"host": host, "port": port})
        return self.call(app, "/probe?" + q)["connected"]

    def timed(self, what, *args, **kw):
        started = time.monotonic()
        r = self.p.wharf(*args, **kw)
        print(f"\n[measure] {what} took {time.monotonic() - started:.3f}s", flush=True)
        return r

    def services_dir(self):
        return self.p.data_dir + "-services"

    def records_dir(self):
        return os.path.join(self.p.data_dir, "builtin-brokers")

    def cat_as_server(self, user, path):
        """`cat path` as a server runs: the service's uid and gid plus the wharf-services group."""
        return subprocess.run(["setpriv", f"--reuid={user}", f"--regid={user}", "--groups=wharf-services",
                               "cat", path], capture_output=True, text=True, timeout=10)

    def secrets_in_records(self):
        """Every password the built-in brokers hold (brokers' basic auth, instances, bindings, keys)."""
        found = set()

        def walk(v):
            if isinstance(v, dict):
                for k, x in v.items():
                    if "password" in k and isinstance(x, str) and x:
                        found.add(x)
                    walk(x)
            elif isinstance(v, list):
                for x in v:
                    walk(x)
        for name in os.listdir(self.records_dir()):
            with open(os.path.join(self.records_dir(), name)) as f:
                walk(json.load(f))
        return found

    def push(self, name):
        d = self.make_app({})
        shutil.copytree(APP_DIR, d, dirs_exist_ok=True)
        self.p.wharf("push", name, "-b", "nodejs_buildpack", "-m", "128M", cwd=d, timeout=600)
        self.call(name, "/")

    def bind_and_wait(self, what, app, instance):
        """Binds and waits for the broker's binding (managed bindings complete in the background)."""
        started = time.monotonic()
        self.timed(f"wharf bind-service ({what}, the command)", "bind-service", app, instance)
        self.poll(f"{app} bound to {instance}",
                  lambda: re.search(app + r"\s+create succeeded", self.p.wharf("service", instance).out), timeout=30)
        print(f"\n[measure] bind-service ({what}) until 'create succeeded' took {time.monotonic() - started:.3f}s",
              flush=True)

    def test_apps_use_builtin_postgresql_and_redis_through_their_bindings_only(self):
        p = self.p
        # The brokers are registered just after the API answers (the data plane starts them).
        market = self.poll("the built-in brokers registered",
                           lambda: (lambda out: "redis" in out and "postgresql" in out and "mysql" in out and out)(
                               p.wharf("marketplace").out), timeout=30)
        self.assertRegex(market, r"postgresql\s+small, medium\s")
        self.assertRegex(market, r"redis\s+small, medium\s")
        self.assertRegex(market, r"mysql\s+small, medium\s")
        self.assertRegex(p.wharf("service-brokers").out, r"postgresql-builtin\s+http://127\.0\.0\.1:\d+")

        # Provisioning: the first PostgreSQL instance also initialises and starts the server.
        self.timed("wharf create-service postgresql small (first: initdb + server start)",
                   "create-service", "postgresql", "small", "pg1", timeout=180)
        self.timed("wharf create-service postgresql small", "create-service", "postgresql", "small", "pg2")
        self.timed("wharf create-service redis small (a redis-server per instance)",
                   "create-service", "redis", "small", "rd1")
        self.timed("wharf create-service redis small", "create-service", "redis", "small", "rd2")
        self.timed("wharf create-service mysql small (first: mariadb-install-db + server start)",
                   "create-service", "mysql", "small", "my1", timeout=180)
        self.timed("wharf create-service mysql small", "create-service", "mysql", "small", "my2")
        services = p.wharf("services").out
        for name, label in (("pg1", "postgresql"), ("pg2", "postgresql"), ("rd1", "redis"), ("rd2", "redis"),
                            ("my1", "mysql"), ("my2", "mysql")):
            self.assertRegex(services, name + r"\s+" + label + r"\s+small\s+create succeeded")

        self.push("web")
        self.bind_and_wait("postgresql", "web", "pg1")
        self.bind_and_wait("redis", "web", "rd1")
        self.bind_and_wait("mysql", "web", "my1")
        p.wharf("restart", "web", timeout=300)
        creds = self.call("web", "/creds")
        gateway = creds["postgresql"]["hostname"]
        self.assertNotEqual(gateway, "127.0.0.1")  # the address apps reach the host at (DNATed)
        self.assertEqual(creds["redis"]["hostname"], gateway)
        pg_port, rd1_port = creds["postgresql"]["port"], creds["redis"]["port"]
        pg1_db = creds["postgresql"]["name"]
        my_port = creds["mysql"]["port"]
        self.assertEqual(creds["mysql"]["hostname"], gateway)
        self.assertTrue(self.probe("web", gateway, my_port))
        secrets = self.secrets_in_records()
        self.assertGreaterEqual(len(secrets), 8)  # 3 brokers, 2 redis admins, 3 bindings

        # The servers' users reach their own data but nothing of wharfd's data folder.
        self.assertEqual(os.stat(p.data_dir).st_mode & 0o777, 0o700)
        self.assertEqual(os.stat(self.services_dir()).st_mode & 0o777, 0o710)
        own = self.cat_as_server("postgres", os.path.join(self.services_dir(), "postgresql", "data", "PG_VERSION"))
        self.assertEqual(own.returncode, 0, own.stderr)  # the control: a readable file reads
        def files_under(folder):
            return [os.path.join(d, f) for d, _, fs in os.walk(os.path.join(p.data_dir, folder)) for f in fs]
        droplet_files, blob_files = files_under("droplets"), files_under("blobs")
        self.assertTrue(droplet_files and blob_files)
        targets = [os.path.join(p.data_dir, "wharf.db"), os.path.join(p.data_dir, "admin-token"), droplet_files[0],
                   blob_files[0], os.path.join(self.records_dir(), "postgresql.json")]
        for user in ("postgres", "redis", "mysql"):
            for path in targets:
                got = self.cat_as_server(user, path)
                self.assertNotEqual(got.returncode, 0, f"{user} read {path}")
                self.assertIn("Permission denied", got.stderr)
            listed = subprocess.run(["setpriv", f"--reuid={user}", f"--regid={user}", "--groups=wharf-services",
                                     "ls", p.data_dir, self.services_dir()], capture_output=True, text=True)
            self.assertEqual(listed.stderr.count("Permission denied"), 2, listed)
        for user in ("redis", "mysql"):
            got = self.cat_as_server(user, os.path.join(self.services_dir(), "postgresql", "data", "PG_VERSION"))
            self.assertIn("Permission denied", got.stderr)

        self.assertEqual(self.call("web", "/pg/write?v=hello-pg"), {"ok": True})
        self.assertEqual(self.call("web", "/pg/read"), {"notes": ["hello-pg"]})
        self.assertEqual(self.call("web", "/redis/write?v=hello-redis"), {"ok": True})
        self.assertEqual(self.call("web", "/redis/read"), {"note": "hello-redis"})

        # A restart of wharfd (the servers stop cleanly and start again) and of the app: the data is there.
        p.stop()
        p.start().login()
        self.assertEqual(self.call("web", "/pg/read"), {"notes": ["hello-pg"]})
        self.assertEqual(self.call("web", "/redis/read"), {"note": "hello-redis"})
        p.wharf("restart", "web", timeout=300)
        self.assertEqual(self.call("web", "/pg/read"), {"notes": ["hello-pg"]})
        self.assertEqual(self.call("web", "/redis/read"), {"note": "hello-redis"})

        # A second app bound to other instances: its own, empty data; the first database is closed to it;
        # the first Redis server's port is not even open to it.
        self.push("other")
        self.bind_and_wait("postgresql", "other", "pg2")
        self.bind_and_wait("redis", "other", "rd2")
        p.wharf("restart", "other", timeout=300)
        self.assertEqual(self.call("other", "/pg/read"), {"notes": []})
        self.assertEqual(self.call("other", "/redis/read"), {"note": None})
        denied = self.call("other", "/pg/read?db=" + pg1_db, status=500)
        self.assertIn("permission denied", denied["error"])
        self.assertTrue(self.probe("other", gateway, pg_port))
        self.assertFalse(self.probe("other", gateway, rd1_port))
        self.assertFalse(self.probe("other", gateway, my_port))

        # An app bound to nothing but a user-provided service that names host ports: nothing opens.
        p.wharf("cups", "sneaky", "-p", json.dumps({"hostname": gateway, "port": p.api_port}))
        self.push("lonely")
        p.wharf("bind-service", "lonely", "sneaky")
        p.wharf("restart", "lonely", timeout=300)
        time.sleep(1)  # several rounds of the openings' sync
        brokers_text = p.wharf("service-brokers").out
        broker_ports = [int(m) for m in re.findall(r"-builtin\s+http://127\.0\.0\.1:(\d+)", brokers_text)]
        self.assertEqual(len(broker_ports), 3)
        for port in [pg_port, rd1_port, my_port, p.api_port] + broker_ports:
            self.assertFalse(self.probe("lonely", gateway, port), port)
        for port in broker_ports:  # bound apps reach the servers, never the brokers
            self.assertFalse(self.probe("web", gateway, port), port)

        # Unbinding closes the port (and revokes the credentials).
        p.wharf("unbind-service", "web", "rd1")
        self.poll("web unbound from rd1", lambda: "There are no bound apps" in p.wharf("service", "rd1").out,
                  timeout=30)
        self.poll("rd1's port closed to web", lambda: not self.probe("web", gateway, rd1_port), timeout=10)
        self.assertTrue(self.probe("web", gateway, pg_port))

        # MySQL through a key's credentials with the mariadb client (on the host: 127.0.0.1); another
        # instance's key cannot open the database; unbinding closes the port to web.
        my_keys = {}
        for name in ("my1", "my2"):
            p.wharf("create-service-key", name, "k")
            text = p.wharf("service-key", name, "k").out
            my_keys[name] = json.loads(re.search(r"(\{.*\})", text, re.S).group(1))["credentials"]

        def mariadb(key, sql, database=None):
            return subprocess.run(["mariadb", "--no-defaults", "-h", "127.0.0.1", "-P", str(key["port"]),
                                   "-u", key["username"], "-p" + key["password"], "-N", "-e", sql,
                                   database or key["name"]], capture_output=True, text=True, timeout=30)
        for sql in ("CREATE TABLE notes (body TEXT)", "INSERT INTO notes VALUES ('hello-mysql')"):
            done = mariadb(my_keys["my1"], sql)
            self.assertEqual(done.returncode, 0, done.stderr)
        self.assertEqual(mariadb(my_keys["my1"], "SELECT body FROM notes").stdout.strip(), "hello-mysql")
        self.assertIn("Access denied", mariadb(my_keys["my2"], "SELECT 1", my_keys["my1"]["name"]).stderr)
        secrets |= {k["password"] for k in my_keys.values()}
        p.wharf("unbind-service", "web", "my1")
        self.poll("my1's port closed to web", lambda: not self.probe("web", gateway, my_port), timeout=30)
        for name in ("my1", "my2"):
            p.wharf("delete-service-key", name, "k", "-f")
        self.poll("the mysql keys removed", lambda: all("No service key" in p.wharf("service-keys", n).out
                                                        for n in ("my1", "my2")), timeout=30)

        # Deleting an app keeps the instance's data; deprovisioning removes it.
        p.wharf("unbind-service", "web", "pg1")
        self.poll("web unbound from pg1", lambda: "There are no bound apps" in p.wharf("service", "pg1").out,
                  timeout=30)
        for app in ("web", "other", "lonely"):
            for svc in ("pg2", "rd2", "sneaky"):
                p.wharf("unbind-service", app, svc)
        self.poll("all unbound", lambda: all("There are no bound apps" in p.wharf("service", s).out
                                             for s in ("pg2", "rd2")), timeout=30)
        for app in ("web", "other", "lonely"):
            p.wharf("delete", app, "-f")
        p.wharf("create-service-key", "pg1", "k")
        key_text = p.wharf("service-key", "pg1", "k").out
        self.assertIn(pg1_db, key_text)
        key_password = re.search(r'"password": "([0-9a-f]+)"', key_text).group(1)
        p.wharf("delete-service-key", "pg1", "k", "-f")
        self.poll("the key removed", lambda: "No service key" in p.wharf("service-keys", "pg1").out, timeout=30)
        for name in ("pg1", "pg2", "rd1", "rd2", "my1", "my2", "sneaky"):
            p.wharf("delete-service", name, "-f")
        self.poll("deprovisioned", lambda: "No service instances found" in p.wharf("services").out, timeout=60)
        redis_dir = os.path.join(self.services_dir(), "redis")
        self.assertEqual(os.listdir(redis_dir), [])
        for service in ("postgresql", "mysql"):
            with open(os.path.join(self.records_dir(), service + ".json")) as f:
                self.assertEqual(json.load(f)["instances"], {})

        # The brokers' credentials and the bindings' and keys' passwords are never logged.
        self.assertEqual(os.stat(os.path.join(self.records_dir(), "postgresql-credentials.json")).st_mode & 0o777,
                         0o600)
        with open(p.log_path, errors="replace") as f:
            log = f.read()
        for path in (os.path.join(p.data_dir, "logs", "events.log"),
                     os.path.join(self.services_dir(), "postgresql", "server.log"),
                     os.path.join(self.services_dir(), "mysql", "server.log")):
            with open(path, errors="replace") as f:
                log += f.read()
        for secret in secrets | {key_password}:
            self.assertNotIn(secret, log)


if __name__ == "__main__":
    unittest.main()
