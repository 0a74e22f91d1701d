"""Releases (issue 11): revisions, rolling and canary deployments, cancel, continue and rollback, driven
through the real wharfd and wharf with real containers. One wharfd for the whole file: the steps build on
each other (each deployment makes a revision the next ones refer to).

Only loopback traffic; no process is signalled by this test."""
import http.client
import json
import os
import signal
import threading
import time

from harness import PlatformTest

# Answers its COLOR (the environment of the revision it runs) and its instance index; with FAIL_EVERY=N,
# every Nth request gets a 500; with CRASH_AT_START set, it exits with status 1 before listening.
APP_PY = r'''
import itertools
import os
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

if os.environ.get("CRASH_AT_START"):
    sys.exit(1)

COUNT = itertools.count(1)
FAIL_EVERY = int(os.environ.get("FAIL_EVERY", "0"))


class H(BaseHTTPRequestHandler):
    def do_GET(self):
        body = (os.environ.get("COLOR", "none") + " " + os.environ.get("INSTANCE_INDEX", "?")).encode()
        self.send_response(500 if FAIL_EVERY and next(COUNT) % FAIL_EVERY == 0 else 200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, fmt, *args):
        pass


ThreadingHTTPServer.daemon_threads = True
# listen(128), as real servers do (gunicorn 2048, Node 511), not Python's 5: an overflowing accept queue
# makes Linux drop a handshake's last ACK after the router sent the request. (The rare 30 s stall of one
# request in this file had another cause: the bridge's MAC address followed its ports', runtime/network.h.)
ThreadingHTTPServer.request_queue_size = 128
ThreadingHTTPServer(("0.0.0.0", int(os.environ["PORT"])), H).serve_forever()
'''

HOST = "rel.localhost"

# The same answers from Node.js (no dependency, so no registry), and /slow?ms=N answers after N ms: the
# requests an old instance must finish while it is drained. Node exits at once on SIGTERM, as most apps do.
# APP_COLOR, not COLOR: `npm start` (the buildpack's start command, as on Cloud Foundry) sets COLOR itself.
SERVER_JS = r'''
const http = require("http");
http.createServer((req, res) => {
  const answer = () => {
    const body = (process.env.APP_COLOR || "none") + " " + (process.env.INSTANCE_INDEX || "?");
    res.writeHead(200, {"Content-Type": "text/plain", "Content-Length": Buffer.byteLength(body)});
    res.end(body);
  };
  const slow = /^\/slow\?ms=(\d+)$/.exec(req.url);
  if (slow) setTimeout(answer, Number(slow[1])); else answer();
}).listen(Number(process.env.PORT), "0.0.0.0");
'''
PACKAGE_JSON = '{"name": "relnode", "version": "1.0.0", "private": true, "scripts": {"start": "node server.js"}}\n'


# How long a client waits for an answer. A request counts as failed when it gets no 200, not when it is
# slow: on a loaded 2-core machine a new instance can be routed (its port accepts) before its process
# accepts connections, and the router's 5 s dial timeout, then a retry on another instance, made two
# requests wait just over 10 s (the previous limit) although they were answered.
CLIENT_TIMEOUT = 30
class Load(threading.Thread):
    """Sends requests through the router back to back and records each answer: (status, body, end time,
    start time)."""

    def __init__(self, test, host=HOST, path="/", pause=0.005):
        super().__init__(daemon=True)
        self.test = test
        self.host, self.path, self.pause = host, path, pause
        self.results = []
        self._halt = threading.Event()

    def run(self):
        while not self._halt.is_set():
            began = time.monotonic()
            status, _h, body = self.test.get(self.host, self.path, timeout=CLIENT_TIMEOUT)
            self.results.append((status, body.decode(errors="replace"), time.monotonic(), began))
            time.sleep(self.pause)

    def finish(self):
        self._halt.set()
        self.join(CLIENT_TIMEOUT + 5)
        return self.results


