"""What the benchmarks share: this checkout's build (WHARFD_BIN / WHARF_BIN override), the end-to-end harness
(Platform, EXAMPLES), and GETs through a platform's router."""
import http.client
import os
import sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
os.environ.setdefault("WHARFD_BIN", os.path.join(ROOT, "build", "controller", "wharfd"))
os.environ.setdefault("WHARF_BIN", os.path.join(ROOT, "build", "cli", "wharf"))
sys.path.insert(0, os.path.join(ROOT, "tests", "e2e"))
from harness import EXAMPLES, Platform  # noqa: E402,F401


def router_page(p, host, path="/"):
    """GET `path` with Host `host` through p's router: (status, body text); (0, "") when it does not answer."""
    conn = http.client.HTTPConnection("127.0.0.1", p.router_port, timeout=5)
    try:
        conn.request("GET", path, headers={"Host": host})
        r = conn.getresponse()
        return r.status, r.read().decode(errors="replace")
    except (OSError, http.client.HTTPException):
        return 0, ""
    finally:
        conn.close()


def router_get(p, host, path="/"):
    """The status of GET `path` with Host `host` through p's router; 0 when it does not answer."""
    return router_page(p, host, path)[0]
