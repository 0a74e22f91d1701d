"""Drives the real wharfd and wharf binaries for end-to-end tests.

Each Platform gets its own temporary data folder, free loopback ports and a
private CLI home, so tests never touch the machine's real installation and can
run in parallel. Only processes started here are ever signalled, by their pid.
"""
import http.client
import json
import os
import sys
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import time
import unittest
import urllib.error
import urllib.request

WHARFD = os.environ.get("WHARFD_BIN", "wharfd")
WHARF = os.environ.get("WHARF_BIN", "wharf")
EXAMPLES = os.environ.get("WHARF_EXAMPLES", os.path.join(os.path.dirname(__file__), "..", "..", "examples"))


def make_api_cert(folder, name="api"):
    """A self-signed certificate (its own CA) for the API on 127.0.0.1, made by the openssl CLI:
    (cert file, key file)."""
    os.makedirs(folder, exist_ok=True)
    cert = os.path.join(folder, name + ".crt")
    key = os.path.join(folder, name + ".key")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                    "-keyout", key, "-out", cert, "-days", "1", "-subj", "/CN=" + name + "-test-ca",
                    "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
                   check=True, capture_output=True)
    os.chmod(key, 0o600)
    return cert, key


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
    def __init__(self, keep_droplets=None, extra_args=None, api_tls=False):
        self.root = tempfile.mkdtemp(prefix="wharf-e2e-")
        self.data_dir = os.path.join(self.root, "data")
        self.cli_home = os.path.join(self.root, "cli")
        os.makedirs(self.cli_home)
        self.router_port = free_port()
        self.api_port = 0  # chosen by wharfd on the first start, then kept so the CLI's saved URL stays valid
        self.extra_args = list(extra_args or [])
        if keep_droplets is not None:
            self.extra_args += ["--keep-droplets", str(keep_droplets)]
        # api_tls: the API speaks HTTPS with a certificate made here (wharfd --api-tls-cert/--api-tls-key);
        # api_ca_file is then what clients trust (the CLI through 'wharf api URL --ca-file').
        self.api_ca_file = None
        if api_tls:
            self.api_ca_file, key = make_api_cert(os.path.join(self.root, "api-tls"))
            self.extra_args += ["--api-tls-cert", self.api_ca_file, "--api-tls-key", key]
        self.proc = None
        self.api_url = None
        self.log_path = os.path.join(self.root, "wharfd.stderr")
        self.cleaned_up = False

    # --- daemon -------------------------------------------------------------
    def start(self, timeout=30):
        args = [WHARFD, "--data-dir", self.data_dir, "--api-port", str(self.api_port),
                "--router-port", str(self.router_port)] + self.extra_args
        port_file = os.path.join(self.data_dir, "api-port")
        url_file = os.path.join(self.data_dir, "api-url")  # written before api-port
        for f in (port_file, url_file):
            if os.path.exists(f):
                os.unlink(f)
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
                    with open(url_file) as f:
                        self.api_url = f.read().strip()
                    try:
                        self.api("GET", "/v1/info", auth=False)
                        return self
                    except (urllib.error.URLError, ConnectionError, ssl.SSLError):
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

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def containers_dir(self):
        return os.path.join(self.data_dir, "runtime", "containers")

    def container_ids(self):
        """Containers the cell still has a record of (its folder per instance)."""
        try:
            return sorted(os.listdir(self.containers_dir()))
        except OSError:
            return []

    def mounts_under_root(self):
        """Mount points below this platform's folder, such as a leaked container's netns."""
        prefix = os.path.realpath(self.root) + os.sep
        found = []
        try:
            with open("/proc/self/mountinfo") as f:
                for line in f:
                    fields = line.split()
                    if len(fields) > 4 and (fields[4] + os.sep).startswith(prefix):
                        found.append(fields[4])
        except OSError:
            pass
        return found

    def processes_using_root(self):
        """Pids (not signalled, only reported) whose command line mentions this platform's data folder."""
        needle = os.path.realpath(self.data_dir).encode()
        pids = []
        for entry in os.listdir("/proc"):
            if not entry.isdigit() or int(entry) == os.getpid():
                continue
            try:
                with open(f"/proc/{entry}/cmdline", "rb") as f:
                    if needle in f.read():
                        pids.append(int(entry))
            except OSError:
                pass
        return pids

    def stop_all_apps(self, timeout=20):
        """Stops every STARTED app and waits until the cell lists no instance and has no container.

        Returns a list of problems (empty when everything is down)."""
        problems = []
        apps, page = [], 1
        while True:
            status, body = self.api("GET", f"/v1/apps?per_page=100&page={page}", timeout=10)
            if status != 200:
                return [f"GET /v1/apps -> {status}: {body}"]
            apps += body["resources"]
            if page >= body.get("pagination", {}).get("total_pages", 1):
                break
            page += 1
        for app in apps:
            if app.get("state") == "STARTED":
                status, body = self.api("POST", f"/v1/apps/{app['guid']}/actions/stop", timeout=10)
                if status != 200:
                    problems.append(f"stopping app {app['name']} -> {status}: {body}")
        processes = []
        for app in apps:  # stopped apps too: one may still have an instance going down
            status, body = self.api("GET", f"/v1/apps/{app['guid']}/processes?per_page=100", timeout=10)
            if status != 200:
                problems.append(f"processes of app {app['name']} -> {status}: {body}")
                continue
            processes += [(app["name"], p["guid"], p["type"]) for p in body["resources"]]
        deadline = time.monotonic() + timeout
        remaining = processes
        while remaining:
            still = []
            for name, guid, ptype in remaining:
                status, body = self.api("GET", f"/v1/processes/{guid}/instances", timeout=10)
                if status == 404:
                    continue
                if status != 200 or body["resources"]:
                    still.append((name, guid, ptype, status, body))
            remaining = [s[:3] for s in still]
            if not remaining:
                break
            if time.monotonic() > deadline:
                problems += [f"app {n} process {t} still lists instances after {timeout}s: {s} {b}"
                             for n, _g, t, s, b in still]
                break
            time.sleep(0.2)
        # A deleted app's containers are removed in the background, and no API lists them any
        # more: wait for the cell's container records to go too.
        while self.container_ids():
            if time.monotonic() > deadline:
                problems.append(f"containers still present after {timeout}s: {self.container_ids()}")
                break
            time.sleep(0.2)
        return problems

    def cleanup(self, strict=False):
        """Stops all apps, then wharfd, then removes the temporary folder.

        Containers outlive wharfd by design, so apps are stopped through the API first; when a
        test left wharfd stopped or killed while containers may still exist, wharfd is started
        once more for that. Problems are printed, and raised only when strict is set."""
        if self.cleaned_up:
            return
        self.cleaned_up = True
        problems = []
        if self.proc is not None and not self.running():
            self.proc = None  # exited by itself
            self._log.close()
        if not self.running() and self.api_url is not None and self.container_ids():
            try:
                self.start()
            except Exception as e:  # noqa: BLE001 - cleanup must go on
                problems.append(f"restarting wharfd to stop apps failed: {e}")
        if self.running():
            try:
                if self.api_url is not None:
                    problems += self.stop_all_apps()
            except Exception as e:  # noqa: BLE001
                problems.append(f"stopping apps failed: {e!r}")
            try:
                code = self.stop(signal.SIGTERM)
                if code != 0:
                    problems.append(f"wharfd exited with {code} on SIGTERM")
            except Exception as e:  # noqa: BLE001
                problems.append(f"stopping wharfd failed: {e}")
        if self.proc is not None:  # still there after a failed SIGTERM
            try:
                self.stop(signal.SIGKILL)
            except Exception as e:  # noqa: BLE001
                problems.append(f"killing wharfd failed: {e}")
        leaked = self.container_ids()
        if leaked:
            problems.append(f"containers left behind: {leaked}")
        pids = self.processes_using_root()
        if pids:
            problems.append(f"processes still using {self.data_dir}: {pids}")
        mounts = self.mounts_under_root()
        if mounts:
            problems.append(f"mounts left under {self.root}: {mounts}")
        if leaked or pids or mounts:
            problems.append(f"kept {self.root} for inspection")
        elif os.environ.get("WHARF_E2E_KEEP") == "1":  # debugging: logs, events and the database stay
            print(f"wharf e2e: kept {self.root} (WHARF_E2E_KEEP=1)", file=sys.stderr)
        else:
            shutil.rmtree(self.root, ignore_errors=True)
        if problems:
            msg = "wharf e2e cleanup: " + "\n  ".join(problems)
            if strict:
                raise AssertionError(msg + "\n--- wharfd log\n" + self.daemon_log())
            print(msg, file=sys.stderr)
        return problems

    # --- raw API --------------------------------------------------------------
    def api(self, method, path, body=None, auth=True, token=None, headers=None, raw=None, timeout=30):
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
        context = ssl.create_default_context(cafile=self.api_ca_file) if self.api_url.startswith("https:") else None
        try:
            with urllib.request.urlopen(req, timeout=timeout, context=context) as resp:
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

    def push_python_app(self, name, memory="128M"):
        """Pushes a Procfile app (python3's http.server on $PORT, binary buildpack) from a new folder
        under the platform's root; returns the folder."""
        d = tempfile.mkdtemp(dir=self.root, prefix="app-")
        with open(os.path.join(d, "Procfile"), "w") as f:
            f.write("web: python3 -m http.server $PORT\n")
        self.wharf("push", name, "-b", "binary_buildpack", "-m", memory, cwd=d, timeout=300)
        return d

    def login(self):
        self.wharf("api", self.api_url, *(["--ca-file", self.api_ca_file] if self.api_ca_file else []))
        self.wharf("login")
        return self


