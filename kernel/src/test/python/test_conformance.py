"""Jupyter's kernel conformance suite (Debian's python3-jupyter-kernel-test) against the
installed "java-gptcourse" kernelspec, plus the protocol checks the suite doesn't make:
interrupt, restart, bad HMAC signatures, bind addresses and the key never logged.

Run by environment/test-kernel.sh (it installs the kernelspec and sets JUPYTER_PATH).
"""
import os
import subprocess
import time
import unittest

import jupyter_kernel_test
import zmq
from jupyter_client.manager import start_new_kernel
from jupyter_client.session import Session

KERNEL_NAME = os.environ.get("GPTCOURSE_KERNEL_NAME", "java-gptcourse")
jupyter_kernel_test.TIMEOUT = 60


class JavaKernelConformance(jupyter_kernel_test.KernelTests):
    kernel_name = KERNEL_NAME
    language_name = "java"
    file_extension = ".jshell"

    code_hello_world = 'System.out.println("hello, world");'
    code_stderr = 'System.err.println("to stderr");'
    completion_samples = [
        {"text": "Math.sqr", "matches": {"sqrt("}},
        {"text": "int q = 1; \"abc\".toUpperC", "matches": {"toUpperCase("}},
    ]
    complete_code_samples = ["1 + 1", "int x = 1;", "void f() { }", "class A { }",
                             "%maven org.example:x:1\nint y = 2;"]
    incomplete_code_samples = ["for (int i = 0; i < 3; i++) {", "int z = (1 +", "class B {"]
    invalid_code_samples = ["}", "int w = 1; )"]
    code_generate_error = 'throw new IllegalStateException("boom");'
    code_execute_result = [
        {"code": "6 * 7", "result": "42"},
        {"code": "\"hi\" + 1", "result": "hi1"},
        {"code": "Math.max(3, 4)", "result": "4"},
    ]
    code_display_data = [
        {"code": "display(new BufferedImage(8, 6, BufferedImage.TYPE_INT_RGB));", "mime": "image/png"},
        {"code": "display(\"<b>bold</b>\", \"text/html\");", "mime": "text/html"},
    ]
    code_history_pattern = "6*"
    supported_history_operations = ("tail", "range", "search")
    code_inspect_sample = "Math.abs"
    code_clear_output = 'System.out.println("soon gone"); clearOutput();'

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # The first cell waits for JShell's start-up, which on a loaded machine can take longer than the
        # suite's fixed 15 s per reply: wait for it here, with a generous bound.
        cls.kc.execute_interactive("1", timeout=180)


def listening_sockets(pid):
    """(host, port) of the TCP sockets process `pid` listens on, via psutil or `ss`."""
    def norm(host):
        return host.replace("::ffff:", "").strip("[]")  # an IPv4 address on a dual-stack socket
    try:
        import psutil
        return [(norm(c.laddr.ip), c.laddr.port) for c in psutil.Process(pid).connections(kind="tcp")
                if c.status == psutil.CONN_LISTEN]
    except ImportError:
        pass
    try:
        out = subprocess.run(["ss", "-Hltnp"], capture_output=True, text=True, check=True).stdout
    except FileNotFoundError:
        raise unittest.SkipTest("neither psutil nor ss is installed")
    found = []
    for line in out.splitlines():
        if "pid=%d," % pid in line:
            host, port = line.split()[3].rsplit(":", 1)
            found.append((norm(host), int(port)))
    return found


