"""What a hostile tenant's app can reach (issue 10): from inside its container, an app reaches the router's
port on its bridge's gateway (app-to-app traffic goes through routes) and nothing else of the host's
loopback: not the API, not the router's admin port, not a local service that trusts "localhost only", not a
service listening on every interface, and not another app's container directly.

The probe app is the one of test_health_and_scaling. Only loopback traffic and the platform's own network
namespaces; the only processes started are this test's listeners and platform."""
import http.client
import json
import os
import shutil
import subprocess
import resource
import socket
import threading
import time
import unittest

from harness import Platform, PlatformTest, Polling, free_port
from test_health_and_scaling import PROBE_PY
from test_daemon_ordering import make_buildpack_readable


# bin/compile of a buildpack that probes the network from inside staging (app code runs there: npm
# scripts, setup.py) and fails the staging on purpose, printing what it found as one JSON line.
STAGING_PROBE = r"""#!/bin/bash
exec python3 - "$1" <<'PY'
import json, os, socket, sys
cfg = json.load(open(os.path.join(sys.argv[1], "probe.json")))
def reach(host, port):
    try:
        socket.create_connection((host, port), 1.5).close()
        return True
    except OSError:
        return False
gateway = None
for line in open("/proc/net/route").read().splitlines()[1:]:
    f = line.split()
    if f[1] == "00000000":
        gateway = socket.inet_ntoa(bytes.fromhex(f[2])[::-1])
out = {"gateway": gateway,
       "interfaces": sorted(l.split(":")[0].strip() for l in open("/proc/net/dev").read().splitlines()[2:]),
       "host loopback API": reach("127.0.0.1", cfg["api"]),
       "host loopback service": reach("127.0.0.1", cfg["local_only"]),
       "API at the gateway": reach(gateway, cfg["api"]) if gateway else None,
       "0.0.0.0 service at the gateway": reach(gateway, cfg["everywhere"]) if gateway else None}
try:
    addr = socket.getaddrinfo(cfg["registry"], 443, socket.AF_INET, socket.SOCK_STREAM)[0][4][0]
    out["registry"] = reach(addr, 443)
except OSError as e:
    out["registry"] = "lookup failed: %s" % e
print("STAGING-PROBE " + json.dumps(out), flush=True)
sys.exit(7)
PY
"""


