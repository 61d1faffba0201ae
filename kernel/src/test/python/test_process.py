"""The kernel's process, as environment/launch-kernel.sh starts it (environment/native-env.sh): ND4J's
OpenMP threads sleep while they wait, and tcmalloc serves malloc wherever it is installed (unless
GPTCOURSE_MALLOC=glibc). Run by environment/test-kernel.sh."""
import glob
import unittest

from kernel_client import Kernel, stream_text

TCMALLOC = [p for pattern in ("/usr/lib/*-linux-gnu/libtcmalloc_minimal.so.4", "/usr/lib64/libtcmalloc_minimal.so.4")
            for p in glob.glob(pattern)]
PROBE = ('System.out.println(System.getenv("OMP_WAIT_POLICY") + " " + java.nio.file.Files.readString('
         'java.nio.file.Path.of("/proc/self/maps")).contains("libtcmalloc_minimal"));')


def probe(env=None):
    k = Kernel(env=env)
    try:
        reply, msgs = k.execute(PROBE)
        assert reply["status"] == "ok", reply
        return stream_text(msgs).strip()
    finally:
        k.close()


class Process(unittest.TestCase):
    def test_openmp_threads_sleep_and_tcmalloc_is_used_where_installed(self):
        self.assertEqual(probe({"OMP_WAIT_POLICY": "", "GPTCOURSE_MALLOC": ""}),
                         "PASSIVE " + ("true" if TCMALLOC else "false"))

    def test_glibc_malloc_on_request(self):
        self.assertEqual(probe({"GPTCOURSE_MALLOC": "glibc"}).split()[1], "false")


if __name__ == "__main__":
    unittest.main()
