"""Tenants (issue 16): orgs, spaces and Cloud Foundry's roles through the real wharfd and wharf. Two developers in
two spaces cannot list, read the logs of, ssh into, bind to or route to each other's apps; an auditor reads but
cannot change; an org manager makes a space and gives its roles."""
import os
import shutil
import tempfile
import unittest

from harness import EXAMPLES, PlatformTest


class TenancyTest(PlatformTest):
    def session(self, name, password, org, space):
        """A CLI home of its own for `name`, logged in and targeting org/space; returns its env."""
        home = tempfile.mkdtemp(dir=self.p.root, prefix="cli-" + name + "-")
        env = self.p.env()
        env["WHARF_HOME"] = home
        self.p.wharf("api", self.p.api_url, env=env)
        r = self.p.wharf("login", "-u", name, "-p", password, "-o", org, "-s", space, env=env)
        self.assertIn("Targeted org " + org + " / space " + space, r.out)
        return env

    def as_(self, env, *args, expect=0, cwd=None):
        return self.p.wharf(*args, env=env, expect=expect, cwd=cwd, timeout=300)

    def test_two_developers_in_two_spaces_and_an_auditor(self):
        w = self.p.wharf
        w("create-org", "acme")
        w("create-space", "blue", "-o", "acme")
        w("create-space", "green", "-o", "acme")
        for user in ("alice", "bob", "carol", "olga"):
            w("create-user", user, "password-" + user)
        w("set-space-role", "alice", "acme", "blue", "SpaceDeveloper")
        w("set-space-role", "bob", "acme", "green", "SpaceDeveloper")
        w("set-space-role", "carol", "acme", "blue", "SpaceAuditor")
        w("set-org-role", "olga", "acme", "OrgManager")
        r = w("space-users", "acme", "blue")
        self.assertIn("SPACE DEVELOPER\n  alice", r.out)
        self.assertIn("SPACE AUDITOR\n  carol", r.out)
        self.assertIn("USERS\n  alice", w("org-users", "acme").out)

        alice = self.session("alice", "password-alice", "acme", "blue")
        bob = self.session("bob", "password-bob", "acme", "green")
        carol = self.session("carol", "password-carol", "acme", "blue")

        # The same app name in two spaces: names are unique per space.
        src = os.path.join(self.p.root, "site")
        shutil.copytree(os.path.join(EXAMPLES, "static-site"), src)
        self.as_(alice, "push", "site", "--no-route", cwd=src)
        self.as_(alice, "map-route", "site", "localhost", "--hostname", "alice-site")
        self.as_(bob, "push", "site", "--no-route", cwd=src)
        self.as_(bob, "map-route", "site", "localhost", "--hostname", "bob-site")
        self.poll("alice's app through the router", lambda: self.get("alice-site.localhost")[0] == 200)
        self.poll("bob's app through the router", lambda: self.get("bob-site.localhost")[0] == 200)

        # Bob sees only his own app, and nothing of Alice's: list, logs, ssh, env, bind, route, API.
        apps = self.as_(bob, "apps").out
        self.assertIn("bob-site.localhost", apps)
        self.assertNotIn("alice-site", apps)
        status, body = self.p.api("GET", "/v1/apps", token=self.token_of(bob))
        self.assertEqual(status, 200)
        self.assertEqual([a["name"] for a in body["resources"]], ["site"])
        alice_guid = self.app_guid(alice, "site")
        for method, path in (("GET", "/v1/apps/" + alice_guid), ("GET", "/v1/apps/" + alice_guid + "/logs"),
                             ("GET", "/v1/apps/" + alice_guid + "/env"), ("GET", "/v1/apps/" + alice_guid + "/ssh"),
                             ("POST", "/v1/apps/" + alice_guid + "/actions/stop")):
            status, body = self.p.api(method, path, token=self.token_of(bob), body={} if method == "POST" else None)
            self.assertEqual(status, 404, (method, path, body))
        self.as_(bob, "create-user-provided-service", "bobs-db", "-p", '{"password":"b"}')
        status, body = self.p.api("POST", "/v1/service_bindings", token=self.token_of(bob),
                                  body={"instance_guid": self.service_guid(bob, "bobs-db"), "app_guid": alice_guid})
        self.assertEqual(status, 404, body)
        r = self.as_(bob, "map-route", "site", "localhost", "--hostname", "alice-site", expect=1)
        self.assertNotIn("OK\n", r.out)
        self.assertEqual(self.get("alice-site.localhost")[0], 200)  # still Alice's app only
        self.as_(bob, "target", "-o", "acme", "-s", "blue", expect=1)  # no role there: not even seen

        # Carol (auditor of blue) reads Alice's app and its logs, but changes nothing and sees no secrets.
        self.assertIn("alice-site.localhost", self.as_(carol, "apps").out)
        self.as_(carol, "logs", "site", "--recent")
        r = self.as_(carol, "scale", "site", "-i", "2", expect=1)
        self.assertIn("space_developer", r.err)
        r = self.as_(carol, "env", "site", expect=1)
        self.assertIn("space_developer", r.err)
        self.as_(carol, "stop", "site", expect=1)
        self.assertEqual(self.get("alice-site.localhost")[0], 200)

        # Olga (org manager) makes a space, becomes its developer, and gives a role in it.
        olga = self.session("olga", "password-olga", "acme", "blue")
        self.as_(olga, "create-space", "red")
        self.as_(olga, "set-space-role", "bob", "acme", "red", "SpaceAuditor")
        self.assertIn("red", self.as_(bob, "spaces", "-o", "acme").out)
        r = self.as_(bob, "create-space", "purple", "-o", "acme", expect=1)
        self.assertIn("organization_manager", r.err)
        r = self.as_(olga, "delete-space", "blue", "-f", expect=1)  # not empty
        self.assertIn("still has 1 app", r.err)

    # --- helpers ------------------------------------------------------------------
    def token_of(self, env):
        import json
        with open(os.path.join(env["WHARF_HOME"], "config")) as f:
            return json.load(f)["token"]

    def app_guid(self, env, name):
        import json
        with open(os.path.join(env["WHARF_HOME"], "config")) as f:
            space = json.load(f)["space_guid"]
        status, body = self.p.api("GET", "/v1/apps?names=" + name + "&space_guids=" + space, token=self.token_of(env))
        self.assertEqual(status, 200, body)
        return body["resources"][0]["guid"]

    def service_guid(self, env, name):
        status, body = self.p.api("GET", "/v1/service_instances?name=" + name, token=self.token_of(env))
        self.assertEqual(status, 200, body)
        return body["resources"][0]["guid"]


if __name__ == "__main__":
    unittest.main()
