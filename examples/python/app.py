"""A tiny web app on the standard library; Wharf gives the port in $PORT."""
import os
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import greeting


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        body = (greeting.hello(f"Python {sys.version_info.major}.{sys.version_info.minor}") + "\n").encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


if __name__ == "__main__":
    port = int(os.environ.get("PORT", "8080"))
    print(f"listening on {port}", flush=True)
    ThreadingHTTPServer(("0.0.0.0", port), Handler).serve_forever()
