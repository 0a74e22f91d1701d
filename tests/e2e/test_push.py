"""wharf push: resource matching, re-push without uploads, archives, git sources, .cfignore."""
import io
import os
import subprocess
import tarfile
import zipfile
import unittest

from harness import EXAMPLES, PlatformTest


def blob_count(data_dir):
    n = 0
    for _root, _dirs, files in os.walk(os.path.join(data_dir, "blobs", "blobs")):
        n += len(files)
    return n


class PushTest(PlatformTest):
    def packages(self, app):
        status, body = self.p.api("GET", f"/v1/apps/{app['guid']}/packages")
        self.assertEqual(status, 200, body)
        return body["resources"]

    def package_files(self, package):
        status, data = self.p.api("GET", f"/v1/packages/{package['guid']}/download")
        self.assertEqual(status, 200)
        with tarfile.open(fileobj=io.BytesIO(data)) as t:
            return {m.name: t.extractfile(m).read() for m in t.getmembers() if m.isfile()}

    def test_push_stores_the_package_and_maps_the_default_route(self):
        d = self.make_app({"index.html": "<h1>hi</h1>", "css/site.css": "body{}", "Staticfile": ""},
                          manifest="applications:\n- name: site\n")
        self.p.wharf("push", cwd=d)
        app = self.app_json("site")
        pkgs = self.packages(app)
        self.assertEqual(len(pkgs), 1)
        self.assertEqual(pkgs[0]["state"], "READY")
        files = self.package_files(pkgs[0])
        self.assertEqual(files["index.html"], b"<h1>hi</h1>")
        self.assertEqual(files["css/site.css"], b"body{}")
        self.assertIn("site.localhost", app["routes"])

    def test_repush_of_an_unchanged_app_uploads_no_content(self):
        files = {f"f{i:03}.txt": f"file {i}\n" for i in range(200)}
        d = self.make_app(files, manifest="applications:\n- name: many\n")
        # plain text files: no buildpack would detect them, and only uploads matter here
        first = self.p.wharf("push", "--no-start", cwd=d)
        blobs_after_first = blob_count(self.p.data_dir)
        second = self.p.wharf("push", "--no-start", cwd=d)
        self.assertEqual(blob_count(self.p.data_dir), blobs_after_first, second)
        pkgs = self.packages(self.app_json("many"))
        self.assertEqual(len(pkgs), 2)
        self.assertEqual(pkgs[0]["sha256"], pkgs[1]["sha256"])
        self.assertNotEqual(first.out, second.out)  # the second push reports nothing to upload
        with open(os.path.join(d, "f007.txt"), "w") as f:
            f.write("changed\n")
        self.p.wharf("push", "--no-start", cwd=d)
        # one new content blob and one new package manifest blob
        self.assertEqual(blob_count(self.p.data_dir), blobs_after_first + 2)

    def test_an_unchanged_repush_reuses_the_droplet_and_still_restarts_while_a_change_or_restage_stages(self):
        d = self.make_app({"index.html": "<h1>v1</h1>", "Staticfile": ""},
                          manifest="applications:\n- name: same\n  memory: 64M\n")
        self.p.wharf("push", cwd=d)
        self.wait_for_status("same.localhost", 200)
        guid = self.app_json("same")["guid"]

        def droplets():
            status, body = self.p.api("GET", f"/v1/apps/{guid}/droplets")
            self.assertEqual(status, 200, body)
            return [x["guid"] for x in body["resources"]]

        def instance_guids():
            status, body = self.p.api("GET", f"/v1/apps/{guid}/processes/web")
            self.assertEqual(status, 200, body)
            status, body = self.p.api("GET", f"/v1/processes/{body['guid']}/instances")
            self.assertEqual(status, 200, body)
            # Each container has an address of its own (a random lease), so a restart shows as new addresses.
            return {i.get("address") for i in body["resources"] if not i.get("outdated")}

        first = droplets()
        self.assertEqual(len(first), 1)
        before = instance_guids()
        r = self.p.wharf("push", cwd=d)
        self.assertIn("Staging skipped", r.out)  # the staging log says so, with the droplet reused
        self.assertIn(first[0], r.out)
        self.assertEqual(droplets(), first)  # no new droplet
        self.assertNotEqual(instance_guids(), before)  # restarted all the same, as cf push does
        self.assertIn("<h1>v1</h1>", self.get("same.localhost")[2].decode())

        with open(os.path.join(d, "index.html"), "w") as f:
            f.write("<h1>v2</h1>")
        r = self.p.wharf("push", cwd=d)
        self.assertNotIn("Staging skipped", r.out)
        self.assertEqual(len(droplets()), 2)
        self.assertIn("<h1>v2</h1>", self.get("same.localhost")[2].decode())
        r = self.p.wharf("restage", "same")
        self.assertNotIn("Staging skipped", r.out)
        self.assertEqual(len(droplets()), 3)

    def test_cfignore_excludes_files(self):
        d = self.make_app({"app.py": "print(1)", "secret.env": "X=1", "logs/a.log": "x", ".cfignore": "*.env\nlogs/\n"},
                          manifest="applications:\n- name: ign\n")
        self.p.wharf("push", "--no-start", cwd=d)  # only the uploaded package matters here
        files = self.package_files(self.packages(self.app_json("ign"))[0])
        self.assertIn("app.py", files)
        self.assertNotIn("secret.env", files)
        self.assertNotIn("logs/a.log", files)

    def test_push_a_zip_archive(self):
        d = self.make_app({})
        z = os.path.join(d, "app.zip")
        with zipfile.ZipFile(z, "w") as zf:
            zf.writestr("index.html", "zipped")
            zf.writestr("sub/x.txt", "x")
        self.p.wharf("push", "zipped", "-p", z, "--no-route")
        app = self.app_json("zipped")
        files = self.package_files(self.packages(app)[0])
        self.assertEqual(files["index.html"], b"zipped")
        self.assertEqual(app["routes"], [])

    def test_a_malicious_archive_is_refused_naming_the_entry_and_nothing_is_created(self):
        d = self.make_app({})
        bad = os.path.join(d, "evil.tar")
        with tarfile.open(bad, "w") as t:
            info = tarfile.TarInfo("../../escape.txt")
            data = b"gotcha"
            info.size = len(data)
            t.addfile(info, io.BytesIO(data))
        r = self.p.wharf("push", "evil", "-p", bad, expect=1)
        self.assertIn("escape.txt", r.err + r.out)
        status, body = self.p.api("GET", "/v1/apps?names=evil")
        self.assertEqual(body["resources"], [])
        self.assertFalse(os.path.exists(os.path.join(os.path.dirname(d), "escape.txt")))

    def test_push_from_a_git_repository_records_the_commit(self):
        repo = self.make_app({"README.md": "v1\n", "main.go": "package main\n"})
        git = ["git", "-C", repo, "-c", "user.name=t", "-c", "user.email=t@example.com"]
        subprocess.run(git[:3] + ["init", "-q", "-b", "main"], check=True)
        subprocess.run(git + ["add", "."], check=True)
        subprocess.run(git + ["commit", "-qm", "one"], check=True)
        subprocess.run(git + ["tag", "v1"], check=True)
        with open(os.path.join(repo, "README.md"), "w") as f:
            f.write("v2\n")
        subprocess.run(git + ["commit", "-qam", "two"], check=True)
        v1 = subprocess.run(["git", "-C", repo, "rev-parse", "v1^{commit}"], capture_output=True, text=True,
                            check=True).stdout.strip()
        self.p.wharf("push", "fromgit", "--git", repo, "--ref", "v1", "--no-route", "--no-start")
        pkg = self.packages(self.app_json("fromgit"))[0]
        self.assertEqual(pkg["source"]["type"], "git")
        self.assertEqual(pkg["source"]["commit"], v1)
        files = self.package_files(pkg)
        self.assertEqual(files["README.md"], b"v1\n")
        self.assertNotIn(".git/HEAD", files)

    def test_the_bundled_example_pushes(self):
        self.p.wharf("push", cwd=os.path.join(EXAMPLES, "static-site"))
        self.assertEqual(self.app_json("hello")["name"], "hello")


if __name__ == "__main__":
    unittest.main()
