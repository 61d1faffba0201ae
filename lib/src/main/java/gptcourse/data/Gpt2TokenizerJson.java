package gptcourse.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import gptcourse.io.AtomicFiles;

/**
 * Generates GPT-2's {@code tokenizer.json} (Hugging Face tokenizers format) from the BPE ranks
 * that ship in jtokkit ({@code r50k_base}, MIT licensed): the resource that {@link Gpt2Tokenizer}
 * loads. {@code Gpt2TokenizerJsonTest} regenerates it and checks the committed bytes.
 *
 * <p>The file holds the same tokenizer as Hugging Face's {@code gpt2}: a byte-level BPE model
 * with 50,257 ids (256 bytes, 50,000 merges, {@code <|endoftext|>} = 50256), a ByteLevel
 * pre-tokenizer without prefix space and a ByteLevel decoder.
 *
 * <p>tiktoken stores only a rank per token; Hugging Face's BPE wants merge rules. The merge
 * that builds token {@code t} (rank r) is recovered by running BPE on {@code t}'s own bytes with
 * every rank below r: the two pieces left at the end are the pair whose merge is rule r.
 *
 * <p>Regenerate with {@code tools/tokenizer/generate.sh}.
 */
public final class Gpt2TokenizerJson {

    /** Classpath location of the generated file. */
    public static final String RESOURCE = "/gptcourse/data/gpt2-tokenizer.json";

    /** Where jtokkit keeps GPT-2's ranks, one {@code base64(token bytes) rank} a line. */
    static final String RANKS_RESOURCE = "/com/knuddels/jtokkit/r50k_base.tiktoken";

    static final String END_OF_TEXT = "<|endoftext|>";
    static final int END_OF_TEXT_ID = 50256;

    private Gpt2TokenizerJson() {
    }

