"""The stack: apps and their staging run on the Debian 13 root file system that scripts/setup.sh builds
(stacks/build.sh), mounted read-only as /, not on the host's /usr and /etc; `wharf stacks` lists it; an
unknown stack is refused with the list; the host stack stays a developer option. Then the third-party app
shapes that once failed on the host's system (tests/e2e/apps) push and answer through the router."""
import json
import os
import unittest

from harness import PlatformTest

HERE = os.path.dirname(os.path.abspath(__file__))

# Serves its folder after recording what the container's system is: /etc/os-release, whether / can be
# written, which user it runs as and whether the host's own tools are there (cmake, which setup.sh
# installs on the host and the stack does not have).
PROBE_START = ("cp /etc/os-release os-release.txt; "
               "(touch /usr/wharf-probe 2>/dev/null && echo writable || echo read-only) > root.txt; "
               "id -u > uid.txt; "
               "(test -e /usr/bin/cmake && echo seen || echo absent) > host-tool.txt; "
               "(grep -q '^wharf-services:' /etc/group && echo seen || echo absent) > host-etc.txt; "
               "exec python3 -m http.server $PORT")

# tests/e2e/apps folder -> (app name in its manifest, text its page must contain, path)
APPS = {
    "go-gopath": ("stack-go-gopath", "HELLO FROM GO IN GOPATH LAYOUT!", "/"),
    "go-procfile": ("stack-go-procfile", "Hello from myapp on PATH", "/"),
    "httpd-conf": ("stack-httpd-conf", "Hello from my own httpd.conf", "/"),
    "java-war": ("stack-java-war", "Hello", "/hello"),
    "nginx-minimal": ("stack-nginx-minimal", "Hello from a minimal nginx.conf", "/"),
    "node-server-only": ("stack-node-server-only", "Hello from a lone server.js on Node v20", "/"),
    "php-httpd": ("stack-php-httpd", "Hello from PHP 8.4", "/"),
    "ruby-native": ("stack-ruby-native", "Hello from a native extension", "/"),
}


class StackTest(PlatformTest):
    strict_cleanup = True

    def probe(self, name, *push_args):
        d = self.make_app({"index.html": "probe\n"})
        r = self.p.wharf("push", name, "-b", "binary_buildpack", "-m", "64M", "-c", PROBE_START, *push_args,
                         cwd=d, expect=None, timeout=180)
        self.assertEqual(r.code, 0, f"{r}\n--- wharfd log\n{self.p.daemon_log()}")
        host = f"{name}.localhost"
        self.wait_for_status(host, 200, path="/os-release.txt")
        return {f: self.get(host, f"/{f}.txt")[2].decode().strip() for f in ("os-release", "root", "uid", "host-tool", "host-etc")}

    def test_apps_run_on_the_built_stack_and_the_host_stack_is_an_explicit_choice(self):
        r = self.p.wharf("stacks")
        self.assertRegex(r.out, r"debian13 \(default\)\s+Debian GNU/Linux 13 \(trixie\)")
        self.assertIn("go 1.24", r.out)
        self.assertRegex(r.out, r"\bhost\b.*The host's own system, Debian GNU/Linux 12")
        listed = json.loads(self.p.wharf("stacks", "--json").out)
        self.assertEqual([s["name"] for s in listed], ["debian13", "host"])
        self.assertGreater(listed[0]["size_bytes"], 100 << 20)

        seen = self.probe("probe")
        self.assertIn('VERSION_CODENAME=trixie', seen["os-release"])
        self.assertEqual(seen["root"], "read-only")
        self.assertEqual(seen["uid"], "2000")
        self.assertEqual(seen["host-tool"], "absent")
        self.assertEqual(seen["host-etc"], "absent")  # the host's /etc/group has it (scripts/setup.sh)
        self.assertEqual(self.app_json("probe")["lifecycle"]["stack"], "debian13")
        r = self.p.wharf("app", "probe")
        self.assertRegex(r.out, r"stack:\s+debian13")

        refused = self.p.wharf("push", "nowhere", "-s", "cflinuxfs4", "-b", "binary_buildpack", "-c", "true",
                               cwd=self.make_app({"a.txt": "x"}), expect=None)
        self.assertNotEqual(refused.code, 0)
        self.assertIn("stack 'cflinuxfs4' is not installed; the stacks are: debian13, host", refused.err + refused.out)

        on_host = self.probe("on-host", "-s", "host")
        self.assertIn("VERSION_CODENAME=bookworm", on_host["os-release"])
        self.assertEqual(on_host["host-tool"], "seen")
        self.assertEqual(on_host["host-etc"], "seen")
        self.assertEqual(on_host["root"], "read-only")

    def test_third_party_app_shapes_push_and_answer(self):
        for folder, (name, text, path) in APPS.items():
            with self.subTest(app=folder):
                r = self.p.wharf("push", cwd=os.path.join(HERE, "apps", folder), expect=None, timeout=300)
                self.assertEqual(r.code, 0, f"{r}\n--- wharfd log\n{self.p.daemon_log()}")
                _status, _headers, body = self.wait_for_status(f"{name}.localhost", 200, path=path, timeout=30)
                self.assertIn(text, body.decode(errors="replace"))
                self.p.wharf("stop", name)
                self.wait_for_status(f"{name}.localhost", 503, timeout=15)

    def staging_output(self, name, files, *push_args):
        r = self.p.wharf("push", name, "-m", "128M", *push_args, cwd=self.make_app(files), expect=None, timeout=300)
        return r, r.out + r.err

    def test_buildpacks_say_what_is_wrong_in_one_line(self):
        # A version the stack does not have: a warning naming both, and the app still runs.
        r, out = self.staging_output("old-node", {
            "package.json": json.dumps({"name": "old-node", "engines": {"node": "18.x"}}),
            "server.js": "require('http').createServer((q, s) => s.end('node ' + process.version))"
                         ".listen(process.env.PORT)\n"})
        self.assertEqual(r.code, 0, out)
        self.assertRegex(out, r"Warning: package.json asks for node 18.x \(engines.node\); the stack has node v20")
        r, out = self.staging_output("old-python", {
            "runtime.txt": "python-3.11.4\n",  # detected by it, as Heroku's buildpack does
            "app.py": "import http.server, os\nhttp.server.test(port=int(os.environ['PORT']), bind='0.0.0.0')\n"})
        self.assertEqual(r.code, 0, out)
        self.assertRegex(out, r"Warning: runtime.txt asks for Python 3.11.4; the stack has Python 3.13.\d+")

        # A buildpack chosen with -b that finds nothing to build: one line, not a shell error.
        r, out = self.staging_output("not-go", {"index.html": "hi\n"}, "-b", "go_buildpack")
        self.assertNotEqual(r.code, 0)
        self.assertIn("No Go app here", out)
        self.assertNotIn("cannot open", out)
        r, out = self.staging_output("not-python", {"index.html": "hi\n"}, "-b", "python_buildpack")
        self.assertNotEqual(r.code, 0)
        self.assertIn("No Python app here", out)

        # A package the index cannot give (unreachable here, or absent): how to vendor, in one line.
        r, out = self.staging_output("no-index", {"requirements.txt": "wharf-no-such-package-4f1c==1.0\n",
                                                  "app.py": "print('x')\n"})
        self.assertNotEqual(r.code, 0)
        self.assertIn("pip download -r requirements.txt -d vendor", out)


if __name__ == "__main__":
    unittest.main()
