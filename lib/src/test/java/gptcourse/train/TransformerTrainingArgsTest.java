package gptcourse.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TransformerTrainingArgsTest {

    @Test
    void defaultsAreTheTutorials() {
        TransformerTrainingArgs a = new TransformerTrainingArgs();
        assertEquals(32, a.batchSize);
        assertEquals(10, a.epochs);
        assertEquals(500, a.maxStepsPerEpoch);
        assertEquals(1e-3, a.lr);
        assertEquals(1e-2, a.weightDecay);
        assertEquals("day1-demotransformer", a.wandbProject);
        assertNull(a.wandbName);
        assertEquals("TransformerTrainingArgs(batchSize=32, epochs=10, maxStepsPerEpoch=500, lr=0.001, weightDecay=0.01,"
                + " wandbProject=\"day1-demotransformer\", wandbName=null, seed=1, logCompletionsEvery=0, checkpointEvery=0)",
                a.toString(), "the Java field names a student sets");
        TransformerTrainingArgs b = a.copy();
        b.lr = 3e-4;
        b.wandbName = "quick";
        assertTrue(b.toString().contains("lr=0.0003,") && b.toString().contains("wandbName=\"quick\""), b.toString());
    }

    @Test
    void parsesCommandLinesAsWordsOrOneString() {
        TransformerTrainingArgs words = TransformerTrainingArgs.parse("--batch-size", "16", "--epochs", "1", "--lr", "3e-4",
                "--wandb-name", "quick");
        TransformerTrainingArgs line = TransformerTrainingArgs.parse("--batch-size 16 --epochs 1 --lr 3e-4 --wandb-name quick");
        for (TransformerTrainingArgs a : new TransformerTrainingArgs[] {words, line}) {
            assertEquals(16, a.batchSize);
            assertEquals(1, a.epochs);
            assertEquals(3e-4, a.lr);
            assertEquals("quick", a.wandbName);
            assertEquals(500, a.maxStepsPerEpoch, "unnamed options keep their defaults");
        }
        assertEquals(words.toMap(), TransformerTrainingArgs.fromMap(words.toMap()).toMap());
    }

    @Test
    void badValuesAreNamedWithWhatIsAccepted() {
        assertMessage("epochs must be at least 1, got 0", () -> TransformerTrainingArgs.parse("--epochs 0"));
        assertMessage("lr must be a finite number above 0", () -> TransformerTrainingArgs.parse("--lr -1"));
        assertMessage("weightDecay must be a finite number, 0 or above", () -> TransformerTrainingArgs.parse("--weight-decay -0.5"));
        assertMessage("wandbName must be 1-100 letters", () -> TransformerTrainingArgs.parse("--wandb-name ../escape"));
        assertMessage("zero is not an integer", () -> TransformerTrainingArgs.parse("--epochs zero"));
        assertMessage("Unknown argument", () -> TransformerTrainingArgs.parse("--epoch 3"));
        IllegalArgumentException help = assertThrows(IllegalArgumentException.class, () -> TransformerTrainingArgs.parse("--help"));
        assertTrue(help.getMessage().contains("max-steps-per-epoch"), "--help lists the options: " + help.getMessage());
        TransformerTrainingArgs a = new TransformerTrainingArgs();
        a.batchSize = -4;
        assertMessage("batchSize must be at least 1, got -4", a::validate);
    }

    private static void assertMessage(String expected, org.junit.jupiter.api.function.Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().contains(expected), "message \"" + e.getMessage() + "\" should contain \"" + expected + "\"");
        assertTrue(!e.getMessage().contains("\n"), "one line, not the whole usage: " + e.getMessage());
    }
}
