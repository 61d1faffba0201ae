"""100,000 printed lines through the clients students use: nbclient (what nbconvert and the
autograder run) and the classic Notebook server (its websocket, with its iopub rate limits on),
complete and in order; a thread's output in its own cell, also after the cell ended, never in the
server's log. Run by environment/test-kernel.sh."""
import asyncio
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.request
import uuid

import nbformat
from nbclient import NotebookClient

KERNEL_NAME = os.environ.get("GPTCOURSE_KERNEL_NAME", "java-gptcourse")
LINES = 100_000
PRINT_LINES = 'for (int i = 0; i < %d; i++) System.out.println("line " + i);' % LINES
EXPECTED = ["line %d" % i for i in range(LINES)]
THREAD_CELL = ('Thread worker = new Thread(() -> {\n'
               '    for (int i = 0; i < 3; i++) {\n'
               '        System.out.println("tick " + i);\n'
               '        try { Thread.sleep(300); } catch (InterruptedException e) { return; }\n'
               '    }\n'
               '});\n'
               'worker.start();\n'
               'worker.join();')
LATE_CELL = ('new Thread(() -> {\n'
             '    try { Thread.sleep(1500); } catch (InterruptedException e) { return; }\n'
             '    System.out.println("late tick");\n'
             '}).start();')


def stdout_of(outputs):
    return "".join(o["text"] for o in outputs if o.get("output_type") == "stream" and o["name"] == "stdout")


class NbClient(unittest.TestCase):
    def test_100k_lines_and_thread_output(self):
        nb = nbformat.v4.new_notebook()
        nb.cells = [nbformat.v4.new_code_cell(PRINT_LINES), nbformat.v4.new_code_cell(THREAD_CELL),
                    nbformat.v4.new_code_cell('System.out.println("next cell");')]
        start = time.monotonic()
        NotebookClient(nb, kernel_name=KERNEL_NAME, timeout=300, startup_timeout=90).execute()
        print("nbclient: %d lines in %.1f s (kernel start included)" % (LINES, time.monotonic() - start),
              file=sys.stderr)
        lines = stdout_of(nb.cells[0].outputs).splitlines()
        self.assertEqual(len(lines), LINES)
        self.assertEqual(lines, EXPECTED)
        self.assertEqual(stdout_of(nb.cells[1].outputs), "tick 0\ntick 1\ntick 2\n")
        self.assertEqual(stdout_of(nb.cells[2].outputs), "next cell\n")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class NotebookServer(unittest.TestCase):
    """The classic Notebook server (notebook 6), talked to over its websocket as the browser does."""

    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="gptcourse-nbserver-")
        cls.port = free_port()
        cls.token = uuid.uuid4().hex
        cls.log_path = os.path.join(cls.dir, "server.log")
        cls.log = open(cls.log_path, "w")
        cls.server = subprocess.Popen(
            [sys.executable, "-m", "notebook", "--no-browser", "--allow-root", "--ip=127.0.0.1", "--port=%d" % cls.port,
             "--port-retries=0", "--NotebookApp.token=" + cls.token, "--notebook-dir=" + cls.dir],
            stdout=cls.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 90
        while True:
            try:
                cls.api("GET", "/api")
                break
            except OSError:
                if time.monotonic() > deadline or cls.server.poll() is not None:
                    raise
                time.sleep(0.5)
        cls.kernel_id = cls.api("POST", "/api/kernels", {"name": KERNEL_NAME})["id"]

    @classmethod
    def tearDownClass(cls):
        try:
            cls.api("DELETE", "/api/kernels/" + cls.kernel_id)
        finally:
            cls.server.terminate()
            cls.server.wait(30)
            cls.log.close()

    @classmethod
    def api(cls, method, path, body=None):
        req = urllib.request.Request("http://127.0.0.1:%d%s" % (cls.port, path), method=method,
                                     data=None if body is None else json.dumps(body).encode(),
                                     headers={"Authorization": "token " + cls.token})
        with urllib.request.urlopen(req, timeout=30) as r:
            data = r.read()
        return json.loads(data) if data else None

    def run_cells(self, codes, linger=0.0):
        """Runs cells one after another over one websocket; returns {msg_id: [iopub messages]}."""
        from tornado.websocket import websocket_connect

        async def go():
            url = "ws://127.0.0.1:%d/api/kernels/%s/channels?token=%s" % (self.port, self.kernel_id, self.token)
            ws = await websocket_connect(url)
            session = uuid.uuid4().hex
            seen = {}
            ids = []
            for code in codes:
                msg_id = uuid.uuid4().hex
                ids.append(msg_id)
                seen[msg_id] = []
                ws.write_message(json.dumps({
                    "header": {"msg_id": msg_id, "username": "test", "session": session, "msg_type": "execute_request",
                               "version": "5.3", "date": ""},
                    "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
                    "content": {"code": code, "silent": False, "store_history": True, "user_expressions": {},
                                "allow_stdin": False, "stop_on_error": True}}))
                deadline = time.monotonic() + 300
                while True:
                    raw = await asyncio.wait_for(ws.read_message(), timeout=max(1, deadline - time.monotonic()))
                    self.assertIsNotNone(raw, "the websocket closed")
                    msg = json.loads(raw)
                    parent = msg.get("parent_header", {}).get("msg_id")
                    if msg.get("channel") == "iopub" and parent in seen:
                        seen[parent].append(msg)
                        if parent == msg_id and msg["msg_type"] == "status" \
                                and msg["content"]["execution_state"] == "idle":
                            break
            end = time.monotonic() + linger
            while time.monotonic() < end:
                try:
                    raw = await asyncio.wait_for(ws.read_message(), timeout=max(0.05, end - time.monotonic()))
                except asyncio.TimeoutError:
                    continue
                msg = json.loads(raw)
                parent = msg.get("parent_header", {}).get("msg_id")
                if msg.get("channel") == "iopub" and parent in seen:
                    seen[parent].append(msg)
            ws.close()
            return ids, seen

        return asyncio.run(go())

    @staticmethod
    def text(msgs, name="stdout"):
        return "".join(m["content"]["text"] for m in msgs if m["msg_type"] == "stream" and m["content"]["name"] == name)

    def test_100k_lines_arrive_complete_and_in_order(self):
        start = time.monotonic()
        ids, seen = self.run_cells([PRINT_LINES])
        print("notebook server: %d lines in %.1f s" % (LINES, time.monotonic() - start), file=sys.stderr)
        msgs = seen[ids[0]]
        self.assertNotIn("rate exceeded", self.text(msgs, "stderr"))
        self.assertEqual(self.text(msgs).splitlines(), EXPECTED)
        self.assertEqual(msgs[-1]["content"]["execution_state"], "idle")

    def test_thread_output_after_its_cell_goes_to_that_cell_not_the_log(self):
        ids, seen = self.run_cells([LATE_CELL, 'System.out.println("meanwhile");'], linger=3.0)
        self.assertEqual(self.text(seen[ids[1]]), "meanwhile\n")
        self.assertEqual(self.text(seen[ids[0]]), "late tick\n")
        self.log.flush()
        with open(self.log_path) as f:
            self.assertNotIn("late tick", f.read())


if __name__ == "__main__":
    unittest.main(verbosity=2)
