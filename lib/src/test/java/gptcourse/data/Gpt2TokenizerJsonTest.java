package gptcourse.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.io.InputStream;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import gptcourse.io.Sha256;
import org.junit.jupiter.api.Test;

class Gpt2TokenizerJsonTest {

    @Test
    void committedTokenizerJsonIsWhatTheGeneratorWrites() throws Exception {
        byte[] committed;
        try (InputStream in = Gpt2TokenizerJson.class.getResourceAsStream(Gpt2TokenizerJson.RESOURCE)) {
            assertNotNull(in, "missing resource " + Gpt2TokenizerJson.RESOURCE);
            committed = in.readAllBytes();
        }
        byte[] regenerated = Gpt2TokenizerJson.generate();
        assertEquals(Sha256.of(regenerated), Sha256.of(committed),
                "gpt2-tokenizer.json is stale: run tools/tokenizer/generate.sh and commit the result");
        assertArrayEquals(regenerated, committed);
    }

    @Test
    void bytesToUnicodeIsGpt2sMap() {
        String[] map = Gpt2TokenizerJson.bytesToUnicode();
        assertEquals("Ġ", map[' ']);
        assertEquals("Ċ", map['\n']);
        assertEquals("ĉ", map['\t']);
        assertEquals("A", map['A']);
        assertEquals("Ā", map[0]);
        assertEquals(256, java.util.Arrays.stream(map).distinct().count());
    }

    @Test
    void firstMergesAreGpt2s() throws Exception {
        List<String> tokens = Gpt2TokenizerJson.readRanks();
        Map<String, Integer> rankOf = new HashMap<>();
        for (int r = 0; r < tokens.size(); r++) {
            rankOf.put(tokens.get(r), r);
        }
        // GPT-2's merges.txt starts "Ġ t", "Ġ a", "h e", "i n", "r e".
        assertArrayEquals(new String[] {" ", "t"}, Gpt2TokenizerJson.lastMerge(tokens.get(256), 256, rankOf));
        assertArrayEquals(new String[] {" ", "a"}, Gpt2TokenizerJson.lastMerge(tokens.get(257), 257, rankOf));
        assertArrayEquals(new String[] {"h", "e"}, Gpt2TokenizerJson.lastMerge(tokens.get(258), 258, rankOf));
        assertEquals(50256, tokens.size());
    }
}
