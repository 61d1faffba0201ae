package gptcourse.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Downloads you can trust, against the fake hub: a server that gives no size and ends early, a
 * compressed body, an unknown encoding, a redirect to {@code file:} or in a loop, and a cached file
 * changed in place.
 */
class HubDownloaderFaultsTest {
    private static final String VALID = "TinyStories-valid.txt";

    @TempDir
    Path cache;

    private FakeHub hub;
    private byte[] fixture;

    @BeforeEach
    void startHub() throws IOException {
        hub = new FakeHub();
        fixture = FakeHub.storiesFile(StoryGenerator.stories(7, 36), 4);
        hub.put(VALID, fixture);
    }

    @AfterEach
    void stopHub() {
        hub.close();
    }

    private DownloadOptions options() {
        return hub.options(cache, 2);
    }

    private Path cachedFile() {
        return new HubDownloader(options()).cachePath(TinyStories.REPO_ID, VALID);
    }

    private Properties meta() {
        return HubDownloader.readProperties(HubDownloader.sibling(cachedFile(), ".meta"));
    }

    @Test
    void aTransferWithoutSizeHeadersThatEndsEarlyIsNotTrustedAndIsRecheckedOnTheNextUse() throws IOException {
        hub.noSizeHeaders = true;
        hub.dropAfterBytes = 10_000;
        hub.truncateSilently.set(1);
        TinyStories.load("validation", options());
        assertEquals(10_000, Files.size(cachedFile()), "the cut transfer looked complete");
        assertEquals("false", meta().getProperty("verified"), "but it is marked unverified");

        // Next use: the server still gives no size, so the file is fetched again and compared.
        TinyStories.load("validation", options());
        assertArrayEquals(fixture, Files.readAllBytes(cachedFile()), "the truncated copy was replaced");
        assertEquals("false", meta().getProperty("verified"));
        // Once two downloads agree the copy counts as verified and is used without more transfers.
        TinyStories.load("validation", options());
        assertEquals("true", meta().getProperty("verified"));
        long gets = hub.cdnGets();
        TinyStories.load("validation", options());
        assertEquals(gets, hub.cdnGets(), "a verified copy is not downloaded again");
        assertArrayEquals(fixture, Files.readAllBytes(cachedFile()));
    }

    @Test
    void aGzipBodyIsStoredDecodedAndChecked() throws IOException {
        hub.contentEncoding = "gzip";
        TinyStories.load("validation", options());
        assertArrayEquals(fixture, Files.readAllBytes(cachedFile()));
        assertEquals(gptcourse.io.Sha256.of(fixture), meta().getProperty("sha256"));
        assertEquals("true", meta().getProperty("verified"));
    }

    @Test
    void anEncodingItCannotDecodeIsRefusedAndTheStandInIsUsed() {
        hub.contentEncoding = "br";
        DataUnavailableException e = assertThrows(DataUnavailableException.class,
                () -> TinyStories.load("validation", options()));
        assertTrue(e.getMessage().contains("Content-Encoding \"br\""), e.getMessage());
        assertFalse(Files.exists(cachedFile()));
        assertTrue(TinyStories.loadOrStandIn("validation", options()).toString().contains("stand-in"));
    }

    @Test
    void onlyHttpRedirectsAreFollowed() {
        for (String elsewhere : new String[] {"file:///etc/passwd", "ftp://127.0.0.1/x", "jar:file:/x.jar!/y"}) {
            hub.redirectTo = elsewhere;
            DataUnavailableException e = assertThrows(DataUnavailableException.class,
                    () -> TinyStories.load("validation", options()), elsewhere);
            assertTrue(e.getMessage().contains("which is not an http(s) address"), e.getMessage());
            assertTrue(TinyStories.loadOrStandIn("validation", options()).toString().contains("stand-in"));
        }
        hub.redirectTo = hub.endpoint() + "/datasets/" + TinyStories.REPO_ID + "/resolve/main/" + VALID; // a loop
        DataUnavailableException e = assertThrows(DataUnavailableException.class,
                () -> TinyStories.load("validation", options()));
        assertTrue(e.getMessage().contains("more than 10 redirects"), e.getMessage());
        assertFalse(Files.exists(cachedFile()));
    }

    @Test
    void aCachedFileChangedInPlaceIsFoundBySizeOnEveryUseAndByHashOnVerify() throws IOException {
        TinyStories.load("validation", options());
        HubDownloader downloader = new HubDownloader(options());
        assertEquals(Map.of(cachedFile(), HubDownloader.CacheState.OK), downloader.verifyCache());

        // Same size, same modification time, one byte changed: only the hash can tell.
        Path file = cachedFile();
        FileTime time = Files.getLastModifiedTime(file);
        byte[] bytes = Files.readAllBytes(file);
        bytes[bytes.length / 3] ^= 1;
        Files.write(file, bytes);
        Files.setLastModifiedTime(file, time);
        assertFalse(downloader.verify(TinyStories.REPO_ID, VALID));
        assertFalse(Files.exists(file), "verify deletes a changed file so that the next load fetches it again");
        assertEquals(Map.of(), downloader.verifyCache());
        TinyStories.load("validation", options());
        assertArrayEquals(fixture, Files.readAllBytes(file));

        // A changed size is caught on every load, without hashing.
        Files.write(file, java.util.Arrays.copyOf(fixture, fixture.length - 5));
        Files.setLastModifiedTime(file, time);
        TinyStories.load("validation", options());
        assertArrayEquals(fixture, Files.readAllBytes(file));
    }
}
