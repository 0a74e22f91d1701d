"""wharfd --database postgres://...: the state in a real PostgreSQL this test starts (loopback only,
password authentication). An app pushed is served through the router, and still is after wharfd
restarts; the password never shows in wharfd's output."""
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
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
        for sql in (f"CREATE ROLE wharf LOGIN PASSWORD '{PASSWORD}'", "CREATE DATABASE wharf OWNER wharf"):
            self.run(psql, "-h", self.dir, "-p", str(self.port), "-U", "postgres", "-d", "postgres", "-c", sql)
        return self

    def query(self, sql):
        psql = os.path.join(self.bin, "psql")
        return self.run(psql, "-h", self.dir, "-p", str(self.port), "-U", "postgres", "-d", "wharf", "-At", "-c", sql)

    def url(self):
        return f"postgres://wharf:{PASSWORD}@127.0.0.1:{self.port}/wharf"

    def stop(self):
        if self.proc is not None:
            self.proc.send_signal(signal.SIGINT)  # fast shutdown, by its pid
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            self.proc = None
            self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)


class PostgresStateTest(PlatformTest):
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


if __name__ == "__main__":
    unittest.main()
