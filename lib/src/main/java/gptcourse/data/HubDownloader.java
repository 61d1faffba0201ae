package gptcourse.data;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import gptcourse.io.Sha256;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Downloads files of Hugging Face Hub dataset repositories into a local cache, like {@code
 * huggingface_hub.hf_hub_download}, and keeps that cache honest.
 *
 * <ul>
 *   <li>URL: {@code <endpoint>/datasets/<repo>/resolve/main/<file>}; redirects (the Hub answers
 *       302 to a CDN) are followed by hand so that the token goes only to the Hub's own host.
 *   <li>Cache: {@code <cacheDir>/hub/datasets--<owner>--<name>/<file>}, with a {@code .meta}
 *       file beside it recording size and SHA-256.
 *   <li>Resume: bytes arrive in {@code <file>.part}; after an interruption (dropped connection,
 *       killed process) the next attempt asks for the rest with an HTTP {@code Range} header.
 *   <li>Integrity: the finished file must have the size the server announced and, when the Hub
 *       gives the LFS SHA-256 ({@code X-Linked-Etag}), that checksum; only then is it moved
 *       into place (atomically). A server that reports neither leaves the file recorded as
 *       unverified, checked again on the next use. Later loads check size and modification time,
 *       and re-hash a file whose time changed; a corrupt or truncated cached file is deleted and
 *       fetched again, never used. {@link #verifyCache} re-hashes everything on demand.
 *   <li>Only http(s) redirects are followed; gzip and deflate bodies are decoded, other content
 *       encodings refused (a {@link DataUnavailableException}, so callers can fall back).
 *   <li>Offline ({@code HF_HUB_OFFLINE=1} or no network) with nothing cached: a {@link
 *       DataUnavailableException} saying which URL to fetch and where to put the file.
 * </ul>
 */
public final class HubDownloader {

    private static final Logger LOG = LoggerFactory.getLogger(HubDownloader.class);
    private static final Pattern CONTENT_RANGE = Pattern.compile("bytes (\\d+)-(\\d+)/(\\d+|\\*)");
    private static final ConcurrentHashMap<Path, Object> LOCKS = new ConcurrentHashMap<>();

    private final DownloadOptions options;
    private final HubHttp http;

    public HubDownloader(DownloadOptions options) {
        this.options = Objects.requireNonNull(options, "options");
        this.http = new HubHttp(options);
    }

    public DownloadOptions options() {
        return options;
    }

    /** The address of a file in a dataset repository, on branch {@code main}. */
    public URI datasetUrl(String repoId, String file) {
        checkRepoId(repoId);
        String base = options.endpoint().toString().replaceAll("/+$", "");
        return URI.create(base + "/datasets/" + repoId + "/resolve/main/" + file);
    }

    /** Where {@link #datasetFile} keeps a file. */
    public Path cachePath(String repoId, String file) {
        checkRepoId(repoId);
        return options.cacheDir().resolve("hub").resolve("datasets--" + repoId.replace("/", "--")).resolve(file);
    }

    /**
     * The local copy of {@code file} from dataset repository {@code repoId}, downloaded (or
     * repaired) first if the cache does not hold a good copy.
     *
     * @throws DataUnavailableException offline or unreachable with no cached copy, or the Hub
     *     refused the request
     */
    @SuppressWarnings("try") // the FileLock is held for the block's duration, not referenced
    public Path datasetFile(String repoId, String file) {
        Path target = cachePath(repoId, file);
        URI url = datasetUrl(repoId, file);
        Object jvmLock = LOCKS.computeIfAbsent(target.toAbsolutePath().normalize(), p -> new Object());
        synchronized (jvmLock) {
            try {
                Files.createDirectories(target.getParent());
                try (FileChannel lockChannel = FileChannel.open(sibling(target, ".lock"),
                        StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                        FileLock lock = lockChannel.lock()) {
                    if (Files.exists(target)) {
                        String problem = checkCached(target, url);
                        if (problem == null) {
                            return target;
                        }
                        LOG.warn("cached {} is corrupt ({}): deleting it and downloading it again", target, problem);
                        Files.deleteIfExists(target);
                        Files.deleteIfExists(sibling(target, ".meta"));
                    }
                    if (options.offline()) {
                        throw HubHttp.unavailable(url, target, "downloads are switched off (HF_HUB_OFFLINE)", null);
                    }
                    download(url, target);
                    return target;
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot use the cache at " + target.getParent() + ": "
                        + gptcourse.io.AtomicFiles.cause(e) + " (set GPTCOURSE_CACHE to a writable directory with room)", e);
            }
        }
    }

    /** Returns null if the cached file is good, else what is wrong with it. */
    private String checkCached(Path target, URI url) throws IOException {
        Path metaPath = sibling(target, ".meta");
        Properties meta = readProperties(metaPath);
        long size = Files.size(target);
        long mtime = Files.getLastModifiedTime(target).toMillis();
        boolean unverified = meta != null && "false".equals(meta.getProperty("verified"));
        if (meta == null || unverified) {
            // Put there by hand, the process died just after the final move, or the server gave
            // neither size nor checksum last time: check what we can now.
            String sha = Sha256.of(target);
            boolean verified = false;
            if (!options.offline()) {
                try {
                    HubHttp.Remote remote = http.probe(url);
                    if (remote.size() >= 0 && remote.size() != size) {
                        return "size " + size + " bytes, the Hub says " + remote.size();
                    }
                    if (remote.sha256() != null && !remote.sha256().equals(sha)) {
                        return "SHA-256 " + sha + ", the Hub says " + remote.sha256();
                    }
                    verified = remote.size() >= 0 || remote.sha256() != null;
                    if (!verified && unverified) {
                        return recheckByDownloading(url, target, sha);
                    }
                } catch (IOException | DataUnavailableException e) {
                    LOG.info("could not ask the Hub about {} ({}); using the local copy, unverified", target.getFileName(),
                            e.toString());
                }
            }
            if (!verified) {
                LOG.warn("{} is not verified: the server reported neither its size nor its SHA-256; it is checked"
                        + " again on the next use", target);
            }
            writeMeta(metaPath, url, size, sha, mtime, verified);
            return null;
        }
        long expectedSize = Long.parseLong(meta.getProperty("size", "-1"));
        if (expectedSize != size) {
            return "size " + size + " bytes, expected " + expectedSize;
        }
        if (Long.parseLong(meta.getProperty("mtime", "-1")) != mtime) {
            String sha = Sha256.of(target);
            if (!sha.equals(meta.getProperty("sha256"))) {
                return "SHA-256 " + sha + ", expected " + meta.getProperty("sha256");
            }
            writeMeta(metaPath, url, size, sha, mtime, !"false".equals(meta.getProperty("verified")));
        }
        return null;
    }

    /**
     * An unverified file, and a server that still gives no size or checksum: download it again
     * and compare. Two downloads that agree verify each other; if they differ the new one is kept,
     * still unverified.
     */
    private String recheckByDownloading(URI url, Path target, String sha) throws IOException {
        Path again = sibling(target, ".recheck");
        Files.deleteIfExists(sibling(again, ".part"));
        Files.deleteIfExists(sibling(again, ".part.meta"));
        try {
            download(url, again);
            String shaAgain = Sha256.of(again);
            if (shaAgain.equals(sha)) {
                writeMeta(sibling(target, ".meta"), url, Files.size(target), sha,
                        Files.getLastModifiedTime(target).toMillis(), true);
                LOG.info("{} verified: a second download has the same SHA-256 {}", target, sha);
                return null;
            }
            return "a second download differs (SHA-256 " + shaAgain + ", cached " + sha + ")";
        } finally {
            Files.deleteIfExists(again);
            Files.deleteIfExists(sibling(again, ".meta"));
        }
    }

    /** A cached file's state, as {@link #verifyCache} reports it. */
    public enum CacheState {
        /** The content has the recorded SHA-256 (checked against the server when downloaded). */
        OK,
        /** The content has the recorded SHA-256, but the server gave no size or checksum to check it against. */
        UNVERIFIED,
        /** The content changed since it was recorded: the file is deleted, the next use downloads it again. */
        CORRUPT,
        /** There is no record of this file's size and hash. */
        UNKNOWN
    }

    /** Re-hashes a cached file against its recorded SHA-256; true if it matches. */
    public boolean verify(String repoId, String file) throws IOException {
        CacheState state = verifyCached(cachePath(repoId, file));
        return state == CacheState.OK || state == CacheState.UNVERIFIED;
    }

    /**
     * Re-hashes every file of the cache that has a record (the {@code verify-data} command):
     * a file whose hash changed is deleted so that the next use downloads it again.
     *
     * @return each file and its state, in path order
     */
    public java.util.SortedMap<Path, CacheState> verifyCache() throws IOException {
        java.util.SortedMap<Path, CacheState> out = new java.util.TreeMap<>();
        Path hub = options.cacheDir().resolve("hub");
        if (!Files.isDirectory(hub)) {
            return out;
        }
        for (Path target : HubCache.recordedFiles(hub)) {
            out.put(target, verifyCached(target));
        }
        return out;
    }

    private CacheState verifyCached(Path target) throws IOException {
        Object jvmLock = LOCKS.computeIfAbsent(target.toAbsolutePath().normalize(), p -> new Object());
        synchronized (jvmLock) {
            return HubCache.verify(target);
        }
    }

    /** The SHA-256 recorded for a cached file, or null. */
    static String recordedSha256(Path target) {
        return HubCache.recordedSha256(target);
    }

    private void download(URI url, Path target) throws IOException {
        Path part = sibling(target, ".part");
        Path partMetaPath = sibling(target, ".part.meta");
        Properties partMeta = readProperties(partMetaPath);
        if (partMeta == null || !url.toString().equals(partMeta.getProperty("url"))) {
            Files.deleteIfExists(part);
        }
        String expectedSha = partMeta == null ? null : partMeta.getProperty("sha256");
        long expectedSize = partMeta == null ? -1 : Long.parseLong(partMeta.getProperty("size", "-1"));
        int failures = 0;
        boolean connectedOnce = false;
        long backoff = options.retryBackoff().toMillis();
        while (true) {
            long have = Files.exists(part) ? Files.size(part) : 0;
            try {
                boolean complete = false;
                if (have > 0 && have == expectedSize) {
                    complete = true; // e.g. killed after the last byte, before the check
                } else {
                    HubHttp.Response response = http.open(url, have > 0 ? have : -1, "GET");
                    connectedOnce = true;
                    try {
                        HubHttp.Remote remote = response.remote();
                        if (expectedSha != null && remote.sha256() != null && !expectedSha.equals(remote.sha256())) {
                            LOG.warn("{} changed on the Hub since the partial download: starting again", url);
                            Files.deleteIfExists(part);
                            expectedSha = null;
                            expectedSize = -1;
                            continue;
                        }
                        long from;
                        long total;
                        int status = response.status();
                        String encoding = HubHttp.contentEncoding(response.connection());
                        if (status == 206 && encoding != null) {
                            LOG.warn("server sent a compressed ({}) range of {}: downloading it from the start", encoding,
                                    url);
                            Files.deleteIfExists(part);
                            continue;
                        }
                        if (status == 206) {
                            Matcher m = CONTENT_RANGE.matcher(String.valueOf(response.connection().getHeaderField("Content-Range")));
                            if (!m.matches() || Long.parseLong(m.group(1)) != have) {
                                LOG.warn("server answered Range bytes={}- with Content-Range {}: downloading {} from the start",
                                        have, response.connection().getHeaderField("Content-Range"), url);
                                Files.deleteIfExists(part);
                                continue;
                            }
                            from = have;
                            total = m.group(3).equals("*") ? remote.size() : Long.parseLong(m.group(3));
                        } else if (status == 200) {
                            if (have > 0) {
                                LOG.info("server ignored the Range request: downloading {} from the start", url);
                            }
                            from = 0;
                            long length = encoding == null ? response.connection().getContentLengthLong() : -1;
                            total = length >= 0 ? length : remote.size();
                        } else if (status == 416 && have > 0) {
                            LOG.warn("server refused to resume {} at byte {}: starting again", url, have);
                            Files.deleteIfExists(part);
                            continue;
                        } else {
                            throw http.httpError(status, url, target);
                        }
                        if (remote.size() >= 0 && total >= 0 && remote.size() != total) {
                            throw new IOException("the Hub announced " + remote.size() + " bytes but the server sends " + total);
                        }
                        expectedSize = total;
                        expectedSha = remote.sha256();
                        writePartMeta(partMetaPath, url, expectedSize, expectedSha);
                        long received = receive(response.connection(), encoding, part, from, total,
                                target.getFileName().toString());
                        if (total >= 0 && received < total) {
                            throw new IOException("transfer ended early at " + received + " of " + total + " bytes");
                        }
                        complete = true;
                    } finally {
                        response.connection().disconnect();
                    }
                }
                if (complete) {
                    long size = Files.size(part);
                    String problem = null;
                    String sha = null;
                    if (expectedSize >= 0 && size != expectedSize) {
                        problem = "size " + size + " bytes, expected " + expectedSize;
                    } else {
                        sha = Sha256.of(part);
                        if (expectedSha != null && !expectedSha.equals(sha)) {
                            problem = "SHA-256 " + sha + ", the Hub says " + expectedSha;
                        }
                    }
                    if (problem == null) {
                        boolean verified = expectedSha != null || expectedSize >= 0;
                        // not AtomicFiles: the .part keeps its fixed name across runs so that a cut download resumes
                        Files.move(part, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                        writeMeta(sibling(target, ".meta"), url, size, sha, Files.getLastModifiedTime(target).toMillis(),
                                verified);
                        Files.deleteIfExists(partMetaPath);
                        if (verified) {
                            LOG.info("downloaded {} ({} bytes, SHA-256 {}{})", target, size, sha,
                                    expectedSha != null ? ", matches the Hub" : ", the size the server announced");
                        } else {
                            LOG.warn("downloaded {} ({} bytes, SHA-256 {}) UNVERIFIED: the server sent neither its size"
                                    + " nor its checksum, so a transfer cut short cannot be told apart; it is checked"
                                    + " again on the next use", target, size, sha);
                        }
                        return;
                    }
                    Files.deleteIfExists(part);
                    throw new CorruptDownloadException("downloaded " + target.getFileName() + " is corrupt (" + problem + ")");
                }
            } catch (DataUnavailableException e) {
                throw e;
            } catch (IOException e) {
                if (!connectedOnce && HubHttp.isNoNetwork(e)) {
                    throw HubHttp.unavailable(url, target, "the Hub cannot be reached (" + e + ")", e);
                }
                failures++;
                if (failures > options.maxRetries()) {
                    long kept = Files.exists(part) ? Files.size(part) : 0;
                    throw new DataUnavailableException("downloading " + url + " failed " + failures + " times; last error: "
                            + e.getMessage() + (kept > 0 ? ". The " + kept + " bytes received are kept in " + part
                            + " and the next attempt resumes from there." : ""), e);
                }
                LOG.warn("download of {} interrupted ({}); retry {} of {} in {} ms", target.getFileName(),
                        e.getMessage(), failures, options.maxRetries(), backoff);
                sleep(backoff);
                backoff *= 2;
            }
        }
    }

    /** Appends the body to {@code part} from offset {@code from}; returns the part's final size. */
    private long receive(HttpURLConnection connection, String encoding, Path part, long from, long total, String label)
            throws IOException {
        ProgressBar bar = options.progress() ? new ProgressBar(System.err, label, total, from) : null;
        long position = from;
        try (FileChannel channel = FileChannel.open(part, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                InputStream in = HubHttp.decoded(connection.getInputStream(), encoding)) {
            channel.truncate(from);
            channel.position(from);
            byte[] buffer = new byte[1 << 16];
            ByteBuffer wrapped = ByteBuffer.wrap(buffer);
            for (int n; (n = in.read(buffer)) >= 0;) {
                wrapped.clear().limit(n);
                while (wrapped.hasRemaining()) {
                    channel.write(wrapped);
                }
                position += n;
                if (bar != null) {
                    bar.update(position);
                }
            }
            channel.force(false);
        } finally {
            if (bar != null) {
                bar.finish(position);
            }
        }
        return position;
    }

    private static void writeMeta(Path path, URI url, long size, String sha, long mtime, boolean verified)
            throws IOException {
        HubCache.writeRecord(path, url, size, sha, mtime, verified);
    }

    private static void writePartMeta(Path path, URI url, long size, String sha) throws IOException {
        HubCache.writePartRecord(path, url, size, sha);
    }

    static void writeProperties(Path path, Properties p) throws IOException {
        HubCache.write(path, p);
    }

    static Properties readProperties(Path path) {
        return HubCache.read(path);
    }

    static Path sibling(Path file, String suffix) {
        return HubCache.sibling(file, suffix);
    }

    private static void checkRepoId(String repoId) {
        if (repoId == null || !repoId.matches("[A-Za-z0-9][A-Za-z0-9._-]*/[A-Za-z0-9][A-Za-z0-9._-]*")) {
            throw new IllegalArgumentException("dataset repository " + repoId + " is not of the form owner/name,"
                    + " e.g. roneneldan/TinyStories");
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DataUnavailableException("download interrupted", e);
        }
    }

    /** A transfer whose bytes failed the size or checksum check: retried like a dropped one. */
    private static final class CorruptDownloadException extends IOException {
        private static final long serialVersionUID = 1L;

        CorruptDownloadException(String message) {
            super(message);
        }
    }

}
