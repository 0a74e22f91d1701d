"""A small Open Service Broker for the client's tests; misbehaves on purpose, by plan id:
sync (201), async (202, then last_operation "in progress" twice with Retry-After: 1, then succeeded),
boom (500), garbage (201 with a body that is not JSON), slow (answers after 3 s),
async-required (422 AsyncRequired). Deprovisioning an instance whose id starts with "stuck" fails (500);
an unknown instance is 410. Requests without X-Broker-API-Version 2.17 get 412, without the right basic
auth 401. slow, boom and garbage record the instance before answering, so a deprovision afterwards
finds it (200), unless the client's orphan mitigation already removed it (410). An update (PATCH) to
plan boom fails (500), to async answers 202 (then polled like a provision), else 200; testdb's plans are
updateable, fixeddb's are not. Under the prefix /bad the catalog is invalid (a service without a name).
Usage: misbehaving_broker.py PORT_FILE"""
import base64
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlparse

AUTH = "Basic " + base64.b64encode(b"broker-user:broker-pass").decode()
INSTANCES = {}
POLLS = {}
LOCK = threading.Lock()

CATALOG = {"services": [{"id": "svc-1", "name": "testdb", "description": "a test database", "bindable": True,
                         "plan_updateable": True,
                         "tags": ["test"], "plans": [{"id": "sync", "name": "sync", "description": "s"},
                                                     {"id": "async", "name": "async", "description": "a"},
                                                     {"id": "boom", "name": "boom", "description": "b"}]},
                        {"id": "svc-2", "name": "fixeddb", "description": "plans fixed", "bindable": True,
                         "plans": [{"id": "fixed-small", "name": "small", "description": "s"},
                                   {"id": "fixed-large", "name": "large", "description": "l"}]}]}
BAD_CATALOG = {"services": [{"id": "svc-3", "description": "no name", "bindable": True,
                             "plans": [{"id": "p", "name": "p", "description": "p"}]}]}


class H(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def reply(self, status, body, headers=None):
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return json.loads(self.rfile.read(n) or b"{}")

    def handle_any(self, method):
        path = urlparse(self.path).path
        if self.headers.get("X-Broker-API-Version") != "2.17":
            return self.reply(412, {"description": "API version 2.17 required"})
        if self.headers.get("Authorization") != AUTH:
            return self.reply(401, {})
        parts = path.strip("/").split("/")
        if path == "/v2/catalog":
            return self.reply(200, CATALOG)
        if path == "/bad/v2/catalog":
            return self.reply(200, BAD_CATALOG)
        if len(parts) >= 3 and parts[:2] == ["v2", "service_instances"]:
            iid = parts[2]
            if len(parts) == 3 and method == "PUT":
                plan = self.body().get("plan_id")
                if plan in ("slow", "boom", "garbage"):
                    with LOCK:  # created at the broker, whatever the answer says
                        INSTANCES[iid] = plan
                if plan == "slow":
                    time.sleep(3)
                    return self.reply(201, {})
                if plan == "boom":
                    return self.reply(500, {"description": "boom: disk full"})
                if plan == "garbage":
                    return self.reply(201, b"<html>not json</html>")
                if plan == "async-required":
                    return self.reply(422, {"error": "AsyncRequired", "description": "needs accepts_incomplete"})
                with LOCK:
                    INSTANCES[iid] = plan
                if plan == "async":
                    return self.reply(202, {"operation": "op-" + iid})
                return self.reply(201, {"dashboard_url": "http://dash/" + iid})
            if len(parts) == 3 and method == "PATCH":
                plan = self.body().get("plan_id")
                with LOCK:
                    if iid not in INSTANCES:
                        return self.reply(404, {"description": "no such instance"})
                if plan == "boom":
                    return self.reply(500, {"description": "boom: cannot resize"})
                with LOCK:
                    INSTANCES[iid] = plan or INSTANCES[iid]
                if plan == "async":
                    return self.reply(202, {"operation": "update-" + iid})
                return self.reply(200, {})
            if len(parts) == 3 and method == "DELETE":
                if iid.startswith("stuck"):
                    return self.reply(500, {"description": "cannot drop the database"})
                with LOCK:
                    if iid not in INSTANCES:
                        return self.reply(410, {})
                    del INSTANCES[iid]
                return self.reply(200, {})
            if len(parts) == 4 and parts[3] == "last_operation":
                with LOCK:
                    POLLS[iid] = POLLS.get(iid, 0) + 1
                    n = POLLS[iid]
                if n <= 2:
                    return self.reply(200, {"state": "in progress", "description": f"poll {n}"}, {"Retry-After": "1"})
                return self.reply(200, {"state": "succeeded", "description": "ready"})
            if len(parts) == 5 and parts[3] == "service_bindings":
                if method == "PUT":
                    return self.reply(201, {"credentials": {"uri": f"test://{iid}/{parts[4]}", "password": "pw"}})
                if method == "DELETE":
                    return self.reply(200, {})
        return self.reply(404, {"description": "no such endpoint"})

    def do_GET(self):
        self.handle_any("GET")

    def do_PUT(self):
        self.handle_any("PUT")

    def do_PATCH(self):
        self.handle_any("PATCH")

    def do_DELETE(self):
        self.handle_any("DELETE")

    def log_message(self, *args):
        pass


server = ThreadingHTTPServer(("127.0.0.1", 0), H)
with open(sys.argv[1] + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
import os
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
server.serve_forever()
