"""API requests per second with the state on PostgreSQL against SQLite, in the same run.

For each engine: a fresh wharfd (SQLite: the default DATA_DIR/wharf.db; PostgreSQL: --database
postgres://... on a server this script starts, loopback, as tests/e2e/test_postgres_state.py does),
then THREADS clients with a kept-alive connection each, for SECONDS: create an app (a write
transaction), list apps (a read), get the app (a read), in turn. Prints requests per second per
engine and the PostgreSQL/SQLite ratio.

usage: python3 bench/state/bench_state_api.py [--seconds 10] [--threads 4]
"""
import argparse
import http.client
import json
import os
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from bench_support import Platform  # noqa: E402
from test_postgres_state import PostgresServer  # noqa: E402  (tests/e2e is on the path)


def load(p, seconds, threads):
    token = p.admin_token()
    counts = [0] * threads
    errors = [0] * threads
    stop = time.monotonic() + seconds

    def client(n):
        conn = http.client.HTTPConnection("127.0.0.1", p.api_port, timeout=30)
        headers = {"Authorization": "Bearer " + token, "Content-Type": "application/json"}
        i = 0
        while time.monotonic() < stop:
            i += 1
            try:
                conn.request("POST", "/v1/apps", json.dumps({"name": f"b-{n}-{i}"}), headers)
                r = conn.getresponse()
                body = r.read()
                ok = r.status == 201
                guid = json.loads(body)["guid"] if ok else None
                counts[n] += 1
                conn.request("GET", "/v1/apps?per_page=50", headers=headers)
                r = conn.getresponse()
                r.read()
                ok = ok and r.status == 200
                counts[n] += 1
                if guid:
                    conn.request("GET", f"/v1/apps/{guid}", headers=headers)
                    r = conn.getresponse()
                    r.read()
                    ok = ok and r.status == 200
                    counts[n] += 1
                if not ok:
                    errors[n] += 1
            except (OSError, http.client.HTTPException):
                errors[n] += 1
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", p.api_port, timeout=30)
        conn.close()

    ts = [threading.Thread(target=client, args=(n,)) for n in range(threads)]
    started = time.monotonic()
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    elapsed = time.monotonic() - started
    return sum(counts) / elapsed, sum(errors)


def run(extra_args, seconds, threads):
    p = Platform(extra_args=extra_args + ["--roles", "api"])
    try:
        p.start()
        return load(p, seconds, threads)
    finally:
        p.cleanup()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=10)
    ap.add_argument("--threads", type=int, default=4)
    args = ap.parse_args()
    pg = PostgresServer().start()
    try:
        sqlite_rps, sqlite_errors = run([], args.seconds, args.threads)
        pg_rps, pg_errors = run(["--database", pg.url()], args.seconds, args.threads)
    finally:
        pg.stop()
    print(f"threads={args.threads} seconds={args.seconds:g} (create app, list apps, get app, in turn)")
    print(f"sqlite:     {sqlite_rps:8.1f} requests/s  ({sqlite_errors} errors)")
    print(f"postgresql: {pg_rps:8.1f} requests/s  ({pg_errors} errors)")
    print(f"ratio postgresql/sqlite: {pg_rps / sqlite_rps:.2f}")


if __name__ == "__main__":
    main()
