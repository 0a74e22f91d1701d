"""The API needs a token from the first start; the token is stored hashed and kept across restarts."""
import json
import os
import stat
import time
import unittest

from harness import Platform, PlatformTest


class AuthTest(PlatformTest):
    def test_info_answers_without_a_token(self):
        status, body = self.p.api("GET", "/v1/info", auth=False)
        self.assertEqual(status, 200)
        self.assertEqual(body["domain"], "localhost")
        self.assertIn(str(self.p.router_port), body["router_url"])

    def test_every_other_endpoint_needs_a_bearer_token(self):
        for path in ["/v1/apps", "/v1/routes", "/v1/domains", "/v1/events", "/v1/whoami"]:
            status, body = self.p.api("GET", path, auth=False)
            self.assertEqual(status, 401, path)
            self.assertEqual(body["code"], "unauthenticated")
            self.assertTrue(body["title"] and body["detail"], body)
            status, body = self.p.api("GET", path, token="wharf_not-a-real-token")
            self.assertEqual(status, 401, path)

    def test_admin_token_file_is_private_and_the_database_holds_no_plain_token(self):
        token_file = os.path.join(self.p.data_dir, "admin-token")
        self.assertEqual(stat.S_IMODE(os.stat(token_file).st_mode), 0o600)
        token = self.p.admin_token()
        for name in os.listdir(self.p.data_dir):
            path = os.path.join(self.p.data_dir, name)
            if name.startswith("wharf.db") and os.path.isfile(path):
                with open(path, "rb") as f:
                    self.assertNotIn(token.encode(), f.read(), name)

    def test_token_survives_a_restart(self):
        before = self.p.admin_token()
        self.assertEqual(self.p.stop(), 0)
        self.p.start()
        self.assertEqual(self.p.admin_token(), before)
        self.p.wharf("apps")

    def test_cli_with_a_bad_token_fails_clearly(self):
        env = self.p.env()
        env["WHARF_API"] = self.p.api_url
        env["WHARF_TOKEN"] = "wharf_bogus"
        r = self.p.wharf("apps", env=env, expect=1)
        self.assertNotIn("wharf_bogus", r.out + r.err)
        self.assertTrue(r.err.strip(), r)


class FreshCliTest(unittest.TestCase):
    def test_cli_without_api_explains_what_to_do(self):
        p = Platform()
        self.addCleanup(p.cleanup)
        r = p.wharf("apps", expect=1)
        self.assertIn("wharf api", r.err + r.out)


if __name__ == "__main__":
    unittest.main()


class UsersTest(PlatformTest):
    """Users with passwords (issue 16's first part), through the real wharfd and wharf: an admin creates one,
    who logs in; the access token expires (here after 2 s) and wharf renews it by itself; an expired token is
    refused; logout ends the login on wharfd; the database never holds the password."""
    platform_args = {"extra_args": ["--access-token-secs", "2"]}

    def config(self):
        with open(os.path.join(self.p.cli_home, "config")) as f:
            return json.load(f)

    def test_a_user_logs_in_with_a_password_and_an_expired_token_is_refused_and_refreshed(self):
        r = self.p.wharf("create-user", "ada", "analytical-engine")
        self.assertIn("wharf login -u ada", r.out)
        r = self.p.wharf("login", "-u", "ada", "-p", "wrong-password", expect=1)
        self.assertIn("wrong user name or password", r.err)
        r = self.p.wharf("login", "-u", "ada", input="analytical-engine\n")  # not a terminal: read from stdin
        self.assertIn("User: ada", r.out)
        self.assertNotIn("analytical-engine", r.out + r.err)
        self.assertIn("as ada", self.p.wharf("apps").out)
        r = self.p.wharf("create-user", "mallory", "12345678", expect=1)
        self.assertIn("needs the admin role", r.err)
        # (wharf renews a token that expires within 30 s before each command: with 2 s, every time)
        first = self.config()["token"]

        time.sleep(3)  # the access token lives 2 s here
        status, body = self.p.api("GET", "/v1/whoami", token=first)
        self.assertEqual(status, 401)
        self.assertIn("the token expired at", body["detail"])
        self.assertIn("as ada", self.p.wharf("apps").out)  # renewed before the command
        renewed = self.config()["token"]
        self.assertNotEqual(renewed, first)
        status, body = self.p.api("GET", "/v1/whoami", token=renewed)
        self.assertEqual((status, body["user"]["name"]), (200, "ada"))

        self.p.wharf("logout")
        status, _ = self.p.api("GET", "/v1/whoami", token=renewed)
        self.assertEqual(status, 401)  # ended on wharfd, not only forgotten by the CLI
        for name in os.listdir(self.p.data_dir):
            path = os.path.join(self.p.data_dir, name)
            if name.startswith("wharf.db") and os.path.isfile(path):
                with open(path, "rb") as f:
                    self.assertNotIn(b"analytical-engine", f.read(), name)

        # Five wrong guesses hold the name off for a minute, whatever the sixth says.
        for _ in range(5):
            self.p.wharf("login", "-u", "ada", "-p", "guess-guess", expect=1)
        r = self.p.wharf("login", "-u", "ada", "-p", "analytical-engine", expect=1)
        self.assertIn("too many failed logins for user 'ada'", r.err)
