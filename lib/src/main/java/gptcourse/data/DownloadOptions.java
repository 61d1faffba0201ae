package gptcourse.data;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

/**
 * Where and how {@link HubDownloader} fetches files from the Hugging Face Hub. {@link
 * #defaults()} reads the same environment variables as {@code huggingface_hub}:
 *
 * <ul>
 *   <li>{@code HF_ENDPOINT}: the Hub's address (default {@code https://huggingface.co});
 *   <li>{@code HF_TOKEN}: an access token, sent only to the Hub's own host;
 *   <li>{@code HF_HUB_OFFLINE=1}: never touch the network, use the cache or fail with a clear
 *       message;
 *   <li>{@code GPTCOURSE_CACHE} (or the system property {@code gptcourse.cache}): the cache
 *       directory, default {@code ~/.cache/gptcourse}.
 * </ul>
 *
 * @param endpoint the Hub's base address, e.g. {@code https://huggingface.co}
 * @param token access token or {@code null}
 * @param cacheDir root of the cache
 * @param offline true: never connect
 * @param progress true: draw a progress bar on standard error while downloading
 * @param maxRetries how many times an interrupted or corrupt transfer is retried (resuming)
 * @param retryBackoff wait before the first retry, doubled after each
 * @param timeout connect and read timeout
 */
public record DownloadOptions(URI endpoint, String token, Path cacheDir, boolean offline, boolean progress,
        int maxRetries, Duration retryBackoff, Duration timeout) {

    /** The public Hub. */
    public static final URI DEFAULT_ENDPOINT = URI.create("https://huggingface.co");

    public DownloadOptions {
        Objects.requireNonNull(endpoint, "endpoint");
        Objects.requireNonNull(cacheDir, "cacheDir");
        Objects.requireNonNull(retryBackoff, "retryBackoff");
        Objects.requireNonNull(timeout, "timeout");
        String scheme = endpoint.getScheme() == null ? "" : endpoint.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new IllegalArgumentException("Hub endpoint " + endpoint + " is not an http(s) address:"
                    + " set HF_ENDPOINT to something like https://huggingface.co");
        }
        if (maxRetries < 0) {
            throw new IllegalArgumentException("maxRetries is " + maxRetries + ": it must be 0 or more");
        }
    }

    /** Options from the environment (see the class comment). */
    public static DownloadOptions defaults() {
        String endpoint = env("HF_ENDPOINT");
        String token = env("HF_TOKEN");
        String offline = env("HF_HUB_OFFLINE");
        return new DownloadOptions(
                endpoint == null ? DEFAULT_ENDPOINT : URI.create(endpoint.replaceAll("/+$", "")),
                token,
                defaultCacheDir(),
                offline != null && (offline.equals("1") || offline.equalsIgnoreCase("true") || offline.equalsIgnoreCase("yes")),
                true,
                5,
                Duration.ofSeconds(1),
                Duration.ofSeconds(60));
    }

    /**
     * {@code GPTCOURSE_CACHE}, else the system property {@code gptcourse.cache}, else {@code
     * ~/.cache/gptcourse}.
     */
    public static Path defaultCacheDir() {
        String dir = env("GPTCOURSE_CACHE");
        if (dir == null) {
            dir = System.getProperty("gptcourse.cache");
        }
        return dir != null ? Path.of(dir) : Path.of(System.getProperty("user.home"), ".cache", "gptcourse");
    }

    public DownloadOptions withEndpoint(URI endpoint) {
        return new DownloadOptions(endpoint, token, cacheDir, offline, progress, maxRetries, retryBackoff, timeout);
    }

    public DownloadOptions withToken(String token) {
        return new DownloadOptions(endpoint, token, cacheDir, offline, progress, maxRetries, retryBackoff, timeout);
    }

    public DownloadOptions withCacheDir(Path cacheDir) {
        return new DownloadOptions(endpoint, token, cacheDir, offline, progress, maxRetries, retryBackoff, timeout);
    }

    public DownloadOptions withOffline(boolean offline) {
        return new DownloadOptions(endpoint, token, cacheDir, offline, progress, maxRetries, retryBackoff, timeout);
    }

    public DownloadOptions withProgress(boolean progress) {
        return new DownloadOptions(endpoint, token, cacheDir, offline, progress, maxRetries, retryBackoff, timeout);
    }

    public DownloadOptions withRetries(int maxRetries, Duration retryBackoff) {
        return new DownloadOptions(endpoint, token, cacheDir, offline, progress, maxRetries, retryBackoff, timeout);
    }

    public DownloadOptions withTimeout(Duration timeout) {
        return new DownloadOptions(endpoint, token, cacheDir, offline, progress, maxRetries, retryBackoff, timeout);
    }

    @Override
    public String toString() {
        return "DownloadOptions[endpoint=" + endpoint + ", token=" + (token == null ? "none" : "set")
                + ", cacheDir=" + cacheDir + ", offline=" + offline + ", progress=" + progress
                + ", maxRetries=" + maxRetries + ", retryBackoff=" + retryBackoff + ", timeout=" + timeout + "]";
    }

    private static String env(String name) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? null : value.trim();
    }
}