class Listener:
    """A TCP server on the host that counts the connections it accepted."""

    def __init__(self, address):
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((address, 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.accepted = 0
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.accepted += 1
            conn.close()

    def close(self):
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.sock.close()


class IsolationTest(PlatformTest):
    strict_cleanup = True

    def setUp(self):
        # a free port per test: one chosen once for the class may be taken by then (a client's
        # ephemeral port after the 10,000 connections of another test)
        self.admin_port = free_port()
        self.platform_args = {"extra_args": ["--router-admin-port", str(self.admin_port)]}
        super().setUp()

    def get_json(self, host, path):
        # generous: a blocked probe waits out its own 1.5 s connect timeout, on a loaded machine
        status, _h, body = self.get(host, path, timeout=30)
        self.assertEqual(status, 200, (host, path, body[:500]))
        return json.loads(body)

    def push_probe(self, name):
        d = self.make_app({"probe.py": PROBE_PY, "Procfile": "web: python3 probe.py\n"})
        self.p.wharf("push", name, "-b", "binary_buildpack", "-m", "128M", cwd=d)
        self.wait_for_status(f"{name}.localhost", 200)

    def test_an_app_reaches_the_router_and_nothing_else_on_the_host_or_beside_it(self):
        local_only = Listener("127.0.0.1")
        everywhere = Listener("0.0.0.0")
        self.addCleanup(local_only.close)
        self.addCleanup(everywhere.close)
        self.push_probe("attacker")
        self.push_probe("victim")
        attacker, victim = "attacker.localhost", "victim.localhost"
        # the admin port answers on the host: the probe below fails for the network's sake, not its own
        self.assertEqual(socket.create_connection(("127.0.0.1", self.admin_port), 5).close(), None)

        def reach(port, host=""):
            return self.get_json(attacker, f"/connect?port={port}&host={host}")

        addr = self.get_json(attacker, "/addr")
        print(f"\n[measure] attacker's address {addr['addr']}, gateway {addr['gateway']}", flush=True)
        allowed = reach(self.p.router_port)
        self.assertTrue(allowed["connected"], allowed)
        routed = self.get_json(attacker, f"/via-router?port={self.p.router_port}&host={victim}")
        self.assertEqual(routed["status"], 200, routed)
        self.assertIn('"index"', routed["body"], routed)

        closed = {
            "the API": reach(self.p.api_port),
            "the router's admin port": reach(self.admin_port),
            "a 127.0.0.1 service": reach(local_only.port),
            "a 0.0.0.0 service": reach(everywhere.port),
        }
        other = self.get_json(victim, "/addr")
        closed["the other app's container"] = reach(other["port"], other["addr"])
        for what, got in closed.items():
            print(f"[measure] {what}: {got}", flush=True)
            self.assertFalse(got["connected"], (what, got))
        self.assertEqual(local_only.accepted, 0)
        self.assertEqual(everywhere.accepted, 0)
        # the victim itself is fine and the API still answers on the host
        self.assertEqual(self.get_json(victim, "/")["index"], "0")
        self.assertEqual(self.p.api("GET", "/v1/info", auth=False)[0], 200)


    def test_staging_runs_in_its_own_network_namespace_with_a_path_to_registries_only(self):
        """A buildpack's compile step (app code, as npm scripts and setup.py are) reaches neither the host's
        loopback nor its services through the bridge and sees only its own interfaces (with the host's
        network it would see the bridge and every veth); the package registry stays reachable (DNS and
        HTTPS) for staging."""
        local_only = Listener("127.0.0.1")
        everywhere = Listener("0.0.0.0")
        self.addCleanup(local_only.close)
        self.addCleanup(everywhere.close)
        bp = self.make_app({"bin/detect": "#!/bin/sh\necho probe\n", "bin/compile": STAGING_PROBE,
                            "bin/release": "#!/bin/sh\necho '---'\n"})
        make_buildpack_readable(bp)
        cfg = {"api": self.p.api_port, "local_only": local_only.port, "everywhere": everywhere.port,
               "registry": "registry.npmjs.org"}
        app = self.make_app({"probe.json": json.dumps(cfg), "index.html": "x"})
        r = self.p.wharf("push", "stager-probe", "-b", bp, cwd=app, expect=1, timeout=300)
        lines = [l for l in (r.out + r.err).splitlines() if "STAGING-PROBE " in l]
        self.assertTrue(lines, r)
        got = json.loads(lines[0].split("STAGING-PROBE ", 1)[1])
        print(f"\n[measure] what staging reached: {got}", flush=True)
        self.assertEqual(got["interfaces"], ["eth0", "lo"], got)
        self.assertTrue(got["gateway"] and got["gateway"].startswith("10.244."), got)
        for what in ("host loopback API", "host loopback service", "API at the gateway",
                     "0.0.0.0 service at the gateway"):
            self.assertIs(got[what], False, (what, got))
        self.assertEqual(local_only.accepted, 0)
        self.assertEqual(everywhere.accepted, 0)
        self.assertIs(got["registry"], True, got)
        self.assertNotIn("stg-", " ".join(self.p.container_ids()))

    def test_slow_clients_and_held_streams_do_not_take_the_api_offline(self):
        """Without a token: 400 connections that trickle header lines and 200 that send nothing; with
        one: log streams until they are refused. `wharf apps` answers throughout."""
        self.push_probe("busy")
        socks = []
        self.addCleanup(lambda: [s.close() for s in socks])
        for i in range(600):
            s = socket.create_connection(("127.0.0.1", self.p.api_port), 5)
            if i < 400:
                s.sendall(b"GET /v1/apps HTTP/1.1\r\nHost: x\r\n")
            socks.append(s)
        answered = []
        stop = threading.Event()

        def trickle():
            n = 0
            while not stop.wait(1.0):
                n += 1
                for s in socks[:400]:
                    try:
                        s.sendall(f"X-Slow-{n}: 1\r\n".encode())
                    except OSError:
                        pass
        t = threading.Thread(target=trickle, daemon=True)
        t.start()
        self.addCleanup(stop.set)
        for _ in range(5):
            r = self.p.wharf("apps", expect=None, timeout=20)
            answered.append(r.code == 0 and "busy" in r.out)
            time.sleep(1)
        print(f"\n[measure] wharf apps during the slow-header attack: {answered}", flush=True)
        self.assertTrue(all(answered), answered)
        # The gate gave up on every silent and trickling connection: 503 when evicted by newer ones
        # over the per-peer limit (256 waiting heads), else 408 at the head deadline (10 s).
        time.sleep(11)
        answers = {}
        for s in socks:
            s.settimeout(0.5)
            try:
                status = s.recv(64)[:12].decode(errors="replace")
            except OSError as e:
                status = type(e).__name__
            answers[status] = answers.get(status, 0) + 1
        print(f"[measure] what the attack's connections were answered: {answers}", flush=True)
        self.assertEqual(answers.get("HTTP/1.1 408", 0) + answers.get("HTTP/1.1 503", 0), len(socks), answers)
        self.assertGreater(answers.get("HTTP/1.1 408", 0), 200, answers)  # the last ~256 waited it out

        # Log streams hold a request thread each; past the limit they are refused with 503 and
        # ordinary requests still answer.
        streams, refused = [], 0
        self.addCleanup(lambda: [c.close() for c in streams])
        guid = self.app_json("busy")["guid"]
        for _ in range(60):
            c = http.client.HTTPConnection("127.0.0.1", self.p.api_port, timeout=10)
            c.request("GET", f"/v1/apps/{guid}/logs/stream", headers={"Authorization": "Bearer " + self.p.admin_token()})
            resp = c.getresponse()
            if resp.status == 503:
                refused += 1
                c.close()
            else:
                self.assertEqual(resp.status, 200)
                streams.append(c)
        print(f"[measure] log streams open {len(streams)}, refused {refused}", flush=True)
        self.assertEqual(len(streams), 48)
        self.assertEqual(refused, 12)
        r = self.p.wharf("apps", expect=None, timeout=20)
        self.assertEqual(r.code, 0, r)
        self.assertIn("busy", r.out)


    def test_idle_connections_do_not_lock_clients_out_of_the_router(self):
        """10,050 connections that send no byte (more than the router's 10,000): each new client takes
        the place of the longest-idle one instead of getting 503, and the silent ones are closed at the
        first-byte deadline (10 s) instead of holding their place for a minute."""
        d = self.make_app({"index.html": "<h1>up</h1>", "Staticfile": ""})
        self.p.wharf("push", "steady", cwd=d)
        self.wait_for_status("steady.localhost", 200)
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        if soft < 10_500:
            resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 10_500), hard))
        socks = []
        self.addCleanup(lambda: [s.close() for s in socks])
        started = time.monotonic()
        for _ in range(10_050):
            socks.append(socket.create_connection(("127.0.0.1", self.p.router_port), 5))
        statuses = [self.get("steady.localhost", timeout=10)[0] for _ in range(20)]
        print(f"\n[measure] 10,050 idle connections opened in {time.monotonic() - started:.1f} s; "
              f"requests meanwhile: {statuses}", flush=True)
        self.assertEqual(statuses, [200] * 20)
        time.sleep(11)  # past the first-byte deadline
        closed = 0
        for s in socks:
            s.settimeout(0.01)
            try:
                closed += s.recv(16) == b""
            except (socket.timeout, BlockingIOError):
                pass
            except OSError:
                closed += 1
        print(f"[measure] closed by the router after the first-byte deadline: {closed} of {len(socks)}", flush=True)
        self.assertEqual(closed, len(socks))
        self.assertEqual(self.get("steady.localhost")[0], 200)

    def test_scaling_past_the_cells_memory_is_refused_with_the_figures(self):
        """`scale -m 1T` used to run five 1 TiB instances on a 24 GB machine: now the API refuses what
        does not fit the cell (its memory and disk), names the resource and the figures, and changes
        nothing; scaling down always passes."""
        d = self.make_app({"index.html": "<h1>up</h1>", "Staticfile": ""})
        self.p.wharf("push", "roomy", "-m", "64M", cwd=d)
        self.wait_for_status("roomy.localhost", 200)
        r = self.p.wharf("scale", "roomy", "-m", "1T", "-f", expect=1)
        print(f"\n[measure] scale -m 1T: {(r.out + r.err).strip()}", flush=True)
        self.assertIn("insufficient resources: memory: app 'roomy' needs 1024 GB (1 x 1024 GB (web))", r.out + r.err)
        r = self.p.wharf("scale", "roomy", "-i", "1000", "-m", "1G", expect=1)
        self.assertIn("insufficient resources: memory: app 'roomy' needs 1000 GB (1000 x 1024 MB (web))",
                      r.out + r.err)
        status, web = self.p.api("GET", f"/v1/apps/{self.app_json('roomy')['guid']}/processes/web")
        self.assertEqual(status, 200, web)
        self.assertEqual((web["instances"], web["memory_in_mb"]), (1, 64), web)  # nothing changed
        r = self.p.wharf("scale", "roomy", "-k", "1T", "-f", expect=1)
        self.assertIn("insufficient resources: disk", r.out + r.err)
        self.p.wharf("scale", "roomy", "-i", "2")
        self.p.wharf("scale", "roomy", "-i", "1")
        self.assertEqual(self.get("roomy.localhost")[0], 200)

