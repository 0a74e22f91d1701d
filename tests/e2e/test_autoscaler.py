"""The autoscaler end to end, on one wharfd (started with --autoscaler-min-duration-secs 5 so breach and
cool-down windows fit a short test): a bounded load through the router scales an app out on its throughput
rule, idling scales it back in after the cool-down, an invalid policy is refused with the field named, and a
custom metric posted with the app's own credential drives a rule; policy, history and samples survive a
restart of wharfd, and a memory rule scales out when an instance allocates. The decisions are `app-autoscaled` events
(`wharf autoscaling-history`), each with the time from the end of the breach to the scale request.

The custom metric is posted by the app itself, from inside its container, as a Cloud Foundry app does: the
credential (create-autoscaling-credential --output) reaches the app as a user-provided service in
VCAP_SERVICES, and the app posts to the metrics forwarder at autoscaler-metrics.<domain> through the router
(its container's /etc/hosts names it at the bridge's address; the API stays out of reach). A flood of posts
from the app is cut to the forwarder's rate limit, and no app may map the forwarder's host name.

Only loopback traffic; only processes started here are signalled."""
import base64
import http.client
import json
import os
import threading
import time
import unittest

from harness import SharedPlatformTest

APP_PY = r'''
import base64
import json
import os
import urllib.error
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HELD = []


def post_metric(value, password=None):
    """Posts one custom metric as a Cloud Foundry app does: the credential from VCAP_SERVICES."""
    services = json.loads(os.environ.get("VCAP_SERVICES", "{}"))
    cred = services["user-provided"][0]["credentials"]
    auth = base64.b64encode(f"{cred['username']}:{password or cred['password']}".encode()).decode()
    body = json.dumps({"instance_index": int(os.environ.get("CF_INSTANCE_INDEX", "0")),
                       "metrics": [{"name": "jobs_waiting", "value": value, "unit": "jobs"}]}).encode()
    req = urllib.request.Request(cred["url"] + "/v1/apps/" + cred["app_id"] + "/metrics", data=body, method="POST",
                                 headers={"Authorization": "Basic " + auth, "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=5) as resp:
            return resp.status
    except urllib.error.HTTPError as e:
        return e.code
    except OSError as e:
        return str(e)


class H(BaseHTTPRequestHandler):
    def do_GET(self):
        url = urllib.parse.urlparse(self.path)
        q = dict(urllib.parse.parse_qsl(url.query))
        if url.path == "/alloc":
            HELD.append(b"x" * (64 << 20))  # 64 MB, every page written
        if url.path == "/post-metric":
            body = json.dumps([post_metric(float(q["value"]), q.get("password"))
                               for _ in range(int(q.get("n", "1")))]).encode()
        else:
            body = b"ok " + os.environ.get("CF_INSTANCE_INDEX", "?").encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *a):
        pass


ThreadingHTTPServer(("0.0.0.0", int(os.environ["PORT"])), H).serve_forever()
'''

THROUGHPUT_POLICY = {
    "instance_min_count": 1,
    "instance_max_count": 2,
    "scaling_rules": [
        {"metric_type": "throughput", "threshold": 15, "operator": ">", "adjustment": "+1",
         "breach_duration_secs": 10, "cool_down_secs": 10},
        {"metric_type": "throughput", "threshold": 3, "operator": "<", "adjustment": "-1",
         "breach_duration_secs": 10, "cool_down_secs": 10},
    ],
}

MEMORY_POLICY = {
    "instance_min_count": 1,
    "instance_max_count": 3,
    "scaling_rules": [
        {"metric_type": "memoryused", "threshold": 40, "operator": ">", "adjustment": "+1",
         "breach_duration_secs": 6, "cool_down_secs": 5},
    ],
}

CUSTOM_POLICY = {
    "instance_min_count": 1,
    "instance_max_count": 2,
    "scaling_rules": [
        {"metric_type": "jobs_waiting", "threshold": 10, "operator": ">=", "adjustment": "+100%",
         "breach_duration_secs": 6, "cool_down_secs": 5},
    ],
}


