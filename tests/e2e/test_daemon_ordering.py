"""wharfd's promises to scripts (issue 18): a build interrupted by `kill -9` is failed at the next start and
its leftovers removed; a graceful stop during staging stops the staging container and fails the build; `wharf stop` returns only once the router no longer sends the app requests; when
/v1/info answers, the router port accepts; the pid file names the live daemon."""
import glob
import http.client
import os
import signal
import socket
import subprocess

from harness import WHARF, WHARFD, PlatformTest

# A Heroku-style buildpack whose compile step marks that it began, then sleeps far past the test.
SLEEPY_DETECT = "#!/bin/sh\necho sleepy\n"
SLEEPY_COMPILE = "#!/bin/sh\ntouch \"$1/.compiling\"\nexec sleep 3171\n"
SLEEPY_RELEASE = "#!/bin/sh\necho '---'\n"


def make_buildpack_readable(bp):
    """Staging runs as vcap and sees a folder buildpack through a bind mount: its folders must be
    searchable and its scripts executable by others (mkdtemp makes the top folder 0700)."""
    os.chmod(bp, 0o755)
    os.chmod(os.path.join(bp, "bin"), 0o755)
    for f in ("detect", "compile", "release"):
        os.chmod(os.path.join(bp, "bin", f), 0o755)


def sleeping_pids(build_guid):
    """Processes running the sleepy buildpack's `sleep 3171` in the staging container of `build_guid`
    (found by their cgroup, so leftovers of other runs do not count)."""
    found = []
    for d in glob.glob("/proc/[0-9]*"):
        try:
            with open(os.path.join(d, "cmdline"), "rb") as f:
                if f.read().split(b"\0")[:2] != [b"sleep", b"3171"]:
                    continue
            with open(os.path.join(d, "cgroup")) as f:
                if build_guid in f.read():
                    found.append(int(os.path.basename(d)))
        except OSError:
            pass
    return found


