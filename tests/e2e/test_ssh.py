"""wharf ssh into a running instance (issue: everyday cf verbs): a command runs as uid 2000 in the instance's
namespaces (its processes, its network, its view of the file system) with the app's environment; exit status,
stdin, stderr and a terminal are relayed; disable-ssh refuses; a token is needed; the access is an event and a
[SSH/0] log line; a client that goes away takes its command with it. One wharfd for the whole file."""
import os
import signal
import subprocess
import time
import unittest

from harness import WHARF, SharedPlatformTest

APP = "sshy"


class SshTest(SharedPlatformTest):
    @classmethod
    def prepare_platform(cls):
        cls.p.push_python_app(APP)
        cls.p.wharf("set-env", APP, "GREETING", "hello-from-env")
        cls.p.wharf("restart", APP, timeout=120)

    def ssh(self, *args, expect=0, input=None):
        return self.p.wharf("ssh", APP, *args, expect=expect, input=input, timeout=60)

    def app_guid(self):
        status, body = self.p.api("GET", "/v1/apps?names=" + APP)
        self.assertEqual(status, 200, body)
        return body["resources"][0]["guid"]

    def test_a_command_runs_as_vcap_in_the_instance_with_the_apps_environment(self):
        r = self.ssh("-c", "id -u; id -g; pwd; echo $GREETING; cat Procfile; hostname")
        lines = r.out.splitlines()
        self.assertEqual(lines[0], "2000", r)
        self.assertEqual(lines[1], "2000", r)
        self.assertEqual(lines[2], "/home/vcap/app", r)
        self.assertEqual(lines[3], "hello-from-env", r)
        self.assertIn("web: python3 -m http.server", r.out)
        # The instance's own UTS namespace: its hostname is its container's id, not the host's.
        self.assertNotEqual(lines[-1], os.uname().nodename, r)

    def test_the_command_shares_the_instances_processes_and_network(self):
        # Its pid namespace: the app's server is there, and pid 1 is the container's init.
        r = self.ssh("-c", "cat /proc/1/cmdline | tr '\\0' ' '; echo; for f in /proc/[0-9]*/cmdline; do "
                           "tr '\\0' ' ' < $f; echo; done")
        self.assertIn("http.server", r.out)
        self.assertIn("/.wharf/init", r.out.splitlines()[0])
        # Its network namespace: the app answers on its own loopback at $PORT.
        r = self.ssh("-c", "python3 -c \"import os, urllib.request; "
                           "print(urllib.request.urlopen('http://127.0.0.1:%s/' % os.environ['PORT']).status)\"")
        self.assertEqual(r.out.strip(), "200", r)
        # A file written in the session is in that instance's writable layer only.
        self.ssh("-c", "echo from-ssh > /home/vcap/app/ssh-marker")
        r = self.ssh("-c", "cat /home/vcap/app/ssh-marker")
        self.assertEqual(r.out.strip(), "from-ssh")
        self.assertFalse(os.path.exists(os.path.join(self.p.root, "ssh-marker")))

    def test_exit_status_stdin_and_stderr_are_relayed(self):
        self.ssh("-c", "exit 7", expect=7)
        r = self.ssh("-c", "tr a-z A-Z", input="piped through stdin\n")
        self.assertEqual(r.out, "PIPED THROUGH STDIN\n")
        r = self.ssh("-c", "echo to-out; echo to-err >&2")
        self.assertEqual(r.out, "to-out\n")
        self.assertEqual(r.err, "to-err\n")

    def test_a_terminal_on_request(self):
        r = self.ssh("--force-pseudo-tty", "-c", "tty; stty size; test -t 0 && echo stdin-is-a-tty")
        self.assertRegex(r.out, r"/dev/pts/\d+")
        self.assertIn("24 80", r.out)  # the default size when the local side is not a terminal
        self.assertIn("stdin-is-a-tty", r.out)
        # Without one, the command's stdin is not a terminal.
        r = self.ssh("-c", "test -t 0 || echo no-tty")
        self.assertEqual(r.out.strip(), "no-tty")

    def test_an_interactive_shell_reads_its_commands_from_stdin(self):
        r = self.ssh(input="echo shell-$((6*7))\nid -un 2>/dev/null || id -u\nexit 3\n", expect=3)
        self.assertIn("shell-42", r.out)

    def test_nothing_root_can_be_reached_from_a_session(self):
        r = self.ssh("-c", "cat /proc/self/status | grep -E '^(CapEff|NoNewPrivs)'; "
                           "unshare -r true 2>/dev/null && echo unshare-worked || echo unshare-refused")
        self.assertIn("CapEff:\t0000000000000000", r.out)
        self.assertIn("NoNewPrivs:\t1", r.out)
        self.assertIn("unshare-refused", r.out)

    def test_disable_ssh_refuses_and_enable_ssh_allows_again(self):
        self.assertIn(f"ssh support is enabled for app '{APP}'.", self.p.wharf("ssh-enabled", APP).out)
        try:
            self.assertIn("OK", self.p.wharf("disable-ssh", APP).out)
            self.assertIn(f"ssh support is disabled for app '{APP}'.", self.p.wharf("ssh-enabled", APP).out)
            r = self.ssh("-c", "true", expect=1)
            self.assertIn(f"ssh is disabled for app '{APP}'", r.err)
            # Going around the CLI does not help: the upgrade itself is refused.
            status, body = self.p.api("GET", f"/v1/apps/{self.app_guid()}/ssh",
                                      headers={"Connection": "Upgrade", "Upgrade": "websocket",
                                               "Sec-WebSocket-Version": "13",
                                               "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ=="})
            self.assertEqual(status, 403, body)
            events = self.p.wharf("events", APP).out
            self.assertIn("app-updated", events)
        finally:
            self.p.wharf("enable-ssh", APP)
        self.assertEqual(self.ssh("-c", "echo back").out.strip(), "back")

    def test_a_token_is_needed_and_a_missing_instance_is_named(self):
        status, _ = self.p.api("GET", f"/v1/apps/{self.app_guid()}/ssh", auth=False,
                               headers={"Connection": "Upgrade", "Upgrade": "websocket",
                                        "Sec-WebSocket-Version": "13",
                                        "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ=="})
        self.assertEqual(status, 401)
        r = self.ssh("-i", "5", "-c", "true", expect=1)
        self.assertIn("instance 5 of process 'web' is not running", r.err)
        r = self.ssh("-i", "x", expect=2)
        self.assertIn("instance index", r.err)

    def test_access_is_recorded_as_an_event_and_in_the_logs(self):
        self.ssh("-c", "true")
        events = self.poll("the ssh event", lambda: (lambda e: e if "app-ssh-authorized" in e else None)(
            self.p.wharf("events", APP).out))
        self.assertIn("app-ssh-authorized", events)
        logs = self.poll("the [SSH/0] line", lambda: (lambda l: l if "[SSH/0]" in l else None)(
            self.p.wharf("logs", APP, "--recent").out))
        self.assertIn("Successful remote access by admin", logs)

    def test_a_client_that_goes_away_takes_its_command_with_it(self):
        marker = "sleep 4242"
        proc = subprocess.Popen([WHARF, "ssh", APP, "-c", marker], env=self.p.env(),
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            self.poll("the remote sleep runs", lambda: self.sleepers(marker), timeout=30)
        finally:
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=10)
        self.poll("the remote sleep is gone", lambda: not self.sleepers(marker), timeout=30)

    @staticmethod
    def sleepers(marker):
        found = []
        for pid in os.listdir("/proc"):
            if not pid.isdigit():
                continue
            try:
                with open(f"/proc/{pid}/cmdline", "rb") as f:
                    cmd = f.read().replace(b"\0", b" ").decode(errors="replace").strip()
            except OSError:
                continue
            if cmd == marker:
                found.append(pid)
        return found


if __name__ == "__main__":
    unittest.main()
