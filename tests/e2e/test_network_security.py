"""Application security groups and network policies (issue 10), through the real wharfd, wharf and runc.

An app reaches, besides the router's port, only what a security group bound to its running containers
allows (egress off the platform), and another app's containers only where a network policy allows it.
The "outside world" of these tests is a network namespace the test makes (a veth to the host, its own
address), with a TCP server in it: no traffic leaves the machine. Changes reach running containers
within about a second, without a restart (Cloud Foundry's dynamic ASGs)."""
import json
import os
import random
import signal
import subprocess
import sys
import time
import unittest

from harness import SharedPlatformTest, free_port

PROBE = r'''
import json, os, socket
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def gateway():
    with open("/proc/net/route") as f:
        for line in f.readlines()[1:]:
            fields = line.split()
            if fields[1] == "00000000":
                g = int(fields[2], 16)
                return ".".join(str((g >> s) & 255) for s in (0, 8, 16, 24))


def connect(host, port):
    s = socket.socket()
    s.settimeout(1.5)
    try:
        s.connect((host, port))
        return {"connected": True, "error": None}
    except OSError as e:
        return {"connected": False, "error": f"{type(e).__name__}: {e}"}
    finally:
        s.close()


def resolve(name):
    try:
        return sorted({a[4][0] for a in socket.getaddrinfo(name, 8080, socket.AF_INET, socket.SOCK_STREAM)})
    except OSError as e:
        return f"{type(e).__name__}: {e}"


class H(BaseHTTPRequestHandler):
    def answer(self, obj):
        body = (json.dumps(obj) + "\n").encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        path, _, query = self.path.partition("?")
        q = dict(kv.partition("=")[::2] for kv in query.split("&") if kv)
        if path == "/addr":
            self.answer({"addr": os.environ.get("CF_INSTANCE_INTERNAL_IP"), "port": int(os.environ["PORT"]),
                         "gateway": gateway()})
        elif path == "/connect":
            self.answer(connect(q.get("host") or gateway(), int(q["port"])))
        elif path == "/resolve":
            self.answer({"addresses": resolve(q["name"])})
        else:
            self.answer({"app": os.environ.get("PROBE_NAME")})

    def log_message(self, *a):
        pass


ThreadingHTTPServer(("0.0.0.0", int(os.environ["PORT"])), H).serve_forever()
'''


def run(*argv):
    subprocess.run(argv, check=True, capture_output=True, text=True)


class OutsideNetwork:
    """A network namespace with a veth to the host at 10.250.N.1/30 and a TCP server at 10.250.N.2:port:
    an address off the platform's bridge that only a security group can open."""

    def __init__(self):
        n = random.randint(1, 250)
        self.ns = f"wharf-e2e-out-{os.getpid()}"
        self.veth = f"wxo{os.getpid() % 100000}"
        self.host_ip, self.ip = f"10.250.{n}.1", f"10.250.{n}.2"
        run("ip", "netns", "add", self.ns)
        try:
            run("ip", "link", "add", self.veth, "type", "veth", "peer", "name", "eth0", "netns", self.ns)
            run("ip", "addr", "add", f"{self.host_ip}/30", "dev", self.veth)
            run("ip", "link", "set", self.veth, "up")
            for cmd in (["ip", "link", "set", "lo", "up"], ["ip", "addr", "add", f"{self.ip}/30", "dev", "eth0"],
                        ["ip", "link", "set", "eth0", "up"], ["ip", "route", "add", "default", "via", self.host_ip]):
                run("ip", "netns", "exec", self.ns, *cmd)
            self.port = free_port()
            self.other_port = free_port()
            self.servers = [subprocess.Popen(["ip", "netns", "exec", self.ns, sys.executable, "-m", "http.server",
                                              str(p), "--bind", self.ip], stdout=subprocess.DEVNULL,
                                             stderr=subprocess.DEVNULL) for p in (self.port, self.other_port)]
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                probe = subprocess.run(["ip", "netns", "exec", self.ns, sys.executable, "-c",
                                        "import socket,sys; [socket.create_connection((sys.argv[1], int(p)), 1).close()"
                                        " for p in sys.argv[2:]]", self.ip, str(self.port), str(self.other_port)],
                                       capture_output=True)
                if probe.returncode == 0:
                    break
                time.sleep(0.1)
        except Exception:
            self.close()
            raise

    def close(self):
        for s in getattr(self, "servers", []):
            s.send_signal(signal.SIGTERM)
            s.wait(timeout=10)
        subprocess.run(["ip", "link", "del", self.veth], capture_output=True)
        subprocess.run(["ip", "netns", "del", self.ns], capture_output=True)