class AutoscalerTest(SharedPlatformTest):
    platform_args = {"extra_args": ["--autoscaler-min-duration-secs", "5"]}
    cleanup_problems_fail = False  # kept as it was: this file never failed on cleanup problems

    # --- helpers -------------------------------------------------------------------------------

    def push(self, name):
        d = os.path.join(self.p.root, "app-" + name)
        os.makedirs(d)
        with open(os.path.join(d, "app.py"), "w") as f:
            f.write(APP_PY)
        with open(os.path.join(d, "Procfile"), "w") as f:
            f.write("web: python3 app.py\n")
        self.p.wharf("push", name, "-b", "binary_buildpack", "-m", "256M", cwd=d)
        guid = self.app_guid(name)
        self.poll(f"{name} answering through the router", lambda: self.get(f"{name}.localhost")[0] == 200, timeout=30)
        return guid, d

    def app_guid(self, name):
        status, body = self.p.api("GET", "/v1/apps?names=" + name)
        self.assertEqual(status, 200, body)
        return body["resources"][0]["guid"]

    def web(self, guid):
        status, body = self.p.api("GET", f"/v1/apps/{guid}/processes/web")
        self.assertEqual(status, 200, body)
        return body

    def running(self, guid):
        status, body = self.p.api("GET", f"/v1/processes/{self.web(guid)['guid']}/instances")
        self.assertEqual(status, 200, body)
        return [i for i in body["resources"] if i["state"] == "RUNNING"]

    def get(self, host):
        conn = http.client.HTTPConnection("127.0.0.1", self.p.router_port, timeout=5)
        try:
            conn.request("GET", "/", headers={"Host": host})
            resp = conn.getresponse()
            return resp.status, resp.read()
        except (OSError, http.client.HTTPException):
            return 0, b""
        finally:
            conn.close()

    def get_path(self, host, path):
        conn = http.client.HTTPConnection("127.0.0.1", self.p.router_port, timeout=20)
        try:
            conn.request("GET", path, headers={"Host": host})
            resp = conn.getresponse()
            return resp.status, resp.read()
        finally:
            conn.close()

    def history(self, name):
        return json.loads(self.p.wharf("autoscaling-history", name, "--json").out)["resources"]

    def attach(self, name, policy, cwd):
        path = os.path.join(cwd, "policy.json")
        with open(path, "w") as f:
            json.dump(policy, f)
        return self.p.wharf("attach-autoscaling-policy", name, "policy.json", cwd=cwd, expect=None)

    # --- the test --------------------------------------------------------------------------------
    def test_load_scales_out_idle_scales_in_and_a_custom_metric_drives_a_rule(self):
        guid, d = self.push("elastic")

        # An invalid policy is refused with the field named, and nothing is attached.
        bad = json.loads(json.dumps(THROUGHPUT_POLICY))
        bad["scaling_rules"][1]["adjustment"] = "1"
        r = self.attach("elastic", bad, d)
        self.assertEqual(r.code, 1, r)
        self.assertIn("scaling_rules[1].adjustment:", r.out + r.err)
        self.assertEqual(self.p.wharf("autoscaling-policy", "elastic", expect=None).code, 1)

        r = self.attach("elastic", THROUGHPUT_POLICY, d)
        self.assertEqual(r.code, 0, r)
        shown = json.loads(self.p.wharf("autoscaling-policy", "elastic", "--json").out)
        self.assertTrue(shown["enabled"])
        self.assertEqual(shown["policy"]["scaling_rules"][0]["metric_type"], "throughput")

        # Bounded load through the router: about 40 requests per second from 4 clients.
        stop = threading.Event()
        sent = [0]

        def client():
            while not stop.is_set():
                self.get("elastic.localhost")
                sent[0] += 1
                time.sleep(0.1)

        threads = [threading.Thread(target=client, daemon=True) for _ in range(4)]
        load_start = time.monotonic()
        for t in threads:
            t.start()
        try:
            self.poll("a scale-out to 2 instances", lambda: self.web(guid)["instances"] == 2, timeout=45)
            scaled_out = time.monotonic()
            self.poll("the second instance RUNNING", lambda: len(self.running(guid)) == 2, timeout=30)
            serving = time.monotonic()
        finally:
            stop.set()
            for t in threads:
                t.join()
        load_stop = time.monotonic()
        out = self.history("elastic")[0]["data"]
        self.assertEqual(out["direction"], "scale-out", out)
        self.assertEqual((out["from"], out["to"]), (1, 2), out)
        self.assertEqual(out["trigger"], "scaling_rules[0]", out)
        self.assertLessEqual(out["reaction_ms"], 10000, out)
        print(f"\n[measure] throughput scale-out {scaled_out - load_start:.1f}s after the load began; breach end to "
              f"scale request {out['reaction_ms']} ms; new instance RUNNING {serving - scaled_out:.1f}s after the "
              f"scale request was seen; {sent[0]} requests sent", flush=True)
        samples = json.loads(self.p.wharf("autoscaling-metrics", "elastic", "throughput", "--json").out)["samples"]
        self.assertTrue(any(s["value"] > 15 for s in samples), samples[-10:])

        # Idle: back to one instance after the cool-down and the scale-in breach.
        self.poll("a scale-in to 1 instance", lambda: self.web(guid)["instances"] == 1, timeout=45)
        print(f"[measure] scale-in {time.monotonic() - load_stop:.1f}s after the load stopped", flush=True)
        back = self.history("elastic")[0]["data"]
        self.assertEqual((back["direction"], back["from"], back["to"]), ("scale-in", 2, 1), back)
        self.assertEqual(back["trigger"], "scaling_rules[1]", back)
        text = self.p.wharf("autoscaling-history", "elastic").out
        self.assertIn("scale-out", text)
        self.assertIn("scale-in", text)

        # The simulator replays the recorded samples against the policy file: the same scale-out.
        sim = json.loads(self.p.wharf("autoscaling-simulate", "elastic", "policy.json", "--since", "10m",
                                      "--instances", "1", "--json", cwd=d).out)
        self.assertGreater(sim["samples"], 10, sim)
        self.assertEqual(sim["scalings"][0]["direction"], "scale-out", sim)
        self.assertEqual(sim["scalings"][0]["trigger"], "scaling_rules[0]", sim)
        self.assertIn("scale-out", self.p.wharf("autoscaling-simulate", "elastic", "--since", "10m").out)

        # Disabled: no sampling, no scaling; the policy stays attached.
        self.p.wharf("disable-autoscaling", "elastic")
        self.assertFalse(json.loads(self.p.wharf("autoscaling-policy", "elastic", "--json").out)["enabled"])
        self.p.wharf("enable-autoscaling", "elastic")

        # A custom metric, posted by the app from inside its container with its own credential, drives a rule.
        r = self.attach("elastic", CUSTOM_POLICY, d)
        self.assertEqual(r.code, 0, r)
        self.p.wharf("create-autoscaling-credential", "elastic", "--output", "creds.json", cwd=d)
        creds_file = os.path.join(d, "creds.json")
        self.assertEqual(os.stat(creds_file).st_mode & 0o777, 0o600)
        with open(creds_file) as f:
            cred = json.load(f)
        self.assertEqual(cred["app_id"], guid)
        self.assertEqual(cred["url"], f"http://autoscaler-metrics.localhost:{self.p.router_port}")
        # The API's own path takes the credential too (from the host); a wrong password is refused.
        path = f"/v1/apps/{guid}/metrics"
        body = {"instance_index": 0, "metrics": [{"name": "jobs_waiting", "value": 1, "unit": "jobs"}]}
        wrong = "Basic " + base64.b64encode(f"{cred['username']}:nope".encode()).decode()
        status, _ = self.p.api("POST", path, body, auth=False, headers={"Authorization": wrong})
        self.assertEqual(status, 401)
        self.p.wharf("cups", "elastic-metrics", "-p", "creds.json", cwd=d)
        self.p.wharf("bind-service", "elastic", "elastic-metrics")
        self.p.wharf("restart", "elastic")
        self.poll("elastic answering after the restart", lambda: self.get("elastic.localhost")[0] == 200, timeout=30)
        status, answer = self.get_path("elastic.localhost", "/post-metric?value=25&password=nope")
        self.assertEqual((status, json.loads(answer)), (200, [401]), answer)
        started = time.monotonic()
        while self.web(guid)["instances"] != 2:
            status, answer = self.get_path("elastic.localhost", "/post-metric?value=25")
            self.assertEqual((status, json.loads(answer)), (200, [204]), answer)
            if time.monotonic() - started > 40:
                self.fail("the custom metric did not scale the app out within 40s\n" + self.p.daemon_log())
            time.sleep(1)
        custom = self.history("elastic")[0]["data"]
        self.assertEqual((custom["direction"], custom["from"], custom["to"]), ("scale-out", 1, 2), custom)
        self.assertIn("jobs_waiting >= 10", custom["reason"])
        print(f"[measure] custom-metric scale-out {time.monotonic() - started:.1f}s after the app's first post; breach "
              f"end to scale request {custom['reaction_ms']} ms", flush=True)

        # A hostile app flooding the forwarder is cut to its rate (10 a second after a burst of 20).
        status, answer = self.get_path("elastic.localhost", "/post-metric?value=25&n=60")
        codes = json.loads(answer)
        print(f"[measure] 60 posts at once from inside the app: {codes.count(204)} accepted, "
              f"{codes.count(429)} refused with 429", flush=True)
        self.assertGreater(codes.count(429), 0, codes)
        self.assertEqual(codes.count(204) + codes.count(429), 60, codes)
        self.assertLessEqual(codes.count(204), 40, codes)

        # The forwarder's host name is the platform's: no app may map it.
        r = self.p.wharf("map-route", "elastic", "localhost", "--hostname", "autoscaler-metrics", expect=None)
        self.assertNotEqual(r.code, 0, r)
        self.assertIn("reserved", r.out + r.err)

        # A restart of wharfd keeps the policy, the history and the recorded samples.
        self.assertEqual(self.p.stop(), 0)
        self.p.start()
        self.assertTrue(json.loads(self.p.wharf("autoscaling-policy", "elastic", "--json").out)["enabled"])
        kept = self.history("elastic")
        self.assertEqual([e["data"]["direction"] for e in kept[:3]], ["scale-out", "scale-in", "scale-out"], kept)
        samples = json.loads(self.p.wharf("autoscaling-metrics", "elastic", "jobs_waiting", "--json").out)["samples"]
        self.assertTrue(samples and samples[-1]["value"] == 25, samples[-3:])

        # Memory: one of the two instances allocates 64 MB; the average over the instances crosses 40 MB.
        r = self.attach("elastic", MEMORY_POLICY, d)
        self.assertEqual(r.code, 0, r)
        self.poll("the app answering after the restart", lambda: self.get("elastic.localhost")[0] == 200, timeout=30)
        before = json.loads(self.p.wharf("autoscaling-metrics", "elastic", "memoryused", "--json").out)["samples"]
        self.assertTrue(before and before[-1]["value"] < 40, before[-3:])  # the rule is not breached yet
        status, _ = self.get_path("elastic.localhost", "/alloc")
        self.assertEqual(status, 200)
        allocated = time.monotonic()
        self.poll("a memory scale-out to 3 instances", lambda: self.web(guid)["instances"] == 3, timeout=40)
        mem = self.history("elastic")[0]["data"]
        self.assertEqual((mem["direction"], mem["from"], mem["to"]), ("scale-out", 2, 3), mem)
        self.assertIn("memoryused > 40MB", mem["reason"])
        print(f"[measure] memory scale-out {time.monotonic() - allocated:.1f}s after the allocation", flush=True)

        self.p.wharf("detach-autoscaling-policy", "elastic")
        self.assertEqual(self.p.wharf("autoscaling-policy", "elastic", expect=None).code, 1)
        self.p.wharf("stop", "elastic")

    def test_a_manifest_attaches_the_policy_beside_it(self):
        d = os.path.join(self.p.root, "app-manifested")
        os.makedirs(d)
        with open(os.path.join(d, "app.py"), "w") as f:
            f.write(APP_PY)
        with open(os.path.join(d, "manifest.yml"), "w") as f:
            f.write("applications:\n- name: manifested\n  buildpacks: [binary_buildpack]\n  memory: 128M\n"
                    "  command: python3 app.py\n  autoscaling-policy: policy.json\n")
        # An invalid policy fails the push before anything is created or uploaded, naming the field.
        bad = json.loads(json.dumps(MEMORY_POLICY))
        bad["scaling_rules"][0]["operator"] = "=>"
        with open(os.path.join(d, "policy.json"), "w") as f:
            json.dump(bad, f)
        r = self.p.wharf("push", cwd=d, expect=1)
        self.assertIn("scaling_rules[0].operator", r.out + r.err)
        self.assertIn("manifest.yml", r.out + r.err)
        status, body = self.p.api("GET", "/v1/apps?names=manifested")
        self.assertEqual(body["resources"], [], body)
        with open(os.path.join(d, "policy.json"), "w") as f:
            json.dump(MEMORY_POLICY, f)
        r = self.p.wharf("push", cwd=d)
        self.assertIn("Attaching autoscaling policy policy.json", r.out)
        shown = json.loads(self.p.wharf("autoscaling-policy", "manifested", "--json").out)
        self.assertEqual(shown["policy"], MEMORY_POLICY)
        self.p.wharf("stop", "manifested")


if __name__ == "__main__":
    unittest.main()