class DaemonOrderingTest(PlatformTest):
    def test_a_build_interrupted_by_kill_9_is_failed_at_start_and_its_leftovers_removed(self):
        bp = self.make_app({"bin/detect": SLEEPY_DETECT, "bin/compile": SLEEPY_COMPILE,
                            "bin/release": SLEEPY_RELEASE})
        make_buildpack_readable(bp)
        app = self.make_app({"index.html": "hi"})
        push = subprocess.Popen([WHARF, "push", "slow", "-b", bp], cwd=app, env=self.p.env(),
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.addCleanup(lambda: (push.poll() is None and push.kill(), push.wait()))
        staging_root = os.path.join(self.p.data_dir, "staging", "staging")  # the stager's workspaces
        marker = self.poll("the buildpack's compile step running",
                           lambda: glob.glob(os.path.join(staging_root, "*", "app", ".compiling")), timeout=120)
        build_guid = marker[0].split(os.sep)[-3]
        self.assertTrue([c for c in self.p.container_ids() if c.startswith("stg-")], self.p.container_ids())
        self.assertTrue(sleeping_pids(build_guid), "the compile step's sleep is not running")

        self.p.stop(signal.SIGKILL)
        self.p.start()
        status, body = self.p.api("GET", f"/v1/builds/{build_guid}")
        self.assertEqual(status, 200, body)
        self.assertEqual(body["state"], "FAILED", body)
        self.assertIn("staging interrupted: wharfd stopped", body["error"])
        # Leftovers are gone by the time the API answers.
        self.assertEqual([c for c in self.p.container_ids() if c.startswith("stg-")], [])
        self.assertFalse(os.path.exists(os.path.join(staging_root, build_guid)), os.listdir(staging_root))
        self.poll("the staging container's processes gone", lambda: not sleeping_pids(build_guid), timeout=10)
        logs = self.p.wharf("logs", "slow", "--recent").out
        self.assertIn("staging interrupted: wharfd stopped", logs)
        self.assertIn("build-failed", self.p.wharf("events", "slow").out)

    def test_a_graceful_stop_during_staging_stops_the_staging_container_and_fails_the_build(self):
        bp = self.make_app({"bin/detect": SLEEPY_DETECT, "bin/compile": SLEEPY_COMPILE,
                            "bin/release": SLEEPY_RELEASE})
        make_buildpack_readable(bp)
        app = self.make_app({"index.html": "hi"})
        push = subprocess.Popen([WHARF, "push", "slow2", "-b", bp], cwd=app, env=self.p.env(),
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.addCleanup(lambda: (push.poll() is None and push.kill(), push.wait()))
        staging_root = os.path.join(self.p.data_dir, "staging", "staging")
        marker = self.poll("the buildpack's compile step running",
                           lambda: glob.glob(os.path.join(staging_root, "*", "app", ".compiling")), timeout=120)
        build_guid = marker[0].split(os.sep)[-3]
        self.assertTrue(sleeping_pids(build_guid), "the compile step's sleep is not running")

        # SIGTERM: wharfd does not wait for the 3171 s compile step; it stops the staging container.
        self.p.stop(signal.SIGTERM, timeout=30)
        self.assertEqual([c for c in self.p.container_ids() if c.startswith("stg-")], [])
        self.assertFalse(sleeping_pids(build_guid), "the staging container's processes outlived wharfd")
        self.assertFalse(os.path.exists(os.path.join(staging_root, build_guid)), os.listdir(staging_root))
        self.p.start()
        status, body = self.p.api("GET", f"/v1/builds/{build_guid}")
        self.assertEqual(status, 200, body)
        self.assertEqual(body["state"], "FAILED", body)
        self.assertIn("StagingCancelled", body["error"])
        self.assertIn("wharfd is stopping", body["error"])

    def test_stop_returns_once_the_router_no_longer_routes_to_the_app(self):
        d = self.make_app({"index.html": "<h1>up</h1>", "Staticfile": ""})
        self.p.wharf("push", "halt", cwd=d)
        host = "halt.localhost"
        self.wait_for_status(host, 200)
        for _ in range(3):
            self.p.wharf("stop", "halt")
            status = self.get(host)[0]  # at once, no sleep
            self.assertNotEqual(status, 200, "the router still routed to the app after `wharf stop` returned")
            self.assertIn(status, (404, 503))
            self.p.wharf("start", "halt")
            self.wait_for_status(host, 200)

    def test_the_router_accepts_once_the_api_answers_and_the_pid_file_names_the_daemon(self):
        d = self.make_app({"index.html": "<h1>up</h1>", "Staticfile": ""})
        self.p.wharf("push", "early", cwd=d)
        self.wait_for_status("early.localhost", 200)
        pid_file = os.path.join(self.p.data_dir, "wharfd.pid")
        with open(pid_file) as f:
            self.assertEqual(int(f.read()), self.p.proc.pid)
        for _ in range(3):
            self.p.stop(signal.SIGTERM)
            self.assertFalse(os.path.exists(pid_file), "a stopped wharfd left its pid file")
            self.p.start()  # returns at the first answer of /v1/info
            with socket.create_connection(("127.0.0.1", self.p.router_port), timeout=2):
                pass
            with open(pid_file) as f:
                self.assertEqual(int(f.read()), self.p.proc.pid)
            # The app, adopted by the new wharfd, answers through the router at once.
            self.assertEqual(self.get("early.localhost")[0], 200)
        # A second wharfd on the same data folder is refused and does not touch the pid file.
        second = subprocess.run([WHARFD, "--data-dir", self.p.data_dir,
                                 "--api-port", "0", "--router-port", "0"], capture_output=True, text=True,
                                timeout=30)
        self.assertNotEqual(second.returncode, 0)
        self.assertIn("another wharfd", second.stderr)
        with open(pid_file) as f:
            self.assertEqual(int(f.read()), self.p.proc.pid)
        self.p.stop(signal.SIGKILL)  # the file names the dead pid until the next start rewrites it
        self.p.start()
        with open(pid_file) as f:
            self.assertEqual(int(f.read()), self.p.proc.pid)


class LogLinesTest(PlatformTest):
    def test_log_lines_rtr_fields_env_events_and_a_staging_tail_shown_once(self):
        d = self.make_app({"index.html": "<h1>up</h1>", "Staticfile": ""})
        self.p.wharf("push", "talk", cwd=d)
        self.wait_for_status("talk.localhost", 200)
        conn = http.client.HTTPConnection("127.0.0.1", self.p.router_port, timeout=10)
        conn.request("GET", "/?from=e2e", headers={"Host": "talk.localhost", "User-Agent": "e2e-agent/1.0",
                                                   "X-Forwarded-For": "10.1.2.3", "Referer": "http://ref.test/"})
        self.assertEqual(conn.getresponse().status, 200)
        conn.close()

        def rtr_line():
            for line in self.p.wharf("logs", "talk", "--recent").out.splitlines():
                if "[RTR/0]" in line and "from=e2e" in line:
                    return line
            return None
        line = self.poll("the [RTR/0] line of the request", rtr_line, timeout=10)
        for part in ('"GET /?from=e2e HTTP/1.1" 200 ', '"http://ref.test/" "e2e-agent/1.0" ',
                     'x_forwarded_for:"10.1.2.3, 127.0.0.1"', 'x_forwarded_proto:"http"', 'vcap_request_id:"',
                     'app_index:"0"', 'x_cf_routererror:"-"'):
            self.assertIn(part, line)
        self.assertRegex(line, r"response_time:\d+\.\d{6} ")
        # Every line of `wharf logs` carries hundredths of a second, as cf shows them.
        for log_line in self.p.wharf("logs", "talk", "--recent").out.splitlines():
            if "[" in log_line and log_line.strip():
                self.assertRegex(log_line, r"^\s+\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d\d\+0000 \[")

        # Environment changes are events, naming the variables but never their values.
        self.p.wharf("set-env", "talk", "DB_PASSWORD", "hunter2-secret")
        self.p.wharf("unset-env", "talk", "DB_PASSWORD")
        events = self.p.wharf("events", "talk").out
        self.assertEqual(events.count("app-env-updated"), 2, events)
        self.assertIn("DB_PASSWORD", events)
        self.assertNotIn("hunter2-secret", events)

        # A failing staging: the buildpack's last lines appear once in what `wharf push` prints.
        bp = self.make_app({"bin/detect": "#!/bin/sh\necho failing\n",
                            "bin/compile": "#!/bin/sh\necho 'TAIL-MARKER-7731 the build broke'\nexit 3\n",
                            "bin/release": "#!/bin/sh\necho '---'\n"})
        make_buildpack_readable(bp)
        r = self.p.wharf("push", "broken", "-b", bp, cwd=self.make_app({"index.html": "x"}), expect=1)
        self.assertEqual((r.out + r.err).count("TAIL-MARKER-7731"), 1, r)
        self.assertIn("BuildpackCompileFailed", r.out + r.err)
