package gptcourse.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

import gptcourse.io.Sha256;

/**
 * A dataset of texts with one column, {@code text}: what the tutorial's {@code
 * load_dataset("roneneldan/TinyStories", split="train")} returns.
 *
 * <pre>{@code
 * TextDataset dataset = TinyStories.load("train");
 * System.out.println(dataset);          // Dataset({features: ['text'], num_rows: ...})
 * System.out.println(dataset.text(0));  // the first story
 * for (String story : dataset) { ... }  // streams the file, never loads it whole
 * }</pre>
 *
 * <p>Backed either by a list in memory or by a stories file on disk ({@code <|endoftext|>}
 * lines between stories); a file is read through an offset index, so {@link #get} costs one
 * small read and the 1.9 GB train split never sits in the heap.
 */
public final class TextDataset implements Iterable<String> {

    /** The only column. */
    public static final String TEXT = "text";

    private final String name;
    private final String fingerprint;
    private final List<String> texts;  // in-memory backing, or null
    private final StoryFile file;      // file backing, or null
    private final boolean standIn;

    private TextDataset(String name, String fingerprint, List<String> texts, StoryFile file, boolean standIn) {
        this.name = name;
        this.fingerprint = fingerprint;
        this.texts = texts;
        this.file = file;
        this.standIn = standIn;
    }

    /**
     * A dataset of the given texts, in memory.
     *
     * @param name shown in logs and errors, e.g. {@code "my-texts"}
     */
    public static TextDataset of(String name, List<String> texts) {
        List<String> copy = List.copyOf(texts);
        StringBuilder key = new StringBuilder("memory|").append(copy.size());
        MessageDigest digest = Sha256.digest();
        for (String text : copy) {
            digest.update(text.getBytes(StandardCharsets.UTF_8));
            digest.update((byte) 0);
        }
        key.append('|').append(Sha256.hex(digest));
        return new TextDataset(name, key.toString(), copy, null, false);
    }

    static TextDataset standIn(String name, List<String> texts) {
        TextDataset d = of(name, texts);
        return new TextDataset(name, d.fingerprint, d.texts, null, true);
    }

    /** A generated stand-in corpus in a stories file (see {@link TinyStories#standIn(String)}). */
    static TextDataset standInFile(String name, Path file, Path indexCacheDir, String fingerprint) {
        return new TextDataset(name, fingerprint, null, new StoryFile(file, indexCacheDir), true);
    }

    /**
     * A dataset over a stories file: stories separated by lines {@code <|endoftext|>}, as in
     * {@code TinyStories-train.txt}.
     *
     * @param indexCacheDir where to keep the offset index between runs, or {@code null}
     * @param fingerprint identifies the file's content for cache keys (e.g. its SHA-256), or
     *     {@code null} to use path, size and modification time
     */
    static TextDataset fromStoriesFile(Path file, Path indexCacheDir, String fingerprint) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("no stories file at " + file.toAbsolutePath());
        }
        String key = fingerprint;
        if (key == null) {
            try {
                key = "file|" + file.toAbsolutePath().normalize() + "|" + Files.size(file) + "|"
                        + Files.getLastModifiedTime(file).toMillis();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return new TextDataset(file.getFileName().toString(), key, null, new StoryFile(file, indexCacheDir), false);
    }

    /**
     * A dataset over a local stories file ({@code <|endoftext|>} lines between stories); the
     * offset index is kept in memory only.
     */
    public static TextDataset fromStoriesFile(Path file) {
        return fromStoriesFile(file, null, null);
    }

    /** Number of rows ({@code len(dataset)}); for a file, the first call indexes it. */
    public int size() {
        return texts != null ? texts.size() : file.size();
    }

    /** The text of row {@code i}. */
    public String text(int i) {
        if (texts != null) {
            if (i < 0 || i >= texts.size()) {
                throw new IndexOutOfBoundsException("row " + i + " does not exist: " + name + " has "
                        + texts.size() + " rows (0 to " + (texts.size() - 1) + ")");
            }
            return texts.get(i);
        }
        return file.get(i);
    }

    /** Row {@code i} as the tutorial's {@code dataset[i]}: {@code {"text": ...}}. */
    public Map<String, String> get(int i) {
        return Map.of(TEXT, text(i));
    }

    /** Column names ({@code dataset.features}): always {@code ["text"]}. */
    public List<String> features() {
        return List.of(TEXT);
    }

    /** Iterates the texts in order; a file is streamed, not indexed or loaded. */
    @Override
    public Iterator<String> iterator() {
        return texts != null ? texts.iterator() : file.iterator();
    }

    /** The texts as a sequential stream (see {@link #iterator}). */
    public Stream<String> stream() {
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(iterator(), Spliterator.ORDERED), false);
    }

    /** A short name: the file name, the name given to {@link #of}, or "stand-in train". */
    public String name() {
        return name;
    }

    /** True for the project's generated stand-in stories, which are not TinyStories. */
    public boolean isStandIn() {
        return standIn;
    }

    /** Identifies the content, for cache keys. */
    String fingerprint() {
        return fingerprint;
    }

    /** The backing file, or null for an in-memory dataset. */
    Path path() {
        return file == null ? null : file.path();
    }

    /**
     * {@code Dataset({features: ['text'], num_rows: N})}, as the tutorial prints it; the generated
     * stand-in corpus says so after it.
     */
    @Override
    public String toString() {
        String s = "Dataset({features: ['text'], num_rows: " + size() + "})";
        return standIn ? s + "  [stand-in: the project's generated stories, not TinyStories]" : s;
    }
}
