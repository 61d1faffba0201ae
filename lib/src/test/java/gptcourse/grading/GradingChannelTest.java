package gptcourse.grading;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A check's record reaches the grader as one whole {@code <method>.json} and nothing else. */
class GradingChannelTest {
    @Test
    void theLastRecordOfAMethodIsItsWholeFile(@TempDir Path folder) throws IOException {
        GradingChannel.write(folder, "evaluate", "it threw", null);
        GradingChannel.write(folder, "evaluate", null, Map.of("accuracy", 0.5));
        try (Stream<Path> files = Files.list(folder)) {
            assertEquals(List.of(folder.resolve("evaluate.json")), files.toList(), "no temporary file is left");
        }
        JsonObject record = JsonParser.parseString(Files.readString(folder.resolve("evaluate.json"))).getAsJsonObject();
        assertEquals(GradingChannel.FORMAT, record.get("format").getAsString());
        assertTrue(record.get("problem").isJsonNull());
        assertEquals(0.5, record.getAsJsonObject("observation").get("accuracy").getAsDouble());
    }

    @Test
    void aFolderThatIsGoneIsOneClearError(@TempDir Path dir) {
        UncheckedIOException e = assertThrows(UncheckedIOException.class,
                () -> GradingChannel.write(dir.resolve("gone"), "evaluate", "x", null));
        assertEquals("could not hand the check's result to the grader", e.getMessage());
    }
}
