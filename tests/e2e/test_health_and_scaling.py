"""Health management and scaling of running apps: instances killed from outside or crashing at start are
recorded and replaced (with CF's crash backoff), scaling instances, memory and separate process types,
restarting one instance, a wharfd restart under a crash, and the container's isolation (uid, pid namespace,
read-only /usr, pids and memory limits) seen by an app that reports on itself over HTTP.

Only loopback traffic; the only processes signalled are container init processes of this test's own
platform, by the pid the cell recorded (checked against the recorded start time first). Cleanup is
strict: a leaked container fails the test."""
import json
import os
import re
import signal
import subprocess
import threading
import time
import unittest

from harness import PlatformTest

# A tiny app that reports on itself. INSTANCE_INDEX / INSTANCE_GUID name the instance that answered.
PROBE_PY = r'''
import json, os, signal, subprocess, sys, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ME = {"index": os.environ.get("INSTANCE_INDEX"), "guid": os.environ.get("INSTANCE_GUID"),
      "type": os.environ.get("PROBE_TYPE", "web"), "memory_limit": os.environ.get("MEMORY_LIMIT")}


def forkbomb():
    # posix_spawn (clone with CLONE_VFORK) creates each child: a real process counted by the pids limit like
    # any fork, without copying this python process's page tables, which makes a full fork() loop take close
    # to a minute on a loaded machine.
    children, error = [], None
    try:
        while len(children) < 5000:
            children.append(os.posix_spawn("/bin/sleep", ["sleep", "60"], {}))
    except OSError as e:
        error = f"{type(e).__name__}: {e}"
    for pid in children:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
    for pid in children:
        try:
            os.waitpid(pid, 0)
        except OSError:
            pass
    return {"forked": len(children), "error": error}


def write_usr():
    try:
        with open("/usr/local/wharf-probe", "w") as f:
            f.write("x")
        return {"written": True, "error": None}
    except OSError as e:
        return {"written": False, "error": f"{type(e).__name__}: {e}", "errno": e.errno}


def gateway():
    # the default route's gateway: the host side of the container's bridge
    with open("/proc/net/route") as f:
        for line in f.readlines()[1:]:
            fields = line.split()
            if fields[1] == "00000000":
                g = int(fields[2], 16)
                return ".".join(str((g >> s) & 255) for s in (0, 8, 16, 24))
    return None


def connect(host, port):
    import socket
    s = socket.socket()
    s.settimeout(1.5)
    try:
        s.connect((host, port))
        return {"host": host, "port": port, "connected": True, "error": None}
    except OSError as e:
        return {"host": host, "port": port, "connected": False, "error": f"{type(e).__name__}: {e}"}
    finally:
        s.close()


def via_router(port, host_header):
    import http.client
    c = http.client.HTTPConnection(gateway(), port, timeout=5)
    c.request("GET", "/", headers={"Host": host_header})
    r = c.getresponse()
    return {"status": r.status, "body": r.read().decode(errors="replace")[:500]}


class H(BaseHTTPRequestHandler):
    def answer(self, obj, code=200):
        body = (json.dumps(obj) + "\n").encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        path, _, query = self.path.partition("?")
        if path == "/":
            self.answer(ME)
        elif path == "/id":
            self.answer({"uid": subprocess.run(["id", "-u"], capture_output=True, text=True).stdout.strip(),
                         "getuid": os.getuid()})
        elif path == "/ps":
            pids = sorted(int(p) for p in os.listdir("/proc") if p.isdigit())
            cmds = {}
            for p in pids:
                try:
                    with open(f"/proc/{p}/cmdline", "rb") as f:
                        cmds[p] = f.read().replace(b"\0", b" ").decode(errors="replace").strip()
                except OSError:
                    cmds[p] = "?"
            self.answer({"pids": pids, "self": os.getpid(), "cmdlines": cmds})
        elif path == "/write-usr":
            self.answer(write_usr())
        elif path == "/forkbomb":
            self.answer(forkbomb())
        elif path == "/connect":
            q = dict(kv.partition("=")[::2] for kv in query.split("&") if kv)
            self.answer(connect(q.get("host") or gateway(), int(q["port"])))
        elif path == "/via-router":
            q = dict(kv.partition("=")[::2] for kv in query.split("&") if kv)
            self.answer(via_router(int(q["port"]), q["host"]))
        elif path == "/addr":
            import socket
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.connect((gateway(), 9))
            self.answer({"addr": s.getsockname()[0], "gateway": gateway(), "port": int(os.environ["PORT"])})
        elif path == "/alloc":
            mb = int(query.partition("=")[2] or "200")
            hog = [bytes([i % 251 + 1]) * (1 << 20) for i in range(mb)]  # touched: really resident
            self.answer({"allocated_mb": len(hog)})
        else:
            self.answer({"error": "no such path"}, 404)

    def log_message(self, fmt, *args):
        sys.stdout.write("probe %s\n" % (fmt % args))
        sys.stdout.flush()


ThreadingHTTPServer.daemon_threads = True
# listen(128), as real servers do (gunicorn 2048, Node 511), not Python's 5: an overflowing accept queue
# makes Linux drop a handshake's last ACK after the router sent the request. (The rare 30 s stall of one
# request in this file had another cause: the bridge's MAC address followed its ports', runtime/network.h.)
ThreadingHTTPServer.request_queue_size = 128
ThreadingHTTPServer(("0.0.0.0", int(os.environ["PORT"])), H).serve_forever()
'''