class NetworkSecurityTest(SharedPlatformTest):

    @classmethod
    def prepare_platform(cls):
        cls.outside = OutsideNetwork()
        try:
            for name in ("alpha", "beta"):
                d = os.path.join(cls.p.root, "app-" + name)
                os.makedirs(d)
                with open(os.path.join(d, "probe.py"), "w") as f:
                    f.write(PROBE)
                with open(os.path.join(d, "Procfile"), "w") as f:
                    f.write("web: python3 probe.py\n")
                cls.p.wharf("push", name, "-b", "binary_buildpack", "-m", "96M", cwd=d, timeout=300)
        except Exception:
            cls.outside.close()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.outside.close()
        super().tearDownClass()

    def ask(self, app, path):
        import http.client
        deadline = time.monotonic() + 30
        while True:
            conn = http.client.HTTPConnection("127.0.0.1", self.p.router_port, timeout=20)
            try:
                conn.request("GET", path, headers={"Host": f"{app}.localhost"})
                r = conn.getresponse()
                body = r.read()
                if r.status == 200:
                    return json.loads(body)
            except (OSError, http.client.HTTPException):
                pass
            finally:
                conn.close()
            if time.monotonic() > deadline:
                self.fail(f"{app}{path} did not answer 200\n{self.p.daemon_log()}")
            time.sleep(0.2)

    def reach(self, app, host, port):
        return self.ask(app, f"/connect?host={host}&port={port}")

    def reach_outside(self, app, port=None):
        return self.reach(app, self.outside.ip, port or self.outside.port)["connected"]

    def group_file(self, rules):
        path = os.path.join(self.p.root, f"rules-{random.randint(0, 1 << 30)}.json")
        with open(path, "w") as f:
            json.dump(rules, f)
        return path

    def test_a_running_security_group_opens_exactly_its_destination_and_port_at_once(self):
        self.assertFalse(self.reach_outside("alpha"), "reached the outside without a security group")
        t0 = time.monotonic()
        refused = self.reach("alpha", self.outside.ip, self.outside.port)
        print(f"\n[measure] a denied connect fails in {time.monotonic() - t0:.2f}s: {refused['error']}", flush=True)
        rules = self.group_file([{"protocol": "tcp", "destination": self.outside.ip,
                                  "ports": str(self.outside.port), "description": "the test's server"}])
        self.p.wharf("create-security-group", "outside-web", rules)
        self.addCleanup(self.p.wharf, "delete-security-group", "outside-web", "-f", expect=None)
        # created but bound to nothing: still closed
        time.sleep(1)
        self.assertFalse(self.reach_outside("alpha"))
        self.p.wharf("bind-running-security-group", "outside-web")
        t0 = time.monotonic()
        self.poll("the bound group opens the server to the running app", lambda: self.reach_outside("alpha"))
        print(f"[measure] bind-running-security-group took effect in {time.monotonic() - t0:.2f}s "
              f"(no restart)", flush=True)
        # exactly that port: the same server's other port stays closed
        self.assertFalse(self.reach_outside("alpha", self.outside.other_port))
        listed = self.p.wharf("running-security-groups").out
        self.assertIn("outside-web", listed)
        shown = json.loads(self.p.wharf("security-group", "outside-web", "--json").out)
        self.assertEqual(shown["rules"], [{"protocol": "tcp", "destination": self.outside.ip,
                                           "ports": str(self.outside.port), "description": "the test's server"}])
        self.assertTrue(shown["globally_enabled"]["running"])
        # staging groups are another set: the running one does not appear there
        self.assertNotIn("outside-web", self.p.wharf("staging-security-groups").out)
        # updating the rules moves the opening to the other port
        self.p.wharf("update-security-group", "outside-web", self.group_file(
            [{"protocol": "tcp", "destination": self.outside.ip, "ports": str(self.outside.other_port)}]))
        self.poll("the updated rules apply", lambda: self.reach_outside("alpha", self.outside.other_port))
        self.poll("the old port closes", lambda: not self.reach_outside("alpha"))
        self.p.wharf("unbind-running-security-group", "outside-web")
        self.poll("unbinding closes it again", lambda: not self.reach_outside("alpha", self.outside.other_port))

    def test_a_group_bound_to_a_space_applies_to_that_space_only(self):
        rules = self.group_file([{"protocol": "all", "destination": self.outside.ip}])
        self.p.wharf("create-security-group", "outside-all", rules)
        self.addCleanup(self.p.wharf, "delete-security-group", "outside-all", "-f", expect=None)
        r = self.p.wharf("bind-security-group", "outside-all", "wharf", "--space", "nope", expect=1)
        self.assertIn("space 'nope' not found in org 'wharf'", r.out + r.err)
        self.p.wharf("bind-security-group", "outside-all", "wharf", "--space", "default", "--lifecycle", "staging")
        time.sleep(1)
        self.assertFalse(self.reach_outside("alpha"), "a staging binding opened a running container")
        self.p.wharf("bind-security-group", "outside-all", "wharf", "--space", "default")
        self.poll("the space's running containers reach the server", lambda: self.reach_outside("alpha"))
        self.assertTrue(self.reach_outside("beta", self.outside.other_port))
        table = self.p.wharf("security-groups").out
        self.assertRegex(table, r"outside-all\s+wharf\s+default\s+running")
        self.assertRegex(table, r"outside-all\s+wharf\s+default\s+staging")
        self.p.wharf("unbind-security-group", "outside-all", "wharf", "default")
        self.poll("unbinding closes it", lambda: not self.reach_outside("alpha"))
        r = self.p.wharf("unbind-security-group", "outside-all", "wharf", "default", expect=1)
        self.assertIn("is not bound to space 'default' of org 'wharf' for running", r.out + r.err)

    def test_no_security_group_opens_the_host_or_another_container(self):
        """A hostile tenant's best case: an admin bound a group that allows everything. The host (its
        loopback services, the API at the gateway, its own addresses) and the other app's container stay
        closed: a group opens egress off the platform only."""
        self.p.wharf("create-security-group", "everything",
                     self.group_file([{"protocol": "all", "destination": "0.0.0.0-255.255.255.255"}]))
        self.addCleanup(self.p.wharf, "delete-security-group", "everything", "-f", expect=None)
        self.p.wharf("bind-running-security-group", "everything")
        self.poll("the open group applies", lambda: self.reach_outside("alpha"))
        beta = self.ask("beta", "/addr")
        host_ips = subprocess.run(["hostname", "-I"], capture_output=True, text=True).stdout.split()
        closed = {"the API at the gateway": self.reach("alpha", beta["gateway"], self.p.api_port),
                  "the other app's container": self.reach("alpha", beta["addr"], beta["port"]),
                  "the outside network's host side (the host)": self.reach("alpha", self.outside.host_ip,
                                                                           self.p.api_port)}
        for ip in host_ips[:3]:
            if ":" not in ip:
                closed[f"the host's address {ip}"] = self.reach("alpha", ip, self.p.api_port)
        for what, got in closed.items():
            print(f"[measure] with 0.0.0.0/0 open, {what}: {got}", flush=True)
            self.assertFalse(got["connected"], (what, got))
        self.p.wharf("unbind-running-security-group", "everything")
        self.poll("unbinding closes it", lambda: not self.reach_outside("alpha"))

    def test_bad_rules_are_refused_naming_the_file_rule_and_field(self):
        bad = self.group_file([{"protocol": "tcp", "destination": "10.0.0.0/8", "ports": "443"},
                               {"protocol": "tcp", "destination": "10.0.0.0/8", "ports": "70000"}])
        r = self.p.wharf("create-security-group", "bad", bad, expect=1)
        self.assertIn(f"the rules file {bad}: rules[1].ports", r.out + r.err)
        with open(bad, "w") as f:
            f.write("[{\"protocol\": \"tcp\",")
        r = self.p.wharf("create-security-group", "bad", bad, expect=1)
        self.assertIn("is not valid JSON", r.out + r.err)
        # the API itself refuses them too (a client that skips the CLI's check)
        status, body = self.p.api("POST", "/v1/security-groups",
                                  {"name": "bad", "rules": [{"protocol": "tcp", "destination": "10.0.0.0/33",
                                                             "ports": "1"}]})
        self.assertEqual(status, 400, body)
        self.assertIn("rules[0].destination", json.dumps(body))
        self.assertNotIn("bad", self.p.wharf("security-groups").out)

    def test_staging_has_the_default_staging_groups(self):
        listed = self.p.wharf("staging-security-groups").out
        self.assertIn("public_networks", listed)
        self.assertIn("dns", listed)
        self.assertNotIn("public_networks", self.p.wharf("running-security-groups").out)
        shown = json.loads(self.p.wharf("security-group", "dns", "--json").out)
        self.assertEqual(shown["rules"], [{"protocol": "tcp", "destination": "0.0.0.0/0", "ports": "53"},
                                          {"protocol": "udp", "destination": "0.0.0.0/0", "ports": "53"}])

    def test_a_network_policy_opens_one_app_to_another_on_one_port(self):
        alpha, beta = self.ask("alpha", "/addr"), self.ask("beta", "/addr")
        self.assertFalse(self.reach("alpha", beta["addr"], beta["port"])["connected"])
        self.p.wharf("add-network-policy", "alpha", "beta", "--protocol", "tcp", "--port", str(beta["port"]))
        self.addCleanup(self.p.wharf, "remove-network-policy", "alpha", "beta", "--protocol", "tcp",
                        "--port", str(beta["port"]), expect=None)
        t0 = time.monotonic()
        self.poll("alpha reaches beta's container", lambda: self.reach("alpha", beta["addr"], beta["port"])["connected"])
        print(f"\n[measure] add-network-policy took effect in {time.monotonic() - t0:.2f}s", flush=True)
        # one way only, one port only
        self.assertFalse(self.reach("beta", alpha["addr"], alpha["port"])["connected"])
        self.assertFalse(self.reach("alpha", beta["addr"], beta["port"] + 1)["connected"])
        listed = self.p.wharf("network-policies").out
        self.assertRegex(listed, rf"alpha\s+beta\s+tcp\s+{beta['port']}")
        self.assertIn("alpha", self.p.wharf("network-policies", "--source", "alpha").out)
        self.assertNotIn("alpha", self.p.wharf("network-policies", "--source", "beta").out.split("...", 1)[1])
        r = self.p.wharf("remove-network-policy", "alpha", "beta", "--protocol", "udp", "--port", "9", expect=1)
        self.assertIn("no policy from alpha to beta on udp port 9", r.out + r.err)
        self.p.wharf("remove-network-policy", "alpha", "beta", "--protocol", "tcp", "--port", str(beta["port"]))
        self.poll("removing the policy closes it",
                  lambda: not self.reach("alpha", beta["addr"], beta["port"])["connected"])

    def test_an_internal_route_names_an_apps_instances_inside_containers_and_is_never_routed(self):
        beta = self.ask("beta", "/addr")
        self.assertRegex(self.p.wharf("domains").out, r"apps\.internal\s+shared\s+true")
        self.p.wharf("map-route", "beta", "apps.internal", "--hostname", "beta-svc")
        self.addCleanup(self.p.wharf, "unmap-route", "beta", "apps.internal", "--hostname", "beta-svc", expect=None)
        self.poll("alpha resolves beta-svc.apps.internal to beta's instance",
                  lambda: self.ask("alpha", "/resolve?name=beta-svc.apps.internal")["addresses"] == [beta["addr"]])
        # a name, not an opening: without a policy the connection is still refused
        self.assertFalse(self.reach("alpha", "beta-svc.apps.internal", beta["port"])["connected"])
        self.p.wharf("add-network-policy", "alpha", "beta")
        self.addCleanup(self.p.wharf, "remove-network-policy", "alpha", "beta", "--protocol", "tcp", "--port", "8080",
                        expect=None)
        self.poll("alpha connects to beta by its internal name",
                  lambda: self.reach("alpha", "beta-svc.apps.internal", 8080)["connected"])
        # the router never serves an internal route
        import http.client
        conn = http.client.HTTPConnection("127.0.0.1", self.p.router_port, timeout=10)
        conn.request("GET", "/", headers={"Host": "beta-svc.apps.internal"})
        self.assertEqual(conn.getresponse().status, 404)
        conn.close()
        # a path makes no sense on a name
        r = self.p.wharf("map-route", "beta", "apps.internal", "--hostname", "x", "--path", "/api", expect=1)
        self.assertIn("takes no path", r.out + r.err)
        # a new instance of beta is named too
        self.p.wharf("scale", "beta", "-i", "2")
        self.addCleanup(self.p.wharf, "scale", "beta", "-i", "1", expect=None)
        self.poll("the second instance joins the name",
                  lambda: len(self.ask("alpha", "/resolve?name=beta-svc.apps.internal")["addresses"]) == 2,
                  timeout=60)

    def test_a_restarted_wharfd_keeps_the_rules_of_the_containers_it_adopts(self):
        self.p.wharf("create-security-group", "outside-kept", self.group_file(
            [{"protocol": "tcp", "destination": self.outside.ip, "ports": str(self.outside.port)}]))
        self.addCleanup(self.p.wharf, "delete-security-group", "outside-kept", "-f", expect=None)
        self.p.wharf("bind-running-security-group", "outside-kept")
        self.poll("the group applies", lambda: self.reach_outside("alpha"))
        old_pid = self.p.proc.pid
        self.p.stop(signal.SIGKILL)
        # the containers outlive wharfd, and so does what they may reach
        self.assertIn(f"_p{old_pid}", subprocess.run(["nft", "list", "tables"], capture_output=True, text=True).stdout)
        self.p.start()
        self.assertTrue(self.reach_outside("alpha"), "the adopted container lost its group across the restart")
        self.poll("the dead wharfd's table is gone once the new one has its plan",
                  lambda: f"_p{old_pid}" not in subprocess.run(["nft", "list", "tables"], capture_output=True,
                                                               text=True).stdout)
        self.assertTrue(self.reach_outside("alpha"))
        self.p.wharf("unbind-running-security-group", "outside-kept")
        self.poll("unbinding still closes it", lambda: not self.reach_outside("alpha"))

    def test_a_policy_goes_with_its_app(self):
        d = os.path.join(self.p.root, "app-gamma")
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, "probe.py"), "w") as f:
            f.write(PROBE)
        with open(os.path.join(d, "Procfile"), "w") as f:
            f.write("web: python3 probe.py\n")
        self.p.wharf("push", "gamma", "-b", "binary_buildpack", "-m", "64M", "--no-start", cwd=d, timeout=300)
        self.p.wharf("add-network-policy", "alpha", "gamma")
        self.assertIn("gamma", self.p.wharf("network-policies").out)
        self.p.wharf("delete", "gamma", "-f")
        self.assertNotIn("gamma", self.p.wharf("network-policies").out)
        r = self.p.wharf("add-network-policy", "alpha", "nosuchapp", expect=1)
        self.assertIn("nosuchapp", r.out + r.err)


if __name__ == "__main__":
    unittest.main()
