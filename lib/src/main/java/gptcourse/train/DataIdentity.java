package gptcourse.train;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import gptcourse.data.Gpt2Tokenizer;
import gptcourse.data.TokenizedDataset;
import gptcourse.data.TrainTestSplit;
import gptcourse.io.Sha256;

/**
 * What a run trains on, recorded in each checkpoint so that a resume on other data is caught: the
 * data source, the tokenizer's SHA-256, the split's sizes and a SHA-256 of the split's content
 * (every test row and the first train rows, in order: it changes with the source, the split size
 * and the split seed).
 *
 * @param source          the train rows' source, e.g. {@code stand-in train (9,664 tokens)}
 * @param tokenizerSha256 SHA-256 of the tokenizer's vocabulary file
 * @param trainRows       rows in the train split
 * @param testRows        rows in the test split (the split size, {@code --test-size})
 * @param rowLength       tokens per row
 * @param splitSha256     SHA-256 of the test rows and the first {@value #TRAIN_ROWS_HASHED} train rows
 */
public record DataIdentity(String source, String tokenizerSha256, long trainRows, long testRows, long rowLength,
        String splitSha256) {

    static final int TRAIN_ROWS_HASHED = 64;
    private static final int TEST_ROWS_HASHED = 4096;

    /** The identity of {@code split} tokenized with {@code tokenizer}. */
    public static DataIdentity of(TrainTestSplit split, Gpt2Tokenizer tokenizer) {
        MessageDigest d = Sha256.digest();
        hashRows(d, split.test(), Math.min(split.test().size(), TEST_ROWS_HASHED));
        hashRows(d, split.train(), Math.min(split.train().size(), TRAIN_ROWS_HASHED));
        return new DataIdentity(source(split.train().description()), tokenizer.sha256(), split.train().size(),
                split.test().size(), split.train().maxLength(), Sha256.hex(d));
    }

    private static void hashRows(MessageDigest d, TokenizedDataset rows, int n) {
        ByteBuffer buf = ByteBuffer.allocate(4 * rows.maxLength());
        for (int i = 0; i < n; i++) {
            buf.clear();
            for (int t : rows.tokens(i)) {
                buf.putInt(t);
            }
            d.update(buf.array(), 0, buf.position());
        }
    }

    /** The description without where the tokens are kept (a cache path differs between machines). */
    static String source(String description) {
        if (description == null) {
            return "unknown";
        }
        return description.replaceAll(", (cached in .*|in memory)\\)$", ")");
    }

    /** What differs between {@code this} (the checkpoint's) and {@code now}, one phrase each; empty if nothing. */
    public List<String> differences(DataIdentity now) {
        List<String> out = new ArrayList<>();
        diff(out, "data source", source, now.source);
        diff(out, "tokenizer SHA-256", tokenizerSha256, now.tokenizerSha256);
        diff(out, "train rows", trainRows, now.trainRows);
        diff(out, "test rows (--test-size)", testRows, now.testRows);
        diff(out, "tokens per row", rowLength, now.rowLength);
        if (out.isEmpty() && !Objects.equals(splitSha256, now.splitSha256)) {
            out.add("the split's content (same sizes, other rows: another split seed or changed data)");
        }
        return out;
    }

    private static void diff(List<String> out, String what, Object before, Object now) {
        if (!Objects.equals(before, now)) {
            out.add(what + ": checkpoint " + before + ", now " + now);
        }
    }

    Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("source", source);
        m.put("tokenizer_sha256", tokenizerSha256);
        m.put("train_rows", trainRows);
        m.put("test_rows", testRows);
        m.put("row_length", rowLength);
        m.put("split_sha256", splitSha256);
        return m;
    }

    static DataIdentity fromMap(Map<String, Object> m) {
        if (m == null) {
            return null;
        }
        return new DataIdentity((String) m.get("source"), (String) m.get("tokenizer_sha256"), number(m, "train_rows"),
                number(m, "test_rows"), number(m, "row_length"), (String) m.get("split_sha256"));
    }

    private static long number(Map<String, Object> m, String key) {
        return m.get(key) instanceof Number n ? n.longValue() : -1;
    }
}
