package gptcourse.data;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.huggingface.tokenizers.jni.TokenizersLibrary;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import gptcourse.io.Sha256;

/**
 * GPT-2's tokenizer: the same ids as Hugging Face's {@code gpt2} ({@code
 * AutoTokenizer.from_pretrained("gpt2")}), which is what the tutorial's {@code model.tokenizer}
 * is.
 *
 * <p>50,257 ids: 256 single bytes, 50,000 BPE merges and {@code <|endoftext|>} = 50256, which
 * is at once BOS, EOS and (as in transformer_lens) the pad token. Text is split by GPT-2's
 * regex on raw UTF-8 bytes with no prefix space, so {@code "Hello world"} is {@code [15496,
 * 995]} and {@code " the"} is {@code [262]}; {@code "<|endoftext|>"} inside a text becomes the
 * single id 50256.
 *
 * <p>Runs on Hugging Face's Rust tokenizers through DJL, fully offline: the vocabulary is the
 * bundled {@code gpt2-tokenizer.json} (see {@link Gpt2TokenizerJson}) and {@code DJL_OFFLINE}
 * is set before DJL loads, so it neither contacts a server nor downloads a CUDA build. DJL's
 * default options (truncate at 512, pad with 0) are switched off: every call returns all tokens.
 *
 * <p>Thread-safe: the Rust tokenizer is immutable, so many threads may encode at once. Close it
 * (or let the JVM exit) to free the native tokenizer.
 */
public final class Gpt2Tokenizer implements AutoCloseable {

    /** Number of ids, {@code d_vocab} in the tutorial's config. */
    public static final int VOCAB_SIZE = 50257;

    /** {@code <|endoftext|>}: GPT-2's BOS, EOS and pad token. */
    public static final int END_OF_TEXT_ID = Gpt2TokenizerJson.END_OF_TEXT_ID;

    /** The text of {@link #END_OF_TEXT_ID}. */
    public static final String END_OF_TEXT = Gpt2TokenizerJson.END_OF_TEXT;

    static {
        // Before DJL's first class loads: no telemetry, no download of a CUDA build of the
        // tokenizers library; the CPU build inside the jar is the one we want everywhere.
        if (System.getProperty("DJL_OFFLINE") == null) {
            System.setProperty("DJL_OFFLINE", "true");
        }
        if (System.getProperty("RUST_FLAVOR") == null) {
            System.setProperty("RUST_FLAVOR", "cpu");
        }
        // DJL probes for CUDA (irrelevant here) and logs the library extraction: keep that quiet
        // unless the user configured these loggers themselves.
        quietLogger("ai.djl.util.cuda.CudaUtils", "error");
        quietLogger("ai.djl.util.Platform", "warn");
        quietLogger("ai.djl.huggingface.tokenizers.jni.LibUtils", "warn");
    }

    private final HuggingFaceTokenizer tokenizer;
    private final long handle;
    private final String sha256;
    private volatile boolean closed;

    private Gpt2Tokenizer(HuggingFaceTokenizer tokenizer, String sha256) {
        this.tokenizer = tokenizer;
        this.handle = tokenizer.getHandle();
        this.sha256 = sha256;
    }

