#!/usr/bin/env python3
"""Autoscaler benchmark (not part of the test run): the figures of the autoscaler issue, through the real
wharfd and wharf, with real runc containers and real requests through the router.

1. Flaps under oscillating load: an app with a throughput policy (out above 15 rps per instance, in below 5,
   breach 30 s, cool-down 60 s) gets load that swings every `--half-period` seconds between about 40 requests a
   second and none, for `--minutes`. The swing is faster than the breach duration, so no rule should ever
   breach: every scaling in the run is a flap. Reported: the threshold crossings in the recorded samples (to
   show the load did oscillate through both thresholds), the scalings and the direction reversals.
   Then a sustained step (load for 90 s, then idle) checks the same policy still scales out and back in,
   and reports breach end to scale request (from the event) and scale request to the new instance RUNNING.
2. Metric collection overhead: `--apps` apps of one instance each; wharfd's CPU time (utime + stime from
   /proc) over `--window` seconds with every app's policy enabled, against the same window with every policy
   disabled, in the same run; the difference per instance per second, and the samples written per second.

Usage: bench/autoscaler/bench_autoscaler.py [--minutes 10] [--half-period 8] [--apps 10] [--window 60]
Binaries default to build/controller/wharfd and build/cli/wharf (WHARFD_BIN / WHARF_BIN override).
Only loopback traffic; only the wharfd started here is signalled.
"""
import argparse
import json
import os
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from bench_support import Platform, router_get as get  # noqa: E402

APP_PY = r'''
import os
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class H(BaseHTTPRequestHandler):
    def do_GET(self):
        body = b"ok"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *a):
        pass


ThreadingHTTPServer(("0.0.0.0", int(os.environ["PORT"])), H).serve_forever()
'''

POLICY = {
    "instance_min_count": 1,
    "instance_max_count": 3,
    "scaling_rules": [
        {"metric_type": "throughput", "threshold": 15, "operator": ">", "adjustment": "+1",
         "breach_duration_secs": 30, "cool_down_secs": 60},
        {"metric_type": "throughput", "threshold": 5, "operator": "<", "adjustment": "-1",
         "breach_duration_secs": 30, "cool_down_secs": 60},
    ],
}


def push(p, name):
    d = os.path.join(p.root, "app-" + name)
    os.makedirs(d)
    with open(os.path.join(d, "app.py"), "w") as f:
        f.write(APP_PY)
    with open(os.path.join(d, "Procfile"), "w") as f:
        f.write("web: python3 app.py\n")
    with open(os.path.join(d, "policy.json"), "w") as f:
        json.dump(POLICY, f)
    p.wharf("push", name, "-b", "binary_buildpack", "-m", "64M", cwd=d, timeout=300)
    _, body = p.api("GET", "/v1/apps?names=" + name)
    return body["resources"][0]["guid"], d



def web(p, guid):
    _, body = p.api("GET", f"/v1/apps/{guid}/processes/web")
    return body


def running(p, guid):
    _, body = p.api("GET", f"/v1/processes/{web(p, guid)['guid']}/instances")
    return [i for i in body["resources"] if i["state"] == "RUNNING"]


def history(p, name):
    return json.loads(p.wharf("autoscaling-history", name, "--json").out)["resources"]


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Load:
    """About 40 requests a second from 4 clients while `on` is set."""

    def __init__(self, p, host):
        self.p, self.host = p, host
        self.on = threading.Event()
        self.stop = threading.Event()
        self.sent = 0
        self.threads = [threading.Thread(target=self.client, daemon=True) for _ in range(4)]
        for t in self.threads:
            t.start()

    def client(self):
        while not self.stop.is_set():
            if self.on.is_set():
                get(self.p, self.host)
                self.sent += 1
                time.sleep(0.1)
            else:
                time.sleep(0.05)

    def close(self):
        self.stop.set()
        for t in self.threads:
            t.join()


