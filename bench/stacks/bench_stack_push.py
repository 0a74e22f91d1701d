#!/usr/bin/env python3
"""Push-to-200 of every example on the built stack against the host stack, in the same run (issue 14; not
part of the test run): each round pushes every example twice under fresh app names, once with `-s host` and
once on the default stack, in alternating order, each from the start of `wharf push` until the router answers
200 with the example's text. Fresh names: both are first pushes, with no buildpack cache. Prints medians
(min-max) per example and the ratio stack / host.

Usage: bench/stacks/bench_stack_push.py [--rounds 3] [--stack debian13]   (after scripts/setup.sh and build.sh)
Only loopback traffic; only the wharfd started here is signalled.
"""
import argparse
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from bench_support import EXAMPLES, Platform, router_page  # noqa: E402

# example folder -> text its page contains
EXAMPLES_TEXT = {
    "static-site": "Hello from Wharf",
    "nginx": "Hello from nginx on Wharf",
    "nodejs": "Hello from Node.js on Wharf",
    "python": "Hello from Python",
    "go": "Hello from Go",
    "ruby": "Hello from Ruby",
    "java": "Hello from Java",
    "php": "Hello from PHP",
    "binary": "Hello from a binary on Wharf",
}


def push_to_200(p, folder, name, stack_args):
    started = time.monotonic()
    r = p.wharf("push", name, *stack_args, cwd=os.path.join(EXAMPLES, folder), timeout=600, expect=None)
    if r.code != 0:
        raise RuntimeError(f"push of {folder} ({' '.join(stack_args) or 'default stack'}) failed:\n{r}")
    while time.monotonic() - started < 300:
        status, body = router_page(p, f"{name}.localhost")
        if status == 200 and EXAMPLES_TEXT[folder] in body:
            return time.monotonic() - started
        time.sleep(0.01)
    raise RuntimeError(f"{folder} never answered")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--stack", default="debian13")
    args = ap.parse_args()
    p = Platform()
    times = {(f, s): [] for f in EXAMPLES_TEXT for s in ("host", args.stack)}
    try:
        p.start().login()
        for i in range(args.rounds):
            for j, folder in enumerate(EXAMPLES_TEXT):
                order = ["host", args.stack] if (i + j) % 2 == 0 else [args.stack, "host"]
                for stack in order:
                    name = f"b{i}-{folder}-{stack}".replace(".", "")
                    times[(folder, stack)].append(push_to_200(p, folder, name, ["-s", stack]))
                    p.wharf("delete", name, "-f", "-r")
    finally:
        p.cleanup()
    print(f"\n{'example':<12} {'host stack':<22} {args.stack + ' stack':<22} ratio")
    for folder in EXAMPLES_TEXT:
        h, s = times[(folder, "host")], times[(folder, args.stack)]
        fmt = lambda v: f"{statistics.median(v):5.2f} s ({min(v):.2f}-{max(v):.2f})"  # noqa: E731
        print(f"{folder:<12} {fmt(h):<22} {fmt(s):<22} {statistics.median(s) / statistics.median(h):.2f}")


if __name__ == "__main__":
    main()
