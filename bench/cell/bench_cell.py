#!/usr/bin/env python3
"""Cell benchmark (not part of the test run): the figures of the containers/health issue, through the real
wharfd and wharf, with real runc containers.

1. Start to healthy: for the static-site, go and nodejs examples, `N` times: scale the app from 1 to 2
   instances and time until the API lists the new instance RUNNING (the supervisor's tick, container
   creation, the app's own start-up and the first passing health check). p50 and p90.
2. Crash to serving: the app has 1 instance; its container's init is SIGKILLed from outside; time until
   the router answers 200 again. p50 and p90 over `N` kills (the first 3 crashes restart at once).
3. 100 instances of the go example (16M each): time until all are RUNNING, wharfd's RSS before and after,
   and the per-instance overhead beyond the app (wharf-monitor + wharf-init RSS, summed from /proc).

Usage: bench/cell/bench_cell.py [--rounds 10] [--instances 100]   (after scripts/build.sh)
Binaries default to build/controller/wharfd and build/cli/wharf (WHARFD_BIN / WHARF_BIN override).
"""
import argparse
import json
import os
import signal
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from bench_support import EXAMPLES, Platform, router_get as get  # noqa: E402

APPS = {"static-site": "hello", "go": "hello-go", "nodejs": "hello-node"}


def pct(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]



def process(p, app):
    _, body = p.api("GET", f"/v1/apps?names={app}")
    guid = body["resources"][0]["guid"]
    _, web = p.api("GET", f"/v1/apps/{guid}/processes/web")
    return web["guid"]


def instances(p, process_guid):
    _, body = p.api("GET", f"/v1/processes/{process_guid}/instances")
    return body["resources"]


def running(p, process_guid):
    return [i for i in instances(p, process_guid) if i["state"] == "RUNNING" and not i.get("outdated")]


def wait(fn, timeout=60, interval=0.005):
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        v = fn()
        if v:
            return v
        time.sleep(interval)
    raise RuntimeError("timed out")


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def pids_named(name):
    out = []
    for e in os.listdir("/proc"):
        if e.isdigit():
            try:
                with open(f"/proc/{e}/comm") as f:
                    if f.read().strip() == name:
                        out.append(int(e))
            except OSError:
                pass
    return out


def startup_ms(p, app_guid):
    """startup_ms of the cell's instance-healthy events for the app: container start to first passing check."""
    out = []
    with open(os.path.join(p.data_dir, "logs", "events.log")) as f:
        for line in f:
            if " instance-healthy " in line and f"app={app_guid}" in line:
                for field in line.split():
                    if field.startswith("startup_ms="):
                        out.append(int(field.split("=", 1)[1]))
    return out


def scale(p, process_guid, n, memory=None):
    body = {"instances": n}
    if memory:
        body["memory_in_mb"] = memory
    status, resp = p.api("POST", f"/v1/processes/{process_guid}/actions/scale", body)
    assert status == 200, resp


def container_of(p, index, process_guid):
    for c in p.container_ids():
        with open(os.path.join(p.containers_dir(), c, "container.json")) as f:
            j = json.load(f)
        labels = j.get("labels", {})
        if labels.get("wharf.index") == str(index) and os.path.exists(os.path.join(p.containers_dir(), c, "init.pid")):
            if not os.path.exists(os.path.join(p.containers_dir(), c, "exit.json")):
                return c
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=10)
    ap.add_argument("--instances", type=int, default=100)
    args = ap.parse_args()
    p = Platform()
    try:
        p.start().login()
        line = wait(lambda: "runtime=" in open(p.log_path).read() and open(p.log_path).read(), timeout=30)
        print(f"runtime: {line.split('runtime=')[1].split()[0]}")
        # 1. start to healthy
        for folder, app in APPS.items():
            p.wharf("push", cwd=os.path.join(EXAMPLES, folder), timeout=300)
            proc = process(p, app)
            times = []
            for _ in range(args.rounds):
                wait(lambda: len(running(p, proc)) == 1 and len(instances(p, proc)) == 1)
                t = time.perf_counter()
                scale(p, proc, 2)
                wait(lambda: len(running(p, proc)) == 2)
                times.append((time.perf_counter() - t) * 1000)
                scale(p, proc, 1)
            print(f"start to healthy, {folder}: p50 {pct(times, 0.5):.0f} ms, p90 {pct(times, 0.9):.0f} ms "
                  f"({args.rounds} starts, from the scale request to RUNNING in the API)")
            _, body = p.api("GET", f"/v1/apps?names={app}")
            inner = startup_ms(p, body["resources"][0]["guid"])
            if inner:
                print(f"  of which container start to first passing check (cell): p50 {pct(inner, 0.5)} ms, "
                      f"p90 {pct(inner, 0.9)} ms")
            if folder != "go":
                p.wharf("stop", app)

        # 2. crash to serving (go app, 1 instance)
        proc = process(p, "hello-go")
        times = []
        for _ in range(args.rounds):
            wait(lambda: len(running(p, proc)) == 1 and len(instances(p, proc)) == 1 and get(p, "hello-go.localhost") == 200)
            time.sleep(0.3)  # let the router settle on the one endpoint
            c = container_of(p, 0, proc)
            with open(os.path.join(p.containers_dir(), c, "init.pid")) as f:
                pid = int(f.read().split()[0])  # "pid starttime"
            t = time.perf_counter()
            os.kill(pid, signal.SIGKILL)
            # the old endpoint may still answer for a moment: wait for the first failure, then for 200
            wait(lambda: get(p, "hello-go.localhost") != 200 or not os.path.exists(f"/proc/{pid}"), timeout=10)
            wait(lambda: get(p, "hello-go.localhost") == 200, timeout=120)
            times.append((time.perf_counter() - t) * 1000)
            # crashes 4+ wait 30 s: restart the app to reset the count between kills
            if len(times) % 3 == 0:
                p.wharf("restart", "hello-go")
        print(f"crash to serving: p50 {pct(times, 0.5):.0f} ms, p90 {pct(times, 0.9):.0f} ms ({len(times)} kills)")

        # 3. many instances
        wharfd_before = rss_kib(p.proc.pid)
        monitors_before = set(pids_named("wharf-monitor"))
        t = time.perf_counter()
        scale(p, proc, args.instances, memory=16)
        wait(lambda: len(running(p, proc)) == args.instances, timeout=900, interval=0.5)
        took = time.perf_counter() - t
        time.sleep(2)
        wharfd_after = rss_kib(p.proc.pid)
        monitors = [m for m in pids_named("wharf-monitor") if m not in monitors_before]
        inits = []
        for c in p.container_ids():
            try:
                with open(os.path.join(p.containers_dir(), c, "init.pid")) as f:
                    inits.append(int(f.read().split()[0]))
            except OSError:
                pass
        mon_kib = sum(rss_kib(m) for m in monitors)
        init_kib = sum(rss_kib(i) for i in inits)
        n = max(1, len(monitors))
        print(f"{args.instances} instances of hello-go: all RUNNING {took:.1f} s after the scale request")
        print(f"wharfd RSS: {wharfd_before / 1024:.1f} MiB before, {wharfd_after / 1024:.1f} MiB with "
              f"{args.instances} instances")
        print(f"per-instance overhead: wharf-monitor {mon_kib / n / 1024:.2f} MiB + wharf-init "
              f"{init_kib / max(1, len(inits)) / 1024:.2f} MiB RSS ({len(monitors)} monitors, {len(inits)} inits)")
        scale(p, proc, 1, memory=64)
    finally:
        p.cleanup()


if __name__ == "__main__":
    main()
