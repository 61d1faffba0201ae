package gptcourse.io;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every way of hashing gives the same lower-case hex as {@code sha256sum}. */
class Sha256Test {
    private static final String ABC = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

    @Test
    void bytesFilesAndStreamsHashAlike(@TempDir Path dir) throws IOException {
        byte[] abc = "abc".getBytes(StandardCharsets.US_ASCII);
        assertEquals(ABC, Sha256.of(abc));
        assertEquals(ABC, Sha256.of(Files.write(dir.resolve("abc"), abc)));
        MessageDigest d = Sha256.digest();
        Sha256.update(d, new ByteArrayInputStream(abc));
        assertEquals(ABC, Sha256.hex(d));
    }

    @Test
    void aFileLargerThanOneReadIsHashedWhole(@TempDir Path dir) throws IOException {
        byte[] big = new byte[(1 << 20) * 2 + 17];
        for (int i = 0; i < big.length; i++) {
            big[i] = (byte) (i * 31);
        }
        assertEquals(Sha256.of(big), Sha256.of(Files.write(dir.resolve("big"), big)));
    }
}
