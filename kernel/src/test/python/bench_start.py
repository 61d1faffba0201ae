"""Kernel start benchmark: start the installed kernel N times (default 30), each time timing
launch -> first execute_result of "1 + 1"; prints each time, then successes/N and min/median/max.
Exits non-zero unless every start succeeds and, with --max-seconds, the median start is under it
(with --strict: every start; timings on a shared 2-core machine vary with its load).

    JUPYTER_PATH=... /usr/bin/python3 bench_start.py [--runs 30] [--max-seconds 3] [--strict]
"""
import argparse
import os
import statistics
import sys
import time

from jupyter_client.manager import KernelManager

parser = argparse.ArgumentParser()
parser.add_argument("--runs", type=int, default=30)
parser.add_argument("--max-seconds", type=float, default=None)
parser.add_argument("--strict", action="store_true", help="every start, not the median, must be under --max-seconds")
parser.add_argument("--kernel", default=os.environ.get("GPTCOURSE_KERNEL_NAME", "java-gptcourse"))
args = parser.parse_args()

times, failures = [], []
for i in range(args.runs):
    km = KernelManager(kernel_name=args.kernel)
    t0 = time.monotonic()
    try:
        km.start_kernel()
        kc = km.client()
        kc.start_channels()
        kc.wait_for_ready(timeout=60)
        result = []
        reply = kc.execute_interactive("1 + 1", timeout=60, output_hook=lambda m: result.append(m))
        elapsed = time.monotonic() - t0
        got = [m["content"]["data"]["text/plain"] for m in result if m["msg_type"] == "execute_result"]
        if reply["content"]["status"] != "ok" or got != ["2"]:
            raise RuntimeError("unexpected result %r / %r" % (reply["content"], got))
        times.append(elapsed)
        print("start %2d: %.2f s" % (i + 1, elapsed), flush=True)
        kc.stop_channels()
        del kc
    except Exception as e:  # a failed start is what this benchmark counts
        failures.append("start %d: %s" % (i + 1, e))
        print("start %2d: FAILED %s" % (i + 1, e), flush=True)
    finally:
        km.shutdown_kernel(now=False)

print("%d/%d starts succeeded" % (len(times), args.runs))
if times:
    print("start to first result: min %.2f s, median %.2f s, max %.2f s"
          % (min(times), statistics.median(times), max(times)))
slow = [t for t in times if args.max_seconds and t > args.max_seconds]
if slow:
    print("%d starts took longer than %.1f s" % (len(slow), args.max_seconds))
too_slow = bool(slow) if args.strict else bool(times and args.max_seconds
                                                  and statistics.median(times) > args.max_seconds)
sys.exit(1 if failures or too_slow else 0)
