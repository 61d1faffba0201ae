package gptcourse.io;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The project's one SHA-256 helper: of bytes, of a file (streamed), of a stream, and a fresh
 * digest for callers that feed it piece by piece. Hashes are lower-case hex, as the Hub's
 * {@code X-Linked-Etag} and {@code sha256sum} print them.
 */
public final class Sha256 {
    private Sha256() {
    }

    /** A new SHA-256 digest. */
    public static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this Java has no SHA-256", e);
        }
    }

    /** The digest's value as lower-case hex (this resets it). */
    public static String hex(MessageDigest digest) {
        return HexFormat.of().formatHex(digest.digest());
    }

    /** The SHA-256 of {@code bytes}. */
    public static String of(byte[] bytes) {
        MessageDigest d = digest();
        d.update(bytes);
        return hex(d);
    }

    /** The SHA-256 of a file's content, read in 1 MB pieces. */
    public static String of(Path file) throws IOException {
        MessageDigest d = digest();
        ByteBuffer buffer = ByteBuffer.allocateDirect(1 << 20);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            while (channel.read(buffer) >= 0) {
                buffer.flip();
                d.update(buffer);
                buffer.clear();
            }
        }
        return hex(d);
    }

    /** Feeds the rest of {@code in} to {@code digest}. */
    public static void update(MessageDigest digest, InputStream in) throws IOException {
        byte[] buffer = new byte[1 << 16];
        for (int n; (n = in.read(buffer)) >= 0;) {
            digest.update(buffer, 0, n);
        }
    }
}