class JavaKernelProtocol(unittest.TestCase):
    """What a student relies on beyond the suite: interrupt, restart, inspect, is_complete indent."""

    @classmethod
    def setUpClass(cls):
        cls.log_path = os.path.join(os.environ.get("TMPDIR", "/tmp"), "gptcourse-kernel-test-%d.log" % os.getpid())
        cls.log = open(cls.log_path, "w")
        cls.km, cls.kc = start_new_kernel(kernel_name=KERNEL_NAME, startup_timeout=60, stderr=cls.log)

    @classmethod
    def tearDownClass(cls):
        cls.kc.stop_channels()
        cls.km.shutdown_kernel()
        cls.log.close()

    def run_cell(self, code, timeout=60):
        outputs = []
        reply = self.kc.execute_interactive(code, timeout=timeout,
                                            output_hook=lambda m: outputs.append(m))
        return reply["content"], [m for m in outputs if m["msg_type"] not in ("status", "execute_input")]

    def test_interrupt_stops_a_runaway_loop(self):
        msg_id = self.kc.execute("long n = 0; while (true) { n++; }")
        time.sleep(1.5)
        self.km.interrupt_kernel()
        reply = self.kc.get_shell_msg(timeout=20)
        self.assertEqual(reply["parent_header"]["msg_id"], msg_id)
        self.assertEqual(reply["content"]["status"], "error")
        self.assertEqual(reply["content"]["ename"], "Interrupted")
        content, outputs = self.run_cell("40 + 2")
        self.assertEqual(content["status"], "ok")
        self.assertEqual(outputs[-1]["content"]["data"]["text/plain"], "42")

    def test_the_log_has_no_security_manager_warnings(self):
        self.log.flush()
        with open(self.log_path) as f:
            log = f.read()
        self.assertNotIn("terminally deprecated", log)
        self.assertNotIn("setSecurityManager", log)

    def test_errors_are_short(self):
        content, outputs = self.run_cell("int a = 1;\nint b = a / 0;")
        self.assertEqual(content["status"], "error")
        tb = outputs[-1]["content"]["traceback"]
        self.assertLessEqual(len(tb), 4, tb)
        self.assertIn("ArithmeticException: / by zero", tb[0])
        self.assertIn("In[%d], line 2" % content["execution_count"], "\n".join(tb))
        content, outputs = self.run_cell("int c = 1;\nString d = c;")
        tb = outputs[-1]["content"]["traceback"]
        self.assertEqual(outputs[-1]["content"]["ename"], "CompilationError")
        self.assertIn("incompatible types", tb[0])
        self.assertIn("In[%d], line 2" % content["execution_count"], tb[0])

    def test_crashes_do_not_kill_the_kernel(self):
        for code, expected in [("System.exit(1);", "System.exit(1) is blocked"),
                               ("int f(int n) { return f(n + 1); }\nf(0);", "StackOverflowError"),
                               ("long[] huge = new long[Integer.MAX_VALUE];", "OutOfMemoryError")]:
            content, outputs = self.run_cell(code)
            self.assertEqual(content["status"], "error", code)
            self.assertIn(expected, outputs[-1]["content"]["traceback"][0])
        content, _ = self.run_cell("1")
        self.assertEqual(content["status"], "ok")

    def test_inspect_at_end_of_word_and_variables(self):
        self.run_cell("var greeting = \"hello\";")
        for code in ["Math.max", "Math.max(1, 2)", "greeting"]:
            cursor = 7 if code.startswith("Math.max(") else len(code)
            msg_id = self.kc.inspect(code, cursor)
            reply = self.kc.get_shell_msg(timeout=20)
            self.assertEqual(reply["parent_header"]["msg_id"], msg_id)
            self.assertTrue(reply["content"]["found"], code)
        self.assertIn("greeting", reply["content"]["data"]["text/plain"])
        self.assertIn("String", reply["content"]["data"]["text/plain"])

    def inspect_text(self, code, cursor=None):
        msg_id = self.kc.inspect(code, len(code) if cursor is None else cursor)
        reply = self.kc.get_shell_msg(timeout=30)
        self.assertEqual(reply["parent_header"]["msg_id"], msg_id)
        self.assertTrue(reply["content"]["found"], code)
        return reply["content"]["data"]["text/plain"]

    def test_inspect_shows_the_course_librarys_javadoc(self):
        text = self.inspect_text("Config.trainingDefaults")
        self.assertIn("Config gptcourse.model.Config.trainingDefaults(int", text)
        self.assertIn("The tutorial's training model", text)
        text = self.inspect_text("new Config().withDModel", 15)
        self.assertIn("withDModel", text)

    def test_inspect_shows_the_jdks_javadoc_where_its_sources_are_installed(self):
        java = os.environ.get("GPTCOURSE_JAVA") or (os.path.join(os.environ["JAVA_HOME"], "bin", "java")
                                                    if os.environ.get("JAVA_HOME") else "java")
        props = subprocess.run([java, "-XshowSettings:properties", "-version"], capture_output=True, text=True).stderr
        home = [line.split("=", 1)[1].strip() for line in props.splitlines() if line.strip().startswith("java.home")]
        if not home or not os.path.isfile(os.path.join(home[0], "lib", "src.zip")):
            raise unittest.SkipTest("the kernel's JDK has no lib/src.zip here (Debian: openjdk-17-source)")
        self.assertIn("absolute value", self.inspect_text("Math.abs"))

    def test_is_complete_gives_an_indent(self):
        self.kc.is_complete("if (true) {\n    if (true) {")
        reply = self.kc.get_shell_msg(timeout=20)
        self.assertEqual(reply["content"]["status"], "incomplete")
        self.assertEqual(reply["content"]["indent"], " " * 8)

    def test_bad_signature_is_rejected_and_logged_without_the_key(self):
        cf = self.km.get_connection_info()
        forged = Session(key=b"not-the-key", signature_scheme=cf["signature_scheme"])
        sock = zmq.Context.instance().socket(zmq.DEALER)
        sock.linger = 0
        sock.connect("tcp://%s:%d" % (cf["ip"], cf["shell_port"]))
        forged.send(sock, forged.msg("execute_request", {
            "code": "int forged = 1;", "silent": False, "store_history": True,
            "user_expressions": {}, "allow_stdin": False, "stop_on_error": True}))
        time.sleep(1.0)
        sock.close()
        content, outputs = self.run_cell("forged")
        self.assertEqual(content["status"], "error", "a forged message was executed")
        self.assertIn("cannot find symbol", outputs[-1]["content"]["traceback"][0])
        self.log.flush()
        with open(self.log_path) as f:
            log = f.read()
        self.assertIn("HMAC signature does not match", log)
        key = cf["key"].decode() if isinstance(cf["key"], bytes) else cf["key"]
        self.assertNotIn(key, log)

    def test_listens_only_on_the_connection_file_address(self):
        cf = self.km.get_connection_info()
        pid = self.km.provisioner.pid if hasattr(self.km, "provisioner") else self.km.kernel.pid
        listening = listening_sockets(pid)
        self.assertTrue(listening, "no listening sockets found for the kernel (pid %d)" % pid)
        ports = {cf[k] for k in ("shell_port", "iopub_port", "stdin_port", "control_port", "hb_port")}
        for host, port in listening:
            self.assertEqual(host, cf["ip"], (host, port))
            self.assertIn(port, ports, (host, port))

    def test_silent_execution_publishes_nothing_but_keeps_state(self):
        while True:  # drain iopub
            try:
                self.kc.get_iopub_msg(timeout=0.5)
            except Exception:
                break
        msg_id = self.kc.execute('int silentVar = 5; System.out.println("hidden");', silent=True)
        reply = self.kc.get_shell_msg(timeout=30)
        self.assertEqual(reply["parent_header"]["msg_id"], msg_id)
        self.assertEqual(reply["content"]["status"], "ok")
        seen = []
        while True:
            msg = self.kc.get_iopub_msg(timeout=5)
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            seen.append(msg["msg_type"])
            if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                break
        self.assertEqual(seen, ["status", "status"])
        content, outputs = self.run_cell("silentVar")
        self.assertEqual(outputs[-1]["content"]["data"]["text/plain"], "5")

    def test_store_history_false_keeps_the_count(self):
        counts = []
        for _ in range(2):
            self.kc.execute("1", store_history=False)
            counts.append(self.kc.get_shell_msg(timeout=30)["content"]["execution_count"])
        self.assertEqual(counts[0], counts[1])

    def test_comm_info_reply_is_valid(self):
        msg_id = self.kc.comm_info()
        reply = self.kc.get_shell_msg(timeout=20)
        jupyter_kernel_test.validate_message(reply, "comm_info_reply", msg_id)
        self.assertEqual(reply["content"]["status"], "ok")

    def test_restart_gives_a_fresh_kernel(self):
        self.run_cell("int beforeRestart = 1;")
        self.km.restart_kernel(now=False)
        self.kc.wait_for_ready(timeout=60)
        content, outputs = self.run_cell("beforeRestart")
        self.assertEqual(content["status"], "error")
        content, _ = self.run_cell("2 + 2")
        self.assertEqual(content["status"], "ok")


if __name__ == "__main__":
    unittest.main(verbosity=2)
