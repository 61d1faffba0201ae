package gptcourse.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import gptcourse.io.Sha256;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TinyStoriesTest {

    private static final String VALID = "TinyStories-valid.txt";

    @TempDir
    Path cache;

    private FakeHub hub;
    private byte[] fixture;
    private List<String> fixtureStories;

    @BeforeEach
    void startHub() throws IOException {
        hub = new FakeHub();
        // Generated stories, repeated so transfers span many buffers.
        List<String> stories = StoryGenerator.stories(5, 36);
        fixtureStories = new ArrayList<>();
        for (int copy = 0; copy < 8; copy++) {
            fixtureStories.addAll(stories);
        }
        fixture = FakeHub.storiesFile(stories, 8);
        hub.put(VALID, fixture);
    }

    @AfterEach
    void stopHub() {
        hub.close();
    }

    private DownloadOptions options() {
        return hub.options(cache, 3);
    }

    private Path cachedFile() {
        return new HubDownloader(options()).cachePath(TinyStories.REPO_ID, VALID);
    }

    @Test
    void downloadsThroughTheRedirectAndThenUsesTheCache() throws IOException {
        TextDataset dataset = TinyStories.load("validation", options());
        assertEquals(fixtureStories.size(), dataset.size());
        assertEquals(fixtureStories.get(0), dataset.text(0));
        assertEquals(fixtureStories.get(fixtureStories.size() - 1), dataset.text(dataset.size() - 1));
        assertEquals("Dataset({features: ['text'], num_rows: " + fixtureStories.size() + "})", dataset.toString());
        assertArrayEquals(fixture, Files.readAllBytes(cachedFile()));
        assertTrue(hub.log.get(0).startsWith("GET /datasets/roneneldan/TinyStories/resolve/main/" + VALID), hub.log.toString());
        assertTrue(hub.log.get(1).startsWith("GET /cdn/" + VALID), hub.log.toString());
        assertFalse(Files.exists(HubDownloader.sibling(cachedFile(), ".part")));

        int requests = hub.log.size();
        TextDataset again = TinyStories.load("validation", options());
        assertEquals(dataset.size(), again.size());
        assertEquals(requests, hub.log.size(), "a good cached file must not be fetched again");
        assertEquals(dataset.fingerprint(), again.fingerprint());
    }

    @Test
    void resumesADroppedTransferWithRange() throws IOException {
        hub.dropAfterBytes = 20_000;
        hub.dropTransfers.set(1);
        TextDataset dataset = TinyStories.load("validation", options());
        assertEquals(fixtureStories.size(), dataset.size());
        assertArrayEquals(fixture, Files.readAllBytes(cachedFile()));
        assertEquals(2, hub.cdnGets(), hub.log.toString());
        assertTrue(hub.log.stream().anyMatch(l -> l.startsWith("GET /cdn/") && l.contains("range=bytes=20000-")),
                hub.log.toString());
    }

    @Test
    void resumesAPartialFileLeftByAKilledProcess() throws IOException {
        Path target = cachedFile();
        Files.createDirectories(target.getParent());
        Files.write(HubDownloader.sibling(target, ".part"), java.util.Arrays.copyOf(fixture, 12_345));
        Properties partMeta = new Properties();
        partMeta.setProperty("url", new HubDownloader(options()).datasetUrl(TinyStories.REPO_ID, VALID).toString());
        partMeta.setProperty("size", Integer.toString(fixture.length));
        partMeta.setProperty("sha256", Sha256.of(fixture));
        HubDownloader.writeProperties(HubDownloader.sibling(target, ".part.meta"), partMeta);

        TinyStories.load("validation", options());
        assertArrayEquals(fixture, Files.readAllBytes(target));
        assertEquals(1, hub.cdnGets(), hub.log.toString());
        assertTrue(hub.log.stream().anyMatch(l -> l.contains("range=bytes=12345-")), hub.log.toString());
    }

    @Test
    void restartsWhenTheServerIgnoresRange() throws IOException {
        hub.ignoreRange = true;
        hub.dropAfterBytes = 30_000;
        hub.dropTransfers.set(1);
        TinyStories.load("validation", options());
        assertArrayEquals(fixture, Files.readAllBytes(cachedFile()));
    }

    @Test
    void retriesACorruptTransferAndFailsClearlyIfItStaysCorrupt() throws IOException {
        hub.corruptTransfers.set(1);
        TinyStories.load("validation", options());
        assertArrayEquals(fixture, Files.readAllBytes(cachedFile()));
        assertEquals(2, hub.cdnGets());

        Files.delete(cachedFile());
        Files.delete(HubDownloader.sibling(cachedFile(), ".meta"));
        hub.corruptTransfers.set(100);
        DataUnavailableException e = assertThrows(DataUnavailableException.class,
                () -> TinyStories.load("validation", options()));
        assertTrue(e.getMessage().contains("SHA-256"), e.getMessage());
        assertFalse(Files.exists(cachedFile()), "a corrupt download must never land in the cache");
    }

    @Test
    void repairsACorruptOrTruncatedCachedFile() throws IOException {
        TinyStories.load("validation", options());
        Path target = cachedFile();

        byte[] corrupt = fixture.clone();
        corrupt[100] ^= 1; // same size, different bytes
        Files.write(target, corrupt);
        Files.setLastModifiedTime(target, FileTime.fromMillis(System.currentTimeMillis() + 5_000));
        TextDataset repaired = TinyStories.load("validation", options());
        assertArrayEquals(fixture, Files.readAllBytes(target));
        assertEquals(fixtureStories.get(0), repaired.text(0));
        assertEquals(2, hub.cdnGets());

        Files.write(target, java.util.Arrays.copyOf(fixture, 999)); // truncated
        TinyStories.load("validation", options());
        assertArrayEquals(fixture, Files.readAllBytes(target));
        assertEquals(3, hub.cdnGets());
    }

    @Test
    void offlineWithoutCacheSaysWhatToDownloadAndWhere() {
        DataUnavailableException e = assertThrows(DataUnavailableException.class,
                () -> TinyStories.load("validation", options().withOffline(true)));
        String message = e.getMessage();
        assertTrue(message.contains("/datasets/roneneldan/TinyStories/resolve/main/TinyStories-valid.txt"), message);
        assertTrue(message.contains(cachedFile().toAbsolutePath().toString()), message);
        assertTrue(message.contains("HF_HUB_OFFLINE"), message);
        assertTrue(message.contains("TinyStories.standIn(\"validation\")"), message);
        assertTrue(hub.log.isEmpty(), "offline means no request at all");
    }

    @Test
    void unreachableHubWithoutCacheSaysWhatToDownloadAndWhere() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        DownloadOptions unreachable = options().withEndpoint(URI.create("http://127.0.0.1:" + closedPort));
        DataUnavailableException e = assertThrows(DataUnavailableException.class,
                () -> TinyStories.load("train", unreachable));
        assertTrue(e.getMessage().contains("cannot be reached"), e.getMessage());
        assertTrue(e.getMessage().contains("TinyStories-train.txt"), e.getMessage());
    }

    @Test
    void sendsTheTokenToTheHubOnly() {
        hub.requiredToken = "hf_secret";
        DataUnavailableException e = assertThrows(DataUnavailableException.class,
                () -> TinyStories.load("validation", options()));
        assertTrue(e.getMessage().contains("HF_TOKEN"), e.getMessage());
        TextDataset dataset = TinyStories.load("validation", options().withToken("hf_secret"));
        assertEquals(fixtureStories.size(), dataset.size());
        assertTrue(hub.log.stream().filter(l -> l.startsWith("GET /cdn/")).allMatch(l -> l.endsWith("auth=false")),
                hub.log.toString());
    }

    @Test
    void missingFileOnTheHubIsNotRetried() {
        DataUnavailableException e = assertThrows(DataUnavailableException.class,
                () -> TinyStories.load("train", options()));
        assertTrue(e.getMessage().contains("404"), e.getMessage());
        assertEquals(1, hub.log.size(), hub.log.toString());
    }

    @Test
    void loadsALocalFileOrDirectory(@TempDir Path dir) throws IOException {
        Files.write(dir.resolve("TinyStories-train.txt"), fixture);
        assertEquals(fixtureStories.size(), TinyStories.load("train", dir).size());
        assertEquals(fixtureStories.size(), TinyStories.load("train", dir.resolve("TinyStories-train.txt")).size());
        DataUnavailableException e = assertThrows(DataUnavailableException.class, () -> TinyStories.load("validation", dir));
        assertTrue(e.getMessage().contains("TinyStories-valid.txt") && e.getMessage().contains("TinyStories-train.txt"),
                e.getMessage());
    }

    @Test
    void loadOrStandInFallsBackOnlyWhenTheDataIsUnavailable() {
        TextDataset offline = TinyStories.loadOrStandIn("validation", options().withOffline(true));
        assertTrue(offline.isStandIn());
        assertTrue(offline.size() > 2000, "the generated validation stand-in: " + offline.size() + " stories");
        assertTrue(Files.isDirectory(cache.resolve("standin")), "generated into the options' cache");
        TextDataset online = TinyStories.loadOrStandIn("validation", options());
        assertFalse(online.isStandIn());
        assertEquals(fixtureStories.size(), online.size());
    }

    @Test
    void rejectsUnknownSplits() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TinyStories.fileName("test"));
        assertTrue(e.getMessage().contains("\"test\"") && e.getMessage().contains("\"validation\""), e.getMessage());
    }

    @Test
    void aStandInFileFromAnotherGeneratorIsNeverRead() throws IOException {
        // what an older build of the generator left in a cache under the old name, with other stories: the
        // autograder's judge once read such a file while the students' kernels generated theirs afresh
        Path dir = cache.resolve("standin");
        Files.createDirectories(dir);
        String stale = "Once upon a time, an older generator wrote this.\n<|endoftext|>\n";
        Files.writeString(dir.resolve("stories-v" + StoryGenerator.VERSION + "-seed" + TinyStories.STAND_IN_TRAIN_SEED
                + "-5000.txt"), stale.repeat(100));
        TextDataset train = TinyStories.standIn("train", 5_000, dir);
        assertEquals(StoryGenerator.story(TinyStories.STAND_IN_TRAIN_SEED, 0), train.text(0));
        // the generator's output is in the file's name, so the tokenized caches made from it are keyed by it too
        String fingerprint = TinyStories.generatorFingerprint(TinyStories.STAND_IN_TRAIN_SEED);
        assertTrue(fingerprint.matches("[0-9a-f]{8}"), fingerprint);
        assertTrue(Files.isRegularFile(dir.resolve("stories-v" + StoryGenerator.VERSION + "-" + fingerprint + "-seed"
                + TinyStories.STAND_IN_TRAIN_SEED + "-5000.txt")));
        assertFalse(fingerprint.equals(TinyStories.generatorFingerprint(TinyStories.STAND_IN_VALIDATION_SEED)));
    }

    @Test
    void standInCorpusIsGeneratedLabelledAndSplit() throws IOException {
        Path dir = cache.resolve("standin");
        TextDataset train = TinyStories.standIn("train", 60_000, dir);
        TextDataset validation = TinyStories.standIn("validation", 20_000, dir);
        assertTrue(train.isStandIn() && validation.isStandIn());
        assertTrue(train.toString().contains("stand-in") && train.toString().contains("not TinyStories"), train.toString());
        assertTrue(train.size() > 50, train.toString());
        assertFalse(train.text(0).equals(validation.text(0)), "the splits come from different seeds");
        assertEquals(StoryGenerator.story(TinyStories.STAND_IN_TRAIN_SEED, 0), train.text(0));
        for (String story : train) {
            assertFalse(story.isBlank());
            assertFalse(story.contains(Gpt2Tokenizer.END_OF_TEXT));
        }
        // generated once: the second call reads the same file (same name, same time stamp)
        List<Path> files;
        try (var list = Files.list(dir)) {
            files = list.filter(p -> p.toString().endsWith(".txt")).sorted().toList();
        }
        assertEquals(2, files.size(), files.toString());
        FileTime before = Files.getLastModifiedTime(files.get(0));
        assertEquals(train.size(), TinyStories.standIn("train", 60_000, dir).size());
        assertEquals(before, Files.getLastModifiedTime(files.get(0)));
        // a smaller corpus is a prefix of a larger one; in memory (no folder) gives the same stories
        TextDataset small = TinyStories.standIn("train", 10_000, null);
        assertFalse(small.toString().isEmpty());
        for (int i = 0; i < small.size(); i++) {
            assertEquals(train.text(i), small.text(i));
        }
        assertThrows(IllegalArgumentException.class, () -> TinyStories.standIn("train", 0, dir));
        assertThrows(IllegalArgumentException.class, () -> TinyStories.standIn("test", 100, dir));
    }

    @Test
    void standInFallsBackToMemoryWhenTheCacheCannotBeWritten() throws IOException {
        Path blocker = cache.resolve("not-a-folder");
        Files.writeString(blocker, "a file where the folder should be");
        TextDataset d = TinyStories.standIn("validation", 5_000, blocker.resolve("standin"));
        assertTrue(d.isStandIn());
        assertEquals(StoryGenerator.story(TinyStories.STAND_IN_VALIDATION_SEED, 0), d.text(0));
    }
}
