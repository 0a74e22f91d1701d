"""Manifest handling: errors name file, line and attribute; nothing is created from an invalid manifest."""
import os
import unittest

from harness import PlatformTest


class ManifestTest(PlatformTest):
    def assert_no_apps(self):
        status, body = self.p.api("GET", "/v1/apps")
        self.assertEqual(status, 200)
        self.assertEqual(body["resources"], [])

    def test_wrong_type_is_an_error_naming_file_line_and_attribute(self):
        d = self.make_app({"index.html": "x"}, manifest=(
            "applications:\n"
            "- name: bad\n"
            "  instances: 2\n"
            "  memory: lots\n"))
        r = self.p.wharf("push", cwd=d, expect=1)
        msg = r.err + r.out
        self.assertIn("manifest.yml", msg)
        self.assertIn(":4", msg)  # memory is on line 4
        self.assertIn("memory", msg)
        self.assert_no_apps()

    def test_invalid_app_name_creates_nothing(self):
        d = self.make_app({"index.html": "x"}, manifest="applications:\n- name: Not_A_Host\n")
        r = self.p.wharf("push", cwd=d, expect=1)
        self.assertIn("Not_A_Host", r.err + r.out)
        self.assert_no_apps()

    def test_yaml_syntax_error_names_the_line(self):
        d = self.make_app({"index.html": "x"}, manifest="applications:\n- name: a\n  env: [unclosed\n")
        r = self.p.wharf("push", cwd=d, expect=1)
        self.assertIn("manifest.yml", r.err + r.out)
        self.assert_no_apps()

    def test_unknown_attribute_is_a_warning(self):
        d = self.make_app({"index.html": "x"}, manifest="applications:\n- name: warned\n  colour: blue\n")
        r = self.p.wharf("push", cwd=d)
        self.assertIn("colour", r.err + r.out)
        self.assertEqual(self.app_json("warned")["name"], "warned")

    def test_variables_are_substituted_and_a_missing_one_is_an_error(self):
        manifest = ("applications:\n- name: ((app))\n  env:\n    GREETING: hello-((who))\n"
                    "  routes:\n  - route: ((app))-x.localhost\n")
        d = self.make_app({"index.html": "x"}, manifest=manifest)
        r = self.p.wharf("push", "--var", "app=vars", cwd=d, expect=1)
        self.assertIn("who", r.err + r.out)
        self.assert_no_apps()
        with open(os.path.join(d, "vars.yml"), "w") as f:
            f.write("who: world\n")
        self.p.wharf("push", "--var", "app=vars", "--vars-file", "vars.yml", cwd=d)
        app = self.app_json("vars")
        self.assertEqual(app["environment_variables"]["GREETING"], "hello-world")
        self.assertIn("vars-x.localhost", app["routes"])

    def test_several_apps_and_flag_overrides(self):
        manifest = ("applications:\n"
                    "- name: one\n  instances: 2\n  memory: 128M\n"
                    "- name: two\n  memory: 256M\n  no-route: true\n")
        d = self.make_app({"index.html": "x"}, manifest=manifest)
        self.p.wharf("push", cwd=d)
        one, two = self.app_json("one"), self.app_json("two")
        web = {p["type"]: p for p in one["processes"]}["web"]
        self.assertEqual((web["instances"], web["memory_in_mb"]), (2, 128))
        self.assertEqual(two["routes"], [])
        self.p.wharf("push", "two", "-m", "512M", "-i", "3", cwd=d)
        web = {p["type"]: p for p in self.app_json("two")["processes"]}["web"]
        self.assertEqual((web["instances"], web["memory_in_mb"]), (3, 512))
        self.p.wharf("push", "three", cwd=d, expect=1)


if __name__ == "__main__":
    unittest.main()