WORKER_SH = "while true; do echo \"worker tick $(date +%s.%N)\"; sleep 0.2; done"


class Poller(threading.Thread):
    """Polls the router continuously in the background and records every answer."""

    def __init__(self, test, host, path="/"):
        super().__init__(daemon=True)
        self.test, self.host, self.path = test, host, path
        self.results = []  # (monotonic time, status, body)
        self._halt = threading.Event()

    def run(self):
        while not self._halt.is_set():
            status, _h, body = self.test.get(self.host, self.path)
            self.results.append((time.monotonic(), status, body))
            time.sleep(0.02)

    def finish(self):
        self._halt.set()
        self.join(15)
        return self.results

    def failures(self):
        return [(round(t, 2), s, b[:200]) for t, s, b in self.results if s != 200]


class HealthAndScalingTest(PlatformTest):
    strict_cleanup = True

    # --- helpers ----------------------------------------------------------------
    def get_json(self, host, path="/", timeout=10):
        status, _h, body = self.get(host, path, timeout=timeout)
        self.assertEqual(status, 200, (host, path, body[:500]))
        return json.loads(body)

    def process(self, app_name, ptype="web"):
        app = self.app_json(app_name)
        status, body = self.p.api("GET", f"/v1/apps/{app['guid']}/processes/{ptype}")
        self.assertEqual(status, 200, body)
        return body

    def instances(self, app_name, ptype="web"):
        guid = self.process(app_name, ptype)["guid"]
        status, body = self.p.api("GET", f"/v1/processes/{guid}/instances")
        self.assertEqual(status, 200, body)
        return sorted(body["resources"], key=lambda i: i["index"])

    def running_instances(self, app_name, count, ptype="web", timeout=30):
        def check():
            inst = self.instances(app_name, ptype)
            running = [i for i in inst if i["state"] == "RUNNING"]
            return running if len(running) == count and len(inst) == count else None
        return self.poll(f"exactly {count} RUNNING {ptype} instance(s) of {app_name}", check, timeout=timeout)

    def events(self, app_name):
        return self.p.wharf("events", app_name).out

    def crash_events(self, app_name):
        """The app's app-crashed audit events (data as a dict), newest first as the API lists them."""
        r = self.p.wharf("events", app_name, "--json")
        found = []
        for e in json.loads(r.out):
            if e.get("type") == "app-crashed":
                found.append(e.get("data") or {})
        return found

    def recent_logs(self, app_name):
        return self.p.wharf("logs", app_name, "--recent").out

    def containers(self):
        """{container id: container.json} of every container the cell has a record of."""
        out = {}
        for cid in self.p.container_ids():
            try:
                with open(os.path.join(self.p.containers_dir(), cid, "container.json")) as f:
                    out[cid] = json.load(f)
            except (OSError, ValueError):
                pass
        return out

    def cgroup_value(self, rec, controller, name):
        """A limit the kernel applies to the container, read from its cgroup (v1 or v2), or None."""
        cg = rec.get("cgroup", "").lstrip("/")
        for path in (f"/sys/fs/cgroup/{controller}/{cg}/{name}", f"/sys/fs/cgroup/{cg}/{name}"):
            try:
                with open(path) as f:
                    return f.read().strip()
            except OSError:
                pass
        return None

    def container_for(self, address):
        """The container id whose recorded ip:port is `address` (an instance's address)."""
        for cid, rec in self.containers().items():
            if f"{rec.get('ip')}:{rec.get('port')}" == address or f"127.0.0.1:{rec.get('host_port')}" == address:
                return cid
        return None

    def kill_init(self, container_id):
        """SIGKILLs the container's init process, by the pid the cell recorded, after checking that this pid
        still is that process (its start time in /proc matches the recorded one)."""
        with open(os.path.join(self.p.containers_dir(), container_id, "init.pid")) as f:
            fields = f.read().split()
        pid = int(fields[0])
        with open(f"/proc/{pid}/stat") as f:
            stat = f.read()
        start_ticks = stat[stat.rindex(")") + 2:].split()[19]
        if len(fields) > 1:
            self.assertEqual(start_ticks, fields[1], f"pid {pid} is not the recorded init any more")
        os.kill(pid, signal.SIGKILL)
        return pid

    def push_probe(self, name, instances=1, memory="128M", procfile=None, extra_files=None):
        files = {"probe.py": PROBE_PY, "Procfile": procfile or "web: python3 probe.py\n"}
        files.update(extra_files or {})
        d = self.make_app(files)
        self.p.wharf("push", name, "-b", "binary_buildpack", "-m", memory, "-i", str(instances), cwd=d)
        self.wait_for_status(f"{name}.localhost", 200)
        return self.running_instances(name, instances)

    def served_indexes(self, host, tries=30):
        seen = {}
        for _ in range(tries):
            status, _h, body = self.get(host)
            self.assertEqual(status, 200, body[:300])
            j = json.loads(body)
            seen.setdefault(j["index"], set()).add(j["guid"])
        return seen

    # --- 1 ------------------------------------------------------------------------
    def test_an_instance_killed_from_outside_is_recorded_and_replaced(self):
        inst = self.push_probe("victim")[0]
        host = "victim.localhost"
        before = self.get_json(host)
        cid = self.container_for(inst["address"])
        self.assertIsNotNone(cid, (inst, self.containers()))
        self.assertEqual(len(self.p.container_ids()), 1)

        t0 = time.monotonic()
        self.kill_init(cid)

        def serving_new():
            status, _h, body = self.get(host, timeout=2)
            if status == 200:
                j = json.loads(body)
                if j["guid"] != before["guid"]:
                    return j
            return None
        after = self.poll("a new instance answering through the router", serving_new, timeout=30, interval=0.05)
        elapsed = time.monotonic() - t0
        print(f"\n[measure] crash-to-serving after SIGKILL of the container init: {elapsed:.2f}s", flush=True)
        self.assertEqual(after["index"], "0")

        crashes = self.poll("an app-crashed event", lambda: self.crash_events("victim"), timeout=10)
        self.assertEqual(len(crashes), 1, crashes)
        self.assertEqual(int(crashes[0].get("index", -1)), 0, crashes)
        self.assertEqual(int(crashes[0].get("crash_count", 0)), 1, crashes)
        self.assertIn("app-crashed", self.events("victim"))
        running = self.running_instances("victim", 1)[0]
        self.assertEqual(running["crash_count"], 1, running)
        self.assertNotIn(cid, self.p.container_ids())
        self.assertEqual(len(self.p.container_ids()), 1)
        self.assertIn("[CELL/0]", self.recent_logs("victim"))

    # --- 2 ------------------------------------------------------------------------
    def test_an_app_exiting_at_start_is_restarted_three_times_then_backs_off(self):
        d = self.make_app({"Procfile": "web: echo dying; exit 1\n"})
        t0 = time.monotonic()
        r = self.p.wharf("push", "dies", "-b", "binary_buildpack", cwd=d, expect=None)
        self.assertNotEqual(r.code, 0, r)
        self.assertIn("crashed", r.out + r.err)

        def at_four():
            inst = self.instances("dies")
            return inst if inst and inst[0]["crash_count"] >= 4 else None
        inst = self.poll("crash_count reaching 4", at_four, timeout=30, interval=0.1)
        reached = time.monotonic() - t0
        print(f"\n[measure] crash_count 4 reached {reached:.2f}s after the push began", flush=True)
        self.assertEqual(inst[0]["crash_count"], 4, inst)
        # Backoff: no busy restart loop. It stays at 4 for several seconds, the instance shown crashed.
        hold = time.monotonic() + 5
        while time.monotonic() < hold:
            inst = self.instances("dies")
            self.assertEqual(len(inst), 1, inst)
            self.assertEqual(inst[0]["crash_count"], 4, inst)
            time.sleep(0.25)
        self.assertEqual(inst[0]["state"], "CRASHED", inst)
        self.assertTrue(inst[0].get("details"), inst)

        crashes = self.crash_events("dies")
        self.assertEqual(sorted(int(c.get("crash_count", 0)) for c in crashes), [1, 2, 3, 4], crashes)
        self.assertTrue(all(int(c.get("exit_code", -1)) == 1 for c in crashes), crashes)
        self.assertEqual(self.recent_logs("dies").count("Exit status 1"), 4)

        app = self.p.wharf("app", "dies").out
        m = re.search(r"(?m)^#0\s+crashed\s.*$", app)
        self.assertIsNotNone(m, app)
        # details column: something after the since/usage columns naming the crash
        self.assertRegex(m.group(0), r"(?i)(crash|exit|status)", app)
        print(f"[measure] crashed instance: {inst[0]}\n[measure] wharf app row: {m.group(0).strip()}", flush=True)
        self.assertNotEqual(self.get("dies.localhost")[0], 200)

    # --- 2b -----------------------------------------------------------------------
    def test_a_crashing_new_version_over_a_healthy_app_is_abandoned_and_the_old_one_keeps_serving(self):
        self.push_probe("rolly", instances=2)
        host = "rolly.localhost"
        d = self.make_app({"probe.py": PROBE_PY, "Procfile": "web: python3 probe.py\n"})
        poller = Poller(self, host)
        poller.start()
        t0 = time.monotonic()
        r = self.p.wharf("push", "rolly", "-b", "binary_buildpack", "-c", "echo broken; exit 1", cwd=d, expect=None)
        failed_after = time.monotonic() - t0
        print(f"\n[measure] push of a crashing version over a healthy app failed after {failed_after:.1f}s", flush=True)
        self.assertNotEqual(r.code, 0, r)
        self.assertIn("crashed", r.err, r)
        self.assertIn("previous version keeps serving", r.err, r)

        # The new version gets its three immediate restarts at one index, then is abandoned: the
        # container count stays bounded and the old version answers every request meanwhile.
        def abandoned():
            r = self.p.wharf("events", "rolly", "--json")
            return any(e.get("type") == "app-rollout-abandoned" for e in json.loads(r.out))
        most = 0
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline or not abandoned():
            most = max(most, len(self.p.container_ids()))
            self.assertLess(time.monotonic() - t0, 90, "no app-rollout-abandoned event")
            time.sleep(0.1)
        crashes = self.crash_events("rolly")
        self.assertEqual(sorted(int(c.get("crash_count", 0)) for c in crashes), [1, 2, 3, 4], crashes)
        # Two old instances and one new one; for a moment a restart's container is made while the
        # crashed one it replaces is still being removed.
        self.assertLessEqual(most, 4, "two old instances and at most one new one (plus one being removed)")
        self.assertIn("Rollout abandoned", self.recent_logs("rolly"))
        inst = self.instances("rolly")
        old = [i for i in inst if i.get("outdated")]
        self.assertEqual(sorted(i["index"] for i in old if i["state"] == "RUNNING"), [0, 1], inst)

        # A fixed push replaces them: one running instance per index, two containers.
        self.p.wharf("push", "rolly", "-b", "binary_buildpack", "-c", "python3 probe.py", cwd=d)
        self.running_instances("rolly", 2)
        self.poll("exactly two containers", lambda: len(self.p.container_ids()) == 2, timeout=30)
        seen = self.served_indexes(host, 20)
        self.assertEqual(sorted(seen), ["0", "1"], seen)
        self.assertTrue(all(len(g) == 1 for g in seen.values()), seen)
        poller.finish()
        self.assertEqual(poller.failures(), [], "the router answered every request while versions changed")

    # --- 3 ------------------------------------------------------------------------
    def test_scale_instances_up_to_three_and_back_to_one(self):
        self.push_probe("scaly")
        host = "scaly.localhost"
        self.p.wharf("scale", "scaly", "-i", "3")
        running = self.running_instances("scaly", 3)
        self.assertEqual([i["index"] for i in running], [0, 1, 2])
        self.assertEqual(len(set(i["address"] for i in running)), 3, running)
        self.poll("three containers", lambda: len(self.p.container_ids()) == 3, timeout=10)
        seen = self.poll("the router reaching all three instances",
                         lambda: (lambda s: s if len(s) == 3 else None)(self.served_indexes(host, 15)),
                         timeout=15, interval=0.2)
        self.assertEqual(sorted(seen), ["0", "1", "2"], seen)
        keep = self.container_for(running[0]["address"])

        self.p.wharf("scale", "scaly", "-i", "1")
        self.running_instances("scaly", 1)
        self.poll("the extra containers gone", lambda: self.p.container_ids() == [keep], timeout=20)
        seen = self.served_indexes(host, 10)
        self.assertEqual(list(seen), ["0"], seen)
        self.assertEqual(self.process("scaly")["instances"], 1)

    # --- 4 ------------------------------------------------------------------------
    def test_a_worker_process_runs_without_a_route_and_scales_on_its_own(self):
        procfile = f"web: python3 probe.py\nworker: {WORKER_SH}\n"
        self.push_probe("duo", procfile=procfile)
        host = "duo.localhost"
        worker = self.process("duo", "worker")
        self.assertEqual(worker["instances"], 0, worker)
        self.assertEqual(worker["health_check"]["type"], "process", worker)
        self.assertEqual(self.instances("duo", "worker"), [])

        self.p.wharf("scale", "duo", "--process", "worker", "-i", "1")
        w = self.running_instances("duo", 1, "worker")[0]
        self.assertEqual(self.process("duo", "worker")["instances"], 1)
        self.poll("[APP/PROC/WORKER/0] lines in the logs",
                  lambda: re.search(r"\[APP/PROC/WORKER/0\].*worker tick", self.recent_logs("duo")),
                  timeout=15, interval=0.5)
        self.assertEqual(len(self.p.container_ids()), 2)
        # no route: every request still reaches the web instance
        for _ in range(20):
            j = self.get_json(host)
            self.assertEqual((j["type"], j["index"]), ("web", "0"), j)
        self.assertEqual(len(self.running_instances("duo", 1, "web")), 1)
        app = self.app_json("duo")
        self.assertEqual(len(app.get("routes") or []), 1, app)

        # the worker scales independently of web
        self.p.wharf("scale", "duo", "--process", "worker", "-i", "2")
        self.running_instances("duo", 2, "worker")
        self.assertEqual(len(self.running_instances("duo", 1, "web")), 1)
        self.assertEqual(self.process("duo", "web")["instances"], 1)
        self.poll("[APP/PROC/WORKER/1] lines in the logs",
                  lambda: "[APP/PROC/WORKER/1]" in self.recent_logs("duo"), timeout=15, interval=0.5)
        self.p.wharf("scale", "duo", "--process", "worker", "-i", "0")
        self.poll("no worker instances", lambda: self.instances("duo", "worker") == [], timeout=20)
        self.poll("only the web container left", lambda: len(self.p.container_ids()) == 1, timeout=20)
        self.assertEqual(self.get_json(host)["type"], "web")
        self.assertEqual(len(self.running_instances("duo", 1, "web")), 1)

    # --- 5 ------------------------------------------------------------------------
    def test_restart_app_instance_replaces_only_that_instance_without_downtime(self):
        running = self.push_probe("pair", instances=2)
        host = "pair.localhost"
        c0 = self.container_for(running[0]["address"])
        c1 = self.container_for(running[1]["address"])
        self.assertTrue(c0 and c1 and c0 != c1, (running, self.containers()))
        g0 = self.served_indexes(host, 20)
        self.assertEqual(sorted(g0), ["0", "1"], g0)

        poller = Poller(self, host)
        poller.start()
        try:
            self.p.wharf("restart-app-instance", "pair", "0")

            def replaced():
                ids = set(self.p.container_ids())
                inst = self.instances("pair")
                ok = (c0 not in ids and c1 in ids and len(ids) == 2 and len(inst) == 2
                      and all(i["state"] == "RUNNING" for i in inst))
                return inst if ok else None
            inst = self.poll("index 0 replaced by a new RUNNING container", replaced, timeout=30)
            # and the router reaches the new index 0
            self.poll("the new index 0 answering", lambda: self.served_indexes(host, 6).get("0", set()) - g0["0"],
                      timeout=10)
            # enough answers to judge (a loaded machine answers slowly, not wrongly)
            self.poll("20 requests through the router", lambda: len(poller.results) > 20, timeout=30)
        finally:
            results = poller.finish()
        print(f"\n[measure] restart-app-instance: {len(results)} requests through the router, "
              f"{len(poller.failures())} non-200", flush=True)
        self.assertGreater(len(results), 20)
        self.assertEqual(poller.failures(), [], f"non-200 answers during restart-app-instance "
                                                f"({len(results)} requests)")
        self.assertEqual(self.container_for(inst[1]["address"]), c1)
        self.assertEqual(inst[1]["since"], running[1]["since"])
        self.assertEqual(self.crash_events("pair"), [])

    # --- 6 ------------------------------------------------------------------------
    def test_scaling_memory_rolls_the_instances_without_downtime(self):
        running = self.push_probe("roll", instances=2, memory="64M")
        host = "roll.localhost"
        old = {self.container_for(i["address"]) for i in running}
        for cid, rec in self.containers().items():
            self.assertEqual(rec["limits"]["memory_bytes"], 64 << 20, (cid, rec))

        poller = Poller(self, host)
        poller.start()
        try:
            r = self.p.wharf("scale", "roll", "-m", "128M", timeout=120)

            def rolled():
                recs = self.containers()
                inst = self.instances("roll")
                ok = (len(recs) == 2 and not (set(recs) & old) and len(inst) == 2
                      and all(i["state"] == "RUNNING" and not i.get("outdated") for i in inst)
                      and all(rec["limits"]["memory_bytes"] == 128 << 20 for rec in recs.values()))
                return (recs, inst) if ok else None
            recs, inst = self.poll("both instances replaced with a 128M limit", rolled, timeout=40)
            time.sleep(0.3)
        finally:
            results = poller.finish()
        print(f"\n[measure] scale -m 128M: {len(results)} requests through the router, "
              f"{len(poller.failures())} non-200", flush=True)
        self.assertGreater(len(results), 20)
        self.assertEqual(poller.failures(), [], f"non-200 answers while memory was scaled ({len(results)} requests)")
        for cid, rec in recs.items():  # the kernel's limit too, where this host exposes the cgroup
            limit = self.cgroup_value(rec, "memory", "memory.limit_in_bytes") or self.cgroup_value(rec, "", "memory.max")
            if limit is not None:
                self.assertEqual(int(limit), 128 << 20, (cid, rec))
        served = {json.loads(b)["memory_limit"] for _t, s, b in results[-10:] if s == 200}
        self.assertEqual(served, {"128m"}, served)
        self.assertEqual(self.process("roll")["memory_in_mb"], 128)

        def both_show_limit():
            out = self.p.wharf("app", "roll").out
            rows = re.findall(r"(?m)^#[01]\s+running\s.*$", out)
            return out if len(rows) == 2 and all("of 128M" in row for row in rows) else None
        self.poll("'wharf app roll' showing both instances 'of 128M'", both_show_limit, timeout=15, interval=0.5)
        self.assertIn("Instances are replaced one at a time", r.out)

    # --- 7 ------------------------------------------------------------------------
    def test_a_crash_after_wharfd_was_killed_and_started_is_still_caught(self):
        inst = self.push_probe("sturdy")[0]
        host = "sturdy.localhost"
        cid = self.container_for(inst["address"])
        before = self.get_json(host)
        self.p.stop(signal.SIGKILL)
        self.p.start()
        self.wait_for_status(host, 200)
        again = self.running_instances("sturdy", 1)[0]
        self.assertEqual(self.p.container_ids(), [cid], "the instance is adopted, not restarted")
        self.assertEqual(again["address"], inst["address"])

        t0 = time.monotonic()
        self.kill_init(cid)

        def serving_new():
            status, _h, body = self.get(host, timeout=2)
            return json.loads(body) if status == 200 and json.loads(body)["guid"] != before["guid"] else None
        self.poll("a replacement instance answering after the adopted one was killed", serving_new,
                  timeout=30, interval=0.05)
        print(f"\n[measure] crash-to-serving after wharfd restart: {time.monotonic() - t0:.2f}s", flush=True)
        crashes = self.poll("an app-crashed event", lambda: self.crash_events("sturdy"), timeout=10)
        self.assertEqual(len(crashes), 1, crashes)
        self.assertEqual(int(crashes[0].get("index", -1)), 0, crashes)
        self.running_instances("sturdy", 1)
        self.assertNotIn(cid, self.p.container_ids())
        self.assertEqual(len(self.p.container_ids()), 1)

    # --- 8 ------------------------------------------------------------------------
    def test_the_container_isolates_the_app(self):
        self.push_probe("probe", memory="512M")
        host = "probe.localhost"
        ident = self.get_json(host, "/id")
        self.assertEqual(ident["uid"], "2000", ident)
        self.assertEqual(ident["getuid"], 2000, ident)

        ps = self.get_json(host, "/ps")
        # its own pid namespace: a handful of pids, its own low ones, not the host's
        self.assertLessEqual(len(ps["pids"]), 10, ps)
        self.assertLess(ps["self"], 100, ps)
        print(f"\n[measure] pids seen in the container: "
              f"{ {p: c[:40] for p, c in ps['cmdlines'].items()} }", flush=True)
        self.assertFalse(any("wharfd" in c for c in ps["cmdlines"].values()), ps)
        host_pids = [int(p) for p in os.listdir("/proc") if p.isdigit()]
        self.assertGreater(len(host_pids), len(ps["pids"]))

        usr = self.get_json(host, "/write-usr")
        print(f"[measure] /write-usr: {usr}", flush=True)
        self.assertFalse(usr["written"], usr)
        self.assertIn(usr["errno"], (30, 13), usr)  # EROFS or EACCES
        self.assertFalse(os.path.exists("/usr/local/wharf-probe"))

        (cid, rec), = self.containers().items()
        pids_max = self.cgroup_value(rec, "pids", "pids.max")
        print(f"[measure] recorded pids limit {rec['limits']['pids']}, cgroup pids.max {pids_max}", flush=True)
        self.assertEqual(rec["limits"]["pids"], 1024, rec)
        if pids_max is not None:
            self.assertEqual(pids_max, "1024")
        t0 = time.monotonic()
        bomb = self.get_json(host, "/forkbomb", timeout=120)
        print(f"\n[measure] fork bomb: {bomb['forked']} children forked before '{bomb['error']}' "
              f"({time.monotonic() - t0:.1f}s)", flush=True)
        self.assertIsNotNone(bomb["error"], bomb)
        self.assertIn("Resource temporarily unavailable", bomb["error"])
        self.assertLessEqual(bomb["forked"], 1024, bomb)
        self.assertGreaterEqual(bomb["forked"], 900, bomb)
        # the host is unaffected: this process can still fork, wharfd still answers, the app recovers
        self.assertEqual(subprocess.run(["true"]).returncode, 0)
        self.assertEqual(self.p.api("GET", "/v1/info", auth=False)[0], 200)
        self.assertEqual(self.get_json(host, "/id")["uid"], "2000")
        self.p.wharf("restart", "probe", timeout=120)
        self.wait_for_status(host, 200)

    def test_an_app_allocating_beyond_its_memory_is_oom_killed_and_restarted(self):
        self.push_probe("hog", memory="64M")
        host = "hog.localhost"
        before = self.get_json(host)
        status, _h, _b = self.get(host, "/alloc?mb=200", timeout=60)
        self.assertNotEqual(status, 200, "allocating 200 MB in a 64M app succeeded")

        crashes = self.poll("an app-crashed event", lambda: self.crash_events("hog"), timeout=20)
        print(f"\n[measure] OOM event: {crashes[0]}", flush=True)
        self.assertEqual(len(crashes), 1, crashes)
        self.assertIs(crashes[0].get("oom_killed"), True, crashes)
        self.poll("'out of memory' in the logs", lambda: "out of memory" in self.recent_logs("hog"), timeout=10)

        def serving_new():
            st, _h, body = self.get(host, timeout=2)
            return json.loads(body) if st == 200 and json.loads(body)["guid"] != before["guid"] else None
        self.poll("the restarted instance serving", serving_new, timeout=30, interval=0.1)
        self.assertEqual(self.running_instances("hog", 1)[0]["crash_count"], 1)

    # --- wharf app --json --------------------------------------------------------
    # `wharf app APP --json` gives each instance as Cloud Foundry's process stats do, with the address
    # (host and port) the router uses.
    def test_app_json_includes_each_instance_address(self):
        running = self.push_probe("addr", instances=2)
        out = json.loads(self.p.wharf("app", "addr", "--json").out)
        stats = out["process_stats"]["web"]
        self.assertEqual(sorted(f"{i['host']}:{i['port']}" for i in stats),
                         sorted(i["address"] for i in running), json.dumps(out, indent=1)[:1500])
        for i in stats:
            self.assertEqual(i["state"], "RUNNING")
            self.assertIn("memory_bytes", i["usage"])


if __name__ == "__main__":
    unittest.main()
