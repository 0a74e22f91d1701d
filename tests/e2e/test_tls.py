"""TLS domains (issue 16) through the real wharfd and wharf: an admin creates a domain with a certificate,
the static example pushed on it answers over HTTPS on the router's TLS port with that certificate (SNI),
plain HTTP is redirected; another domain's certificate is never served for a host it does not cover; a
non-admin user cannot upload a certificate; no API answer and no log holds the private key."""
import glob
import http.client
import os
import socket
import ssl
import subprocess
import time
import unittest

from harness import EXAMPLES, WHARFD, PlatformTest, free_port


def make_cert(folder, name, cn, sans):
    """A self-signed certificate made by the openssl CLI: (cert file, key file)."""
    cert = os.path.join(folder, name + ".crt")
    key = os.path.join(folder, name + ".key")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                    "-keyout", key, "-out", cert, "-days", "1", "-subj", "/CN=" + cn,
                    "-addext", "subjectAltName=" + ",".join("DNS:" + s for s in sans)],
                   check=True, capture_output=True)
    return cert, key


def https_get(port, sni, host=None, path="/"):
    """GET over TLS with SNI `sni`: (status, headers, body, peer certificate subject CN)."""
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
        with ctx.wrap_socket(raw, server_hostname=sni) as tls:
            der = tls.getpeercert(binary_form=True)
            pem = ssl.DER_cert_to_PEM_cert(der)
            subject = subprocess.run(["openssl", "x509", "-noout", "-subject"], input=pem, capture_output=True,
                                     text=True, check=True).stdout
            conn = http.client.HTTPConnection("127.0.0.1", port)
            conn.sock = tls
            conn.request("GET", path, headers={"Host": host or sni})
            resp = conn.getresponse()
            return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read(), subject.strip()


class TlsDomainTest(PlatformTest):
    platform_args = {"extra_args": ["--router-tls-port", "0"]}

    def tls_port(self):
        with open(os.path.join(self.p.data_dir, "router-tls-port")) as f:
            return int(f.read().strip())

    def test_https_domain_with_sni_redirect_and_no_key_anywhere(self):
        certs = os.path.join(self.p.root, "certs")
        os.makedirs(certs)
        cert, key = make_cert(certs, "tls", "tls-test-cert", ["tls.test", "*.tls.test"])
        other_cert, other_key = make_cert(certs, "other", "other-test-cert", ["*.other.test"])
        with open(key) as f:
            key_text = f.read()
        key_body = key_text.split("-----")[2].strip().splitlines()[0]  # a line of the key's base64

        # The CLI names a bad file before uploading; the API names a pair that does not fit.
        r = self.p.wharf("create-domain", "tls.test", "--cert", key, "--key", key, expect=1)
        self.assertIn("--cert " + key, r.err)
        r = self.p.wharf("create-domain", "tls.test", "--cert", cert, "--key", other_key, expect=1)
        self.assertIn("does not match", r.err)
        r = self.p.wharf("create-domain", "wrong.test", "--cert", cert, "--key", key, expect=1)
        self.assertIn("cover neither 'wrong.test' nor '*.wrong.test'", r.err)

        self.p.wharf("create-domain", "tls.test", "--cert", cert, "--key", key)
        self.p.wharf("create-domain", "other.test", "--cert", other_cert, "--key", other_key, "--http", "refuse")
        self.p.wharf("push", cwd=os.path.join(EXAMPLES, "static-site"), timeout=300)
        self.p.wharf("map-route", "hello", "tls.test", "--hostname", "web")
        self.p.wharf("map-route", "hello", "other.test", "--hostname", "web")
        port = self.tls_port()

        def https_ok():
            try:
                return https_get(port, "web.tls.test")[0] == 200
            except OSError:
                return False
        self.poll("HTTPS 200 for web.tls.test", https_ok, timeout=30)
        status, _, body, subject = https_get(port, "web.tls.test")
        self.assertEqual(status, 200)
        self.assertIn(b"Hello from Wharf", body)
        self.assertIn("tls-test-cert", subject)
        status, _, _, subject = https_get(port, "web.other.test")
        self.assertEqual(status, 200)
        self.assertIn("other-test-cert", subject)

        # Plain HTTP: tls.test redirects, other.test refuses.
        status, headers, _ = self.get("web.tls.test", "/index.html?x=1")
        self.assertEqual(status, 301)
        self.assertEqual(headers["location"], f"https://web.tls.test:{port}/index.html?x=1")
        status, _, body = self.get("web.other.test")
        self.assertEqual(status, 403)
        self.assertIn(b"HTTPS only", body)
        self.assertEqual(self.get("hello.localhost")[0], 200)  # a domain without a certificate is unchanged

        # A hostile view: no other domain's certificate for a name it does not cover; no SNI, no certificate.
        for sni in ["web.evil.test", "tls.other.test.evil", "x.web.tls.test"]:
            with self.assertRaises(ssl.SSLError, msg=sni):
                https_get(port, sni)

        # The key is in no API answer and no log.
        status, domains = self.p.api("GET", "/v1/domains")
        self.assertEqual(status, 200)
        by_name = {d["name"]: d for d in domains["resources"]}
        self.assertTrue(by_name["tls.test"]["tls"])
        self.assertEqual(by_name["tls.test"]["http"], "redirect")
        self.assertEqual(by_name["other.test"]["http"], "refuse")
        self.assertIn("*.tls.test", by_name["tls.test"]["certificate_names"])
        for path in ["/v1/domains", "/v1/routing/table", "/v1/events", "/v1/routes"]:
            status, answer = self.p.api("GET", path)
            self.assertEqual(status, 200, path)
            self.assertNotIn(key_body, str(answer), path)
            self.assertNotIn("PRIVATE KEY", str(answer), path)
        r = self.p.wharf("domains")
        self.assertIn("http: redirect", r.out)
        self.assertNotIn(key_body, r.out)
        logs = [self.p.log_path] + glob.glob(os.path.join(self.p.data_dir, "logs", "**", "*"), recursive=True)
        for path in logs:
            if os.path.isfile(path):
                with open(path, errors="replace") as f:
                    self.assertNotIn(key_body, f.read(), path)

        # A renewed certificate is served by the next handshake, without a restart.
        new_cert, new_key = make_cert(certs, "tls2", "tls-test-renewed", ["*.tls.test"])
        r = self.p.wharf("create-domain", "tls.test", "--cert", new_cert, "--key", new_key)
        self.assertIn("certificate was replaced", r.out)
        self.poll("the renewed certificate", lambda: "tls-test-renewed" in https_get(port, "web.tls.test")[3])

    def test_a_user_without_the_admin_role_cannot_upload_a_certificate(self):
        certs = os.path.join(self.p.root, "certs")
        os.makedirs(certs)
        cert, key = make_cert(certs, "bob", "bob-cert", ["*.bob.test"])
        self.p.wharf("create-user", "bob", "bobs-password-1")
        env = self.p.env()
        env["WHARF_HOME"] = os.path.join(self.p.root, "bob-cli")
        os.makedirs(env["WHARF_HOME"])
        self.p.wharf("api", self.p.api_url, env=env)
        self.p.wharf("login", "-u", "bob", "-p", "bobs-password-1", env=env)
        r = self.p.wharf("create-domain", "bob.test", "--cert", cert, "--key", key, env=env, expect=1)
        self.assertIn("admin", r.err)
        status, domains = self.p.api("GET", "/v1/domains")
        self.assertNotIn("bob.test", [d["name"] for d in domains["resources"]])