class Polling:
    """poll() for test cases that keep their platform in self.p (per test or per class)."""

    def poll(self, what, fn, timeout=20, interval=0.2):
        """Calls fn until it returns something truthy; fails naming `what` after timeout."""
        deadline = time.monotonic() + timeout
        while True:
            last = fn()
            if last:
                return last
            if time.monotonic() > deadline:
                self.fail(f"{what}: not within {timeout}s (last: {last!r})\n--- wharfd log\n{self.p.daemon_log()}")
            time.sleep(interval)


class SharedPlatformTest(Polling, unittest.TestCase):
    """One started, logged-in platform in cls.p for all of a class's tests (the suite's time: one wharfd
    per file where the tests allow it). `prepare_platform` adds what they share (an app pushed, say)."""
    platform_args = {}
    cleanup_problems_fail = True  # a leaked container or an app that did not stop fails the class

    @classmethod
    def prepare_platform(cls):
        pass

    @classmethod
    def setUpClass(cls):
        cls.p = Platform(**cls.platform_args)
        try:
            cls.p.start().login()
            cls.prepare_platform()
        except Exception:
            cls.p.cleanup()
            raise

    @classmethod
    def tearDownClass(cls):
        problems = cls.p.cleanup()
        if problems and cls.cleanup_problems_fail:
            raise AssertionError("cleanup: " + "; ".join(problems))