class ReleasesTest(PlatformTest):
    strict_cleanup = True

    def colors(self, n=40, headers=None):
        """The colors of n requests sent one after another on one keep-alive connection, as a browser or
        an HTTP client library sends them (the router balances each request on its own)."""
        seen = {}
        conn = http.client.HTTPConnection("127.0.0.1", self.p.router_port, timeout=CLIENT_TIMEOUT)
        try:
            for i in range(n):
                began = time.monotonic()
                try:
                    conn.request("GET", "/", headers={"Host": HOST, **(headers or {})})
                    resp = conn.getresponse()
                    body = resp.read()
                except OSError as e:
                    # Say which request, after how long, and what the platform and the app logged meanwhile.
                    recent = self.p.wharf("logs", "rel", "--recent", expect=None).out[-6000:]
                    self.fail(f"request {i + 1} of {n} ({seen} so far): {e!r} after {time.monotonic() - began:.1f}s\n"
                              f"--- wharf logs rel --recent\n{recent}\n--- wharfd log\n{self.p.daemon_log()}")
                self.assertEqual(resp.status, 200, f"request {i + 1} of {n}: {body!r}")
                color = body.decode().split()[0]
                seen[color] = seen.get(color, 0) + 1
        finally:
            conn.close()
        return seen

    def only(self, color, n=20):
        """True when n requests in a row all answer 200 with `color` (False on any other answer)."""
        try:
            return self.colors(n) == {color: n}
        except AssertionError:
            return False

    def deployment(self):
        guid = self.app_json("rel")["guid"]
        status, body = self.p.api("GET", f"/v1/apps/{guid}/deployment")
        self.assertEqual(status, 200, body)
        return body["deployment"]

    def wait_deployment(self, state, timeout=60):
        last = []

        def reached():
            d = self.deployment()
            last[:] = [d]
            return d if d and d["state"] == state else None
        try:
            return self.poll(f"deployment {state}", reached, timeout=timeout)
        except AssertionError as e:  # say where it stopped instead: its state, reason and analysis windows
            shown = self.p.wharf("deployment", "rel", expect=None).out
            raise AssertionError(f"{e}\n--- last deployment\n{last}\n--- wharf deployment rel\n{shown}") from None

    def revisions(self):
        return json.loads(self.p.wharf("revisions", "rel", "--json").out)

    def test_revisions_rolling_canary_and_rollback(self):
        manifest = ("applications:\n- name: rel\n  instances: 2\n  memory: 64M\n  buildpacks: [binary_buildpack]\n"
                    "  env:\n    COLOR: blue\n")
        d = self.make_app({"app.py": APP_PY, "Procfile": "web: python3 app.py\n"}, manifest=manifest)
        self.p.wharf("push", cwd=d)
        self.poll("both blue instances answering", lambda: self.colors(10) == {"blue": 10}, timeout=60)
        revs = self.revisions()
        self.assertEqual([(r["version"], r["description"]) for r in revs], [(1, "Initial revision.")])

        # Rolling deployment of new environment variables under constant load: no failed request.
        self.p.wharf("set-env", "rel", "COLOR", "green")
        # Three clients: a rolling deployment of this app takes a second or two, and one client on a loaded
        # machine sent as few as 36 requests through it.
        loads = [Load(self) for _ in range(3)]
        for load in loads:
            load.start()
        self.p.wharf("restart", "rel", "--strategy", "rolling", "--max-in-flight", "1")
        self.wait_deployment("DEPLOYED")
        self.poll("all green", lambda: self.colors(20) == {"green": 20}, timeout=60)
        results = [r for load in loads for r in load.finish()]
        failed = [r for r in results if r[0] != 200]
        slowest = max(end - began for _, _, end, began in results)
        print(f"rolling deployment under load: {len(failed)} failed of {len(results)} requests {failed[:3]}; "
              f"slowest answer {slowest:.2f}s")
        self.assertGreater(len(results), 50)
        self.assertEqual(failed, [], f"{len(failed)} of {len(results)} requests failed during the rolling deployment")
        revs = self.revisions()
        self.assertEqual(revs[0]["version"], 2)
        self.assertEqual(revs[0]["description"], "New environment variables deployed.")
        self.assertTrue(revs[0]["deployed"])
        self.poll("revision 1 no longer deployed", lambda: not self.revisions()[1]["deployed"], timeout=30)
        out = self.p.wharf("revisions", "rel").out
        self.assertIn("2(deployed)", out)

        # Canary: one instance of the new revision, then the deployment pauses; cancel goes back.
        self.p.wharf("set-env", "rel", "COLOR", "yellow")
        self.p.wharf("restart", "rel", "--strategy", "canary")
        dep = self.wait_deployment("PAUSED")
        self.assertEqual(dep["strategy"], "canary")
        self.assertEqual(dep["revision"], 3)
        self.assertIn("Active deployment with status PAUSED", self.p.wharf("app", "rel").out)
        mix = self.poll("canary and baseline both answering",
                        lambda: (lambda c: c if set(c) == {"green", "yellow"} else None)(self.colors(40)))
        self.assertEqual(set(mix), {"green", "yellow"})
        # Testers reach either revision on purpose: X-Wharf-Revision, or a wharf-revision cookie.
        self.assertEqual(self.colors(20, {"X-Wharf-Revision": "3"}), {"yellow": 20})
        self.assertEqual(self.colors(20, {"Cookie": "wharf-revision=2"}), {"green": 20})
        time.sleep(1)  # paused: nothing more moves
        self.assertEqual(self.deployment()["state"], "PAUSED")
        self.p.wharf("cancel-deployment", "rel")
        self.assertEqual(self.deployment()["state"], "CANCELED")
        self.poll("all green again after cancel", lambda: self.colors(20) == {"green": 20}, timeout=60)
        self.assertNotIn("Active deployment", self.p.wharf("app", "rel").out)

        # Canary continued to the end: every instance runs the new revision.
        self.p.wharf("restart", "rel", "--strategy", "canary")
        self.wait_deployment("PAUSED")
        self.p.wharf("continue-deployment", "rel")
        self.wait_deployment("DEPLOYED")
        self.poll("all yellow after continue", lambda: self.colors(20) == {"yellow": 20}, timeout=60)
        r = self.p.wharf("continue-deployment", "rel", expect=1)
        self.assertIn("no active deployment", r.out + r.err)

        # Rollback to revision 2: a new revision with its settings, deployed instance by instance.
        r = self.p.wharf("rollback", "rel", "--version", "2", expect=1)  # no terminal, no -f: refused
        self.assertIn("pass -f", r.out + r.err)
        self.p.wharf("rollback", "rel", "--version", "2", "-f")
        self.poll("all green after rollback", lambda: self.colors(20) == {"green": 20}, timeout=60)
        revs = self.revisions()
        self.assertEqual(revs[0]["description"], "Rolled back to revision 2.")
        self.assertEqual(revs[0]["rolled_back_from"], 2)
        self.poll("rolled-back revision runs both instances",
                  lambda: self.revisions()[0]["instances"] == 2, timeout=30)
        r = self.p.wharf("rollback", "rel", "--version", "99", "-f", expect=1)
        self.assertIn("has no revision 99", r.out + r.err)

        # Gray release by traffic share: at the 5% step the canary gets 5% +- 1% of 10,000 requests, with one
        # canary instance against one baseline instance (instance counts do not decide the share).
        self.p.wharf("set-env", "rel", "COLOR", "purple")
        self.p.wharf("restart", "rel", "--strategy", "canary", "--canary-weights", "5,50")
        dep = self.wait_deployment("PAUSED")
        self.assertEqual(dep["canary_weight"], 5)
        self.poll("canary routed", lambda: "purple" in self.colors(100), timeout=30)
        counts = self.colors(10000)
        share = counts.get("purple", 0) / 10000
        print(f"canary share at the 5% step: {share:.4f} of 10000 requests ({counts})")
        self.assertLessEqual(abs(share - 0.05), 0.01, counts)
        self.p.wharf("cancel-deployment", "rel")
        self.poll("all green after canceling the weighted canary", lambda: self.colors(20) == {"green": 20},
                  timeout=60)

    def test_rolling_deployment_of_a_node_app_under_load_fails_no_request_and_drains_the_old_ones(self):
        """A Node.js app (nodejs_buildpack) of 3 instances, deployed rolling one at a time under constant load,
        with slow requests (3 s) always in flight: not one request fails, and slow requests that an old
        instance had accepted complete with its answer after the deployment began replacing it."""
        host = "relnode.localhost"
        manifest = ("applications:\n- name: relnode\n  instances: 3\n  memory: 128M\n"
                    "  buildpacks: [nodejs_buildpack]\n  env:\n    APP_COLOR: blue\n")
        d = self.make_app({"server.js": SERVER_JS, "package.json": PACKAGE_JSON}, manifest=manifest)
        self.p.wharf("push", cwd=d)
        self.wait_for_status(host, 200, timeout=60)
        self.poll("three blue instances", lambda: len({self.get(host)[2] for _ in range(30)}) == 3, timeout=60)

        self.p.wharf("set-env", "relnode", "APP_COLOR", "green")
        loads = [Load(self, host) for _ in range(2)] + [Load(self, host, "/slow?ms=3000", 0) for _ in range(8)]
        for load in loads:
            load.start()
        try:
            began = time.monotonic()
            self.p.wharf("restart", "relnode", "--strategy", "rolling", "--max-in-flight", "1")
            guid = self.app_json("relnode")["guid"]
            self.poll("deployment DEPLOYED", lambda: self.p.api("GET", f"/v1/apps/{guid}/deployment")[1]
                      ["deployment"]["state"] == "DEPLOYED", timeout=120, interval=0.05)
            self.poll("all green", lambda: {self.get(host)[2].split(b" ")[0] for _ in range(20)} == {b"green"},
                      timeout=60)
            time.sleep(2)  # the last slow requests end
        finally:
            results = [r for load in loads for r in load.finish()]
        failed = [r for r in results if r[0] != 200]
        slow = [r for load in loads[2:] for r in load.results]
        # When each index first answered green: its new instance was routed, so its old (blue) one was being
        # withdrawn. A slow request the old one answered more than 1.2 s later (past the fixed 1 s drain delay,
        # after which SIGTERM used to come) was in flight through its drain and finished instead of being cut.
        first_green = {}
        for status, text, end, _began in results:
            if status == 200 and text.startswith("green "):
                first_green[text.split()[1]] = min(end, first_green.get(text.split()[1], end))
        drained = [r for r in slow if r[1].startswith("blue ") and r[1].split()[1] in first_green
                   and r[2] > first_green[r[1].split()[1]] + 1.2]
        print(f"\n[measure] rolling deployment of a Node app (3 instances, max-in-flight 1): {len(failed)} failed of "
              f"{len(results)} requests ({len(slow)} slow ones of 3 s, {len(drained)} answered by old instances "
              f"more than 1.2 s after their replacement was routed); first failures {failed[:3]}; slowest answer "
              f"{max(end - began for _, _, end, began in results):.2f}s", flush=True)
        self.assertGreater(len(results), 200)
        self.assertEqual(failed, [], f"{len(failed)} of {len(results)} requests failed during the rolling deployment")
        self.assertTrue(drained, "no slow request was answered by an old instance while it was drained")

    def test_canary_analysis_rolls_back_a_failing_canary_and_promotes_a_healthy_one(self):
        """--analysis-interval: the analyzer judges each window of the canary step against the previous
        revision on the router's per-revision counters; a canary answering 500 to one request in five is
        rolled back by itself, a healthy one is promoted through both of its weight steps (20%, 50%) without
        continue-deployment."""
        manifest = ("applications:\n- name: rel\n  instances: 2\n  memory: 64M\n  buildpacks: [binary_buildpack]\n"
                    "  env:\n    COLOR: blue\n")
        d = self.make_app({"app.py": APP_PY, "Procfile": "web: python3 app.py\n"}, manifest=manifest)
        self.p.wharf("push", cwd=d)
        self.poll("both blue instances answering", lambda: self.colors(10) == {"blue": 10}, timeout=60)

        # A bad canary: 20% of its answers are 500. About 50 requests a second through the router.
        self.p.wharf("set-env", "rel", "FAIL_EVERY", "5")
        self.p.wharf("set-env", "rel", "COLOR", "red")
        loads = [Load(self) for _ in range(3)]
        for load in loads:
            load.start()
        try:
            self.p.wharf("restart", "rel", "--strategy", "canary", "--canary-weights", "50",
                         "--analysis-interval", "5")
            dep = self.wait_deployment("CANCELED", timeout=60)
            rolled_back = time.monotonic()
            self.assertIn("rolled back by canary analysis", dep["reason"])
            self.poll("only blue answering", lambda: self.only("blue"), timeout=30)
        finally:
            results = [r for load in loads for r in load.finish()]
        errors = sorted(r[2] for r in results if r[0] == 500)
        self.assertTrue(errors, "the bad canary served no 500 at all")
        print(f"\n[measure] bad canary: {len(errors)} of {len(results)} requests answered 500; rollback seen "
              f"{rolled_back - errors[0]:.1f}s after the first 500, last 500 {errors[-1] - errors[0]:.1f}s after it; "
              f"reason: {dep['reason'][:200]}", flush=True)
        shown = self.p.wharf("deployment", "rel").out
        self.assertIn("ROLLBACK", shown)
        self.assertIn("errors", shown)
        analysis = json.loads(self.p.wharf("deployment", "rel", "--json").out)["analysis"]
        self.assertEqual(analysis[0]["data"]["verdict"], "FAIL", analysis[0])
        self.assertGreater(analysis[0]["data"]["canary_5xx"], 0)

        # A healthy canary is promoted through its only step by the analysis (no continue-deployment).
        self.p.wharf("unset-env", "rel", "FAIL_EVERY")
        self.p.wharf("set-env", "rel", "COLOR", "green")
        loads = [Load(self) for _ in range(3)]
        for load in loads:
            load.start()
        try:
            started = time.monotonic()
            self.p.wharf("restart", "rel", "--strategy", "canary", "--canary-weights", "20,50",
                         "--analysis-interval", "5")
            self.wait_deployment("DEPLOYED", timeout=120)
            promoted = time.monotonic()
            self.poll("only green answering", lambda: self.only("green"), timeout=60)
        finally:
            results = [r for load in loads for r in load.finish()]
        failed = [r for r in results if r[0] != 200]
        self.assertEqual(failed, [], f"{len(failed)} of {len(results)} requests failed during the promoted canary")
        dep = self.deployment()
        windows = [e["data"] for e in json.loads(self.p.wharf("deployment", "rel", "--json").out)["analysis"]
                   if e["data"]["deployment_guid"] == dep["guid"]]
        # Promoted through both weight steps (20%, then 50%), each by its own passing windows, newest first.
        promotions = [w["step"] for w in windows if w["decision"] == "PROMOTE"]
        self.assertEqual(promotions, [1, 0], [(w["step"], w["verdict"], w["decision"]) for w in windows])
        self.assertEqual(windows[0]["decision"], "PROMOTE", windows[0])
        print(f"[measure] healthy canary: deployed through 2 weight steps {promoted - started:.1f}s after the restart "
              f"(windows of 5 s, 2 passing windows to promote each step), {len(results)} requests, 0 failed",
              flush=True)

    def test_a_canary_that_crashes_at_start_never_receives_traffic(self):
        """A canary revision whose instance exits at start: the deployment fails, the previous revision is put
        back, and not one request of the constant load through the router fails or reaches the canary."""
        manifest = ("applications:\n- name: rel\n  instances: 2\n  memory: 64M\n  buildpacks: [binary_buildpack]\n"
                    "  env:\n    COLOR: blue\n")
        d = self.make_app({"app.py": APP_PY, "Procfile": "web: python3 app.py\n"}, manifest=manifest)
        self.p.wharf("push", cwd=d)
        self.poll("both blue instances answering", lambda: self.colors(10) == {"blue": 10}, timeout=60)
        self.p.wharf("set-env", "rel", "CRASH_AT_START", "1")
        self.p.wharf("set-env", "rel", "COLOR", "red")
        load = Load(self)
        load.start()
        try:
            # The CLI reports the failed deployment; the API says FAILED either way.
            self.p.wharf("restart", "rel", "--strategy", "canary", "--canary-weights", "50", expect=None)
            dep = self.wait_deployment("FAILED", timeout=90)
            time.sleep(1)
        finally:
            results = load.finish()
        failed = [r for r in results if r[0] != 200 or not r[1].startswith("blue")]
        print(f"\n[measure] crashing canary: deployment FAILED ({dep['reason'][:120]}); {len(failed)} of "
              f"{len(results)} requests failed or reached the canary", flush=True)
        self.assertGreater(len(results), 50)
        self.assertEqual(failed, [], failed[:5])
        self.assertEqual(self.colors(20), {"blue": 20})

    def test_a_wharfd_killed_mid_canary_resumes_it_with_the_same_weights(self):
        """kill -9 of wharfd while a canary step holds 50% of the traffic: after the restart the deployment is
        still PAUSED at that step, the router splits the requests as before, and it can be continued. The canary
        comes from the manifest's wharf-deployment block (the release in version control), pushed with no flag."""
        manifest = ("applications:\n- name: rel\n  instances: 2\n  memory: 64M\n  buildpacks: [binary_buildpack]\n"
                    "  env:\n    COLOR: blue\n")
        d = self.make_app({"app.py": APP_PY, "Procfile": "web: python3 app.py\n"}, manifest=manifest)
        self.p.wharf("push", cwd=d)
        self.poll("both blue instances answering", lambda: self.only("blue", 10), timeout=60)
        with open(os.path.join(d, "manifest.yml"), "w") as f:
            f.write(manifest.replace("COLOR: blue", "COLOR: green") +
                    "  wharf-deployment:\n    strategy: canary\n    canary-weights: [50]\n")
        self.p.wharf("push", cwd=d)
        before = self.wait_deployment("PAUSED")
        self.assertEqual((before["strategy"], before["canary_weights"]), ("canary", [50]), before)
        share = self.poll("the canary at half the requests",
                          lambda: (lambda c: c if c.get("green") == 50 and c.get("blue") == 50 else None)(
                              self.colors(100)), timeout=30)
        self.assertEqual(share, {"green": 50, "blue": 50})

        self.assertEqual(self.p.stop(signal.SIGKILL), -signal.SIGKILL)
        self.p.start()
        after = self.deployment()
        self.assertEqual((after["guid"], after["state"], after["step"], after["canary_weight"]),
                         (before["guid"], "PAUSED", before["step"], 50), after)
        # The re-adopted instances serve the same split (exact per 100 requests on one connection).
        share = self.poll("the same split after the restart",
                          lambda: (lambda c: c if c == {"green": 50, "blue": 50} else None)(self.colors(100)),
                          timeout=60)
        print(f"\n[measure] after kill -9 and restart: deployment {after['state']} at step {after['step'] + 1}, "
              f"split {share}", flush=True)
        self.p.wharf("continue-deployment", "rel")
        self.wait_deployment("DEPLOYED", timeout=90)
        self.poll("all green", lambda: self.only("green"), timeout=60)

    def test_thin_traffic_gets_synthetic_probes_and_is_never_promoted_blind(self):
        """No user traffic at all: without a probe path the analysis says INSUFFICIENT and keeps the step; with
        --analysis-probe-path the analyzer sends pinned probes through the router and promotes on them."""
        manifest = ("applications:\n- name: rel\n  instances: 2\n  memory: 64M\n  buildpacks: [binary_buildpack]\n"
                    "  env:\n    COLOR: blue\n")
        d = self.make_app({"app.py": APP_PY, "Procfile": "web: python3 app.py\n"}, manifest=manifest)
        self.p.wharf("push", cwd=d)
        self.poll("both blue instances answering", lambda: self.only("blue", 10), timeout=60)

        self.p.wharf("set-env", "rel", "COLOR", "green")
        self.p.wharf("restart", "rel", "--strategy", "canary", "--canary-weights", "50", "--analysis-interval", "3")
        self.wait_deployment("PAUSED")
        analysis = self.poll("three thin windows judged", lambda: (lambda a: a if len(a) >= 3 else None)(
            json.loads(self.p.wharf("deployment", "rel", "--json").out)["analysis"]), timeout=30)
        self.assertEqual({a["data"]["verdict"] for a in analysis}, {"INSUFFICIENT"}, analysis)
        # The third thin window in a row extends the step (a later one, if the poll saw more, goes on).
        self.assertIn("EXTEND", [a["data"]["decision"] for a in analysis], analysis)
        self.assertEqual(self.deployment()["state"], "PAUSED")
        # Rolling back to revision 1 while its instances still serve is a weight flip, not a new revision.
        flip = time.monotonic()
        r = self.p.wharf("rollback", "rel", "--version", "1", "-f")
        self.assertIn("Revision 1 was still serving", r.out)
        self.assertEqual(self.deployment()["state"], "CANCELED")
        self.poll("only blue after the flip", lambda: self.only("blue"), timeout=30, interval=0.05)
        print(f"\n[measure] rollback to revision 1 by weight flip: only blue {time.monotonic() - flip:.2f}s after "
              f"'wharf rollback' began", flush=True)
        self.assertNotIn("Rolled back", json.dumps(self.revisions()))

        self.p.wharf("set-env", "rel", "COLOR", "yellow")
        started = time.monotonic()
        self.p.wharf("restart", "rel", "--strategy", "canary", "--canary-weights", "50", "--analysis-interval", "3",
                     "--analysis-probe-path", "/")
        self.wait_deployment("DEPLOYED", timeout=60)
        promoted = time.monotonic()
        self.poll("all yellow", lambda: self.only("yellow"), timeout=60)
        dep = self.deployment()
        windows = [a["data"] for a in json.loads(self.p.wharf("deployment", "rel", "--json").out)["analysis"]
                   if a["data"]["deployment_guid"] == dep["guid"]]
        self.assertEqual(windows[0]["decision"], "PROMOTE", windows)
        self.assertTrue(any("probes" in w for w in windows), windows)
        self.assertGreaterEqual(windows[0]["canary_requests"], 50, windows[0])
        print(f"\n[measure] no user traffic: promoted on synthetic probes {promoted - started:.1f}s after the restart "
              f"(windows of 3 s); windows: {[(w['verdict'], w['decision'], w['canary_requests']) for w in windows]}",
              flush=True)

