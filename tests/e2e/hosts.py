"""Several hosts on one machine, for the scale-out tests: each host is a network namespace that this
module creates, with one veth into a bridge (the 'switch') that lives in a namespace of its own, so the
host's firewall (wharfd's forward guard, which sees bridged packets when br_netfilter is loaded) never
filters what the hosts send each other. The root namespace is a host too, through one more veth: it has the
switch subnet's first address and runs the API. Nothing outside these namespaces and the root's one veth
is touched; every process started in a host is stopped by its pid."""
import os
import signal
import subprocess
import time


def sh(*argv, check=True):
    res = subprocess.run(list(argv), capture_output=True, text=True)
    if check and res.returncode != 0:
        raise AssertionError(f"{' '.join(argv)} -> {res.returncode}: {res.stderr.strip()}")
    return res


class Host:
    def __init__(self, hosts, name, ip):
        self.hosts, self.name, self.ip = hosts, name, ip
        self.netns = f"{hosts.prefix}-{name}"
        self.veth = f"p-{name}"[:15]  # its port on the switch, in the switch's namespace
        self.procs = []

    def popen(self, argv, log_path):
        """Starts argv inside this host; returns the Popen (stopped at cleanup)."""
        log = open(log_path, "ab")
        # `ip netns exec` gives the command a mount namespace of its own with a fresh /sys (so that
        # /sys/class/net shows this host's interfaces), without the cgroup file systems: mount them there
        # again (only in that namespace; the same hierarchies) for the container runtimes.
        proc = subprocess.Popen(["ip", "netns", "exec", self.netns, "sh", "-c", cgroup_mounts() + 'exec "$@"',
                                 "sh"] + list(argv), stdout=log, stderr=log, stdin=subprocess.DEVNULL)
        proc.log_file, proc.log_path = log, log_path
        self.procs.append(proc)
        return proc

    def run(self, *argv, check=True):
        return sh("ip", "netns", "exec", self.netns, *argv, check=check)

    def route(self, cidr, via):
        self.run("ip", "route", "replace", cidr, "via", via)

    def cut(self):
        """The host drops off the network (its link goes down): it and its containers live on, unreachable."""
        sh("ip", "-n", self.hosts.switch, "link", "set", self.veth, "down")

    def restore(self):
        sh("ip", "-n", self.hosts.switch, "link", "set", self.veth, "up")


def cgroup_mounts():
    """Shell commands that mount under /sys/fs/cgroup what this machine has there (cgroup v1 controllers on
    a tmpfs, the v2 hierarchy, or both), each with its own options: the same hierarchies."""
    cmds = []
    with open("/proc/self/mounts") as f:
        for line in f:
            source, target, fstype, options = line.split()[:4]
            if not target.startswith("/sys/fs/cgroup"):
                continue
            opts = ",".join(o for o in options.split(",") if o not in ("rw", "relatime", "nosuid", "nodev", "noexec"))
            if fstype not in ("tmpfs", "cgroup", "cgroup2"):
                continue
            cmds.append(f"mkdir -p {target} && mount -t {fstype} " + (f"-o {opts} " if opts else "") + f"{source} {target}")
    return "".join(c + " && " for c in cmds)


def stop_proc(proc, sig=signal.SIGTERM, timeout=30):
    """Stops one process started here; returns its exit code (None when it had to be killed)."""
    if proc.poll() is None:
        proc.send_signal(sig)
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            return None
    if not proc.log_file.closed:
        proc.log_file.close()
    return proc.returncode


class Hosts:
    """`prefix` names the namespaces (the switch's is `prefix`-switch); `bridge` is the root
    namespace's interface to the switch; hosts get `subnet`.N/24 addresses, the root namespace
    `subnet`.1."""

    def __init__(self, prefix="wharf-e2e", bridge="wharfh0", subnet="10.250.0"):
        self.prefix, self.bridge, self.subnet = prefix, bridge, subnet
        self.gateway = f"{subnet}.1"
        self.switch = f"{prefix}-switch"
        self.hosts = {}
        self.remove_leftovers()
        sh("ip", "netns", "add", self.switch)
        sh("ip", "-n", self.switch, "link", "add", "br0", "type", "bridge")
        sh("ip", "-n", self.switch, "link", "set", "br0", "up")
        sh("ip", "link", "add", bridge, "type", "veth", "peer", "name", "p-root", "netns", self.switch)
        sh("ip", "-n", self.switch, "link", "set", "p-root", "master", "br0", "up")
        sh("ip", "addr", "add", f"{self.gateway}/24", "dev", bridge)
        sh("ip", "link", "set", bridge, "up")

    def remove_leftovers(self):
        """A previous run that died left its namespaces and bridge: only ours, by their names."""
        listed = sh("ip", "netns", "list", check=False).stdout.split()
        for name in listed:
            if name.startswith(self.prefix + "-"):
                sh("ip", "netns", "del", name, check=False)
        sh("ip", "link", "del", self.bridge, check=False)

    def add(self, name, octet):
        host = Host(self, name, f"{self.subnet}.{octet}")
        sh("ip", "netns", "add", host.netns)
        peer = "eth0"
        sh("ip", "-n", self.switch, "link", "add", host.veth, "type", "veth", "peer", "name", peer,
           "netns", host.netns)
        sh("ip", "-n", self.switch, "link", "set", host.veth, "master", "br0", "up")
        host.run("ip", "addr", "add", f"{host.ip}/24", "dev", peer)
        host.run("ip", "link", "set", peer, "up")
        host.run("ip", "link", "set", "lo", "up")
        host.run("ip", "route", "add", "default", "via", self.gateway)
        self.hosts[name] = host
        return host

    def cleanup(self):
        problems = []
        for host in self.hosts.values():
            for proc in host.procs:
                if stop_proc(proc, timeout=20) is None:
                    problems.append(f"{host.name}: pid {proc.pid} had to be killed")
        for host in self.hosts.values():
            sh("ip", "netns", "del", host.netns, check=False)
        sh("ip", "netns", "del", self.switch, check=False)
        sh("ip", "link", "del", self.bridge, check=False)
        return problems
