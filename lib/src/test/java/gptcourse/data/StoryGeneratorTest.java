package gptcourse.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The generated stand-in stories: reproducible, well-formed, in TinyStories' file format. */
class StoryGeneratorTest {

    @TempDir
    Path dir;

    @Test
    void sameSeedSameBytesDifferentSeedsDiffer() throws IOException {
        Path a = dir.resolve("a.txt");
        Path b = dir.resolve("b.txt");
        Path c = dir.resolve("c.txt");
        long storiesA = StoryGenerator.write(a, 42, 300_000);
        StoryGenerator.write(b, 42, 300_000);
        StoryGenerator.write(c, 43, 300_000);
        assertArrayEquals(Files.readAllBytes(a), Files.readAllBytes(b), "same seed, same bytes");
        assertFalse(java.util.Arrays.equals(Files.readAllBytes(a), Files.readAllBytes(c)), "another seed, other stories");
        assertTrue(Files.size(a) >= 300_000 && Files.size(a) < 300_000 + 5_000, "stops just past the size asked");
        assertEquals(StoryGenerator.story(42, 7), StoryGenerator.story(42, 7));
        assertNotEquals(StoryGenerator.story(42, 7), StoryGenerator.story(42, 8));
        // story i depends only on (seed, i): the file is stories 0, 1, 2... and reads back as the dataset
        TextDataset read = TextDataset.fromStoriesFile(a);
        assertEquals(storiesA, read.size());
        assertEquals(StoryGenerator.stories(42, 3), List.of(read.text(0), read.text(1), read.text(2)));
        assertEquals(StoryGenerator.story(42, storiesA - 1), read.text((int) storiesA - 1));
    }

    @Test
    void storiesAreWellFormedSimpleEnglish() {
        for (String story : StoryGenerator.stories(9, 2_000)) {
            assertFalse(story.isBlank());
            assertFalse(story.contains("{") || story.contains("}") || story.contains("[") || story.contains("]")
                    || story.contains("|"), "no template syntax left: " + story);
            assertFalse(story.contains(Gpt2Tokenizer.END_OF_TEXT));
            assertFalse(story.contains("  ") || story.startsWith(" ") || story.endsWith(" "), story);
            assertTrue(Character.isUpperCase(story.charAt(0)), story);
            assertTrue(story.endsWith(".") || story.endsWith("!") || story.endsWith("\""), story);
            assertFalse(story.matches("(?s).*\\ba [aeiouAEIOU].*"), "\"a\" before a vowel: " + story);
            assertFalse(story.matches("(?s).*\\ban [b-df-hj-np-tv-z].*"), "\"an\" before a consonant: " + story);
            assertEquals(story.length(), story.getBytes(StandardCharsets.UTF_8).length, "ASCII only: " + story);
            int words = story.split("\\s+").length;
            assertTrue(words >= 25 && words <= 400, words + " words: " + story);
        }
    }

    @Test
    void badArgumentsAreRefused() throws IOException {
        assertThrows(IllegalArgumentException.class, () -> StoryGenerator.story(1, -1));
        assertThrows(IllegalArgumentException.class, () -> StoryGenerator.stories(1, -1));
        assertThrows(IllegalArgumentException.class, () -> StoryGenerator.write(dir.resolve("x.txt"), 1, 0));
        try (var files = Files.list(dir)) {
            assertEquals(0, files.count(), "a refused write leaves no file, temporary or not");
        }
        assertEquals(List.of(), StoryGenerator.stories(1, 0));
    }

    @Test
    void theGrammarIsCheckedWhenParsed() {
        IllegalStateException unknownSlot = assertThrows(IllegalStateException.class, () -> StoryGrammar.parse(
                "[words girl]\nA\n[beat x]\n{nosuchlist} ran.\n[plot p]\nx\n"));
        assertTrue(unknownSlot.getMessage().contains("{nosuchlist}"), unknownSlot.getMessage());
        IllegalStateException unknownBeat = assertThrows(IllegalStateException.class, () -> StoryGrammar.parse(
                "[beat x]\nHi.\n[plot p]\nx y\n"));
        assertTrue(unknownBeat.getMessage().contains("unknown beat y"), unknownBeat.getMessage());
        assertThrows(IllegalStateException.class, () -> StoryGrammar.parse("[beat x]\nan [unclosed choice\n"));
        assertThrows(IllegalStateException.class, () -> StoryGrammar.parse("text before any section\n"));
    }
}
