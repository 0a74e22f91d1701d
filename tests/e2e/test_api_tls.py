"""The API over TLS for remote CLIs (issue 16's last part), through the real wharfd and wharf: wharfd
started with --api-tls-cert/--api-tls-key; `wharf api https://127.0.0.1:PORT --ca-file` then login and a
push answered through the router; a certificate nobody trusts refused with cf's advice, and accepted with
--skip-ssl-validation; plain HTTP to the TLS port gets nowhere; a router-only wharfd follows the https API;
stalled TLS handshakes and heads do not take the API offline. One wharfd for the file; loopback only."""
import http.client
import os
import socket
import ssl
import subprocess
import threading
import time
import unittest

from harness import EXAMPLES, WHARFD, SharedPlatformTest, free_port, make_api_cert


class ApiTlsTest(SharedPlatformTest):
    platform_args = {"api_tls": True}

    @classmethod
    def prepare_platform(cls):
        cls.p.wharf("push", cwd=os.path.join(EXAMPLES, "static-site"), timeout=300)

    def other_cli(self, name):
        env = self.p.env()
        env["WHARF_HOME"] = os.path.join(self.p.root, name)
        os.makedirs(env["WHARF_HOME"], exist_ok=True)
        return env

    def router_get(self, port, host="hello.localhost"):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        try:
            conn.request("GET", "/", headers={"Host": host})
            resp = conn.getresponse()
            return resp.status, resp.read()
        except OSError:
            return 0, b""
        finally:
            conn.close()

    def test_the_cli_works_over_https_with_its_ca(self):
        self.assertTrue(self.p.api_url.startswith("https://127.0.0.1:"), self.p.api_url)
        with open(os.path.join(self.p.data_dir, "api-url")) as f:
            self.assertEqual(f.read().strip(), self.p.api_url)
        r = self.p.wharf("api")
        self.assertIn("API endpoint:   " + self.p.api_url, r.out)
        r = self.p.wharf("apps")
        self.assertIn("hello", r.out)
        self.poll("hello through the router", lambda: self.router_get(self.p.router_port)[0] == 200, timeout=30)
        status, body = self.router_get(self.p.router_port)
        self.assertEqual(status, 200)
        self.assertIn(b"Hello from Wharf", body)
        r = self.p.wharf("curl", "/v1/info")
        self.assertIn("api_version", r.out)
        r = self.p.wharf("logs", "hello", "--recent")
        self.assertEqual(r.code, 0, r)
        r = self.p.wharf("ssh", "hello", "-c", "echo over-$((40+2))", timeout=60)  # the ssh WebSocket over TLS
        self.assertEqual(r.out.strip(), "over-42", r)

    def test_an_untrusted_certificate_is_refused_with_advice_and_skip_ssl_validation_accepts_it(self):
        env = self.other_cli("untrusted-cli")
        env.pop("WHARF_CA_FILE", None)
        env.pop("SSL_CERT_FILE", None)
        r = self.p.wharf("api", self.p.api_url, env=env, expect=1)
        self.assertIn("SSL certificate validation failed for " + self.p.api_url, r.err)
        self.assertIn("--skip-ssl-validation", r.err)
        other_ca, _ = make_api_cert(os.path.join(self.p.root, "other-ca"), "other")
        r = self.p.wharf("api", self.p.api_url, "--ca-file", other_ca, env=env, expect=1)
        self.assertIn("SSL certificate validation failed", r.err)
        self.p.wharf("api", self.p.api_url, "--skip-ssl-validation", env=env)
        self.p.wharf("login", "--token", self.p.admin_token(), env=env)
        r = self.p.wharf("apps", env=env)
        self.assertIn("hello", r.out)
        # WHARF_CA_FILE trusts the API's CA for one command without a saved --ca-file.
        env2 = self.other_cli("env-ca-cli")
        env2["WHARF_CA_FILE"] = self.p.api_ca_file
        self.p.wharf("api", self.p.api_url, env=env2)

    def test_plain_http_to_the_tls_port_gets_no_answer(self):
        with socket.create_connection(("127.0.0.1", self.p.api_port), 5) as s:
            s.sendall(b"GET /v1/info HTTP/1.1\r\nHost: x\r\n\r\n")
            s.settimeout(5)
            data = b""
            try:
                while True:
                    chunk = s.recv(4096)
                    if not chunk:
                        break
                    data += chunk
            except OSError:
                pass
        self.assertNotIn(b"api_version", data)
        self.assertFalse(data.startswith(b"HTTP/1.1 200"), data[:100])

    def start_router(self, name, *args):
        port = free_port()
        log_path = os.path.join(self.p.root, name + ".stderr")
        log = open(log_path, "ab")
        proc = subprocess.Popen([WHARFD, "--roles", "router", "--data-dir", self.p.data_dir, "--router-port", str(port)]
                                + list(args), stdout=log, stderr=log, stdin=subprocess.DEVNULL)

        def stop():
            if proc.poll() is None:
                proc.send_signal(15)
                proc.wait(timeout=20)
            log.close()
        self.addCleanup(stop)
        return port, log_path

    def test_a_standalone_router_follows_the_https_api(self):
        # DATA_DIR/api-url names the https API; --api-ca-file trusts its certificate.
        port, _ = self.start_router("router-default", "--api-ca-file", self.p.api_ca_file)
        self.poll("hello through the standalone router", lambda: self.router_get(port)[0] == 200, timeout=30)
        # The same with --api-url given.
        port2, _ = self.start_router("router-url", "--api-url", self.p.api_url, "--api-ca-file", self.p.api_ca_file)
        self.poll("hello through the second standalone router", lambda: self.router_get(port2)[0] == 200, timeout=30)
        # Without the CA, the router does not trust the API and says why in its log.
        _, log_path = self.start_router("router-untrusted", "--api-url", self.p.api_url)

        def said_why():
            with open(log_path, errors="replace") as f:
                return "SSL certificate validation failed" in f.read()
        self.poll("the untrusting router's log names the certificate problem", said_why, timeout=30)

    def test_stalled_tls_handshakes_and_heads_do_not_take_the_api_offline(self):
        """300 connections that send nothing, 100 that start a ClientHello and stop, 100 that finish the
        handshake and trickle header lines: `wharf apps` answers throughout, and every one of them is let go."""
        socks, tls_socks = [], []
        self.addCleanup(lambda: [s.close() for s in socks + tls_socks])
        for i in range(400):
            s = socket.create_connection(("127.0.0.1", self.p.api_port), 5)
            if i >= 300:
                s.sendall(bytes([0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00]))  # a record and hello that never end
            socks.append(s)
        ctx = ssl.create_default_context(cafile=self.p.api_ca_file)
        for _ in range(100):
            raw = socket.create_connection(("127.0.0.1", self.p.api_port), 5)
            t = ctx.wrap_socket(raw, server_hostname="127.0.0.1")
            t.sendall(b"GET /v1/apps HTTP/1.1\r\nHost: x\r\n")
            tls_socks.append(t)
        stop = threading.Event()

        def trickle():
            n = 0
            while not stop.wait(1.0):
                n += 1
                for t in tls_socks:
                    try:
                        t.sendall(f"X-Slow-{n}: 1\r\n".encode())
                    except (OSError, ValueError):
                        pass
        thread = threading.Thread(target=trickle, daemon=True)
        thread.start()
        self.addCleanup(stop.set)
        answered = []
        for _ in range(5):
            t0 = time.monotonic()
            r = self.p.wharf("apps", expect=None, timeout=20)
            answered.append((r.code == 0 and "hello" in r.out, round(time.monotonic() - t0, 2)))
            time.sleep(1)
        print(f"\n[measure] wharf apps during the TLS slow-handshake attack: {answered}", flush=True)
        self.assertTrue(all(ok for ok, _ in answered), answered)
        stop.set()
        # The gate gives up on each at the head deadline (10 s): closed, or 408 over TLS for a finished handshake.
        time.sleep(11)
        closed = 0
        for s in socks:
            s.settimeout(1)
            try:
                closed += 1 if s.recv(64) == b"" else 0
            except ConnectionResetError:
                closed += 1
            except OSError:
                pass
        told = 0
        for t in tls_socks:
            t.settimeout(1)
            try:
                told += 1 if t.recv(64).startswith(b"HTTP/1.1 408") else 0
            except (OSError, ssl.SSLError):
                pass
        print(f"[measure] stalled connections closed {closed}/{len(socks)}, trickling told 408 {told}/{len(tls_socks)}",
              flush=True)
        self.assertEqual(closed, len(socks))
        self.assertEqual(told, len(tls_socks))


if __name__ == "__main__":
    unittest.main()
