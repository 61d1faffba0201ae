"""Checks the outputs of the course notebooks after a run with GPTCOURSE_CI=1.

    /usr/bin/python3 tools/grading/check_notebooks.py EXECUTED_DIR [-v]

EXECUTED_DIR holds the executed copies of notebooks/*.ipynb (same names); environment/test-notebooks.sh
makes them with `jupyter nbconvert --execute`.
"""
import base64
import glob
import io
import json
import os
import re
import sys
import unittest

from PIL import Image

FOLDER = sys.argv.pop(1) if len(sys.argv) > 1 else "."
ANSI = re.compile(r"\x1b\[[;\d]*m")


def load(name):
    with open(os.path.join(FOLDER, name + ".ipynb"), encoding="utf-8") as f:
        return json.load(f)


def text(value):
    return "".join(value) if isinstance(value, list) else value


def cell_with(nb, snippet):
    """The one code cell whose source contains snippet."""
    found = [c for c in nb["cells"] if c["cell_type"] == "code" and snippet in text(c["source"])]
    assert len(found) == 1, "%d code cells contain %r" % (len(found), snippet)
    return found[0]


def printed(cell):
    return "".join(text(o["text"]) for o in cell["outputs"] if o["output_type"] == "stream" and o["name"] == "stdout")


def data(cell, mime, kinds=("execute_result", "display_data")):
    return [text(o["data"][mime]) for o in cell["outputs"] if o["output_type"] in kinds and mime in o["data"]]


def png(b64):
    return Image.open(io.BytesIO(base64.b64decode(b64)))


class EveryNotebook(unittest.TestCase):
    def test_every_cell_ran_without_error(self):
        names = sorted(os.path.basename(p)[:-6] for p in glob.glob(os.path.join(FOLDER, "*.ipynb")))
        self.assertEqual(names, ["01-model-and-args", "02-data", "03-training-loop", "04-loss-curve",
                                 "05-log-completions"])
        for name in names:
            for cell in load(name)["cells"]:
                if cell["cell_type"] != "code":
                    continue
                self.assertIsNotNone(cell["execution_count"], "%s: a cell did not run: %s" % (name, text(cell["source"])[:80]))
                errors = [ANSI.sub("", o["evalue"]) for o in cell["outputs"] if o["output_type"] == "error"]
                self.assertEqual(errors, [], "%s: %s" % (name, text(cell["source"])[:80]))


class ChartsAndTables(unittest.TestCase):
    """Every chart and table goes through gptcourse.notebook.Outputs, which renders on any kernel
    built on jupyter-jvm-basekernel (IJava too), not through a renderer only the course kernel has."""

    def test_charts_and_tables_are_rendered_by_the_library(self):
        for path in sorted(glob.glob(os.path.join(FOLDER, "*.ipynb"))):
            name = os.path.basename(path)
            for cell in load(name[:-6])["cells"]:
                where = "%s: %s" % (name, text(cell["source"])[:80])
                if cell["cell_type"] != "code":
                    continue
                self.assertNotRegex(text(cell["source"]), r"(^|[^.\w])display\(", where)
                for o in cell["outputs"]:
                    d = o.get("data", {})
                    if "image/png" in d:
                        self.assertTrue(text(d.get("text/plain", "")).startswith('chart "'), where)
                    if "<table" in text(d.get("text/html", "")):
                        self.assertTrue(text(d["text/html"]).startswith('<table class="gptcourse-table">'), where)


class ModelAndArgs(unittest.TestCase):
    nb = load("01-model-and-args")

    def test_backend_config_and_size(self):
        self.assertRegex(data(cell_with(self.nb, "Backend.describe()"), "text/plain")[0], r"^(CPU|CUDA)")
        self.assertIn("nCtx=128", data(cell_with(self.nb, ".withNCtx(128)"), "text/plain")[0])
        sizes = cell_with(self.nb, "Map<String, Long> byPart")
        self.assertIn("3,321,681 parameters", printed(sizes))
        self.assertEqual(data(sizes, "text/html")[0].count("<tr>"), 1 + 8)  # header, embed, pos_embed, 4 blocks, ln_final, unembed

    def test_args_show_the_tutorial_defaults(self):
        shown = data(cell_with(self.nb, "var args = new TransformerTrainingArgs();"), "text/plain")[0]
        self.assertIn("batchSize=32, epochs=10, maxStepsPerEpoch=500, lr=0.001, weightDecay=0.01", shown)


