"""Drives the real wharfd and wharf binaries for end-to-end tests.

Each Platform gets its own temporary data folder, free loopback ports and a
private CLI home, so tests never touch the machine's real installation and can
run in parallel. Only processes started here are ever signalled, by their pid.
"""
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import unittest
import urllib.error
import urllib.request

WHARFD = os.environ.get("WHARFD_BIN", "wharfd")
WHARF = os.environ.get("WHARF_BIN", "wharf")
EXAMPLES = os.environ.get("WHARF_EXAMPLES", os.path.join(os.path.dirname(__file__), "..", "..", "examples"))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Result:
    def __init__(self, args, code, out, err):
        self.args, self.code, self.out, self.err = args, code, out, err

    def __repr__(self):
        return f"wharf {' '.join(self.args)} -> {self.code}\n--- stdout\n{self.out}\n--- stderr\n{self.err}"


class Platform:
    def __init__(self, keep_droplets=None, extra_args=None):
        self.root = tempfile.mkdtemp(prefix="wharf-e2e-")
        self.data_dir = os.path.join(self.root, "data")
        self.cli_home = os.path.join(self.root, "cli")
        os.makedirs(self.cli_home)
        self.router_port = free_port()
        self.api_port = 0  # chosen by wharfd on the first start, then kept so the CLI's saved URL stays valid
        self.extra_args = list(extra_args or [])
        if keep_droplets is not None:
            self.extra_args += ["--keep-droplets", str(keep_droplets)]
        self.proc = None
        self.api_url = None
        self.log_path = os.path.join(self.root, "wharfd.stderr")

    # --- daemon -------------------------------------------------------------
    def start(self, timeout=30):
        args = [WHARFD, "--data-dir", self.data_dir, "--api-port", str(self.api_port),
                "--router-port", str(self.router_port)] + self.extra_args
        port_file = os.path.join(self.data_dir, "api-port")
        if os.path.exists(port_file):
            os.unlink(port_file)
        self._log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(args, stdout=self._log, stderr=self._log, stdin=subprocess.DEVNULL)
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"wharfd exited with {self.proc.returncode}:\n{self.daemon_log()}")
            if os.path.exists(port_file):
                with open(port_file) as f:
                    port = f.read().strip()
                if port:
                    self.api_port = int(port)
                    self.api_url = f"http://127.0.0.1:{port}"
                    try:
                        self.api("GET", "/v1/info", auth=False)
                        return self
                    except (urllib.error.URLError, ConnectionError):
                        pass
            time.sleep(0.05)
        raise AssertionError(f"wharfd did not answer within {timeout}s:\n{self.daemon_log()}")

    def stop(self, sig=signal.SIGTERM, timeout=30):
        if self.proc is None:
            return None
        self.proc.send_signal(sig)
        try:
            code = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise AssertionError(f"wharfd did not stop within {timeout}s after signal {sig}")
        self.proc = None
        self._log.close()
        return code

    def daemon_log(self):
        try:
            with open(self.log_path, errors="replace") as f:
                return f.read()[-8000:]
        except OSError:
            return ""

    def admin_token(self):
        with open(os.path.join(self.data_dir, "admin-token")) as f:
            return f.read().strip()

    def cleanup(self):
        if self.proc is not None:
            self.stop(signal.SIGKILL)
        shutil.rmtree(self.root, ignore_errors=True)

    # --- raw API --------------------------------------------------------------
    def api(self, method, path, body=None, auth=True, token=None, headers=None, raw=None):
        data = None
        hdrs = dict(headers or {})
        if body is not None:
            data = json.dumps(body).encode()
            hdrs["Content-Type"] = "application/json"
        if raw is not None:
            data = raw
        if auth:
            hdrs["Authorization"] = "Bearer " + (token or self.admin_token())
        req = urllib.request.Request(self.api_url + path, data=data, method=method, headers=hdrs)
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:
                text = resp.read()
                return resp.status, (json.loads(text) if text and resp.headers.get_content_type().endswith("json") else text)
        except urllib.error.HTTPError as e:
            text = e.read()
            try:
                return e.code, json.loads(text)
            except ValueError:
                return e.code, text

    # --- CLI --------------------------------------------------------------------
    def env(self):
        env = dict(os.environ)
        env["WHARF_HOME"] = self.cli_home
        env.pop("WHARF_API", None)
        env.pop("WHARF_TOKEN", None)
        env["NO_COLOR"] = "1"
        return env

    def wharf(self, *args, cwd=None, input=None, expect=0, timeout=120, env=None):
        res = subprocess.run([WHARF] + list(args), cwd=cwd, input=input, capture_output=True, text=True,
                             timeout=timeout, env=env or self.env())
        r = Result(list(args), res.returncode, res.stdout, res.stderr)
        if expect is not None and r.code != expect:
            raise AssertionError(f"expected exit {expect}: {r}\n--- wharfd log\n{self.daemon_log()}")
        return r

    def login(self):
        self.wharf("api", self.api_url)
        self.wharf("login")
        return self


class PlatformTest(unittest.TestCase):
    """A test case with a started, logged-in platform in self.p."""
    platform_args = {}

    def setUp(self):
        self.p = Platform(**self.platform_args)
        self.addCleanup(self.p.cleanup)
        self.p.start().login()

    def make_app(self, files, manifest=None):
        """Writes an app folder from {relative path: content} and returns its path."""
        d = tempfile.mkdtemp(dir=self.p.root, prefix="app-")
        for rel, content in files.items():
            path = os.path.join(d, rel)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "wb" if isinstance(content, bytes) else "w") as f:
                f.write(content)
        if manifest is not None:
            with open(os.path.join(d, "manifest.yml"), "w") as f:
                f.write(manifest)
        return d

    def app_json(self, name):
        status, body = self.p.api("GET", "/v1/apps?names=" + name)
        self.assertEqual(status, 200, body)
        self.assertEqual(len(body["resources"]), 1, body)
        return body["resources"][0]
