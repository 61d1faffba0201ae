"""Runs code cells in a Jupyter kernel, one at a time, with a time limit per cell and a deadline.

A cell that runs past its limit is interrupted; if the kernel does not come back, or dies (say a
System.exit that no guard stopped), the session starts a fresh kernel and replays the cells that had
run without error, so the cells after it still run in the state they expect. Nothing runs past the
session's deadline: not a cell, not a replay (a replay that would is abandoned and said so).
The kernel's command can be wrapped (the grader's sandbox, sandbox.py).
"""
import queue
import time
from dataclasses import dataclass, field

import jupyter_client
from nbformat.v4 import output_from_msg

INTERRUPT_GRACE_S = 15


@dataclass
class CellRun:
    status: str                      # "ok", "error", "timeout" or "died"
    outputs: list = field(default_factory=list)
    ename: str = ""
    evalue: str = ""
    seconds: float = 0.0
    restarted: bool = False          # the kernel had to be replaced after this cell

    def text(self):
        """Everything the cell printed or showed as text, errors included."""
        parts = []
        for o in self.outputs:
            if o.get("output_type") == "stream":
                parts.append(o.get("text", ""))
            elif o.get("output_type") == "error":
                parts.append("%s: %s" % (o.get("ename", ""), o.get("evalue", "")))
            elif "data" in o:
                parts.append(str(o["data"].get("text/plain", "")))
        return "\n".join(parts)


class OutOfTime(Exception):
    """The session's deadline passed (while starting a kernel or replaying cells)."""


class WrappedKernelManager(jupyter_client.KernelManager):
    """A kernel manager whose command goes through wrap(command, connection_file) first."""
    wrap = None

    def format_kernel_cmd(self, extra_arguments=None):
        cmd = super().format_kernel_cmd(extra_arguments)
        return self.wrap(cmd, self.connection_file) if self.wrap else cmd


class KernelSession:
    def __init__(self, kernel_name, cwd, env, log_path, deadline, start_timeout=120, wrap=None):
        self.kernel_name = kernel_name
        self.cwd = cwd
        self.env = env
        self.log_path = log_path
        self.deadline = deadline     # time.monotonic() after which nothing runs
        self.start_timeout = start_timeout
        self.wrap = wrap
        self.replay = []             # code of the cells that ran without error, in order
        self.replay_timeout = None   # the last cell's limit, also used for each replayed cell
        self.km = None
        self.kc = None
        self._start()

    def left(self):
        return self.deadline - time.monotonic()

    def _start(self):
        if self.left() <= 0:
            raise OutOfTime("no time was left to start a kernel")
        self.km = WrappedKernelManager(kernel_name=self.kernel_name)
        self.km.wrap = self.wrap
        # the kernel process's own output (JVM warnings, a crash report) goes to a log, not the grader's
        with open(self.log_path, "ab") as log:
            self.km.start_kernel(cwd=self.cwd, env=self.env, stdout=log, stderr=log)
        self.kc = self.km.client()
        self.kc.start_channels()
        try:
            self.kc.wait_for_ready(timeout=max(1, min(self.start_timeout, self.left())))
        except RuntimeError:
            if self.left() <= 0:
                raise OutOfTime("the time ran out while the kernel started")
            raise

    def close(self):
        if self.kc is not None:
            self.kc.stop_channels()
        if self.km is not None and self.km.has_kernel:
            self.km.shutdown_kernel(now=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def restart(self):
        """A fresh kernel with the cells that had succeeded run again (their outputs are dropped).
        Raises OutOfTime if the deadline passes first."""
        self.close()
        self._start()
        for code in self.replay:
            if self.left() <= 0:
                raise OutOfTime("the time ran out while a new kernel replayed the cells that had worked")
            replayed = self._execute(code, min(self.replay_timeout, self.left()))
            if replayed.status in ("timeout", "died") and self.left() <= 0:
                raise OutOfTime("the time ran out while a new kernel replayed the cells that had worked")

    def run(self, code, timeout):
        """Runs one cell, for at most timeout seconds and never past the deadline; on timeout or
        death the session is ready for the next cell when this returns (or raises OutOfTime)."""
        timeout = min(timeout, self.left())
        if timeout <= 0:
            raise OutOfTime("no time was left to run the cell")
        self.replay_timeout = timeout
        result = self._execute(code, timeout)
        if result.status == "ok":
            self.replay.append(code)
        elif result.status in ("timeout", "died") and result.restarted:
            self.restart()
        return result

    def _execute(self, code, timeout):
        started = time.monotonic()
        deadline = None if timeout is None else started + timeout
        msg_id = self.kc.execute(code, store_history=True, allow_stdin=False, stop_on_error=False)
        result = CellRun("ok")
        displays = {}
        reply = None
        idle = False
        interrupted_at = None
        while reply is None or not idle:
            now = time.monotonic()
            if interrupted_at is not None and (now - interrupted_at > INTERRUPT_GRACE_S or now > self.deadline):
                result.restarted = True   # the interrupt did not stop it
                break
            if deadline is not None and now > deadline and interrupted_at is None:
                result.status = "timeout"
                self.km.interrupt_kernel()
                interrupted_at = now
            if not self.km.is_alive():
                result.status = "died"
                result.restarted = True
                break
            try:
                msg = self.kc.get_iopub_msg(timeout=0.2)
                if msg["parent_header"].get("msg_id") == msg_id:
                    idle = self._handle(msg, result, displays) or idle
            except queue.Empty:
                pass
            try:
                shell = self.kc.get_shell_msg(timeout=0)
                if shell["parent_header"].get("msg_id") == msg_id:
                    reply = shell["content"]
            except queue.Empty:
                pass
        if reply is not None and reply.get("status") == "error" and result.status == "ok":
            result.status = "error"
            result.ename = result.ename or reply.get("ename", "")
            result.evalue = result.evalue or reply.get("evalue", "")
        result.seconds = time.monotonic() - started
        return result

    @staticmethod
    def _handle(msg, result, displays):
        """Adds an iopub message to the outputs; True when the kernel went idle."""
        kind = msg["msg_type"]
        content = msg["content"]
        if kind == "status":
            return content.get("execution_state") == "idle"
        if kind == "clear_output":
            result.outputs.clear()
            displays.clear()
        elif kind == "update_display_data":
            index = displays.get(content.get("transient", {}).get("display_id"))
            if index is not None:
                result.outputs[index] = output_from_msg({"msg_type": "display_data", "content": content,
                                                         "header": msg["header"]})
        elif kind in ("stream", "display_data", "execute_result", "error"):
            out = output_from_msg(msg)
            if kind == "stream" and result.outputs and result.outputs[-1].get("output_type") == "stream" \
                    and result.outputs[-1].get("name") == out.get("name"):
                result.outputs[-1]["text"] += out["text"]
            else:
                display_id = content.get("transient", {}).get("display_id")
                if display_id:
                    displays[display_id] = len(result.outputs)
                result.outputs.append(out)
            if kind == "error":
                result.ename = content.get("ename", "")
                result.evalue = content.get("evalue", "")
        return False
