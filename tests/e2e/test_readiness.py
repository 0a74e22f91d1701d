"""Readiness apart from liveness (issue 18): with cf's readiness-health-check-* manifest attributes, an instance
whose readiness endpoint fails gets no traffic until it passes again, and is not restarted for it."""
import json
import time

from harness import PlatformTest

TOGGLE_PY = r'''
import json, os, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlparse, parse_qs

INDEX = os.environ.get("CF_INSTANCE_INDEX")
unready_until = [0.0]

class H(BaseHTTPRequestHandler):
    def reply(self, status, doc):
        body = json.dumps(doc).encode()
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        url = urlparse(self.path)
        q = parse_qs(url.query)
        if url.path == "/ready":
            return self.reply(503 if time.time() < unready_until[0] else 200, {"index": INDEX})
        if url.path == "/unready":
            if q.get("index", [""])[0] != INDEX:
                return self.reply(409, {"index": INDEX})
            unready_until[0] = time.time() + float(q["secs"][0])
            return self.reply(200, {"index": INDEX, "unready": True})
        return self.reply(200, {"index": INDEX})

    def log_message(self, *a):
        pass

ThreadingHTTPServer(("0.0.0.0", int(os.environ["PORT"])), H).serve_forever()
'''

MANIFEST = """applications:
- name: ready
  instances: 2
  memory: 64M
  buildpacks: [binary_buildpack]
  command: python3 toggle.py
  readiness-health-check-type: http
  readiness-health-check-http-endpoint: /ready
  readiness-health-check-interval: 1
"""


class ReadinessTest(PlatformTest):
    def index(self, path="/"):
        status, _h, body = self.get("ready.localhost", path)
        return status, (json.loads(body) if status in (200, 409) else {})

    def instances(self):
        status, body = self.p.api("GET", f"/v1/apps/{self.app_json('ready')['guid']}/processes/web")
        self.assertEqual(status, 200, body)
        status, body = self.p.api("GET", f"/v1/processes/{body['guid']}/instances")
        self.assertEqual(status, 200, body)
        return {i["index"]: i for i in body["resources"]}

    def test_an_unready_instance_gets_no_traffic_and_is_not_restarted(self):
        d = self.make_app({"toggle.py": TOGGLE_PY}, manifest=MANIFEST)
        self.p.wharf("push", cwd=d)
        self.wait_for_status("ready.localhost", 200)
        self.poll("both instances serving", lambda: {self.index()[1].get("index") for _ in range(10)} == {"0", "1"},
                  timeout=60)
        status, body = self.p.api("GET", f"/v1/apps/{self.app_json('ready')['guid']}/processes/web")
        self.assertEqual(body["readiness_check"],
                         {"type": "http", "endpoint": "/ready", "invocation_timeout": 1, "interval": 1})
        before = self.instances()[0]

        # Instance 0 fails its readiness check for 8 s.
        self.poll("instance 0 told to be unready",
                  lambda: self.index("/unready?index=0&secs=8")[0] == 200, timeout=10, interval=0.05)
        took = time.monotonic()
        self.poll("instance 0 out of the route",
                  lambda: all(self.index()[1].get("index") == "1" for _ in range(10)), timeout=5, interval=0.1)
        print(f"\n[measure] unready instance withdrawn {time.monotonic() - took:.2f}s after its readiness failed",
              flush=True)
        for _ in range(20):
            self.assertEqual(self.index()[1].get("index"), "1")
        now = self.instances()[0]
        self.assertEqual(now["state"], "RUNNING")
        self.assertEqual(now["since"], before["since"], "the unready instance was restarted")
        self.assertFalse(now.get("crash_count"), now)

        # Ready again: back in the route, the same instance.
        self.poll("instance 0 back in the route", lambda: "0" in {self.index()[1].get("index") for _ in range(10)},
                  timeout=20)
        self.assertEqual(self.instances()[0]["since"], before["since"])
