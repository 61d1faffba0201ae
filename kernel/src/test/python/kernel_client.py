"""A small client for the kernel tests: start the installed kernel and run cells, collecting
every iopub message of each cell (until its `idle`), with a generous time bound."""
import os
import time
import unittest

from jupyter_client.manager import start_new_kernel

KERNEL_NAME = os.environ.get("GPTCOURSE_KERNEL_NAME", "java-gptcourse")


class Kernel:
    def __init__(self, env=None, log=None):
        kwargs = {"kernel_name": KERNEL_NAME, "startup_timeout": 90}
        if env:
            kwargs["env"] = dict(os.environ, **env)
        if log:
            kwargs["stderr"] = log
        self.km, self.kc = start_new_kernel(**kwargs)
        self.others = []  # iopub messages of other cells seen while collecting one


    def close(self):
        self.kc.stop_channels()
        self.km.shutdown_kernel(now=True)

    def execute(self, code, timeout=180):
        """Runs a cell; returns (reply content, [iopub messages of this cell up to and with idle])."""
        msg_id = self.kc.execute(code)
        return self.collect(msg_id, timeout)

    def collect(self, msg_id, timeout=180):
        deadline = time.monotonic() + timeout
        messages = []
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError("no idle for %s within %ss; got %d messages" % (msg_id, timeout, len(messages)))
            msg = self.kc.get_iopub_msg(timeout=left)
            if msg["parent_header"].get("msg_id") != msg_id:
                self.others.append(msg)
                continue
            messages.append(msg)
            if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                break
        reply = self.kc.get_shell_msg(timeout=max(1, deadline - time.monotonic()))
        while reply["parent_header"].get("msg_id") != msg_id:
            reply = self.kc.get_shell_msg(timeout=max(1, deadline - time.monotonic()))
        return reply["content"], messages

    def late_output(self, msg_id, seconds):
        """Messages of cell `msg_id` seen after its idle, waiting up to `seconds` for more."""
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            try:
                self.others.append(self.kc.get_iopub_msg(timeout=max(0.05, end - time.monotonic())))
            except Exception:
                pass
        return [m for m in self.others if m["parent_header"].get("msg_id") == msg_id]


def stream_text(messages, name="stdout"):
    return "".join(m["content"]["text"] for m in messages if m["msg_type"] == "stream" and m["content"]["name"] == name)


def error_lines(messages):
    import re
    errors = [m for m in messages if m["msg_type"] == "error"]
    assert len(errors) == 1, messages
    return [re.sub(r"\x1b\[[;\d]*m", "", line) for line in errors[0]["content"]["traceback"]]


class OneKernelTest(unittest.TestCase):
    """A test case whose tests share one kernel, self.k, started once for the class."""

    @classmethod
    def setUpClass(cls):
        cls.k = Kernel()

    @classmethod
    def tearDownClass(cls):
        cls.k.close()
