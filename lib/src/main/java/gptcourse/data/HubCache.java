package gptcourse.data;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;

import gptcourse.io.AtomicFiles;
import gptcourse.io.Sha256;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The records {@link HubDownloader} keeps beside each cached file ({@code <file>.meta}: address,
 * size, SHA-256, modification time, whether the server confirmed it) and beside a partial download
 * ({@code <file>.part.meta}), and the re-hash that checks a file against its record.
 */
final class HubCache {
    private static final Logger LOG = LoggerFactory.getLogger(HubCache.class);

    private HubCache() {
    }

    static Path sibling(Path file, String suffix) {
        return file.resolveSibling(file.getFileName() + suffix);
    }

    /** The record of a cached file ({@code verified=false}: the server confirmed neither size nor checksum). */
    static void writeRecord(Path path, URI url, long size, String sha, long mtime, boolean verified) throws IOException {
        Properties p = new Properties();
        p.setProperty("url", url.toString());
        p.setProperty("size", Long.toString(size));
        p.setProperty("sha256", sha);
        p.setProperty("mtime", Long.toString(mtime));
        p.setProperty("verified", Boolean.toString(verified));
        write(path, p);
    }

    /** What a partial download expects: its address, size and checksum (if the server gave them). */
    static void writePartRecord(Path path, URI url, long size, String sha) throws IOException {
        Properties p = new Properties();
        p.setProperty("url", url.toString());
        p.setProperty("size", Long.toString(size));
        if (sha != null) {
            p.setProperty("sha256", sha);
        }
        write(path, p);
    }

    static void write(Path path, Properties p) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        p.store(out, "gptcourse cache metadata");
        AtomicFiles.write(path, out.toByteArray());
    }

    /** A record, or null if there is none or it cannot be read. */
    static Properties read(Path path) {
        if (!Files.exists(path)) {
            return null;
        }
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(path)) {
            p.load(in);
            return p;
        } catch (IOException | IllegalArgumentException e) {
            LOG.warn("ignoring unreadable cache metadata {}: {}", path, e.toString());
            return null;
        }
    }

    /** The SHA-256 recorded for a cached file, or null. */
    static String recordedSha256(Path target) {
        Properties meta = read(sibling(target, ".meta"));
        return meta == null ? null : meta.getProperty("sha256");
    }

    /** The cached files under {@code dir} that have a record, in path order. */
    static List<Path> recordedFiles(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".meta")
                    && !p.getFileName().toString().endsWith(".part.meta"))
                    .map(meta -> {
                        String name = meta.getFileName().toString();
                        return meta.resolveSibling(name.substring(0, name.length() - ".meta".length()));
                    })
                    .filter(Files::exists).sorted().toList();
        }
    }

    /**
     * Re-hashes a cached file against its record; a file that changed is deleted (with its
     * record) so that the next use downloads it again.
     */
    static HubDownloader.CacheState verify(Path target) throws IOException {
        Properties meta = read(sibling(target, ".meta"));
        if (meta == null || !Files.exists(target)) {
            return HubDownloader.CacheState.UNKNOWN;
        }
        String sha = Sha256.of(target);
        if (!sha.equals(meta.getProperty("sha256"))
                || Files.size(target) != Long.parseLong(meta.getProperty("size", "-1"))) {
            LOG.warn("cached {} changed since it was downloaded (SHA-256 {}, recorded {}): deleting it", target, sha,
                    meta.getProperty("sha256"));
            Files.deleteIfExists(target);
            Files.deleteIfExists(sibling(target, ".meta"));
            return HubDownloader.CacheState.CORRUPT;
        }
        return "false".equals(meta.getProperty("verified")) ? HubDownloader.CacheState.UNVERIFIED
                : HubDownloader.CacheState.OK;
    }
}
