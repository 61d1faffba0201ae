#!/usr/bin/python3
"""The same training step as gptcourse.bench.TrainStepBench, in Debian's PyTorch (python3-torch).

The tutorial's training model (d_model 32, 16 heads of 2, d_mlp 128, 4 layers, n_ctx 128,
d_vocab 50257), batch 32 of random tokens, AdamW lr 1e-3 wd 1e-2, loss
-get_log_probs(logits, tokens).mean(). The model is the one the golden fixtures use
(tools/golden/make_fixtures.py). Prints one line per step, then one JSON line like the Java bench:
median wall and process-CPU seconds per step and the peak RSS.

    /usr/bin/python3 tools/bench/torch_train_step.py [--steps 20] [--warmup 3] [--batch 32]
    LD_PRELOAD=/usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4 /usr/bin/python3 tools/bench/torch_train_step.py
"""
import argparse
import json
import os
import resource
import statistics
import sys
import time
from pathlib import Path

import torch as t

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "golden"))
from make_fixtures import Config, DemoTransformer, get_log_probs  # noqa: E402


def positive(text):
    value = int(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {text}")
    return value


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=positive, default=20)
    parser.add_argument("--warmup", type=positive, default=3)
    parser.add_argument("--batch", type=positive, default=32)
    parser.add_argument("--threads", type=positive, default=len(os.sched_getaffinity(0)),
                        help="intra-op threads (default: the CPUs this process may use, as the Java bench)")
    args = parser.parse_args()
    # Debian's build (OpenMP, no MKL) can start with one thread on a 2-core machine; the Java bench uses both
    t.set_num_threads(args.threads)
    t.use_deterministic_algorithms(False)
    t.manual_seed(0)
    cfg = Config(d_model=32, d_vocab=50257, n_ctx=128, d_head=2, d_mlp=128, n_heads=16, n_layers=4)
    model = DemoTransformer(cfg)
    # the fixtures' model leaves its weights uninitialised (t.empty: the fixtures copy values in); start
    # from the tutorial's init, as the Java bench does: garbage weights give NaN losses and denormal-slow steps
    with t.no_grad():
        for name, p in model.named_parameters():
            if name.rsplit(".", 1)[-1].startswith("W_"):
                t.nn.init.normal_(p, std=cfg.init_range)
    optimizer = t.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=1e-2)
    tokens = t.randint(0, cfg.d_vocab, (args.batch, cfg.n_ctx))
    walls, cpus = [], []
    for i in range(args.warmup + args.steps):
        w0, c0 = time.perf_counter(), time.process_time()
        logits = model(tokens)
        loss = -get_log_probs(logits, tokens).mean()
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
        value = loss.item()
        del logits, loss
        wall, cpu = time.perf_counter() - w0, time.process_time() - c0
        if i >= args.warmup:
            walls.append(wall)
            cpus.append(cpu)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 / 1024
        print(f"step {i}: {wall:.3f} s, cpu {cpu:.3f} s, loss {value:.4f}, peak rss {peak:.2f} GB", flush=True)
    print(json.dumps({
        "bench": "torch_train_step", "torch": t.__version__, "threads": t.get_num_threads(),
        "malloc": "tcmalloc" if "tcmalloc" in os.environ.get("LD_PRELOAD", "") else "glibc",
        "batch": args.batch, "steps": args.steps,
        "median_s": round(statistics.median(walls), 4), "cpu_median_s": round(statistics.median(cpus), 4),
        "peak_rss_gb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 / 1024, 3),
    }))


if __name__ == "__main__":
    main()