def flaps(p, minutes, half_period):
    guid, d = push(p, "swing")
    p.wharf("attach-autoscaling-policy", "swing", "policy.json", cwd=d)
    load = Load(p, "swing.localhost")
    start = time.monotonic()
    end = start + minutes * 60
    try:
        while time.monotonic() < end:
            load.on.set()
            time.sleep(half_period)
            load.on.clear()
            time.sleep(half_period)
    finally:
        load.on.clear()
    events = history(p, "swing")
    samples = json.loads(p.wharf("autoscaling-metrics", "swing", "throughput", "--since", str(minutes * 60 + 60),
                                 "--json").out)["samples"]
    crossings, side = 0, None  # sides: above 15 ("high") or below 5 ("low"); in between keeps the side
    for s in samples:
        now = "high" if s["value"] > 15 else "low" if s["value"] < 5 else side
        if side is not None and now != side:
            crossings += 1
        side = now
    directions = [e["data"]["direction"] for e in reversed(events)]
    reversals = sum(1 for a, b in zip(directions, directions[1:]) if a != b)
    print(f"[flaps] {minutes} min of load swinging every {half_period}s between ~40 rps and 0: {load.sent} requests, "
          f"{len(samples)} throughput samples, {crossings} threshold crossings (15 up / 5 down), "
          f"{len(events)} scalings, {reversals} reversals (flaps: {len(events)})", flush=True)

    # A sustained step: the same policy scales out, then in.
    load.on.set()
    step = time.monotonic()
    deadline = step + 150
    while web(p, guid)["instances"] < 2 and time.monotonic() < deadline:
        time.sleep(0.2)
    asked = time.monotonic()
    while len(running(p, guid)) < 2 and time.monotonic() < deadline:
        time.sleep(0.2)
    serving = time.monotonic()
    load.on.clear()
    out = history(p, "swing")[0]["data"]
    print(f"[step] scale-out {asked - step:.1f}s after sustained load began (breach 30 s): breach end to scale request "
          f"{out.get('reaction_ms')} ms, scale request to the new instance RUNNING {serving - asked:.1f}s "
          f"(as seen by polling the API)", flush=True)
    idle = time.monotonic()
    while web(p, guid)["instances"] > 1 and time.monotonic() < idle + 240:
        time.sleep(0.5)
    back = history(p, "swing")[0]["data"]
    print(f"[step] scale-in {time.monotonic() - idle:.1f}s after the load stopped (cool-down 60 s, breach 30 s): "
          f"{back['direction']} {back['from']}->{back['to']}, breach end to scale request {back.get('reaction_ms')} ms",
          flush=True)
    load.close()
    p.wharf("delete", "swing", "-f")


def overhead(p, apps, window):
    names = [f"idle{i}" for i in range(apps)]
    for n in names:
        _, d = push(p, n)
        p.wharf("attach-autoscaling-policy", n, "policy.json", cwd=d)
    time.sleep(10)  # let the starts settle
    pid = p.proc.pid
    figures = {}
    for state in ("enabled", "disabled", "enabled again"):
        for n in names:
            p.wharf("enable-autoscaling" if state != "disabled" else "disable-autoscaling", n)
        time.sleep(5)
        c0, t0 = cpu_seconds(pid), time.monotonic()
        time.sleep(window)
        c1, t1 = cpu_seconds(pid), time.monotonic()
        figures[state] = (c1 - c0) / (t1 - t0)
        print(f"[overhead] {apps} instances, policies {state}: wharfd used {100 * figures[state]:.2f}% of a core",
              flush=True)
    enabled = (figures["enabled"] + figures["enabled again"]) / 2
    per_instance = (enabled - figures["disabled"]) / apps
    print(f"[overhead] metric collection and evaluation: {1000 * per_instance:.3f} ms of CPU per instance per second "
          f"({100 * per_instance:.3f}% of a core per instance), from {apps} instances sampled every 2 s "
          f"(each round: the cell's usage, the router's counters, a decision, the samples written to SQLite)",
          flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--minutes", type=float, default=10)
    ap.add_argument("--half-period", type=float, default=8)
    ap.add_argument("--apps", type=int, default=10)
    ap.add_argument("--window", type=float, default=60)
    ap.add_argument("--skip-flaps", action="store_true")
    ap.add_argument("--skip-overhead", action="store_true")
    args = ap.parse_args()
    p = Platform(extra_args=["--autoscaler-min-duration-secs", "30"]).start()
    try:
        p.login()
        if not args.skip_flaps:
            flaps(p, args.minutes, args.half_period)
        if not args.skip_overhead:
            overhead(p, args.apps, args.window)
    finally:
        p.cleanup()


if __name__ == "__main__":
    main()