class Data(unittest.TestCase):
    nb = load("02-data")

    def test_story_rows_split_and_first_batch(self):
        self.assertIn("Dataset({features: ['text'], num_rows:", printed(cell_with(self.nb, "dataset.text(0)")))
        split = data(cell_with(self.nb, "trainTestSplit"), "text/plain")[0]
        self.assertRegex(split, r"train: Dataset\(\{features: \['tokens'\], num_rows: \d+\}\)")
        self.assertEqual(printed(cell_with(self.nb, "firstBatch.asMap()")), "[tokens]\n[4, 128]\n")
        self.assertTrue(printed(cell_with(self.nb, "tokenizer.decode(row)")).startswith("[50256, "))


class TrainingLoop(unittest.TestCase):
    nb = load("03-training-loop")

    def test_the_self_checks_pass(self):
        for method in ("trainingStep", "evaluate"):
            lines = printed(cell_with(self.nb, "Checks.%s(MyTrainer::new);" % method)).splitlines()
            self.assertEqual(lines[0], "Checking %s on a tiny model, next to the reference solution:" % method)
            self.assertGreaterEqual(len(lines), 4)
            for line in lines[1:]:
                self.assertTrue(line.startswith("  ✔ "), line)

    def test_the_loss_falls_and_the_live_chart_decodes(self):
        run = cell_with(self.nb, "trainer.train();")
        charts = data(run, "image/png", ("display_data",))
        self.assertEqual(len(charts), 1, "the live chart is one output, redrawn in place")
        self.assertEqual(png(charts[0]).size, (800, 450))
        self.assertTrue(any("100%" in t for t in data(run, "text/plain", ("display_data",))))
        self.assertTrue(any("<table" in t and "train_loss" in t for t in data(run, "text/html", ("display_data",))))
        m = re.search(r"train_loss (\d+\.\d+) at step 1, (\d+\.\d+) at step (\d+)", printed(cell_with(self.nb, "losses.get(0)")))
        self.assertIsNotNone(m)
        first, last, steps = float(m.group(1)), float(m.group(2)), int(m.group(3))
        self.assertAlmostEqual(first, 10.83, delta=0.1)  # ln(50257): an untrained model
        self.assertLess(last, first)
        self.assertGreaterEqual(steps, 2)


class LossCurve(unittest.TestCase):
    nb = load("04-loss-curve")

    def test_the_three_entropies(self):
        self.assertIn("ln(d_vocab) = 10.825", printed(cell_with(self.nb, "Math.log(dVocab)")))
        m = re.search(r"entropy of the token frequencies = (\d+\.\d+) nats", printed(cell_with(self.nb, "counts[token]++")))
        self.assertIsNotNone(m)
        baselines = printed(cell_with(self.nb, "LossBaselines.compute("))
        values = [float(v) for v in re.findall(r"(\d+\.\d+) nats", baselines)]
        self.assertEqual(len(values), 3, baselines)
        self.assertGreater(values[0], values[1])
        self.assertGreater(values[1], values[2])
        self.assertAlmostEqual(values[1], float(m.group(1)), delta=0.2)  # the loop also counts each row's BOS
        table = data(cell_with(self.nb, "baselineTable"), "text/html")[0]
        for name in ("uniform", "unigram", "bigram"):
            self.assertIn("<td>%s</td>" % name, table)

    def test_the_tutorials_figures_beside_the_datas(self):
        table = data(cell_with(self.nb, "baselineTable"), "text/html")[0]
        self.assertIn("<td>10.825</td>", table)
        self.assertIn("<td>7.349</td>", table)
        self.assertIn("TinyStories (the tutorial)", table)

    def test_the_chart_has_the_loss_and_the_three_lines(self):
        cell = cell_with(self.nb, "chart.getSeriesMap()")
        self.assertEqual(png(data(cell, "image/png", ("execute_result",))[0]).size, (800, 450))
        series = printed(cell)
        for label in ("train loss", "uniform ln(d_vocab) = 10.825", "unigram entropy = ", "bigram entropy = "):
            self.assertIn(label, series)


class Completions(unittest.TestCase):
    nb = load("05-log-completions")

    def test_the_completions_table_has_rows(self):
        table = data(cell_with(self.nb, "Outputs.table(trainer.completionsTable"), "text/html")[0]
        self.assertIn("Once upon a time", table)
        rows = table.count("<tr>") - 1
        self.assertGreaterEqual(rows, 1, table[:500])
        live = data(cell_with(self.nb, "trainer.train((m, prompt)"), "text/html", ("display_data",))
        self.assertTrue(any("completions" in t for t in live), "the table is shown while training")


if __name__ == "__main__":
    unittest.main(verbosity=2)
