"""The operating system's isolation for one student's kernel (docs/grading.md, "Threat model").

Each submission's worker runs in a network namespace of its own (util-linux `unshare --net`, with
only its own loopback up), and its kernel runs under bubblewrap (`bwrap`) as an unprivileged user
of its own (`setpriv`), in its own PID, IPC and mount namespaces: the system and the kernel's jars
read-only, a private /tmp, no view of the grader's files (instructor notebooks, other submissions,
the report), an environment reduced to an allow-list, no new privileges, and a cgroup that caps
its memory (off-heap included) and its number of processes. When the kernel's PID namespace ends,
everything the submission started ends with it, detached children included.

Where the machine cannot do this (not root, no bwrap, no namespaces), `probe()` says what is
missing and the grader runs the kernel without it, with a loud warning in the report.
"""
import fcntl
import os
import shutil
import socket
import struct
import subprocess

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
HOME = "/tmp"                    # the kernel's home and working folder inside the sandbox
CHANNEL = "/grading"             # where Checks.require writes its observations (GPTCOURSE_GRADING_OUT)
CONNECTION = "/run/gptcourse/kernel.json"
FIRST_UID = 61000                # one unprivileged user per submission: FIRST_UID + a slot number
# variables the kernel may see; everything else in the grader's environment (tokens, keys) is dropped
ALLOWED_ENV = ("LANG", "LC_ALL", "GPTCOURSE_CI", "GPTCOURSE_NATIVES", "GPTCOURSE_JAVA")


def probe():
    """(ok, [what is missing]): whether this machine can sandbox kernels as described above."""
    missing = []
    if os.geteuid() != 0:
        missing.append("the grader is not root, so kernels cannot run as users of their own")
    for tool, package in (("bwrap", "bubblewrap"), ("setpriv", "util-linux"), ("unshare", "util-linux")):
        if shutil.which(tool) is None:
            missing.append("no %s (Debian package %s)" % (tool, package))
    if not missing:
        trial = subprocess.run(["unshare", "--net", "--", "bwrap", "--unshare-pid", "--unshare-ipc", "--ro-bind", "/",
                                "/", "--", "true"], capture_output=True, text=True, timeout=60)
        if trial.returncode != 0:
            missing.append("namespaces are not allowed here (%s)" % (trial.stderr.strip().splitlines() or ["?"])[-1])
    if memory_cgroup_parent() is None:
        missing.append("no writable memory cgroup, so the kernel's memory is not capped")
    return not missing, missing


