#!/usr/bin/env python3
"""Push-to-serving benchmark (issue 15; not part of the test run): how long a user waits, through the real wharfd
and wharf with real containers and requests through the router.

For the static-site and Node.js examples (each copied to a fresh folder):
  first push        `wharf push` from its start until the router answers 200 with the app's text
  unchanged re-push `wharf push` of the same folder: the command's wall time
  source change     one line of the app's source changed: from the start of `wharf push` until the router
                    serves the new text (a background thread polls every 10 ms)
The re-push and the change are repeated `--rounds` times; medians (min-max) are printed, with the push's own
time line when it prints one.

Usage: bench/push/bench_push_to_serving.py [--rounds 5]   (after scripts/build.sh)
Only loopback traffic; only the wharfd started here is signalled.
"""
import argparse
import os
import shutil
import statistics
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from bench_support import EXAMPLES, Platform, router_page  # noqa: E402

# example folder, app name in its manifest, file to change, text in it to replace
APPS = [("static-site", "hello", "index.html", "Hello from Wharf"),
        ("nodejs", "hello-node", "server.js", 'res.end(greeting.hello("Node.js")')]



class Watch(threading.Thread):
    """Polls the app every 10 ms from its start until it answers 200 containing `text`."""

    def __init__(self, p, host, text, timeout=120):
        super().__init__(daemon=True)
        self.p, self.host, self.text, self.timeout = p, host, text, timeout
        self.began = time.monotonic()
        self.seen = None

    def run(self):
        while time.monotonic() - self.began < self.timeout:
            status, text = router_page(self.p, self.host)
            if status == 200 and self.text in text:
                self.seen = time.monotonic()
                return
            time.sleep(0.01)

    def seconds(self):
        self.join(self.timeout + 5)
        return None if self.seen is None else self.seen - self.began


def time_line(out):
    lines = [line for line in out.splitlines() if line.startswith("Pushed in ")]
    return lines[-1] if lines else ""


def spread(values):
    values = [v for v in values if v is not None]
    if not values:
        return "n/a"
    return f"{statistics.median(values):6.2f} s ({min(values):.2f}-{max(values):.2f})"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()
    p = Platform()
    rows = []
    try:
        p.start().login()
        for folder, name, source, text in APPS:
            app = os.path.join(p.root, folder)
            shutil.copytree(os.path.join(EXAMPLES, folder), app)
            host = f"{name}.localhost"
            marker = "first"
            path = os.path.join(app, source)
            original = open(path).read()
            assert text in original, (path, text)

            def write(mark):
                # The static page shows the marker; the Node app appends it to its answer.
                if source == "index.html":
                    changed = original.replace(text, f"{text} {mark}")
                else:
                    changed = original.replace(text, f'res.end("{mark} " + greeting.hello("Node.js")')
                with open(path, "w") as f:
                    f.write(changed)

            write(marker)
            watch = Watch(p, host, marker)
            watch.start()
            r = p.wharf("push", cwd=app, timeout=600)
            first = watch.seconds()
            rows.append((folder, "first push to 200", spread([first]), time_line(r.out)))
            unchanged, changed, lines = [], [], []
            for i in range(args.rounds):
                t = time.monotonic()
                r = p.wharf("push", cwd=app, timeout=600)
                unchanged.append(time.monotonic() - t)
                lines.append(time_line(r.out))
                marker = f"round{i}"
                write(marker)
                watch = Watch(p, host, marker)
                watch.start()
                r = p.wharf("push", cwd=app, timeout=600)
                changed.append(watch.seconds())
            rows.append((folder, "unchanged re-push", spread(unchanged), lines[-1]))
            rows.append((folder, "source change to serving", spread(changed), time_line(r.out)))
            p.wharf("delete", name, "-f")
    finally:
        p.cleanup()
    print(f"\n{'app':<12} {'what':<26} {'median (min-max)':<26} the push's own time line")
    for folder, what, figures, line in rows:
        print(f"{folder:<12} {what:<26} {figures:<26} {line}")


if __name__ == "__main__":
    main()