class PlatformTest(Polling, unittest.TestCase):
    """A test case with a started, logged-in platform in self.p."""
    platform_args = {}
    strict_cleanup = False  # True: a leaked container or a failed app stop fails the test

    def setUp(self):
        self.p = Platform(**self.platform_args)
        self.addCleanup(lambda: self.p.cleanup(strict=self.strict_cleanup))
        self.p.start().login()

    def start_router(self, *extra, port=None):
        """Starts a router-only wharfd (`--roles router` plus `extra`) on the platform's data folder (it
        reads api-port and router-token there) and returns its port; stopped at cleanup. Sets
        self.router_log (its stderr so far), self.router_proc and self.stop_router."""
        port = port or free_port()
        log_path = os.path.join(self.p.root, f"router-{port}.stderr")
        log = open(log_path, "ab")
        proc = subprocess.Popen([WHARFD, "--roles", "router", "--data-dir", self.p.data_dir,
                                 "--router-port", str(port)] + list(extra),
                                stdout=log, stderr=log, stdin=subprocess.DEVNULL)

        def stop():
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
                    self.fail("the standalone router did not stop within 20 s of SIGTERM")
            log.close()
        self.addCleanup(stop)

        def router_log():
            with open(log_path, errors="replace") as f:
                return f.read()[-4000:]
        self.router_log = router_log
        self.router_proc = proc
        self.stop_router = stop
        return port

    # --- through the router ------------------------------------------------------
    def get(self, host, path="/", timeout=10, port=None):
        """GET through the router (this platform's, or the one on `port`): (status, headers, body);
        status 0 when the router does not answer."""
        conn = http.client.HTTPConnection("127.0.0.1", port or self.p.router_port, timeout=timeout)
        try:
            conn.request("GET", path, headers={"Host": host})
            resp = conn.getresponse()
            return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
        except (ConnectionError, http.client.HTTPException, TimeoutError, OSError):
            return 0, {}, b""
        finally:
            conn.close()

    def wait_for_status(self, host, status, timeout=20, path="/", port=None):
        """Polls `host` through the router until it answers `status`; returns (status, headers, body)."""
        deadline = time.monotonic() + timeout
        while True:
            got = self.get(host, path, port=port)
            if got[0] == status:
                return got
            if time.monotonic() > deadline:
                self.fail(f"{host} answered {got[0]} {got[1]} {got[2][:300]!r}, not {status}, "
                          f"within {timeout}s\n--- wharfd log\n{self.p.daemon_log()}")
            time.sleep(0.05)

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
