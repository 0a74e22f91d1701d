#!/usr/bin/env python3
"""Push benchmark (not part of the test run).

1. Pushes a generated 5,000-file app, then re-pushes it unchanged, then with one file changed, and reports the
   content bytes uploaded (from the blob store's growth and wharfd's `resources-uploaded` events) and wall time.
2. Creates 1,000 apps through the API and times `wharf apps` (median of 5 runs).

Usage: bench/push/bench_push.py [--files 5000] [--apps 1000]   (after scripts/build.sh)
Binaries default to build/controller/wharfd and build/cli/wharf (WHARFD_BIN / WHARF_BIN override).
"""
import argparse
import os
import random
import statistics
import sys
import time

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.abspath(os.path.join(here, "..", ".."))
os.environ.setdefault("WHARFD_BIN", os.path.join(root, "build", "controller", "wharfd"))
os.environ.setdefault("WHARF_BIN", os.path.join(root, "build", "cli", "wharf"))
sys.path.insert(0, os.path.join(root, "tests", "e2e"))
from harness import Platform  # noqa: E402


def store_bytes(p):
    total = 0
    for r, _d, files in os.walk(os.path.join(p.data_dir, "blobs", "blobs")):
        for f in files:
            total += os.path.getsize(os.path.join(r, f))
    return total


def uploaded_bytes_from_events(p):
    total = 0
    path = os.path.join(p.data_dir, "logs", "events.log")
    if not os.path.exists(path):
        return None
    for line in open(path):
        if " resources-uploaded " in line:
            for field in line.split():
                if field.startswith("bytes="):
                    total += int(field[6:])
    return total


def timed(fn):
    t = time.perf_counter()
    r = fn()
    return r, time.perf_counter() - t


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--files", type=int, default=5000)
    ap.add_argument("--apps", type=int, default=1000)
    args = ap.parse_args()

    p = Platform()
    try:
        p.start().login()
        rnd = random.Random(42)
        app = os.path.join(p.root, "app")
        for i in range(args.files):
            d = os.path.join(app, f"dir{i % 50:02}")
            os.makedirs(d, exist_ok=True)
            with open(os.path.join(d, f"file{i:05}.txt"), "wb") as f:
                f.write(rnd.randbytes(rnd.randint(200, 8000)))
        with open(os.path.join(app, "manifest.yml"), "w") as f:
            f.write("applications:\n- name: bench\n  no-route: true\n")
        src_bytes = sum(os.path.getsize(os.path.join(r, f)) for r, _d, fs in os.walk(app) for f in fs)
        print(f"app: {args.files} files, {src_bytes} bytes")

        rows = []
        for label, mutate in [("first push", None), ("unchanged re-push", None),
                              ("one file changed", lambda: open(os.path.join(app, "dir00", "file00000.txt"), "ab").write(b"x"))]:
            if mutate:
                mutate()
            before_store, before_ev = store_bytes(p), uploaded_bytes_from_events(p)
            _, secs = timed(lambda: p.wharf("push", "--no-start", cwd=app, timeout=600))
            after_ev = uploaded_bytes_from_events(p)
            uploaded = (after_ev - before_ev) if after_ev is not None and before_ev is not None else None
            rows.append((label, secs, store_bytes(p) - before_store, uploaded))
        print(f"{'push':<20} {'wall s':>8} {'store growth B':>16} {'uploaded B':>12}")
        for label, secs, growth, uploaded in rows:
            print(f"{label:<20} {secs:8.2f} {growth:16d} {str(uploaded):>12}")

        t0 = time.perf_counter()
        for i in range(args.apps):
            status, body = p.api("POST", "/v1/apps", {"name": f"app-{i:04}"})
            assert status == 201, body
        print(f"created {args.apps} apps through the API in {time.perf_counter() - t0:.1f} s")
        runs = []
        for _ in range(5):
            r, secs = timed(lambda: p.wharf("apps"))
            runs.append(secs)
        lines = len(r.out.splitlines())
        print(f"wharf apps with {args.apps + 1} apps: median {statistics.median(runs):.3f} s "
              f"(min {min(runs):.3f}, max {max(runs):.3f}), {lines} lines of output")
    finally:
        p.cleanup()


if __name__ == "__main__":
    main()
