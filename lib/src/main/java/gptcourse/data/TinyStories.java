package gptcourse.data;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The TinyStories dataset (Eldan and Li, 2023): short stories in simple English, the
 * tutorial's training data. {@code TinyStories.load("train")} is the tutorial's {@code
 * load_dataset("roneneldan/TinyStories", split="train")}.
 *
 * <p>The splits are the Hub's text files, {@code TinyStories-train.txt} (1.92 GB) and {@code
 * TinyStories-valid.txt} (19.4 MB), stories separated by lines {@code <|endoftext|>}. (The Hub
 * also has a Parquet version, which {@code load_dataset} reads; its row count can differ
 * slightly from the text files'.) They are downloaded once into the cache (see {@link
 * DownloadOptions}) with a progress bar, resumed if interrupted, and checked on every load
 * (see {@link HubDownloader}).
 *
 * <p>Without network: {@link #load(String, Path)} reads files you downloaded yourself, and
 * {@link #standIn(String)} gives a small bundled corpus of simple stories written for this
 * project. The stand-in is not TinyStories, only enough to run every cell quickly.
 */
public final class TinyStories {

    /** The dataset's repository on the Hugging Face Hub. */
    public static final String REPO_ID = "roneneldan/TinyStories";

    static final String STAND_IN_RESOURCE = "/gptcourse/data/standin-stories.txt";
    /** The stand-in's last stories form its "validation" split, the others its "train" split. */
    static final int STAND_IN_VALIDATION_STORIES = 4;

    private static final Logger LOG = LoggerFactory.getLogger(TinyStories.class);

    private TinyStories() {
    }

    /**
     * The Hub file that holds a split.
     *
     * @param split {@code "train"} or {@code "validation"} (the names {@code load_dataset} uses)
     */
    public static String fileName(String split) {
        if ("train".equals(split)) {
            return "TinyStories-train.txt";
        }
        if ("validation".equals(split)) {
            return "TinyStories-valid.txt";
        }
        throw new IllegalArgumentException("split " + (split == null ? "null" : "\"" + split + "\"")
                + " is not a TinyStories split: use \"train\" or \"validation\"");
    }

    /**
     * A split, from the cache or downloaded from the Hub (settings from the environment: {@link
     * DownloadOptions#defaults()}).
     *
     * @throws DataUnavailableException offline with nothing cached; the message says what to
     *     download and where to put it
     */
    public static TextDataset load(String split) {
        return load(split, DownloadOptions.defaults());
    }

    /** A split, from the cache or downloaded, with explicit download settings. */
    public static TextDataset load(String split, DownloadOptions options) {
        String file = fileName(split);
        HubDownloader hub = new HubDownloader(options);
        Path path;
        try {
            path = hub.datasetFile(REPO_ID, file);
        } catch (DataUnavailableException e) {
            throw new DataUnavailableException("TinyStories split \"" + split + "\" is not available: " + e.getMessage()
                    + "\nThen use TinyStories.load(\"" + split + "\", Path.of(\"<file or directory>\")) if you put it"
                    + " elsewhere; or TinyStories.standIn(\"" + split + "\") for the small bundled stand-in corpus"
                    + " (not TinyStories).", e.getCause() != null ? e.getCause() : e);
        }
        String sha = HubDownloader.recordedSha256(path);
        return TextDataset.fromStoriesFile(path, indexDir(options), sha == null ? null : "sha256|" + sha);
    }

    /**
     * A split from a file you downloaded yourself: either the file ({@code
     * TinyStories-train.txt} or any file in the same format) or a directory holding it.
     */
    public static TextDataset load(String split, Path fileOrDirectory) {
        String file = fileName(split);
        Path path = Files.isDirectory(fileOrDirectory) ? fileOrDirectory.resolve(file) : fileOrDirectory;
        if (!Files.isRegularFile(path)) {
            String seen = "";
            if (Files.isDirectory(fileOrDirectory)) {
                try (Stream<Path> files = Files.list(fileOrDirectory)) {
                    seen = " (it holds: " + files.map(p -> p.getFileName().toString()).sorted().limit(10).toList() + ")";
                } catch (IOException e) {
                    seen = "";
                }
            }
            throw new DataUnavailableException("no " + file + " at " + path.toAbsolutePath() + seen + ". Download "
                    + new HubDownloader(DownloadOptions.defaults()).datasetUrl(REPO_ID, file) + " and put it there.", null);
        }
        return TextDataset.fromStoriesFile(path, indexDir(DownloadOptions.defaults()), null);
    }

    /**
     * The project's own small corpus of simple stories, bundled in the jar: a stand-in for
     * TinyStories when there is no network, for tests and quick demos. It is not TinyStories,
     * and a model trained on it learns little; {@code toString()} says so.
     *
     * @param split {@code "train"} or {@code "validation"} (the last few stories)
     */
    public static TextDataset standIn(String split) {
        fileName(split); // validates the name
        List<String> all = standInStories();
        int cut = all.size() - STAND_IN_VALIDATION_STORIES;
        List<String> part = "train".equals(split) ? all.subList(0, cut) : all.subList(cut, all.size());
        return TextDataset.standIn("stand-in " + split, part);
    }

    /**
     * {@link #load(String)} if the data is cached or reachable, else {@link #standIn(String)}
     * with a warning: the offline default for notebooks.
     */
    public static TextDataset loadOrStandIn(String split) {
        return loadOrStandIn(split, DownloadOptions.defaults());
    }

    /** {@link #loadOrStandIn(String)} with explicit download settings. */
    public static TextDataset loadOrStandIn(String split, DownloadOptions options) {
        try {
            return load(split, options);
        } catch (DataUnavailableException e) {
            LOG.warn("TinyStories is not available ({}). Using the bundled stand-in corpus instead: it is NOT"
                    + " TinyStories, just a few simple stories to run the code on.", e.getMessage().lines().findFirst().orElse(""));
            return standIn(split);
        }
    }

    /** All stories of the stand-in corpus, in file order. */
    static List<String> standInStories() {
        try (InputStream in = TinyStories.class.getResourceAsStream(STAND_IN_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(STAND_IN_RESOURCE + " is missing from the classpath: rebuild gptcourse-lib");
            }
            StoryFile.Scanner scanner = new StoryFile.Scanner(in, true);
            List<String> stories = new ArrayList<>();
            while (scanner.next()) {
                stories.add(scanner.text);
            }
            return stories;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + STAND_IN_RESOURCE, e);
        }
    }

    /** The stand-in corpus file's text, UTF-8. */
    static String standInText() {
        try (InputStream in = TinyStories.class.getResourceAsStream(STAND_IN_RESOURCE)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Re-hashes every downloaded file in the cache against the size and SHA-256 recorded when it
     * was downloaded ({@code environment/train.sh verify-data}); a file changed in place is deleted
     * so that the next load downloads it again. Prints one line per file.
     *
     * @return false if a file had changed
     */
    public static boolean verifyCache(java.io.PrintStream out) {
        HubDownloader hub = new HubDownloader(DownloadOptions.defaults());
        java.util.SortedMap<Path, HubDownloader.CacheState> states;
        try {
            states = hub.verifyCache();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the cache " + hub.options().cacheDir() + ": " + e.getMessage(), e);
        }
        if (states.isEmpty()) {
            out.println("No downloaded files in " + hub.options().cacheDir().resolve("hub"));
        }
        states.forEach((file, state) -> out.println(switch (state) {
            case OK -> "OK          " + file;
            case UNVERIFIED -> "UNVERIFIED  " + file + " (unchanged, but the server gave no size or checksum to check it)";
            case CORRUPT -> "CORRUPT     " + file + " (changed since it was downloaded: deleted, the next load fetches it)";
            case UNKNOWN -> "UNKNOWN     " + file + " (no record of its size and hash)";
        }));
        return !states.containsValue(HubDownloader.CacheState.CORRUPT);
    }

    private static Path indexDir(DownloadOptions options) {
        return options.cacheDir().resolve("index");
    }
}
