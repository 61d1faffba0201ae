"""The grader's judge: gptcourse.grading.GradingServer in a JVM of its own, which no student code
runs in. It computes the reference solution's observations once per batch (the same seeds and
weights as the checks in the students' kernels) and turns each student's observations (already
parsed by channel.py) into sub-check results.
"""
import json
import os
import shutil
import subprocess
import threading

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


class JudgeError(RuntimeError):
    pass


def java_command():
    java = os.environ.get("GPTCOURSE_JAVA")
    if not java and os.environ.get("JAVA_HOME"):
        java = os.path.join(os.environ["JAVA_HOME"], "bin", "java")
    return java or shutil.which("java") or "java"


class Judge:
    def __init__(self, log_path, start_timeout=600):
        classpath = os.path.join(ROOT, "kernel", "target", "kernel-lib", "*")
        self.log = open(log_path, "ab")
        self.proc = subprocess.Popen(
            [java_command(), "-Xmx2g", "-Dorg.bytedeco.javacpp.maxPhysicalBytes=0", "-cp", classpath,
             "gptcourse.grading.GradingServer"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.log, text=True, encoding="utf-8", bufsize=1)
        self.lock = threading.Lock()
        ready = self._line(start_timeout)
        if not ready.get("ready"):
            raise JudgeError("the judge did not start: %s" % ready)
        self.parts = ready["parts"]

    def _line(self, timeout):
        result = {}

        def read():
            result["line"] = self.proc.stdout.readline()
        t = threading.Thread(target=read, daemon=True)
        t.start()
        t.join(timeout)
        line = result.get("line")
        if not line:
            raise JudgeError("the judge (gptcourse.grading.GradingServer) %s; see %s" % (
                "stopped" if self.proc.poll() is not None else "did not answer", self.log.name))
        return json.loads(line)

    def judge(self, method, problem, observation):
        """[(passed, text)] for one check, one entry per sub-check."""
        request = json.dumps({"method": method, "problem": problem, "observation": observation})
        with self.lock:
            self.proc.stdin.write(request + "\n")
            self.proc.stdin.flush()
            answer = self._line(120)
        if "error" in answer:
            raise JudgeError("the judge could not read the %s observation: %s" % (method, answer["error"]))
        return [(bool(r["passed"]), str(r["text"])) for r in answer["results"]]

    def close(self):
        try:
            self.proc.stdin.close()
            self.proc.wait(timeout=30)
        except Exception:
            self.proc.kill()
        self.log.close()
