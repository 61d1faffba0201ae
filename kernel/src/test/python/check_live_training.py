"""The trainer's live outputs in a notebook, checked at the protocol level.

Trains a tiny model for two short epochs in the course kernel and checks what the notebook
receives: the tracker's loss chart shown once (display_data, image/png) and then redrawn in
place (update_display_data with the same display id), the progress bar updated in place, the
per-epoch sample line, and the summary table at finish; no error.

    GPTCOURSE_KERNEL_NAME=java-gptcourse /usr/bin/python3 check_live_training.py
"""
import base64
import io
import os
import sys
import tempfile
import unittest

from jupyter_client.manager import start_new_kernel
from PIL import Image

KERNEL_NAME = os.environ.get("GPTCOURSE_KERNEL_NAME", "java-gptcourse")

CODE = r"""
System.setProperty("gptcourse.runsDir", "%s");
var tokenizer = Gpt2Tokenizer.load();
var rows = DataUtils.tokenizeAndConcatenate(TinyStories.standIn("train"), tokenizer, false, 32, "text", true, 2, null);
var datasetDict = rows.trainTestSplit(8, 0);
var cfg = new Config().withDebug(false).withDModel(16).withNHeads(2).withDHead(8).withDMlp(32).withNLayers(1)
        .withNCtx(32).withDVocab(tokenizer.vocabSize());
var args = TransformerTrainingArgs.parse("--batch-size 16 --epochs 2 --max-steps-per-epoch 4 --lr 1e-2 --wandb-name live");
var trainer = new TransformerTrainer(args, new DemoTransformer(cfg, 0), datasetDict);
trainer.tracker.setBaselines(LossBaselines.compute(datasetDict.train()));
trainer.train();
"""


class LiveTraining(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.runs = tempfile.mkdtemp(prefix="gptcourse-live-")
        km, kc = start_new_kernel(kernel_name=KERNEL_NAME, startup_timeout=90)
        try:
            msg_id = kc.execute(CODE % cls.runs)
            cls.messages = []
            while True:
                msg = kc.get_iopub_msg(timeout=300)
                if msg["parent_header"].get("msg_id") != msg_id:
                    continue
                cls.messages.append(msg)
                if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                    break
            cls.reply = kc.get_shell_msg(timeout=30)
        finally:
            kc.stop_channels()
            km.shutdown_kernel(now=True)

    def of(self, msg_type):
        return [m["content"] for m in self.messages if m["msg_type"] == msg_type]

    def test_no_error(self):
        self.assertEqual([], self.of("error"))
        self.assertEqual("ok", self.reply["content"]["status"], self.reply["content"])

    def test_loss_chart_is_shown_then_redrawn_in_place(self):
        charts = [c for c in self.of("display_data") if "image/png" in c["data"]]
        self.assertEqual(1, len(charts), "one chart output")
        chart_id = charts[0]["transient"]["display_id"]
        updates = [c for c in self.of("update_display_data")
                   if c["transient"]["display_id"] == chart_id and "image/png" in c["data"]]
        self.assertGreaterEqual(len(updates), 1, "the chart is redrawn in place at least once (at finish)")
        width, height = Image.open(io.BytesIO(base64.b64decode(updates[-1]["data"]["image/png"]))).size
        self.assertEqual((800, 450), (width, height))

    def test_progress_bar_updates_in_place(self):
        bars = [c for c in self.of("display_data") if "it/s" in c["data"].get("text/plain", "")]
        self.assertEqual(1, len(bars), "one progress bar output")
        bar_id = bars[0]["transient"]["display_id"]
        final = [c["data"]["text/plain"] for c in self.of("update_display_data")
                 if c["transient"]["display_id"] == bar_id]
        self.assertTrue(final and "8/8" in final[-1] and "Epoch 2, loss:" in final[-1], final[-1:])

    def test_epoch_samples_and_summary_table(self):
        out = "".join(c["text"] for c in self.of("stream") if c["name"] == "stdout")
        self.assertIn("Epoch 1: accuracy", out)
        self.assertIn("Sample: Once upon a time", out)
        tables = [c for c in self.of("display_data") if "<table" in c["data"].get("text/html", "")]
        self.assertEqual(1, len(tables), "the summary table at finish")
        self.assertIn("train_loss", tables[0]["data"]["text/html"])
        self.assertTrue(os.path.isfile(os.path.join(self.runs, "day1-demotransformer", "live", "metrics.csv")))


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1] + ["-v"])
