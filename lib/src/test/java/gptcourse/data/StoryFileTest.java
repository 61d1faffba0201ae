package gptcourse.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StoryFileTest {

    @TempDir
    Path dir;

    private Path write(String text) throws IOException {
        Path file = dir.resolve("stories.txt");
        Files.writeString(file, text, StandardCharsets.UTF_8);
        return file;
    }

    @Test
    void splitsOnSeparatorLinesAndStripsStories() throws IOException {
        Path file = write("First story.\nSecond line.\n<|endoftext|>\n\n  \n<|endoftext|>\r\n"
                + "Naïve café 🐱\r\n  <|endoftext|>  \nText with <|endoftext|> inside a line\n<|endoftext|>\nLast, no separator");
        List<String> expected = List.of("First story.\nSecond line.", "Naïve café 🐱", "Text with <|endoftext|> inside a line",
                "Last, no separator");
        StoryFile stories = new StoryFile(file, dir.resolve("index"));
        List<String> streamed = new ArrayList<>();
        stories.iterator().forEachRemaining(streamed::add);
        assertEquals(expected, streamed, "streaming");
        assertEquals(expected.size(), stories.size());
        for (int i = 0; i < expected.size(); i++) {
            assertEquals(expected.get(i), stories.get(i), "indexed story " + i);
        }
        IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class, () -> stories.get(4));
        assertTrue(e.getMessage().contains("4 stories"), e.getMessage());
    }

    @Test
    void theIndexIsCachedAndRebuiltWhenTheFileChanges() throws IOException {
        Path file = write("a\n<|endoftext|>\nb\n<|endoftext|>\n");
        assertEquals(2, new StoryFile(file, dir.resolve("index")).size());
        try (Stream<Path> files = Files.list(dir.resolve("index"))) {
            assertEquals(1, files.count());
        }
        assertEquals(2, new StoryFile(file, dir.resolve("index")).size(), "from the cached index");
        Files.writeString(file, "a\n<|endoftext|>\nb\n<|endoftext|>\nc\n");
        assertEquals(3, new StoryFile(file, dir.resolve("index")).size(), "file changed: index rebuilt");
    }

    @Test
    void emptyFileHasNoStories() throws IOException {
        Path file = write("");
        assertEquals(0, new StoryFile(file, null).size());
        assertEquals("Dataset({features: ['text'], num_rows: 0})", TextDataset.fromStoriesFile(file).toString());
    }
}