class StandaloneTlsRouterTest(PlatformTest):
    """A router-only wharfd gets the certificates (with their keys) through the API's route stream."""

    def test_a_standalone_router_serves_https_with_the_domains_certificates(self):
        certs = os.path.join(self.p.root, "certs")
        os.makedirs(certs)
        cert, key = make_cert(certs, "tls", "standalone-cert", ["*.tls.test"])
        port, tls_port = free_port(), free_port()
        log_path = os.path.join(self.p.root, "router.stderr")
        log = open(log_path, "ab")
        proc = subprocess.Popen([WHARFD, "--roles", "router", "--data-dir", self.p.data_dir, "--router-port", str(port),
                                 "--router-tls-port", str(tls_port)], stdout=log, stderr=log, stdin=subprocess.DEVNULL)

        def stop():
            if proc.poll() is None:
                proc.send_signal(15)
                proc.wait(timeout=20)
            log.close()
        self.addCleanup(stop)
        self.p.wharf("create-domain", "tls.test", "--cert", cert, "--key", key, "--http", "refuse")
        self.p.wharf("push", cwd=os.path.join(EXAMPLES, "static-site"), timeout=300)
        self.p.wharf("map-route", "hello", "tls.test", "--hostname", "web")

        def https_ok():
            try:
                return https_get(tls_port, "web.tls.test")
            except OSError:
                return None
        status, _, body, subject = self.poll("HTTPS through the standalone router", https_ok, timeout=30)
        self.assertEqual(status, 200)
        self.assertIn(b"Hello from Wharf", body)
        self.assertIn("standalone-cert", subject)
        self.assertEqual(self.get("web.tls.test", port=port)[0], 403)
        with open(key) as f:
            key_line = f.read().split("-----")[2].strip().splitlines()[0]
        with open(log_path, errors="replace") as f:
            self.assertNotIn(key_line, f.read())


if __name__ == "__main__":
    unittest.main()
