"""Credential rotation (issue 12): `wharf rotate-service-credentials web pg` on a Node app with two instances,
bound to the built-in PostgreSQL, while four clients send requests through the router without pause (one as
fast as it can, three holding their PostgreSQL session open 0.4 s each). Each request
logs in to PostgreSQL with the instance's credentials from VCAP_SERVICES (one connection per request, the
`pg` package), so a request served by an old instance after its role was revoked would fail.

Also: the built-in broker's plans are not updateable (update-service -p is refused before the broker), while a
parameters-only update goes through it.

Checks: no request fails during the rotation; a watcher (the old role's login from the host, then the app's
instance list) never sees the old role refused while an instance of the previous version is still listed; the requests are served by the old role first and by the new
one at the end; afterwards the app logs in as the new binding's role, VCAP_SERVICES keeps the binding name,
the app has one binding (the new one), the old role can no longer log in to the server (a control login
with the new role from the same place works), and the rotation is in the app's events. Deleting the app then
unbinds it at the broker.

Prints [measure] lines: the rotation's time, the requests sent during it and how many failed.
Only loopback traffic and the platform's own network namespaces; the servers are the platform's own."""
import json
import os
import re
import shutil
import subprocess
import threading
import time
import unittest
import urllib.parse

from harness import Platform, PlatformTest

APP_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "apps", "services-node")


