"""wharfd --database postgres://...: the state in a real PostgreSQL this test starts (loopback only,
password authentication). An app pushed is served through the router, and still is after wharfd
restarts; the password never shows in wharfd's output. PostgreSQL restarted under load: the app keeps
serving, the API refuses while the database is away and works again, without a wharfd restart, once it
is back."""
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import unittest

from harness import PlatformTest, free_port

PASSWORD = "e2e-s3cret-pw"


def postgres_bin():
    base = "/usr/lib/postgresql"
    versions = sorted((int(v) for v in os.listdir(base) if v.isdigit()), reverse=True) if os.path.isdir(base) else []
    for v in versions:
        d = os.path.join(base, str(v), "bin")
        if os.path.exists(os.path.join(d, "initdb")) and os.path.exists(os.path.join(d, "postgres")):
            return d
    raise AssertionError("no PostgreSQL server binaries under /usr/lib/postgresql (scripts/setup.sh installs them)")


class PostgresServer:
    """initdb into a private folder, postgres on 127.0.0.1:<free port>, as the user postgres when root."""

    def __init__(self):
        self.bin = postgres_bin()
        self.dir = tempfile.mkdtemp(prefix="wharf-e2e-pg-")
        self.port = free_port()
        self.proc = None
        self.as_user = None
        if os.geteuid() == 0:
            pw = pwd.getpwnam("postgres")
            self.as_user = (pw.pw_uid, pw.pw_gid)
            os.chown(self.dir, pw.pw_uid, pw.pw_gid)

    def _demote(self):
        if self.as_user:
            os.setgroups([])
            os.setgid(self.as_user[1])
            os.setuid(self.as_user[0])

    def run(self, *args):
        r = subprocess.run(list(args), capture_output=True, text=True, preexec_fn=self._demote, timeout=120)
        if r.returncode != 0:
            raise AssertionError(f"{args[0]} failed: {r.stdout}{r.stderr}")
        return r.stdout

    def start(self):
        data = os.path.join(self.dir, "data")
        self.run(os.path.join(self.bin, "initdb"), "-D", data, "-U", "postgres", "--auth-local=trust",
                 "--auth-host=scram-sha-256", "-E", "UTF8", "--no-locale", "--no-sync")
        self.launch()
        self.run(os.path.join(self.bin, "psql"), "-h", self.dir, "-p", str(self.port), "-U", "postgres", "-d",
                 "postgres", "-c", f"CREATE ROLE wharf LOGIN PASSWORD '{PASSWORD}'")
        self.create_database("wharf")
        return self

    def create_database(self, name):
        self.run(os.path.join(self.bin, "psql"), "-h", self.dir, "-p", str(self.port), "-U", "postgres", "-d",
                 "postgres", "-c", f"CREATE DATABASE {name} OWNER wharf")

    def launch(self):
        """Starts the server on the folder initdb made (again, after halt)."""
        data = os.path.join(self.dir, "data")
        self.log = open(os.path.join(self.dir, "server.log"), "ab")
        self.proc = subprocess.Popen([os.path.join(self.bin, "postgres"), "-D", data, "-k", self.dir,
                                      "-c", "listen_addresses=127.0.0.1", "-p", str(self.port)],
                                     stdout=self.log, stderr=self.log, stdin=subprocess.DEVNULL,
                                     preexec_fn=self._demote)
        psql = os.path.join(self.bin, "psql")
        deadline = time.time() + 60
        while True:
            r = subprocess.run([psql, "-h", self.dir, "-p", str(self.port), "-U", "postgres", "-d", "postgres",
                                "-c", "SELECT 1"], capture_output=True, text=True, preexec_fn=self._demote)
            if r.returncode == 0:
                break
            if self.proc.poll() is not None or time.time() > deadline:
                raise AssertionError("PostgreSQL did not start: " + open(os.path.join(self.dir, "server.log")).read())
            time.sleep(0.1)

    def query(self, sql):
        psql = os.path.join(self.bin, "psql")
        return self.run(psql, "-h", self.dir, "-p", str(self.port), "-U", "postgres", "-d", "wharf", "-At", "-c", sql)

    def url(self, database="wharf"):
        return f"postgres://wharf:{PASSWORD}@127.0.0.1:{self.port}/{database}"

    def halt(self):
        """Stops the server (fast shutdown: clients are disconnected); its data stays for launch()."""
        if self.proc is not None:
            self.proc.send_signal(signal.SIGINT)  # fast shutdown, by its pid
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            self.proc = None
            self.log.close()

    def stop(self):
        self.halt()
        shutil.rmtree(self.dir, ignore_errors=True)


