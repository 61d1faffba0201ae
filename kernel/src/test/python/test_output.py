"""Printed output: batched as ipykernel does, nothing lost, in order with displays, `idle` last,
and a thread's output in the cell that started it. Run by environment/test-kernel.sh."""
import unittest

from kernel_client import Kernel, OneKernelTest, stream_text

LINES = 100_000
PRINT_LINES = 'for (int i = 0; i < %d; i++) System.out.println("line " + i);' % LINES


class Output(OneKernelTest):
    def test_100k_lines_arrive_complete_in_order_and_batched(self):
        reply, msgs = self.k.execute(PRINT_LINES)
        self.assertEqual(reply["status"], "ok")
        text = stream_text(msgs)
        self.assertEqual(text.splitlines(), ["line %d" % i for i in range(LINES)])
        streams = [m for m in msgs if m["msg_type"] == "stream"]
        self.assertLess(len(streams), 2000, "one message per line would flood the client")
        self.assertEqual(msgs[-1]["content"]["execution_state"], "idle")

    def test_print_and_display_keep_their_order(self):
        reply, msgs = self.k.execute('System.out.println("before");\ndisplay("shown");\nSystem.out.println("after");\n'
                                     'System.err.println("err");')
        kinds = [(m["msg_type"], m["content"].get("text") or m["content"].get("data", {}).get("text/plain"))
                 for m in msgs if m["msg_type"] in ("stream", "display_data")]
        self.assertEqual(kinds[:3], [("stream", "before\n"), ("display_data", "shown"), ("stream", "after\n")])
        self.assertEqual(stream_text(msgs, "stderr"), "err\n")

    def test_output_before_an_error_arrives_before_it(self):
        reply, msgs = self.k.execute('System.out.println("first");\nthrow new RuntimeException("then");')
        types = [m["msg_type"] for m in msgs if m["msg_type"] in ("stream", "error")]
        self.assertEqual(types, ["stream", "error"])

    def test_thread_output_goes_to_the_cell_that_started_it(self):
        start = ('Thread worker = new Thread(() -> {\n'
                 '    for (int i = 0; i < 4; i++) {\n'
                 '        System.out.println("tick " + i);\n'
                 '        try { Thread.sleep(400); } catch (InterruptedException e) { return; }\n'
                 '    }\n'
                 '});\n'
                 'worker.start();\n'
                 'Thread.sleep(200);\n'
                 'System.out.println("cell done");')
        msg_a = self.k.kc.execute(start)
        reply, msgs_a = self.k.collect(msg_a)
        self.assertEqual(reply["status"], "ok")
        self.assertIn("tick 0\n", stream_text(msgs_a), "a thread's output while its cell runs goes to that cell")
        reply, msgs_b = self.k.execute('Thread.sleep(1000);\nSystem.out.println("cell B");')
        self.assertEqual(stream_text(msgs_b), "cell B\n", "another cell's thread printed into this one")
        self.k.execute("worker.join();")
        late = self.k.late_output(msg_a, 1.0)
        ticks = [line for line in (stream_text(msgs_a) + stream_text(late)).splitlines() if line.startswith("tick")]
        self.assertEqual(ticks, ["tick %d" % i for i in range(4)], "after its cell ended, the thread's output "
                                                                   "still goes to that cell")


if __name__ == "__main__":
    unittest.main(verbosity=2)


class StartupProblems(unittest.TestCase):
    """A broken startup script: its error is shown once in the first cell (no log line), the rest of
    the script still runs, IJAVA_TIMEOUT doesn't apply to the start-up, and the kernel's log has no
    SecurityManager warnings."""

    def inspect(self, k, code):
        msg_id = k.kc.inspect(code, len(code))
        reply = k.kc.get_shell_msg(timeout=60)
        self.assertEqual(reply["parent_header"]["msg_id"], msg_id)
        return reply["content"]["data"].get("text/plain", "") if reply["content"]["found"] else ""

    def test_a_broken_startup_script_runs_the_rest_and_reports_once(self):
        import os
        import tempfile
        log = tempfile.NamedTemporaryFile("w+", suffix=".log", delete=False)
        # IJAVA_TIMEOUT of 1 ms: a cell's sleep is stopped, none of the start-up
        k = Kernel(env={"IJAVA_STARTUP_SCRIPT": "int before = 1;\nint broken = ;\nint after = 3;",
                        "IJAVA_TIMEOUT": "1"}, log=log)
        try:
            reply, msgs = k.execute("Thread.sleep(60_000);")
            self.assertEqual(reply["status"], "error", msgs)
            self.assertIn("IJAVA_TIMEOUT", reply["evalue"])
            err = stream_text(msgs, "stderr")
            self.assertEqual(err.count("The IJAVA_STARTUP_SCRIPT failed"), 1, err)
            self.assertIn("line 2", err)
            self.assertNotIn("IJAVA_TIMEOUT", err, "the start-up was stopped by the cells' timeout")
            self.assertNotIn("WARN", err, "a log line landed in the cell")
            self.assertRegex(self.inspect(k, "after"), r"after:int|int after", "the script stopped at its first error")
            self.assertIn("XYChartBuilder", self.inspect(k, "new XYChartBuilder"), "the built-in script was cut short")
            reply, msgs = k.execute("1")
            self.assertEqual(stream_text(msgs, "stderr"), "", "start-up problems are shown once")
        finally:
            k.close()
            log.flush()
            log.seek(0)
            kernel_log = log.read()
            log.close()
            os.unlink(log.name)
        self.assertNotIn("terminally deprecated", kernel_log)
        self.assertNotIn("setSecurityManager", kernel_log)
