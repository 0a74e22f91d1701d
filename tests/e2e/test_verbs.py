"""The everyday verbs cf users reach for, against the real wharfd: create-app, rename, set-health-check and
get-health-check, droplets, download-droplet, push --droplet, set-droplet, curl, scale -f. One wharfd for
the whole file."""
import http.client
import io
import json
import os
import subprocess
import tarfile
import tempfile
import time
import unittest

from harness import SharedPlatformTest


class VerbsTest(SharedPlatformTest):
    @classmethod
    def prepare_platform(cls):
        cls.app_dir = cls.p.push_python_app("verby")

    def app(self, name):
        status, body = self.p.api("GET", "/v1/apps?names=" + name)
        self.assertEqual(status, 200, body)
        return body["resources"][0] if body["resources"] else None

    def web(self, name):
        status, body = self.p.api("GET", f"/v1/apps/{self.app(name)['guid']}/processes/web")
        self.assertEqual(status, 200, body)
        return body

    def test_apply_manifest_creates_and_updates_apps_without_staging(self):
        d = tempfile.mkdtemp(dir=self.p.root, prefix="manifest-")
        path = os.path.join(d, "apply.yml")
        with open(path, "w") as f:
            f.write("applications:\n- name: applied\n  memory: 96M\n  instances: 2\n  env:\n    MODE: ((mode))\n"
                    "  health-check-type: process\n")
        r = self.p.wharf("apply-manifest", "-f", path, "--var", "mode=first")
        self.assertIn("Manifest applied", r.out)
        app = self.app("applied")
        self.assertEqual(app["state"], "STOPPED")
        self.assertIsNone(app["current_droplet_guid"])  # nothing staged
        self.assertEqual(app["environment_variables"], {"MODE": "first"})
        web = self.web("applied")
        self.assertEqual((web["memory_in_mb"], web["instances"], web["health_check"]["type"]), (96, 2, "process"))
        self.p.wharf("apply-manifest", "-f", path, "--var", "mode=second")
        self.assertEqual(self.app("applied")["guid"], app["guid"])
        self.assertEqual(self.app("applied")["environment_variables"], {"MODE": "second"})
        r = self.p.wharf("apply-manifest", "-f", os.path.join(d, "missing.yml"), expect=None)
        self.assertNotEqual(r.code, 0)
        self.p.wharf("delete", "applied", "-f")

    def test_create_app_then_push_into_it(self):
        r = self.p.wharf("create-app", "made-empty")
        self.assertIn("Creating app made-empty", r.out)
        app = self.app("made-empty")
        self.assertEqual(app["state"], "STOPPED")
        self.assertIsNone(app["current_droplet_guid"])
        r = self.p.wharf("create-app", "made-empty")  # again: left as it is
        self.assertIn("App 'made-empty' already exists.", r.out)
        r = self.p.wharf("create-app", "Bad_Name", expect=1)
        self.assertIn("Bad_Name", r.out + r.err)
        self.p.wharf("push", "made-empty", "-b", "binary_buildpack", "-m", "64M", "--no-start", cwd=self.app_dir,
                     timeout=300)
        self.assertEqual(self.app("made-empty")["guid"], app["guid"])  # the same app, now with a package
        self.p.wharf("delete", "made-empty", "-f")

    def test_rename(self):
        self.p.wharf("create-app", "old-name")
        guid = self.app("old-name")["guid"]
        r = self.p.wharf("rename", "old-name", "new-name")
        self.assertIn("Renaming app old-name to new-name", r.out)
        self.assertIsNone(self.app("old-name"))
        self.assertEqual(self.app("new-name")["guid"], guid)
        r = self.p.wharf("rename", "new-name", "verby", expect=1)  # taken
        self.assertIn("verby", r.out + r.err)
        r = self.p.wharf("rename", "no-such-app", "x", expect=1)
        self.assertIn("not found", r.out + r.err)
        self.p.wharf("delete", "new-name", "-f")

    def test_set_and_get_health_check(self):
        self.p.wharf("set-health-check", "verby", "http", "--endpoint", "/", "--invocation-timeout", "3")
        hc = self.web("verby")["health_check"]
        self.assertEqual((hc["type"], hc["endpoint"], hc["invocation_timeout"]), ("http", "/", 3))
        out = self.p.wharf("get-health-check", "verby").out
        self.assertRegex(out, r"(?m)^web\s+http\s+/\s+3\s+\d+")
        self.p.wharf("set-health-check", "verby", "port")
        hc = self.web("verby")["health_check"]
        self.assertEqual((hc["type"], hc["endpoint"], hc["invocation_timeout"]), ("port", None, 3))
        r = self.p.wharf("set-health-check", "verby", "tcp", expect=1)
        self.assertIn("HEALTH_CHECK_TYPE: health check type 'tcp' is not one of port, http, process", r.out + r.err)
        r = self.p.wharf("set-health-check", "verby", "port", "--endpoint", "/x", expect=1)
        self.assertIn("--endpoint is for the http health check only", r.out + r.err)

    def test_droplets(self):
        out = self.p.wharf("droplets", "verby").out
        current = self.app("verby")["current_droplet_guid"]
        self.assertRegex(out, rf"(?m)^{current}\s+staged \(current\)\s+\S+\s+binary_buildpack")
        listed = json.loads(self.p.wharf("droplets", "verby", "--json").out)
        self.assertEqual([d["guid"] for d in listed], [current])

    def router_status(self, host):
        conn = http.client.HTTPConnection("127.0.0.1", self.p.router_port, timeout=10)
        try:
            conn.request("GET", "/", headers={"Host": host})
            return conn.getresponse().status
        except OSError:
            return 0
        finally:
            conn.close()

    def wait_serving(self, host, timeout=60):
        deadline = time.monotonic() + timeout
        while self.router_status(host) != 200:
            self.assertLess(time.monotonic(), deadline, f"{host} does not answer 200\n{self.p.daemon_log()}")
            time.sleep(0.2)

    def test_download_droplet_push_it_as_another_app_and_set_droplet(self):
        d = tempfile.mkdtemp(dir=self.p.root, prefix="droplets-")
        current = self.app("verby")["current_droplet_guid"]
        out = self.p.wharf("download-droplet", "verby", "--path", d).out
        saved = os.path.join(d, f"droplet_{current}.tar.zst")  # Wharf stages zstd tarballs
        self.assertIn(f"Droplet downloaded successfully at {saved}", out)
        names = subprocess.run(["tar", "--zstd", "-tf", saved], check=True, capture_output=True,
                               text=True).stdout.split()
        self.assertTrue(any(n.lstrip("./") == "app/Procfile" for n in names), names)

        # The tarball runs as another app without staging.
        out = self.p.wharf("push", "copied", "--droplet", saved, "-m", "128M", cwd=d, timeout=300).out
        self.assertIn("Uploading droplet", out)
        self.assertNotIn("Staging", out)
        copied = self.app("copied")
        status, builds = self.p.api("GET", f"/v1/apps/{copied['guid']}/builds")
        self.assertEqual(builds["resources"], [], "a droplet push stages nothing")
        self.wait_serving("copied.localhost")

        # A second upload; set-droplet goes back to the first, and a restart runs it.
        first = copied["current_droplet_guid"]
        self.p.wharf("push", "copied", "--droplet", saved, "--no-start", cwd=d)
        second = self.app("copied")["current_droplet_guid"]
        self.assertNotEqual(first, second)
        out = self.p.wharf("set-droplet", "copied", first).out
        self.assertIn(f"Setting app copied to droplet {first}", out)
        self.assertEqual(self.app("copied")["current_droplet_guid"], first)
        self.assertIn("app-droplet-set", self.p.wharf("events", "copied").out)
        # Another app's droplet is not this app's to take, nor to download.
        r = self.p.wharf("set-droplet", "verby", first, expect=1)
        self.assertIn(f"app 'verby' has no droplet '{first}'", r.out + r.err)
        r = self.p.wharf("download-droplet", "verby", "--droplet", first, "--path", d, expect=1)
        self.assertIn(f"app 'verby' has no droplet '{first}'", r.out + r.err)
        self.p.wharf("restart", "copied", timeout=300)
        self.wait_serving("copied.localhost")

        # A hostile tarball is refused by name and the app keeps its droplet and keeps serving.
        evil = os.path.join(d, "evil.tgz")
        with tarfile.open(evil, "w:gz") as t:
            for name, data in (("app/Procfile", b"web: true\n"), ("../escape", b"x")):
                info = tarfile.TarInfo(name)
                info.size = len(data)
                t.addfile(info, io.BytesIO(data))
        r = self.p.wharf("push", "copied", "--droplet", evil, cwd=d, expect=1)
        self.assertIn("not a tarball that unpacks safely", r.out + r.err)
        self.assertEqual(self.app("copied")["current_droplet_guid"], first)
        self.assertEqual(self.router_status("copied.localhost"), 200)
        r = self.p.wharf("push", "copied", "--droplet", saved, "-p", d, cwd=d, expect=2)
        self.assertIn("--droplet cannot be used with -p", r.out + r.err)
        self.p.wharf("delete", "copied", "-f")

    def test_curl(self):
        out = self.p.wharf("curl", "/v1/apps?names=verby").out
        body = json.loads(out)
        self.assertEqual(body["resources"][0]["name"], "verby")
        guid = body["resources"][0]["guid"]
        out = self.p.wharf("curl", f"/v1/apps/{guid}/environment_variables", "-X", "PATCH",
                           "-d", '{"CURLED": "yes"}').out
        self.assertEqual(json.loads(out)["var"]["CURLED"], "yes")
        r = self.p.wharf("curl", "/v1/apps/nope", "-i")  # an error answer is printed, not a failure
        self.assertIn("HTTP 404", r.out)
        self.assertIn('"code": "not_found"', r.out)
        self.p.wharf("curl", "/v1/apps/nope", "--fail", expect=1)
        r = self.p.wharf("curl", "v1/apps", expect=1)
        self.assertIn("must start with '/'", r.out + r.err)
        # An explicit Authorization header replaces the saved token: a wrong one is refused.
        r = self.p.wharf("curl", "/v1/apps", "-H", "Authorization: Bearer wrong", "-i")
        self.assertIn("HTTP 401", r.out)

    def test_a_nameless_manifest_app_takes_the_name_from_the_command_line(self):
        d = tempfile.mkdtemp(dir=self.p.root, prefix="app-")
        with open(os.path.join(d, "Procfile"), "w") as f:
            f.write("web: python3 -m http.server $PORT\n")
        with open(os.path.join(d, "manifest.yml"), "w") as f:
            f.write("applications:\n- buildpacks: [binary_buildpack]\n  memory: 64M\n  env:\n    FROM: manifest\n")
        r = self.p.wharf("push", expect=2, cwd=d)
        self.assertIn("has no 'name'", r.out + r.err)
        self.p.wharf("push", "nameless", "--no-start", "--no-wait", cwd=d, timeout=300)
        app = self.app("nameless")
        self.assertEqual(app["environment_variables"], {"FROM": "manifest"})
        self.assertEqual(self.web("nameless")["memory_in_mb"], 64)
        self.p.wharf("delete", "nameless", "-f")

    def test_create_app_manifest_writes_what_a_later_push_accepts(self):
        self.p.wharf("set-env", "verby", "MANIFESTED", "a value: with colon")
        out_file = os.path.join(self.p.root, "verby_out.yml")
        r = self.p.wharf("create-app-manifest", "verby", "-p", out_file)
        self.assertIn("Manifest file created successfully", r.out)
        with open(out_file) as f:
            text = f.read()
        self.assertIn("name: verby", text)
        self.assertIn("binary_buildpack", text)
        self.assertIn("verby.localhost", text)
        self.assertIn("memory: 128M", text)
        before = self.web("verby")
        self.p.wharf("push", "-f", out_file, "--no-start", cwd=self.app_dir, timeout=300)
        after = self.web("verby")
        for key in ("instances", "memory_in_mb", "disk_in_mb"):
            self.assertEqual(after[key], before[key], key)
        self.assertEqual(self.app("verby")["environment_variables"]["MANIFESTED"], "a value: with colon")
        self.p.wharf("start", "verby")

    def test_scale_f_does_not_prompt(self):
        r = self.p.wharf("scale", "verby", "-i", "2", "-f", input="")
        self.assertIn("Scaling app verby", r.out)
        self.assertEqual(self.web("verby")["instances"], 2)
        self.p.wharf("scale", "verby", "-i", "1", "-f")


if __name__ == "__main__":
    unittest.main()