    /**
     * Writes the generated file.
     *
     * @param args one argument: the output path (e.g.
     *     {@code lib/src/main/resources/gptcourse/data/gpt2-tokenizer.json})
     */
    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: Gpt2TokenizerJson <output tokenizer.json>");
            System.exit(2);
        }
        Path out = Path.of(args[0]).toAbsolutePath();
        Files.createDirectories(out.getParent());
        AtomicFiles.write(out, generate());
        System.out.println("wrote " + out + " (" + Files.size(out) + " bytes)");
    }

    /** The whole {@code tokenizer.json}, UTF-8, deterministic. */
    public static byte[] generate() throws IOException {
        List<String> tokens = readRanks(); // index = rank = id; chars 0..255 stand for bytes
        String[] byteToUnicode = bytesToUnicode();

        Map<String, Integer> rankOf = new HashMap<>(tokens.size() * 2);
        for (int r = 0; r < tokens.size(); r++) {
            rankOf.put(tokens.get(r), r);
        }

        StringBuilder json = new StringBuilder(2_000_000);
        json.append("{\n  \"version\": \"1.0\",\n  \"truncation\": null,\n  \"padding\": null,\n");
        json.append("  \"added_tokens\": [\n    {\"id\": ").append(END_OF_TEXT_ID)
                .append(", \"content\": \"").append(END_OF_TEXT).append("\", \"single_word\": false,")
                .append(" \"lstrip\": false, \"rstrip\": false, \"normalized\": true,")
                .append(" \"special\": true}\n  ],\n");
        json.append("  \"normalizer\": null,\n");
        json.append("  \"pre_tokenizer\": {\"type\": \"ByteLevel\", \"add_prefix_space\": false,")
                .append(" \"trim_offsets\": true, \"use_regex\": true},\n");
        json.append("  \"post_processor\": {\"type\": \"ByteLevel\", \"add_prefix_space\": true,")
                .append(" \"trim_offsets\": false, \"use_regex\": true},\n");
        json.append("  \"decoder\": {\"type\": \"ByteLevel\", \"add_prefix_space\": true,")
                .append(" \"trim_offsets\": true, \"use_regex\": true},\n");
        json.append("  \"model\": {\n    \"type\": \"BPE\",\n    \"dropout\": null,\n")
                .append("    \"unk_token\": null,\n    \"continuing_subword_prefix\": \"\",\n")
                .append("    \"end_of_word_suffix\": \"\",\n    \"fuse_unk\": false,\n")
                .append("    \"byte_fallback\": false,\n    \"vocab\": {\n");
        for (int id = 0; id < tokens.size(); id++) {
            json.append("      ");
            appendJsonString(json, visible(tokens.get(id), byteToUnicode));
            json.append(": ").append(id).append(",\n");
        }
        json.append("      \"").append(END_OF_TEXT).append("\": ").append(END_OF_TEXT_ID).append("\n");
        json.append("    },\n    \"merges\": [\n");
        boolean first = true;
        for (int r = 256; r < tokens.size(); r++) {
            String[] pair = lastMerge(tokens.get(r), r, rankOf);
            if (!first) {
                json.append(",\n");
            }
            first = false;
            json.append("      ");
            appendJsonString(json, visible(pair[0], byteToUnicode) + " " + visible(pair[1], byteToUnicode));
        }
        json.append("\n    ]\n  }\n}\n");
        return json.toString().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Runs byte-level BPE on {@code token} using only ranks below {@code maxRank}; returns the two
     * pieces it stops at, which are the merge that creates {@code token}.
     */
    static String[] lastMerge(String token, int maxRank, Map<String, Integer> rankOf) {
        List<String> parts = new ArrayList<>(token.length());
        for (int i = 0; i < token.length(); i++) {
            parts.add(token.substring(i, i + 1));
        }
        while (parts.size() > 2) {
            int best = -1;
            int bestRank = Integer.MAX_VALUE;
            for (int i = 0; i + 1 < parts.size(); i++) {
                Integer rank = rankOf.get(parts.get(i) + parts.get(i + 1));
                if (rank != null && rank < maxRank && rank < bestRank) {
                    bestRank = rank;
                    best = i;
                }
            }
            if (best < 0) {
                break;
            }
            parts.set(best, parts.get(best) + parts.get(best + 1));
            parts.remove(best + 1);
        }
        if (parts.size() != 2) {
            throw new IllegalStateException("token of rank " + maxRank + " does not split into two"
                    + " lower-ranked tokens (got " + parts.size() + " pieces): the ranks file is not"
                    + " a byte-level BPE vocabulary");
        }
        return parts.toArray(new String[0]);
    }

    /** Tokens by rank, each byte as one char 0..255 (ISO-8859-1), so strings work as map keys. */
    static List<String> readRanks() throws IOException {
        List<String> tokens = new ArrayList<>(END_OF_TEXT_ID);
        try (InputStream in = Gpt2TokenizerJson.class.getResourceAsStream(RANKS_RESOURCE)) {
            if (in == null) {
                throw new IOException("GPT-2 ranks " + RANKS_RESOURCE + " not on the classpath:"
                        + " add com.knuddels:jtokkit to the dependencies");
            }
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII));
            Base64.Decoder base64 = Base64.getDecoder();
            for (String line; (line = reader.readLine()) != null;) {
                if (line.isBlank()) {
                    continue;
                }
                int space = line.indexOf(' ');
                int rank = Integer.parseInt(line.substring(space + 1).trim());
                if (rank != tokens.size()) {
                    throw new IOException("ranks in " + RANKS_RESOURCE + " are not consecutive:"
                            + " expected " + tokens.size() + ", got " + rank);
                }
                byte[] bytes = base64.decode(line.substring(0, space));
                tokens.add(new String(bytes, StandardCharsets.ISO_8859_1));
            }
        }
        if (tokens.size() != END_OF_TEXT_ID) {
            throw new IOException("expected " + END_OF_TEXT_ID + " ranked tokens in " + RANKS_RESOURCE
                    + ", got " + tokens.size());
        }
        return tokens;
    }

    /**
     * GPT-2's reversible map from bytes to printable characters: printable Latin-1 bytes stand for
     * themselves, the other 68 bytes (controls, space, ...) for U+0100 onwards ({@code ' '} is
     * {@code 'Ġ'}, {@code '\n'} is {@code 'Ċ'}).
     */
    static String[] bytesToUnicode() {
        String[] map = new String[256];
        int next = 256;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            map[b] = printable ? String.valueOf((char) b) : String.valueOf((char) next++);
        }
        return map;
    }

    private static String visible(String latin1Bytes, String[] byteToUnicode) {
        StringBuilder sb = new StringBuilder(latin1Bytes.length());
        for (int i = 0; i < latin1Bytes.length(); i++) {
            sb.append(byteToUnicode[latin1Bytes.charAt(i)]);
        }
        return sb.toString();
    }

    private static void appendJsonString(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else if (c < 0x20) {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        sb.append('"');
    }
}
