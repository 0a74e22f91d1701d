"""Route options through the real router (issue 18): a manifest's `options:` (loadbalancing hash with
hash_header and hash_balance) are stored per route and applied by the router; `wharf update-route` changes
them as `cf update-route` does."""
import http.client
import json
import time

from harness import PlatformTest

WHO_PY = r'''
import json, os
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

class H(BaseHTTPRequestHandler):
    def do_GET(self):
        body = json.dumps({"index": os.environ.get("CF_INSTANCE_INDEX")}).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *a):
        pass

ThreadingHTTPServer(("0.0.0.0", int(os.environ["PORT"])), H).serve_forever()
'''

MANIFEST = """applications:
- name: tenants
  instances: 2
  memory: 64M
  buildpacks: [binary_buildpack]
  command: python3 who.py
  routes:
  - route: tenants.localhost
    options:
      loadbalancing: hash
      hash_header: Tenant-ID
      hash_balance: 1.5
"""


class RouteOptionsTest(PlatformTest):
    def index_for(self, tenant=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.p.router_port, timeout=10)
        headers = {"Host": "tenants.localhost"}
        if tenant is not None:
            headers["Tenant-ID"] = tenant
        conn.request("GET", "/", headers=headers)
        resp = conn.getresponse()
        body = resp.read()
        conn.close()
        self.assertEqual(resp.status, 200, body[:300])
        return json.loads(body)["index"]

    def test_a_manifest_hash_route_pins_each_tenant_and_update_route_changes_the_algorithm(self):
        d = self.make_app({"who.py": WHO_PY}, manifest=MANIFEST)
        self.p.wharf("push", cwd=d)
        self.wait_for_status("tenants.localhost", 200)
        self.poll("both instances serving", lambda: len({self.index_for() for _ in range(10)}) == 2, timeout=60)

        routes = self.p.wharf("routes").out
        self.assertIn("loadbalancing=hash hash_header=Tenant-ID hash_balance=1.5", routes)
        status, body = self.p.api("GET", "/v1/routes?host=tenants")
        self.assertEqual(body["resources"][0]["options"],
                         {"loadbalancing": "hash", "hash_header": "Tenant-ID", "hash_balance": "1.5"})

        # One tenant, one instance, request after request; many tenants reach both instances. With
        # hash_balance the router counts a request in flight until it has relayed its last byte, so a
        # request sent the instant the previous answer arrived may find the tenant's instance "loaded"
        # and go to the other (as gorouter does): a short pause lets the count settle.
        def pinned(tenant):
            time.sleep(0.05)
            return self.index_for(tenant)

        homes = {}
        for tenant in ("acme", "globex", "initech", "umbrella", "hooli", "stark", "wayne", "tyrell"):
            homes[tenant] = {pinned(tenant) for _ in range(6)}
            self.assertEqual(len(homes[tenant]), 1, homes)
        self.assertEqual({i for s in homes.values() for i in s}, {"0", "1"}, homes)
        # Without the header: round-robin over both.
        self.assertEqual({self.index_for() for _ in range(4)}, {"0", "1"})

        # update-route as cf: back to round-robin, then least-connection; the router follows at once.
        r = self.p.wharf("update-route", "localhost", "--hostname", "tenants", "--remove-option", "loadbalancing",
                         "--remove-option", "hash_header", "--remove-option", "hash_balance")
        self.assertIn("loadbalancing=round-robin", r.out)
        deadline = time.monotonic() + 5
        while len({self.index_for("acme") for _ in range(4)}) != 2:
            self.assertLess(time.monotonic(), deadline, "round-robin did not spread one tenant's requests")
        self.p.wharf("update-route", "localhost", "--hostname", "tenants", "--option", "loadbalancing=least-connection")
        self.assertIn("loadbalancing=least-connection", self.p.wharf("routes").out)
        self.assertIn("route-updated", self.route_events())

        # Bad combinations are refused by the API, naming the option.
        r = self.p.wharf("update-route", "localhost", "--hostname", "tenants", "--option", "hash_header=X", expect=1)
        self.assertIn("need loadbalancing hash", r.err)
        r = self.p.wharf("update-route", "localhost", "--hostname", "tenants", "--option", "loadbalancing=hash",
                         "--option", "hash_header=Tenant-ID", "--option", "hash_balance=0.5", expect=1)
        self.assertIn("hash_balance", r.err)

    def route_events(self):
        status, body = self.p.api("GET", "/v1/events?per_page=100")
        self.assertEqual(status, 200, body)
        return " ".join(e["type"] for e in body["resources"])