class EnforcedDiskQuotaTest(PlatformTest):
    """`wharfd --disk-quotas enforced`: an instance's writes past its disk quota fail at once (issue 10: an app
    wrote 3 GB against a 100 MB quota before the 30 s check noticed)."""
    strict_cleanup = True
    platform_args = {"extra_args": ["--disk-quotas", "enforced"]}

    def test_writes_past_the_disk_quota_fail_and_the_app_keeps_serving(self):
        d = self.make_app({"index.html": "<h1>up</h1>", "Staticfile": ""})
        self.p.wharf("push", "tight", "-k", "64M", "-m", "64M", cwd=d)
        self.wait_for_status("tight.localhost", 200)
        r = self.p.wharf("ssh", "tight", "-c",
                         "dd if=/dev/zero of=/home/vcap/app/big bs=1M count=200 2>&1; echo rc=$?; "
                         "du -sm /home/vcap/app/big", timeout=120)
        print(f"\n[measure] dd of 200 MB under a 64 MB quota: {r.out.strip()}", flush=True)
        self.assertIn("No space left on device", r.out)
        self.assertNotIn("rc=0", r.out)
        written = int(r.out.strip().splitlines()[-1].split()[0])
        self.assertLess(written, 64)
        self.assertEqual(self.get("tight.localhost")[0], 200)


