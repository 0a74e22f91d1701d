"""scripts/quickstart.sh run twice, as after an update (issue 18): the second run stops the running wharfd
before installing over it and starts the new one; the pid file names the live daemon, and the README's stop
command stops it. Runs the real script in a temporary prefix and data folder, without its package and build
steps (the binaries of this build are installed)."""
import glob
import os
import subprocess
import time
import unittest

from harness import WHARFD, Platform, free_port

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def wharfd_pids_for(data_dir):
    """Every live wharfd process started on `data_dir`."""
    pids = []
    for d in glob.glob("/proc/[0-9]*"):
        try:
            with open(os.path.join(d, "cmdline"), "rb") as f:
                argv = f.read().split(b"\0")
            with open(os.path.join(d, "stat")) as f:
                state = f.read().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z" and argv and os.path.basename(argv[0]) == b"wharfd" and data_dir.encode() in argv:
            pids.append(int(os.path.basename(d)))
    return pids


def running(pid):
    """Whether the process runs: it exists and is not a zombie. The script's wharfd is re-parented to the
    machine's init once the script ends, and an init may reap exited children late (a zombie has exited)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


class QuickstartTest(unittest.TestCase):
    def setUp(self):
        if os.path.realpath(WHARFD) != os.path.realpath(os.path.join(ROOT, "build", "controller", "wharfd")):
            self.skipTest(f"the script installs {ROOT}/build; this run tests {WHARFD}")
        self.p = Platform()
        self.addCleanup(self.p.cleanup)
        self.prefix = os.path.join(self.p.root, "prefix")
        self.p.api_port = free_port()
        self.p.api_url = f"http://127.0.0.1:{self.p.api_port}"
        self.pid_file = os.path.join(self.p.data_dir, "wharfd.pid")

    def quickstart(self):
        env = self.p.env()
        env.update(WHARF_DATA_DIR=self.p.data_dir, WHARF_API_PORT=str(self.p.api_port),
                   WHARF_ROUTER_PORT=str(self.p.router_port), WHARF_PREFIX=self.prefix,
                   WHARF_QUICKSTART_SKIP="setup build")
        r = subprocess.run(["bash", "scripts/quickstart.sh"], cwd=ROOT, env=env, capture_output=True, text=True,
                           timeout=280)
        self.assertEqual(r.returncode, 0, f"{r.stdout}\n{r.stderr}\n--- wharfd.log\n{self.wharfd_log()}")
        return r

    def wharfd_log(self):
        try:
            with open(os.path.join(self.p.data_dir, "wharfd.log"), errors="replace") as f:
                return f.read()[-4000:]
        except OSError:
            return ""

    def live_pid(self):
        with open(self.pid_file) as f:
            pid = int(f.read())
        self.assertEqual(wharfd_pids_for(self.p.data_dir), [pid], "the pid file does not name the one live wharfd")
        exe = os.readlink(f"/proc/{pid}/exe")
        self.assertEqual(exe, os.path.join(self.prefix, "bin", "wharfd"))  # the installed file, not "(deleted)"
        return pid

    def test_a_second_run_restarts_wharfd_on_the_new_build_and_the_readme_stop_command_stops_it(self):
        first = self.quickstart()
        self.assertIn("The example app answers at", first.stdout)
        pid1 = self.live_pid()

        second = self.quickstart()
        self.assertIn(f"Stopping wharfd (pid {pid1})", second.stdout)
        pid2 = self.live_pid()
        self.assertNotEqual(pid1, pid2)
        self.assertFalse(running(pid1), "the old wharfd still runs")

        # The stop command the script and the README print.
        subprocess.run(["sh", "-c", f"kill $(cat {self.pid_file})"], check=True)
        deadline = time.monotonic() + 30
        while wharfd_pids_for(self.p.data_dir) and time.monotonic() < deadline:
            time.sleep(0.1)
        self.assertEqual(wharfd_pids_for(self.p.data_dir), [])
        self.assertFalse(os.path.exists(self.pid_file), "a stopped wharfd left its pid file")


if __name__ == "__main__":
    unittest.main()