def loopback_up():
    """Brings up `lo` in this (new) network namespace, so the kernel's ports work on it."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        ifr = struct.pack("16sH", b"lo", 0)
        flags = struct.unpack("16sH", fcntl.ioctl(s, 0x8913, ifr)[:18])[1]          # SIOCGIFFLAGS
        fcntl.ioctl(s, 0x8914, struct.pack("16sH", b"lo", flags | 0x1))             # SIOCSIFFLAGS, IFF_UP
    finally:
        s.close()


def _own_cgroup(controller):
    try:
        with open("/proc/self/cgroup") as f:
            for line in f:
                _, names, path = line.rstrip("\n").split(":", 2)
                if controller in names.split(",") or (controller == "" and names == ""):
                    return path
    except OSError:
        pass
    return None


def _cgroup_parent(controller, v1_file, v2_file):
    v1 = _own_cgroup(controller)
    if v1 is not None and os.path.isdir("/sys/fs/cgroup/" + controller):
        base = os.path.join("/sys/fs/cgroup", controller, v1.lstrip("/"))
        if os.access(base, os.W_OK) and os.path.exists(os.path.join(base, v1_file)) or \
                os.access(base, os.W_OK) and v1_file.startswith("pids"):
            return base, v1_file
    v2 = _own_cgroup("")
    if v2 is not None and os.path.exists("/sys/fs/cgroup/cgroup.controllers"):
        base = os.path.join("/sys/fs/cgroup", v2.lstrip("/"))
        if os.access(base, os.W_OK):
            return base, v2_file
    return None


def memory_cgroup_parent():
    return _cgroup_parent("memory", "memory.limit_in_bytes", "memory.max")


class Cgroups:
    """A memory (and, where possible, process-count) cgroup for one submission."""

    def __init__(self, name, memory_mb, max_pids=4096):
        self.dirs = []
        for controller, v1_file, v2_file, value in (
                ("memory", "memory.limit_in_bytes", "memory.max", str(memory_mb * 1024 * 1024)),
                ("pids", "pids.max", "pids.max", str(max_pids))):
            parent = _cgroup_parent(controller, v1_file, v2_file)
            if parent is None:
                continue
            path = os.path.join(parent[0], name)
            if path in self.dirs:
                continue
            try:
                os.makedirs(path, exist_ok=True)
                with open(os.path.join(path, parent[1]), "w") as f:
                    f.write(value)
                if controller == "memory" and parent[1] == "memory.limit_in_bytes":
                    try:   # no swap to escape to, where the kernel accounts it
                        with open(os.path.join(path, "memory.memsw.limit_in_bytes"), "w") as f:
                            f.write(value)
                    except OSError:
                        pass
                self.dirs.append(path)
            except OSError:
                continue

    def enter(self, pid=None):
        for d in self.dirs:
            with open(os.path.join(d, "cgroup.procs"), "w") as f:
                f.write(str(pid or os.getpid()))

    def oom_killed(self):
        for d in self.dirs:
            for name in ("memory.oom_control", "memory.events"):
                try:
                    with open(os.path.join(d, name)) as f:
                        text = f.read()
                except OSError:
                    continue
                for line in text.splitlines():
                    key, _, value = line.partition(" ")
                    if key == "oom_kill" and value.strip() not in ("", "0"):
                        return True
        return False

    def kill_and_remove(self):
        """Kills whatever is left in the cgroups (a process the namespace did not take along) and removes them."""
        for d in self.dirs:
            for _ in range(50):
                try:
                    with open(os.path.join(d, "cgroup.procs")) as f:
                        pids = [int(p) for p in f.read().split()]
                except OSError:
                    break
                if not pids:
                    break
                for p in pids:
                    try:
                        os.kill(p, 9)
                    except OSError:
                        pass
                import time
                time.sleep(0.05)
            try:
                os.rmdir(d)
            except OSError:
                pass


def _system_binds():
    args = ["--ro-bind", "/usr", "/usr", "--ro-bind", "/etc", "/etc"]
    for top in ("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"):
        if os.path.islink(top):
            args += ["--symlink", os.readlink(top), top]
        elif os.path.isdir(top):
            args += ["--ro-bind", top, top]
    java = shutil.which("java")
    if java:
        home = os.path.dirname(os.path.dirname(os.path.realpath(java)))
        if not home.startswith("/usr/"):
            args += ["--ro-bind", home, home]
    return args


def _parents(paths, made):
    """--dir for each missing parent folder of paths, readable by all (bwrap would make them 0700)."""
    args = []
    for path in paths:
        parts = path.strip("/").split("/")[:-1]
        for i in range(1, len(parts) + 1):
            folder = "/" + "/".join(parts[:i])
            if folder not in made:
                made.add(folder)
                args += ["--perms", "0755", "--dir", folder]
    return args


def private_caches(work, uid):
    """{name: folder}: this submission's own copy of the caches a library writes to even when they are
    full (DJL's tokenizer library takes a lock in ~/.djl.ai), owned by its user; JavaCPP's large cache
    (~/.javacpp) is shared read-only."""
    out = {}
    mine = os.path.join(os.path.expanduser("~"), ".djl.ai")
    if os.path.isdir(mine):
        copy = os.path.join(work, "djl.ai")
        shutil.copytree(mine, copy, symlinks=True)
        for root, dirs, files in os.walk(copy):
            for name in [root] + [os.path.join(root, n) for n in dirs + files]:
                os.lchown(name, uid, uid)
        out[".djl.ai"] = copy
    return out


def kernel_command(kernel_cmd, connection_file, uid, channel, env, memory_mb, caches=None):
    """The kernelspec's command wrapped in the sandbox; the connection file is mapped to CONNECTION."""
    inner = [CONNECTION if a == connection_file else a for a in kernel_cmd]
    args = ["bwrap", "--die-with-parent", "--new-session", "--unshare-pid", "--unshare-ipc", "--unshare-uts",
            "--unshare-cgroup-try", "--hostname", "grading"]
    args += _system_binds()
    args += ["--proc", "/proc", "--dev", "/dev", "--perms", "1777", "--tmpfs", "/tmp", "--perms", "1777",
             "--tmpfs", "/dev/shm", "--perms", "0755", "--dir", "/var", "--perms", "1777", "--tmpfs", "/var/tmp"]
    made = {"/usr", "/etc", "/tmp", "/dev", "/proc", "/var"}
    repo = [os.path.join(ROOT, "environment"), os.path.join(ROOT, "kernel", "target")]
    args += _parents(repo + [CONNECTION, CHANNEL], made)
    for folder in repo:
        args += ["--ro-bind", folder, folder]
    # the native libraries the grader's own JVM unpacked (JavaCPP's read-only, DJL's a private copy): none unpacked again
    mine = os.path.join(os.path.expanduser("~"), ".javacpp")
    if os.path.isdir(mine):
        args += ["--ro-bind", mine, os.path.join(HOME, ".javacpp")]
    for name, folder in (caches or {}).items():
        args += ["--bind", folder, os.path.join(HOME, name)]
    args += ["--bind", channel, CHANNEL, "--ro-bind", connection_file, CONNECTION, "--chdir", HOME, "--clearenv"]
    for key, value in sandbox_env(env, memory_mb).items():
        args += ["--setenv", key, value]
    args += ["--", "setpriv", "--reuid", str(uid), "--regid", str(uid), "--clear-groups", "--no-new-privs",
             "--inh-caps=-all", "--bounding-set=-all", "--"]
    return args + inner


def sandbox_env(env, memory_mb):
    """The kernel's whole environment: the allow-list, plus the grader's settings for the sandbox."""
    out = {k: env[k] for k in ALLOWED_ENV if k in env}
    out.update({
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "HOME": HOME,
        "TMPDIR": HOME,
        "HF_HUB_OFFLINE": "1",
        "GPTCOURSE_RUNS_DIR": HOME + "/runs",
        "GPTCOURSE_CACHE": HOME + "/cache",
        "GPTCOURSE_GRADING_OUT": CHANNEL,
        # the heap gets half the cap; the rest is for ND4J's native memory, which the cgroup also counts
        # (user.home: the sandbox's user has no passwd entry; the native-library caches are found under it)
        "GPTCOURSE_KERNEL_JAVA_OPTS": "-Xmx%dm -Duser.home=%s" % (max(256, memory_mb // 2), HOME),
    })
    if "JAVA_HOME" in env and os.path.isdir(env["JAVA_HOME"]):
        out["JAVA_HOME"] = env["JAVA_HOME"]
    return out