class FullDataDiskTest(Polling, unittest.TestCase):
    """With the data disk full (issue 10: `wharf delete` failed with "database or disk is full" and garbage
    collection freed nothing until its one-hour grace passed), a delete still works (it may use wharfd's
    reserve file), the garbage it leaves is collected at once, and the reserve comes back with the room.
    The data folder is a small file system of the test's own."""

    def setUp(self):
        self.p = Platform()
        image = os.path.join(self.p.root, "data.img")
        subprocess.run(["truncate", "-s", "400M", image], check=True)
        subprocess.run(["mkfs.ext4", "-q", "-F", "-m", "0", image], check=True)
        os.makedirs(self.p.data_dir)
        subprocess.run(["mount", "-o", "loop", image, self.p.data_dir], check=True)
        # run last to first: the platform's cleanup (it names the test's own mount, expectedly), the
        # unmount, the folder
        self.addCleanup(shutil.rmtree, self.p.root, True)
        self.addCleanup(lambda: subprocess.run(["umount", "-l", self.p.data_dir], capture_output=True))
        self.addCleanup(self.p.cleanup)
        self.p.start().login()

    def events(self, kind):
        """The event log's lines of that type ("<time> <type> key=value ..."), as dicts."""
        out = []
        with open(os.path.join(self.p.data_dir, "logs", "events.log"), errors="replace") as f:
            for line in f:
                fields = line.split()
                if len(fields) > 1 and fields[1] == kind:
                    out.append(dict(kv.split("=", 1) for kv in fields[2:] if "=" in kv))
        return out

    def test_a_full_disk_still_deletes_and_collects_at_once(self):
        reserve = os.path.join(self.p.data_dir, "disk-reserve")
        self.assertTrue(os.path.exists(reserve), "wharfd keeps a reserve on a disk with room")
        d = os.path.join(self.p.root, "app")
        os.makedirs(d)
        with open(os.path.join(d, "index.html"), "w") as f:
            f.write(os.urandom(8 << 20).hex())  # 16 MB of text: a droplet and package worth collecting
        with open(os.path.join(d, "Staticfile"), "w") as f:
            f.write("")
        self.p.wharf("push", "doomed", "-m", "64M", "-k", "64M", cwd=d, timeout=300)
        filler = os.path.join(self.p.data_dir, "filler")
        subprocess.run(["dd", "if=/dev/zero", f"of={filler}", "bs=1M"], capture_output=True)
        st = os.statvfs(self.p.data_dir)
        print(f"\n[measure] free on the data disk after filling: {st.f_bavail * st.f_frsize} bytes", flush=True)
        r = self.p.wharf("delete", "doomed", "-f", "-r")
        self.assertIn("OK", r.out)
        self.assertNotIn("doomed", self.p.wharf("apps").out)
        # the droplet and package, seconds young, go now rather than after the hour's grace
        collected = self.poll("garbage collected at once on the full disk",
                              lambda: [e for e in self.events("disk-full-collected")], timeout=60)
        gc = self.poll("the collection's report", lambda: [e for e in self.events("gc-completed")
                                                            if e.get("grace_seconds") == "10"
                                                            and int(e.get("removed_blobs", 0)) > 0], timeout=60)
        print(f"[measure] {collected[-1]} / {gc[-1]}", flush=True)
        self.assertGreater(int(gc[-1]["removed_blobs"]), 0, gc)
        self.assertGreater(int(gc[-1]["freed_bytes"]), 8 << 20, gc)
        os.unlink(filler)
        self.poll("the reserve is allocated again once there is room", lambda: os.path.exists(reserve), timeout=30)
        # and the platform works on
        d2 = self.make_static_app()
        self.p.wharf("push", "after", "-m", "64M", "-k", "64M", cwd=d2, timeout=300)

    def make_static_app(self):
        d = os.path.join(self.p.root, "app2")
        os.makedirs(d)
        for name, text in (("index.html", "<h1>after</h1>"), ("Staticfile", "")):
            with open(os.path.join(d, name), "w") as f:
                f.write(text)
        return d


