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

kill -9 of wharfd during a first provision (in initdb) and as soon as a key is recorded: the next wharfd
finishes both; the PostgreSQL server then holds exactly the databases and login roles the broker's records
list, and those exactly what Wharf lists; a retry works; deleting everything leaves the server empty.

Prints [measure] lines: the time to provision and to bind each service type, and [kill -9] lines: what
each kill interrupted.
Only loopback traffic and the platform's own network namespaces; the servers are the platform's own."""
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import time
import unittest
import urllib.parse

from harness import WHARF, Platform, PlatformTest

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


    def postgres_holds(self):
        """Wharf's databases and login roles on the PostgreSQL server (its superuser over its socket)."""
        pg_dir = os.path.join(self.services_dir(), "postgresql")
        socket_dir = "/run/wharf/sock-" + hashlib.sha256(os.path.abspath(pg_dir).encode()).hexdigest()[:12]
        with open(os.path.join(pg_dir, "wharf-port")) as f:
            port = f.read().strip()

        def query(sql):
            r = subprocess.run(["runuser", "-u", "postgres", "--", "psql", "-h", socket_dir, "-p", port,
                                "-d", "postgres", "-Atc", sql], capture_output=True, text=True, timeout=30)
            self.assertEqual(r.returncode, 0, r.stderr)
            return set(r.stdout.split())
        return (query("SELECT datname FROM pg_database WHERE datname LIKE 'wharf\\_%'"),
                query("SELECT rolname FROM pg_roles WHERE rolcanlogin AND rolname LIKE 'wharf\\_%'"))

    def broker_records(self):
        with open(os.path.join(self.records_dir(), "postgresql.json")) as f:
            return json.load(f)

    def kill_9_when(self, ready, *args):
        """Runs `wharf ARGS` and kills wharfd with SIGKILL as soon as ready() holds (the command's
        outcome aside), then starts it again."""
        cli = subprocess.Popen([WHARF] + list(args), env=self.p.env(), stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
        self.poll("the request recorded", ready, timeout=30, interval=0.01)
        self.p.stop(signal.SIGKILL)
        try:  # what the kill interrupted, for the reader of the output
            records = self.broker_records()
            print(f"\n[kill -9] during 'wharf {' '.join(args)}': the broker's records then held instances "
                  f"{[i['state'] for i in records['instances'].values()]}, bindings "
                  f"{[b['state'] for b in records['bindings'].values()]}", flush=True)
        except OSError:
            print(f"\n[kill -9] during 'wharf {' '.join(args)}': no broker records yet", flush=True)
        cli.wait(timeout=60)
        # No tool of the killed wharfd (initdb, pg_ctl) keeps running.
        self.poll("the killed wharfd's tools gone", lambda: not any(
            "initdb" in c or "pg_ctl" in c for c in self.command_lines_mentioning(self.services_dir())), timeout=10)
        self.p.start().login()

    def command_lines_mentioning(self, needle):
        lines = []
        for pid in filter(str.isdigit, os.listdir("/proc")):
            try:
                with open(f"/proc/{pid}/cmdline", "rb") as f:
                    line = f.read().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
            if needle in line:
                lines.append(line)
        return lines

    def test_kill_9_during_provision_and_bind_leaves_nothing_wharf_does_not_list(self):
        p = self.p
        self.poll("the built-in brokers registered", lambda: "postgresql" in p.wharf("marketplace").out, timeout=30)
        # Killed during the first provision (initdb and the server's start take seconds): the next
        # wharfd finishes it; nothing half-made is left.
        def provisioning():
            if "pgk" not in p.wharf("services").out:
                return False
            time.sleep(1.5)  # into initdb
            return True
        self.kill_9_when(provisioning, "create-service", "postgresql", "small", "pgk")
        self.poll("pgk created after the restart",
                  lambda: re.search(r"create succeeded", p.wharf("service", "pgk").out), timeout=90)
        # Killed as soon as the key is recorded (its binding at the broker queued, under way or done).
        p.wharf("create-service", "postgresql", "small", "pgk2")
        self.kill_9_when(lambda: "k1" in self.p.wharf("service-keys", "pgk2").out, "create-service-key", "pgk2", "k1")
        self.poll("k1 created after the restart",
                  lambda: re.search(r"k1\s+create succeeded", p.wharf("service-keys", "pgk2").out), timeout=60)

        # The server holds exactly what the broker's records say, and those exactly what Wharf lists.
        records = self.broker_records()
        self.assertEqual(sorted(i["state"] for i in records["instances"].values()), ["ready", "ready"])
        self.assertEqual([b["state"] for b in records["bindings"].values()], ["ready"])
        databases, logins = self.postgres_holds()
        self.assertEqual(databases, {i["data"]["database"] for i in records["instances"].values()})
        self.assertEqual(logins, {b["data"]["username"] for b in records["bindings"].values()})
        self.assertRegex(p.wharf("services").out, r"pgk\s+postgresql\s+small\s+create succeeded")

        # A retry works, and deleting everything leaves the server empty.
        p.wharf("create-service-key", "pgk", "k2")
        self.poll("k2 created", lambda: re.search(r"k2\s+create succeeded", p.wharf("service-keys", "pgk").out),
                  timeout=30)
        p.wharf("delete-service-key", "pgk", "k2", "-f")
        p.wharf("delete-service-key", "pgk2", "k1", "-f")
        self.poll("keys removed", lambda: all("No service key" in p.wharf("service-keys", n).out
                                              for n in ("pgk", "pgk2")), timeout=30)
        for name in ("pgk", "pgk2"):
            p.wharf("delete-service", name, "-f")
        self.poll("deprovisioned", lambda: "No service instances found" in p.wharf("services").out, timeout=60)
        self.assertEqual(self.postgres_holds(), (set(), set()))


if __name__ == "__main__":
    unittest.main()
