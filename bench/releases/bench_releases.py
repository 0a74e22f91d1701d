#!/usr/bin/env python3
"""Releases benchmark (not part of the test run): the figures of the releases issue, through the real wharfd and
wharf, with real runc containers and real requests through the router.

1. Rolling deployment under load: the Go example at 3 instances, wrk at about `--rate` requests a second (a Lua
   delay per connection), a rolling deployment (`restart --strategy rolling`) in the middle of the run.
   Reported: requests, the rate reached, non-2xx answers and socket errors (target: 0 and 0).
2. A bad canary under 50 requests a second (a Python app answering 500 to one request in five, at 50% of the
   traffic, analysis windows of `--window` seconds): time from its first 500 to the deployment rolled back,
   and from the rollback to its last 500 (the weight flip).
3. Promotion of a healthy canary with automated analysis (2 passing windows of `--window` s): at 50 requests a
   second, and at 1 request a second with synthetic probes (`--analysis-probe-path /`): time from the restart to
   DEPLOYED, against Flagger's documented minimum for one step (interval x iterations = 2 x the window).

Usage: bench/releases/bench_releases.py [--rate 1000] [--seconds 40] [--window 10]
Binaries default to build/controller/wharfd and build/cli/wharf (WHARFD_BIN / WHARF_BIN override).
Only loopback traffic; only the wharfd started here is signalled.
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from bench_support import EXAMPLES, Platform, router_get as get  # noqa: E402

APP_PY = r'''
import itertools
import os
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

COUNT = itertools.count(1)
FAIL_EVERY = int(os.environ.get("FAIL_EVERY", "0"))


class H(BaseHTTPRequestHandler):
    def do_GET(self):
        body = os.environ.get("COLOR", "none").encode()
        self.send_response(500 if FAIL_EVERY and next(COUNT) % FAIL_EVERY == 0 else 200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *a):
        pass


ThreadingHTTPServer.daemon_threads = True
ThreadingHTTPServer(("0.0.0.0", int(os.environ["PORT"])), H).serve_forever()
'''



def deployment(p, name):
    _, body = p.api("GET", "/v1/apps?names=" + name)
    guid = body["resources"][0]["guid"]
    _, body = p.api("GET", f"/v1/apps/{guid}/deployment")
    return body["deployment"]


def wait_state(p, name, states, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        d = deployment(p, name)
        if d and d["state"] in states:
            return d
        time.sleep(0.1)
    raise SystemExit(f"deployment of {name} not {states} within {timeout}s: {deployment(p, name)}")


class Paced(threading.Thread):
    """`rate` GETs a second, one after another, each answer kept with its time."""

    def __init__(self, p, host, rate):
        super().__init__(daemon=True)
        self.p, self.host, self.gap = p, host, 1.0 / rate
        self.results = []
        self.halt = threading.Event()

    def run(self):
        next_at = time.monotonic()
        while not self.halt.is_set():
            self.results.append((time.monotonic(), get(self.p, self.host)))
            next_at += self.gap
            time.sleep(max(0.0, next_at - time.monotonic()))

    def finish(self):
        self.halt.set()
        self.join(10)
        return self.results


def rolling(p, rate, seconds):
    d = tempfile.mkdtemp(dir=p.root, prefix="go-")
    shutil.copytree(os.path.join(EXAMPLES, "go"), d, dirs_exist_ok=True)
    p.wharf("push", "-i", "3", cwd=d, timeout=300)
    connections = 16
    script = os.path.join(p.root, "pace.lua")
    with open(script, "w") as f:
        f.write(f'wrk.headers["Host"] = "hello-go.localhost"\nfunction delay() return {1000 * connections // rate} end\n')
    wrk = subprocess.Popen(["wrk", "-t", "2", "-c", str(connections), "-d", f"{seconds}s", "-s", script,
                            f"http://127.0.0.1:{p.router_port}/"], stdout=subprocess.PIPE, text=True)
    time.sleep(5)
    p.wharf("set-env", "hello-go", "RELEASE", "2")
    started = time.monotonic()
    p.wharf("restart", "hello-go", "--strategy", "rolling", timeout=300)
    wait_state(p, "hello-go", {"DEPLOYED", "FAILED", "CANCELED"}, 120)
    took = time.monotonic() - started
    out, _ = wrk.communicate(timeout=seconds + 60)
    requests = re.search(r"(\d+) requests in", out)
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    sockets = re.search(r"Socket errors: (.*)", out)
    print(f"[rolling] 3 instances of the Go example replaced one at a time in {took:.1f}s under wrk at "
          f"{rps.group(1) if rps else '?'} req/s: {requests.group(1) if requests else '?'} requests, "
          f"{non2xx.group(1) if non2xx else 0} non-2xx, socket errors: {sockets.group(1) if sockets else 'none'}",
          flush=True)
    p.wharf("delete", "hello-go", "-f")


def push_python(p, name):
    d = tempfile.mkdtemp(dir=p.root, prefix="py-")
    with open(os.path.join(d, "app.py"), "w") as f:
        f.write(APP_PY)
    with open(os.path.join(d, "manifest.yml"), "w") as f:
        f.write(f"applications:\n- name: {name}\n  instances: 2\n  memory: 64M\n  buildpacks: [binary_buildpack]\n"
                "  command: python3 app.py\n  env:\n    COLOR: blue\n")
    p.wharf("push", cwd=d, timeout=300)


def bad_canary(p, window):
    push_python(p, "gray")
    load = Paced(p, "gray.localhost", 50)
    load.start()
    time.sleep(2)
    p.wharf("set-env", "gray", "FAIL_EVERY", "5")
    p.wharf("restart", "gray", "--strategy", "canary", "--canary-weights", "50", "--analysis-interval", str(window))
    d = wait_state(p, "gray", {"CANCELED", "DEPLOYED", "FAILED"}, 120)
    rolled_back = time.monotonic()
    time.sleep(3)
    results = load.finish()
    errors = [t for t, s in results if s == 500]
    other = [s for _, s in results if s not in (200, 500)]
    print(f"[bad canary] 50 req/s, 20% 500 from the canary at 50% of the traffic, windows of {window}s: "
          f"{d['state']}; rollback {rolled_back - errors[0]:.1f}s after the first 500; last 500 "
          f"{errors[-1] - rolled_back:+.2f}s from the rollback (weight flip); {len(errors)} answers 500 of "
          f"{len(results)}, {len(other)} other failures", flush=True)
    p.wharf("unset-env", "gray", "FAIL_EVERY")


def promote(p, window):
    for rate, probes in ((50, False), (1, True)):
        load = Paced(p, "gray.localhost", rate)
        load.start()
        p.wharf("set-env", "gray", "COLOR", f"c{rate}")
        args = ["restart", "gray", "--strategy", "canary", "--canary-weights", "50", "--analysis-interval", str(window)]
        if probes:
            args += ["--analysis-probe-path", "/"]
        started = time.monotonic()
        p.wharf(*args)
        paused = wait_state(p, "gray", {"PAUSED", "DEPLOYED", "CANCELED", "FAILED"}, 60)
        at_step = time.monotonic()
        d = wait_state(p, "gray", {"DEPLOYED", "CANCELED", "FAILED"}, 180)
        done = time.monotonic()
        results = load.finish()
        failed = [s for _, s in results if s != 200]
        print(f"[promote] {rate} req/s{' with probes' if probes else ''}, windows of {window}s: {d['state']} "
              f"{done - started:.1f}s after the restart ({done - at_step:.1f}s from the step reached "
              f"[{paused['state']}] to the decision; Flagger's minimum for one step: 2 x {window}s = {2 * window}s); "
              f"{len(failed)} failed of {len(results)}", flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rate", type=int, default=1000)
    ap.add_argument("--seconds", type=int, default=40)
    ap.add_argument("--window", type=int, default=10)
    args = ap.parse_args()
    p = Platform().start()
    try:
        p.login()
        rolling(p, args.rate, args.seconds)
        bad_canary(p, args.window)
        promote(p, args.window)
    finally:
        p.cleanup()


if __name__ == "__main__":
    main()