class ServiceRotationTest(PlatformTest):
    strict_cleanup = True

    def setUp(self):
        self.p = Platform()
        self.addCleanup(lambda: self.p.cleanup(strict=self.strict_cleanup))
        os.chmod(self.p.root, 0o711)  # the servers' users pass through to the services folder (see test_builtin_services)
        self.p.start().login()

    def call(self, path, status=200, timeout=60):
        deadline = time.monotonic() + timeout
        while True:
            got = self.get("web.localhost", path, timeout=20)
            if got[0] == status:
                return json.loads(got[2])
            if time.monotonic() > deadline:
                self.fail(f"web{path} answered {got[0]} {got[2][:400]!r}, not {status}\n{self.p.daemon_log()}")
            time.sleep(0.3)

    def binding_credentials(self, app_guid):
        status, body = self.p.api("GET", "/v1/service_bindings?type=app&app_guid=" + app_guid)
        self.assertEqual(status, 200, body)
        bindings = body["resources"]
        self.assertEqual(len(bindings), 1, bindings)
        status, details = self.p.api("GET", f"/v1/service_bindings/{bindings[0]['guid']}/details")
        self.assertEqual(status, 200, details)
        return bindings[0], details["credentials"]

    def psql_login(self, creds):
        """Logs in from the host (the server listens on 127.0.0.1, on the port in its folder) with the
        credentials' role and password."""
        with open(os.path.join(self.p.data_dir + "-services", "postgresql", "wharf-port")) as f:
            port = f.read().strip()
        url = (f"postgresql://{urllib.parse.quote(creds['username'])}:{urllib.parse.quote(creds['password'])}"
               f"@127.0.0.1:{port}/{creds['name']}?connect_timeout=10")
        return subprocess.run([shutil.which("psql") or "psql", url, "-Atc", "SELECT session_user"],
                              capture_output=True, text=True, timeout=30)

    def test_rotation_under_load_fails_no_request_and_revokes_the_old_role(self):
        p = self.p
        self.poll("the built-in PostgreSQL broker registered", lambda: "postgresql" in p.wharf("marketplace").out,
                  timeout=30)
        p.wharf("create-service", "postgresql", "small", "pg", "--wait", timeout=180)
        # The built-in broker's plans are not updateable: refused before the broker, naming the field.
        r = p.wharf("update-service", "pg", "-p", "medium", expect=1)
        self.assertIn("plan_guid: service offering 'postgresql' does not allow plan changes", r.out + r.err)
        self.assertIn("Update of service instance pg completed (plan small).",
                      p.wharf("update-service", "pg", "-c", '{"note": "same plan"}', "--wait").out)
        d = self.make_app({})
        shutil.copytree(APP_DIR, d, dirs_exist_ok=True)
        p.wharf("push", "web", "-b", "nodejs_buildpack", "-m", "128M", "-i", "2", cwd=d, timeout=600)
        p.wharf("bind-service", "web", "pg", "--binding-name", "db")
        self.poll("web bound to pg", lambda: re.search(r"web\s+db\s+create succeeded", p.wharf("service", "pg").out),
                  timeout=30)
        p.wharf("restart", "web", timeout=300)
        app_guid = self.app_json("web")["guid"]
        old_binding, old = self.binding_credentials(app_guid)
        self.poll("both instances on the old role",
                  lambda: all(self.call("/pg/whoami")["user"] == old["username"] for _ in range(6)), timeout=60)

        # Clients send requests through the router for the whole rotation: one as fast as it can, three
        # whose PostgreSQL sessions stay open 0.4 s each (so some are in flight whenever an instance is
        # replaced: revoking the old role before the old instances drained would kill them).
        results = []  # (monotonic time at the answer, status, body)
        stop = threading.Event()

        def load(path):
            while not stop.is_set():
                status, _, body = self.get("web.localhost", path, timeout=20)
                results.append((time.monotonic(), status, body))
        # Meanwhile a watcher asks, over and over: can the old role still log in? then: does the cell still
        # run (or stop) an instance of the app's previous version? Once the old role is refused, no such
        # instance may be left (instances of the previous version never come back, so a later "yes"
        # means there was one when the role was revoked).
        status, processes = p.api("GET", f"/v1/apps/{app_guid}/processes")
        self.assertEqual(status, 200, processes)
        web_guid = [x for x in processes["resources"] if x["type"] == "web"][0]["guid"]
        watched = []  # (monotonic time, old role logs in, outdated instances listed)

        def watch():
            while not stop.is_set():
                logs_in = self.psql_login(old).returncode == 0
                code, listed = p.api("GET", f"/v1/processes/{web_guid}/instances")
                outdated = sum(1 for i in listed["resources"] if i.get("outdated")) if code == 200 else -1
                watched.append((time.monotonic(), logs_in, outdated))
        clients = [threading.Thread(target=load, args=("/pg/whoami",))] + \
            [threading.Thread(target=load, args=("/pg/whoami?sleep=0.4",)) for _ in range(3)] + \
            [threading.Thread(target=watch)]
        for c in clients:
            c.start()
        try:
            time.sleep(1.0)
            started = time.monotonic()
            r = p.wharf("rotate-service-credentials", "web", "pg", timeout=600)
            ended = time.monotonic()
            time.sleep(1.0)
        finally:
            stop.set()
            for c in clients:
                c.join(timeout=60)
        results.sort(key=lambda x: x[0])
        self.assertIn("Rotated the credentials of service instance pg for app web", r.out)
        # The CLI prints each state it sees (it polls every 0.2 s, so a step shorter than that, such as
        # unbinding when the broker answers at once, may pass unseen): in order, the first, the rolling
        # restart and the last always.
        order = ("binding", "restarting", "draining", "unbinding", "succeeded")
        shown = [line.split(":")[0].strip() for line in r.out.splitlines() if line.startswith("   ") and ": " in line]
        self.assertEqual([s for s in order if s in shown], shown, r.out)
        for state in ("binding", "restarting", "succeeded"):
            self.assertIn(state, shown, r.out)

        during = [x for x in results if started <= x[0] <= ended]
        failed = [x for x in results if x[1] != 200]
        print(f"\n[measure] rotate-service-credentials (2 instances, rolling) took {ended - started:.3f}s", flush=True)
        print(f"\n[measure] requests during the rotation: {len(during)}, failed: "
              f"{len([x for x in during if x[1] != 200])}; in all {len(results)} requests, {len(failed)} failed",
              flush=True)
        self.assertEqual(failed, [], f"failed requests: {failed[:5]}")
        self.assertGreater(len(during), 20)
        revoked_at = [t for t, logs_in, _ in watched if not logs_in]
        print(f"\n[measure] watcher: {len(watched)} samples; outdated instances seen while the old role still logged "
              f"in: {sum(1 for _, l, o in watched if l and o > 0)} samples; old role refused from "
              f"{(revoked_at[0] - started) if revoked_at else float('nan'):.3f}s after the rotation started",
              flush=True)
        self.assertTrue(all(o >= 0 for _, _, o in watched), watched)
        self.assertTrue(any(l and o > 0 for _, l, o in watched), f"the watcher never saw the drain: {watched}")
        self.assertTrue(revoked_at, "the watcher never saw the old role refused")
        self.assertEqual([x for x in watched if not x[1] and x[2] > 0], [],
                         "the old role was revoked while an instance of the previous version was left")

        # The app logs in as the new binding's role; the binding keeps its name; the old role is gone.
        new_binding, new = self.binding_credentials(app_guid)
        self.assertNotEqual(new_binding["guid"], old_binding["guid"])
        self.assertEqual(new_binding["name"], "db")
        self.assertNotEqual(new["username"], old["username"])
        users = [json.loads(x[2])["user"] for x in results]
        self.assertEqual(users[0], old["username"])
        self.assertEqual(users[-1], new["username"])
        self.assertEqual(set(users), {old["username"], new["username"]})
        for _ in range(6):
            self.assertEqual(self.call("/pg/whoami")["user"], new["username"])
        status, env = p.api("GET", f"/v1/apps/{app_guid}/env")
        self.assertEqual(status, 200, env)
        entries = env["system_env_json"]["VCAP_SERVICES"]["postgresql"]
        self.assertEqual([(e["name"], e["binding_name"], e["credentials"]["username"]) for e in entries],
                         [("db", "db", new["username"])])

        revoked = self.psql_login(old)
        self.assertNotEqual(revoked.returncode, 0, revoked.stdout)
        self.assertTrue("password authentication failed" in revoked.stderr or "does not exist" in revoked.stderr,
                        revoked.stderr)
        control = self.psql_login(new)
        self.assertEqual(control.returncode, 0, control.stderr)
        self.assertEqual(control.stdout.strip(), new["username"])

        events = p.wharf("events", "web").out
        self.assertIn("service-credentials-rotation-started", events)
        self.assertIn("service-credentials-rotated", events)

        # Deleting the app unbinds it at the broker; then the instance can go.
        p.wharf("delete", "web", "-f")
        self.assertIn("There are no bound apps", p.wharf("service", "pg").out)
        self.assertNotEqual(self.psql_login(new).returncode, 0)
        p.wharf("delete-service", "pg", "-f")
        self.poll("pg deprovisioned", lambda: "No service instances found" in p.wharf("services").out, timeout=60)


if __name__ == "__main__":
    unittest.main()