    /** Loads the bundled GPT-2 tokenizer (about 0.3 s the first time: native library + vocab). */
    public static Gpt2Tokenizer load() {
        byte[] json;
        try (InputStream in = Gpt2Tokenizer.class.getResourceAsStream(Gpt2TokenizerJson.RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("the GPT-2 vocabulary " + Gpt2TokenizerJson.RESOURCE
                        + " is missing from the classpath: rebuild gptcourse-lib, or regenerate it"
                        + " with tools/tokenizer/generate.sh");
            }
            json = in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + Gpt2TokenizerJson.RESOURCE, e);
        }
        // DJL's defaults would truncate to 512 tokens and pad with id 0: switch both off.
        Map<String, String> options = Map.of(
                "addSpecialTokens", "false",
                "truncation", "false",
                "padding", "false");
        try {
            HuggingFaceTokenizer tokenizer = HuggingFaceTokenizer.newInstance(new ByteArrayInputStream(json), options);
            return new Gpt2Tokenizer(tokenizer, Sha256.of(json));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot load the GPT-2 tokenizer", e);
        }
    }

    /**
     * Token ids of one text, no BOS added (the tutorial's {@code tokenizer.encode(text)}).
     *
     * @return ids, each in {@code [0, 50257)}
     */
    public int[] encode(String text) {
        Objects.requireNonNull(text, "text");
        checkOpen();
        long encoding = TokenizersLibrary.LIB.encode(handle, text, false);
        try {
            return toInts(TokenizersLibrary.LIB.getTokenIds(encoding));
        } finally {
            TokenizersLibrary.LIB.deleteEncoding(encoding);
        }
    }

    /**
     * Token ids of many texts in one native call ({@code tokenizer(texts)["input_ids"]} without
     * padding): the Rust side encodes them in parallel. Only the ids are copied back to Java,
     * not the offsets, strings and masks a full {@code Encoding} would carry.
     *
     * @return one array of ids per text, in order
     */
    public int[][] encodeBatch(List<String> texts) {
        String[] array = texts.toArray(new String[0]);
        for (int i = 0; i < array.length; i++) {
            if (array[i] == null) {
                throw new NullPointerException("texts[" + i + "] is null");
            }
        }
        checkOpen();
        int[][] ids = new int[array.length][];
        if (array.length == 0) {
            return ids;
        }
        long[] encodings = TokenizersLibrary.LIB.batchEncode(handle, array, false);
        try {
            for (int i = 0; i < encodings.length; i++) {
                ids[i] = toInts(TokenizersLibrary.LIB.getTokenIds(encodings[i]));
            }
        } finally {
            for (long encoding : encodings) {
                TokenizersLibrary.LIB.deleteEncoding(encoding);
            }
        }
        return ids;
    }

    /**
     * Text of a sequence of ids, special tokens included ({@code tokenizer.decode(ids)}). A
     * sequence that ends inside a multi-byte character decodes that part as U+FFFD.
     *
     * @throws IllegalArgumentException if an id is outside {@code [0, 50257)}
     */
    public String decode(int[] ids) {
        long[] longs = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            checkId(ids[i], i);
            longs[i] = ids[i];
        }
        checkOpen();
        return tokenizer.decode(longs, false);
    }

    /** Text of one id, e.g. {@code decode(262)} is {@code " the"}. */
    public String decode(int id) {
        return decode(new int[] {id});
    }

    /**
     * Each token of {@code text} decoded on its own, like transformer_lens's {@code
     * to_str_tokens} with {@code prepend_bos=False}: {@code "Hello world"} gives {@code ["Hello",
     * " world"]}. A token that holds only part of a multi-byte character shows as U+FFFD.
     */
    public String[] toStrTokens(String text) {
        int[] ids = encode(text);
        long[][] single = new long[ids.length][];
        for (int i = 0; i < ids.length; i++) {
            single[i] = new long[] {ids[i]};
        }
        return ids.length == 0 ? new String[0] : tokenizer.batchDecode(single, false);
    }

    /** 50257, GPT-2's {@code d_vocab}. */
    public int vocabSize() {
        return VOCAB_SIZE;
    }

    /** 50256 ({@code <|endoftext|>}). */
    public int bosTokenId() {
        return END_OF_TEXT_ID;
    }

    /** 50256 ({@code <|endoftext|>}). */
    public int eosTokenId() {
        return END_OF_TEXT_ID;
    }

    /** 50256: transformer_lens pads GPT-2 with {@code <|endoftext|>}. */
    public int padTokenId() {
        return END_OF_TEXT_ID;
    }

    /** SHA-256 of the loaded {@code tokenizer.json}: part of every tokenized-cache key. */
    public String sha256() {
        return sha256;
    }

    @Override
    public void close() {
        closed = true;
        tokenizer.close();
    }

    @Override
    public String toString() {
        return "Gpt2Tokenizer(vocab_size=" + VOCAB_SIZE + ", bos=eos=pad=" + END_OF_TEXT_ID + ")";
    }

    private static void quietLogger(String name, String level) {
        String key = "org.slf4j.simpleLogger.log." + name;
        if (System.getProperty(key) == null) {
            System.setProperty(key, level);
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("this Gpt2Tokenizer is closed: load a new one with Gpt2Tokenizer.load()");
        }
    }

    private static void checkId(int id, int position) {
        if (id < 0 || id >= VOCAB_SIZE) {
            throw new IllegalArgumentException("token id " + id + " at position " + position
                    + " is not a GPT-2 id: ids are in [0, " + VOCAB_SIZE + ")");
        }
    }

    private static int[] toInts(long[] ids) {
        int[] out = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
            out[i] = (int) ids[i];
        }
        return out;
    }
}
