"""Scale-out (issue 17): one API, three cells and two routers, each on a host of its own (network
namespaces on one machine, tests/e2e/hosts.py). The API places an app's instances across the cells
(`wharfd --roles cell` heartbeats to it and runs what it is given, droplets fetched over HTTP); the
routers follow the API's routing table and reach each cell's containers through the cell's address. The
API restarted: apps keep serving and nothing moves. A cell that drops off the network is declared lost
after the API's cell timeout: its instances start on the others and the routers stop sending to it; when
it comes back it stops its duplicates."""
import collections
import os
import time
import unittest
import urllib.request

from harness import WHARFD, Platform, Polling
from hosts import Hosts, stop_proc

CELL_TIMEOUT = 4  # seconds without a heartbeat before the API declares a cell lost
SERVER = r'''
import http.server, os, socketserver

class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = ("index=%s ip=%s\n" % (os.environ.get("CF_INSTANCE_INDEX"), os.environ.get("CF_INSTANCE_INTERNAL_IP", ""))).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass

class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def server_bind(self):  # no getfqdn(): instances have no resolver
        socketserver.TCPServer.server_bind(self)

Server(("0.0.0.0", int(os.environ["PORT"])), Handler).serve_forever()
'''


class CellsTest(Polling, unittest.TestCase):
    def setUp(self):
        self.hosts = Hosts()
        self.addCleanup(self.cleanup_hosts)
        api_ip = self.hosts.gateway
        self.p = Platform(extra_args=["--roles", "api,stager", "--api-address", api_ip, "--api-insecure-http",
                                      "--cell-timeout", str(CELL_TIMEOUT)])
        self.cells = {}
        self.routers = []
        self.addCleanup(self.cleanup_platform)
        self.p.start()
        # The API is not on loopback: the CLI takes the token as a remote user would.
        self.p.wharf("api", self.p.api_url)
        self.p.wharf("login", "--token", self.p.admin_token())
        for n in (1, 2, 3):
            host = self.hosts.add(f"cell{n}", 10 + n)
            data = os.path.join(self.p.root, f"cell-{n}")
            proc = host.popen([WHARFD, "--roles", "cell", "--cell-id", f"cell-{n}", "--zone", f"z{n}",
                               "--cell-address", host.ip, "--bridge", f"wharfc{n}",
                               "--container-subnet", f"10.245.{n}.0/24", "--api-url", self.p.api_url,
                               "--api-token-file", os.path.join(self.p.data_dir, "cell-token"),
                               "--data-dir", data], os.path.join(self.p.root, f"cell-{n}.stderr"))
            self.cells[f"cell-{n}"] = (host, proc, data)
        for n in (1, 2):
            host = self.hosts.add(f"router{n}", 20 + n)
            for c in (1, 2, 3):
                host.route(f"10.245.{c}.0/24", f"{self.hosts.subnet}.{10 + c}")
            proc = host.popen([WHARFD, "--roles", "router", "--router-address", host.ip, "--router-port", "8080",
                               "--api-url", self.p.api_url,
                               "--api-token-file", os.path.join(self.p.data_dir, "router-token"),
                               "--data-dir", os.path.join(self.p.root, f"router-{n}")],
                              os.path.join(self.p.root, f"router-{n}.stderr"))
            self.routers.append((host, proc))
        self.poll("three live cells", lambda: len([c for c in self.cell_list() if c["state"] == "alive"]) == 3,
                  timeout=30)

    # --- helpers ------------------------------------------------------------------
    def logs(self):
        out = []
        for name, (host, proc, data) in self.cells.items():
            with open(proc.log_path, errors="replace") as f:
                out.append(f"--- {name}\n{f.read()[-3000:]}")
        return "\n".join(out) + "\n--- api\n" + self.p.daemon_log()

    def cell_list(self):
        status, body = self.p.api("GET", "/v1/cells", timeout=10)
        self.assertEqual(status, 200, body)
        return body["resources"]

    def running_by_cell(self, app_guid):
        """{cell id: sorted indices of the app's RUNNING instances it reports}."""
        out = {}
        for c in self.cell_list():
            out[c["id"]] = sorted(i["index"] for i in c.get("instances", [])
                                  if i["app_guid"] == app_guid and i["state"] == "RUNNING")
        return out

    def get(self, router, path="/"):
        """GET through one router host, from the root namespace: (status, body)."""
        host, _proc = router
        req = urllib.request.Request(f"http://{host.ip}:8080{path}", headers={"Host": "cells.localhost"})
        try:
            with urllib.request.urlopen(req, timeout=5) as resp:
                return resp.status, resp.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode(errors="replace")
        except OSError as e:
            return 0, str(e)

    def indices_served(self, router, tries=60):
        seen = collections.Counter()
        for _ in range(tries):
            status, body = self.get(router)
            if status == 200:
                seen[body.split()[0]] += 1
        return seen

    def cleanup_platform(self):
        problems = []
        if self.p.running():
            problems += self.p.stop_all_apps(timeout=30)
            for name, (host, proc, data) in self.cells.items():
                containers = os.path.join(data, "runtime", "containers")
                deadline = time.monotonic() + 30
                while os.path.isdir(containers) and os.listdir(containers) and time.monotonic() < deadline:
                    time.sleep(0.2)
                if os.path.isdir(containers) and os.listdir(containers):
                    problems.append(f"{name} still has containers: {os.listdir(containers)}")
        for name, (host, proc, data) in self.cells.items():
            if stop_proc(proc) not in (0, None):
                problems.append(f"{name} exited with {proc.returncode}")
        for host, proc in self.routers:
            stop_proc(proc)
        problems += self.p.cleanup()
        if problems:
            raise AssertionError("cleanup: " + "; ".join(problems) + "\n" + self.logs())

    def cleanup_hosts(self):
        self.hosts.cleanup()

    # --- the test -------------------------------------------------------------------
    def test_six_instances_spread_over_three_cells_survive_a_lost_cell(self):
        app = os.path.join(self.p.root, "app-cells")
        os.makedirs(app)
        with open(os.path.join(app, "server.py"), "w") as f:
            f.write(SERVER)
        with open(os.path.join(app, "Procfile"), "w") as f:
            f.write("web: python3 server.py\n")
        self.p.wharf("push", "cells", "-b", "binary_buildpack", "-m", "64M", "-i", "6", cwd=app, timeout=300)
        guid = self.p.api("GET", "/v1/apps?names=cells")[1]["resources"][0]["guid"]

        # 2/2/2, one cell per zone, every index once.
        spread = self.poll("six instances running, two on each cell",
                           lambda: (lambda s: s if sorted(len(v) for v in s.values()) == [2, 2, 2] else None)(
                               self.running_by_cell(guid)), timeout=120)
        self.assertEqual(sorted(i for v in spread.values() for i in v), [0, 1, 2, 3, 4, 5], spread)
        # Both routers reach every instance, each on the host of its cell.
        for router in self.routers:
            self.poll(f"router {router[0].name} serving all six instances",
                      lambda: len(self.indices_served(router, 40)) == 6, timeout=30)
        listed = self.p.wharf("app", "cells").out
        self.assertIn("#5", listed)

        # The API restarts: the routers keep serving their last table and the cells their instances; when it is
        # back, the cells report again and nothing moves or restarts (the placements are in its database).
        before = {name: sorted(os.listdir(os.path.join(data, "runtime", "containers")))
                  for name, (_h, _p, data) in self.cells.items()}
        statuses = []
        self.assertEqual(self.p.stop(), 0)
        down_until = time.monotonic() + 2 * CELL_TIMEOUT
        while time.monotonic() < down_until:
            for router in self.routers:
                statuses.append(self.get(router)[0])
        self.p.start()
        back_until = time.monotonic() + 2 * CELL_TIMEOUT
        while time.monotonic() < back_until:
            for router in self.routers:
                statuses.append(self.get(router)[0])
        failed = [s for s in statuses if s != 200]
        self.assertEqual(failed, [], f"{len(failed)} of {len(statuses)} requests failed around the API's restart\n"
                                     f"{self.logs()}")
        self.assertEqual(self.running_by_cell(guid), spread)
        after = {name: sorted(os.listdir(os.path.join(data, "runtime", "containers")))
                 for name, (_h, _p, data) in self.cells.items()}
        self.assertEqual(after, before)
        self.assertTrue(all(c["state"] == "alive" for c in self.cell_list()), self.cell_list())

        # cell-2 drops off the network. Its instances go to the others within the cell timeout plus a start;
        # the routers stop sending to it once the API withdrew its routes.
        lost_host = self.cells["cell-2"][0]
        lost_indices = spread["cell-2"]
        cut = time.monotonic()
        lost_host.cut()
        self.poll("the API to declare cell-2 lost",
                  lambda: [c for c in self.cell_list() if c["id"] == "cell-2" and c["state"] == "lost"],
                  timeout=CELL_TIMEOUT + 10)
        detected = time.monotonic() - cut
        moved = self.poll("cell-2's instances running on cell-1 and cell-3",
                          lambda: (lambda s: s if sorted(s["cell-1"] + s["cell-3"]) == [0, 1, 2, 3, 4, 5] else None)(
                              self.running_by_cell(guid)), timeout=60)
        served_elsewhere = time.monotonic() - cut
        self.assertEqual(sorted([len(moved["cell-1"]), len(moved["cell-3"])]), [3, 3], moved)
        for router in self.routers:
            failures = [self.get(router) for _ in range(40)]
            failures = [f for f in failures if f[0] != 200]
            self.assertEqual(failures, [], f"router {router[0].name} after the move\n{self.logs()}")
            self.assertEqual(len(self.indices_served(router, 60)), 6)
        print(f"\n[measure] lost cell detected {detected:.2f}s after it dropped off (timeout {CELL_TIMEOUT}s); "
              f"its instances {lost_indices} served elsewhere after {served_elsewhere:.2f}s", flush=True)

        # cell-2 comes back: it is alive again, stops its duplicates, and nothing runs twice.
        lost_host.restore()
        self.poll("cell-2 alive again", lambda: [c for c in self.cell_list()
                                                if c["id"] == "cell-2" and c["state"] == "alive"], timeout=30)
        self.poll("cell-2 to stop its duplicates", lambda: self.running_by_cell(guid)["cell-2"] == [], timeout=30)
        containers = os.path.join(self.cells["cell-2"][2], "runtime", "containers")
        self.poll("cell-2's containers removed", lambda: not os.listdir(containers), timeout=30)
        final = self.running_by_cell(guid)
        indices = sorted(i for v in final.values() for i in v)
        self.assertEqual(indices, [0, 1, 2, 3, 4, 5], final)


if __name__ == "__main__":
    unittest.main()