FLOOD_PY = """import http.server, os, sys, threading
srv = http.server.ThreadingHTTPServer(("0.0.0.0", int(os.environ["PORT"])), http.server.SimpleHTTPRequestHandler)
threading.Thread(target=srv.serve_forever, daemon=True).start()
n = 0
while True:
    n += 1
    print("flood line %08d" % n, flush=(n % 50 == 0))  # about 20 bytes a line, thousands a second
"""


class LogRateLimitTest(PlatformTest):
    """A per-instance log rate limit (cf's log-rate-limit-per-second, `scale -l`): an app that floods its
    output gets at most that many bytes a second into its logs, and one line a second says it went over
    (issue 10: a log flood filled the disk and the per-app log)."""

    def recent_flood(self):
        out = self.p.wharf("logs", "flood", "--recent").out.splitlines()
        return ([l for l in out if "OUT flood line" in l],
                [l for l in out if "app instance exceeded log rate limit (1024 bytes/sec)" in l])

    def test_an_app_over_its_log_rate_limit_is_cut_to_it_and_told(self):
        d = self.make_app({"flood.py": FLOOD_PY, "Procfile": "web: python3 flood.py\n"},
                          manifest="applications:\n- name: flood\n  memory: 128M\n"
                                   "  log-rate-limit-per-second: 1K\n")
        self.p.wharf("push", "-b", "binary_buildpack", cwd=d, timeout=300)
        self.wait_for_status("flood.localhost", 200)
        guid = self.app_json("flood")["guid"]
        status, web = self.p.api("GET", f"/v1/apps/{guid}/processes/web")
        self.assertEqual(web["log_rate_limit_in_bytes_per_second"], 1024, web)
        time.sleep(4)
        lines, notices = self.recent_flood()
        per_second = {}
        for l in lines:
            second = l.split()[0][:19]
            per_second[second] = per_second.get(second, 0) + len(l.split(" OUT ", 1)[1]) + 1
        print(f"\n[measure] flood under 1K/s: {len(lines)} lines kept, {len(notices)} notices, "
              f"bytes per wall-clock second {sorted(per_second.values())}", flush=True)
        self.assertTrue(notices)
        self.assertTrue(lines)
        # Windows of one second need not match wall-clock seconds: at most two windows' worth in one.
        self.assertLessEqual(max(per_second.values()), 2 * 1024)
        r = self.p.wharf("scale", "flood", "-l", "lots", expect=1)
        self.assertIn("-l: log rate limit 'lots' must be -1 (unlimited) or a size per second", r.err)
        # Raised to 64K: the flood fills the recent lines again (the instance is replaced with the new limit).
        self.p.wharf("scale", "flood", "-l", "64K")
        self.wait_for_status("flood.localhost", 200)
        time.sleep(2)
        lines, _ = self.recent_flood()
        self.assertGreater(len(lines), 500)
        # -1 is unlimited (set on the stopped app: an unlimited flood keeps wharfd busy writing its lines).
        self.p.wharf("stop", "flood", timeout=120)
        self.p.wharf("scale", "flood", "-l", "-1")
        status, web = self.p.api("GET", f"/v1/apps/{guid}/processes/web")
        self.assertEqual(web["log_rate_limit_in_bytes_per_second"], -1, web)


if __name__ == "__main__":
    unittest.main()