class OnPostgres(PlatformTest):
    """A PostgreSQL server of the class's own; each test's wharfd keeps its state there."""

    @classmethod
    def setUpClass(cls):
        cls.pg = PostgresServer()
        try:
            cls.pg.start()
        except Exception:
            cls.pg.stop()
            raise
        cls.platform_args = {"extra_args": ["--database", cls.pg.url()]}

    @classmethod
    def tearDownClass(cls):
        cls.pg.stop()


class PostgresStateTest(OnPostgres):

    def test_an_app_on_postgresql_state_is_served_and_survives_a_restart(self):
        d = self.make_app({"index.html": "<h1>on postgres</h1>", "Staticfile": ""},
                          manifest="applications:\n- name: pgapp\n  memory: 64M\n")
        self.p.wharf("push", cwd=d, timeout=300)
        _, _, body = self.wait_for_status("pgapp.localhost", 200, timeout=60)
        self.assertIn(b"on postgres", body)
        # The state is in PostgreSQL, not in a SQLite file in the data folder.
        self.assertFalse(os.path.exists(os.path.join(self.p.data_dir, "wharf.db")))
        self.assertEqual(self.pg.query("SELECT name FROM apps").strip(), "pgapp")

        self.p.stop()
        self.p.start()
        _, _, body = self.wait_for_status("pgapp.localhost", 200, timeout=60)
        self.assertIn(b"on postgres", body)
        self.assertEqual(self.app_json("pgapp")["state"], "STARTED")
        self.assertIn("pgapp", self.p.wharf("apps").out)
        # The password shows nowhere in wharfd's output (the started event names the URL masked).
        log = self.p.daemon_log()
        self.assertNotIn(PASSWORD, log)
        with open(os.path.join(self.p.data_dir, "logs", "events.log"), errors="replace") as f:
            events = f.read()
        self.assertIn("postgres://wharf:***@127.0.0.1", events)
        self.assertNotIn(PASSWORD, events)


class PostgresRestartTest(OnPostgres):
    """Its own server: the restart must not disturb the other class's database."""

    def test_a_postgresql_restart_under_load_keeps_apps_serving_and_the_api_comes_back(self):
        d = self.make_app({"index.html": "<h1>through a restart</h1>", "Staticfile": ""},
                          manifest="applications:\n- name: pgload\n  memory: 64M\n")
        self.p.wharf("push", cwd=d, timeout=300)
        self.wait_for_status("pgload.localhost", 200, timeout=60)
        statuses = []
        api_codes = []
        stop = threading.Event()

        def load():
            while not stop.is_set():
                statuses.append(self.get("pgload.localhost")[0])
                time.sleep(0.01)

        def api_load():  # the API under load too: reads, through the whole restart
            while not stop.is_set():
                try:
                    api_codes.append(self.p.api("GET", "/v1/apps", timeout=10)[0])
                except OSError:
                    api_codes.append(0)
                time.sleep(0.05)
        threads = [threading.Thread(target=load), threading.Thread(target=api_load)]
        for t in threads:
            t.start()
        try:
            time.sleep(1)
            self.pg.halt()
            down_at = time.monotonic()
            r = self.p.wharf("apps", expect=None)
            self.assertNotEqual(r.code, 0, r)
            time.sleep(3)
            self.pg.launch()
            back_at = time.monotonic()
            self.poll("the API to answer again", lambda: self.p.wharf("apps", expect=None).code == 0, timeout=30)
            api_back = time.monotonic() - back_at
            time.sleep(1)
        finally:
            stop.set()
            for t in threads:
                t.join(timeout=30)
        failed = [s for s in statuses if s != 200]
        self.assertEqual(failed, [], f"{len(failed)} of {len(statuses)} requests through the router failed")
        self.assertGreater(len(statuses), 100)
        self.assertIn(200, api_codes)
        self.assertTrue(any(c >= 500 for c in api_codes), api_codes)  # it did notice the database was away
        print(f"\n[measure] PostgreSQL down {back_at - down_at:.1f}s: {len(statuses)} requests through the router, "
              f"none failed; API reads during: {len(api_codes)} ({sum(1 for c in api_codes if c != 200)} refused); "
              f"the API answered again {api_back:.2f}s after the server was back", flush=True)
        # Writes work again, and the cell converges on them: a second instance starts and is routed.
        self.p.wharf("scale", "pgload", "-i", "2")
        self.poll("two running instances", lambda: self.running_instances("pgload") == 2, timeout=60)
        self.assertNotIn(PASSWORD, self.p.daemon_log())

    def running_instances(self, name):
        status, processes = self.p.api("GET", f"/v1/apps/{self.app_json(name)['guid']}/processes")
        web = [x for x in processes["resources"] if x["type"] == "web"][0]["guid"]
        status, listed = self.p.api("GET", f"/v1/processes/{web}/instances")
        return sum(1 for i in listed["resources"] if i["state"] == "RUNNING") if status == 200 else -1


if __name__ == "__main__":
    unittest.main()
