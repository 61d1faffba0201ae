package gptcourse.data;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.ref.Cleaner;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Iterator;
import java.util.NoSuchElementException;

import gptcourse.io.AtomicFiles;
import gptcourse.io.Sha256;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A text file of stories separated by lines {@code <|endoftext|>}, the format of TinyStories'
 * {@code TinyStories-train.txt} and {@code TinyStories-valid.txt}.
 *
 * <p>A story is the bytes between two separator lines, decoded as UTF-8 and stripped of
 * surrounding whitespace; stories that are only whitespace are skipped. Random access uses an
 * index of byte offsets built in one pass (about 25 MB for the 2.1 M train stories, saved under
 * the cache directory so the next run skips the pass); streaming reads the file once in order
 * and never holds more than one story.
 */
final class StoryFile {

    private static final Logger LOG = LoggerFactory.getLogger(StoryFile.class);
    private static final byte[] SEPARATOR = Gpt2Tokenizer.END_OF_TEXT.getBytes(StandardCharsets.US_ASCII);
    private static final int INDEX_MAGIC = 0x53544f52; // "STOR"
    private static final int INDEX_VERSION = 1;
    private static final Cleaner CLEANER = Cleaner.create();

    private final Path file;
    private final Path indexCacheDir;
    private volatile long[] starts;
    private volatile int[] lengths;

    /**
     * @param file the stories file
     * @param indexCacheDir where to keep the offset index, or {@code null} to rebuild it in
     *     memory each time
     */
    StoryFile(Path file, Path indexCacheDir) {
        this.file = file;
        this.indexCacheDir = indexCacheDir;
    }

    Path path() {
        return file;
    }

    int size() {
        ensureIndex();
        return starts.length;
    }

    String get(int i) {
        ensureIndex();
        if (i < 0 || i >= starts.length) {
            throw new IndexOutOfBoundsException("story " + i + " does not exist: " + file.getFileName()
                    + " has " + starts.length + " stories (0 to " + (starts.length - 1) + ")");
        }
        ByteBuffer buffer = ByteBuffer.allocate(lengths[i]);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long position = starts[i];
            while (buffer.hasRemaining()) {
                int n = channel.read(buffer, position);
                if (n < 0) {
                    throw new IOException(file + " is shorter than its index says: was it changed?");
                }
                position += n;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read story " + i + " of " + file, e);
        }
        return new String(buffer.array(), StandardCharsets.UTF_8).strip();
    }

    /** Reads the stories in order, one at a time, without the index. */
    Iterator<String> iterator() {
        InputStream in;
        try {
            in = Files.newInputStream(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open " + file, e);
        }
        Scanner scanner = new Scanner(in, true);
        Iterator<String> iterator = new Iterator<>() {
            private String next = advance();

            private String advance() {
                try {
                    if (!scanner.next()) {
                        in.close();
                        return null;
                    }
                    return scanner.text;
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot read " + file, e);
                }
            }

            @Override
            public boolean hasNext() {
                return next != null;
            }

            @Override
            public String next() {
                if (next == null) {
                    throw new NoSuchElementException();
                }
                String current = next;
                next = advance();
                return current;
            }
        };
        // A loop that stops early never reaches the end of the file: close it when the
        // iterator is garbage.
        CLEANER.register(iterator, () -> {
            try {
                in.close();
            } catch (IOException ignored) {
                // nothing to do: the stream was only read
            }
        });
        return iterator;
    }

    private void ensureIndex() {
        if (starts != null) {
            return;
        }
        synchronized (this) {
            if (starts == null) {
                buildOrLoadIndex();
            }
        }
    }

    private void buildOrLoadIndex() {
        try {
            long size = Files.size(file);
            long mtime = Files.getLastModifiedTime(file).toMillis();
            Path cached = null;
            if (indexCacheDir != null) {
                String key = file.toAbsolutePath().normalize() + "|" + size + "|" + mtime;
                cached = indexCacheDir.resolve(Sha256.of(key.getBytes(StandardCharsets.UTF_8))
                        .substring(0, 24) + ".stories.idx");
                if (Files.exists(cached) && readIndex(cached, size)) {
                    return;
                }
            }
            long t0 = System.nanoTime();
            LongList startList = new LongList();
            LongList lengthList = new LongList();
            try (InputStream in = Files.newInputStream(file)) {
                Scanner scanner = new Scanner(in, false);
                while (scanner.next()) {
                    startList.add(scanner.start);
                    lengthList.add(scanner.end - scanner.start);
                }
            }
            long[] s = startList.toArray();
            int[] l = new int[s.length];
            long[] ll = lengthList.toArray();
            for (int i = 0; i < l.length; i++) {
                l[i] = Math.toIntExact(ll[i]);
            }
            lengths = l;
            starts = s;
            LOG.info("indexed {} stories in {} ({} ms)", s.length, file.getFileName(), (System.nanoTime() - t0) / 1_000_000);
            if (cached != null) {
                writeIndex(cached, size);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot index the stories in " + file, e);
        }
    }

    private boolean readIndex(Path cached, long fileSize) {
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(cached), 1 << 16))) {
            if (in.readInt() != INDEX_MAGIC || in.readInt() != INDEX_VERSION || in.readLong() != fileSize) {
                return false;
            }
            int n = in.readInt();
            long[] s = new long[n];
            int[] l = new int[n];
            for (int i = 0; i < n; i++) {
                s[i] = in.readLong();
                l[i] = in.readInt();
                if (s[i] < 0 || l[i] < 0 || s[i] + l[i] > fileSize) {
                    return false;
                }
            }
            lengths = l;
            starts = s;
            return true;
        } catch (IOException e) {
            LOG.warn("ignoring unreadable story index {}: {}", cached, e.toString());
            return false;
        }
    }

    private void writeIndex(Path cached, long fileSize) {
        try {
            Files.createDirectories(cached.getParent());
            AtomicFiles.write(cached, stream -> {
                DataOutputStream out = new DataOutputStream(stream);
                out.writeInt(INDEX_MAGIC);
                out.writeInt(INDEX_VERSION);
                out.writeLong(fileSize);
                out.writeInt(starts.length);
                for (int i = 0; i < starts.length; i++) {
                    out.writeLong(starts[i]);
                    out.writeInt(lengths[i]);
                }
            });
        } catch (IOException e) {
            LOG.warn("could not save the story index to {} ({}); it will be rebuilt next time", cached, e.toString());
        }
    }

    /** Splits a byte stream into stories; shared by the index and the streaming iterator. */
    static final class Scanner {
        private final InputStream in;
        private final boolean decode;
        private final byte[] buffer = new byte[1 << 16];
        private int bufferLength;
        private int bufferPosition;
        private long position; // file offset of buffer[bufferPosition]
        private boolean eof;
        private byte[] story = new byte[4096];
        private int storyLength;
        private final byte[] line = new byte[SEPARATOR.length + 8];
        /** Byte range [start, end) and text (when decoding) of the story {@link #next} found. */
        long start;
        long end;
        String text;

        Scanner(InputStream in, boolean decode) {
            this.in = in;
            this.decode = decode;
        }

        /** Advances to the next non-blank story; false at the end of the stream. */
        boolean next() throws IOException {
            long storyStart = position;
            boolean content = false;
            storyLength = 0;
            while (true) {
                long lineStart = position;
                int storyLengthAtLineStart = storyLength;
                int lineLength = 0; // bytes kept in `line`, while the line may still be a separator
                boolean maybeSeparator = true;
                boolean lineContent = false;
                boolean endOfLine = false;
                while (!endOfLine) {
                    if (bufferPosition == bufferLength && !fill()) {
                        break;
                    }
                    byte b = buffer[bufferPosition++];
                    position++;
                    if (decode) {
                        append(b);
                    }
                    if (b == '\n') {
                        endOfLine = true;
                    } else {
                        lineContent |= !isSpace(b);
                        if (maybeSeparator) {
                            if (lineLength < line.length) {
                                line[lineLength++] = b;
                            } else {
                                maybeSeparator = false;
                            }
                        }
                    }
                }
                boolean atEnd = !endOfLine;
                if (maybeSeparator && isSeparator(line, lineLength)) {
                    if (content) {
                        return found(storyStart, lineStart, storyLengthAtLineStart);
                    }
                    storyStart = position; // a blank story: skip it
                    storyLength = 0;
                } else {
                    content |= lineContent;
                }
                if (atEnd) {
                    return content && found(storyStart, position, storyLength);
                }
            }
        }

        private boolean found(long from, long to, int textLength) {
            start = from;
            end = to;
            text = decode ? new String(story, 0, textLength, StandardCharsets.UTF_8).strip() : null;
            return true;
        }

        private boolean fill() throws IOException {
            if (eof) {
                return false;
            }
            int n = in.read(buffer);
            if (n <= 0) {
                eof = n < 0;
                return n == 0 ? fill() : false;
            }
            bufferLength = n;
            bufferPosition = 0;
            return true;
        }

        private void append(byte b) {
            if (storyLength == story.length) {
                story = Arrays.copyOf(story, story.length * 2);
            }
            story[storyLength++] = b;
        }

        private static boolean isSpace(byte b) {
            return b == ' ' || b == '\t' || b == '\r' || b == '\n' || b == 0x0b || b == 0x0c;
        }

        private static boolean isSeparator(byte[] line, int length) {
            int from = 0;
            int to = length;
            while (from < to && isSpace(line[from])) {
                from++;
            }
            while (to > from && isSpace(line[to - 1])) {
                to--;
            }
            return to - from == SEPARATOR.length && Arrays.equals(line, from, to, SEPARATOR, 0, SEPARATOR.length);
        }
    }

    /** A growable long array. */
    static final class LongList {
        private long[] values = new long[1024];
        private int size;

        void add(long value) {
            if (size == values.length) {
                values = Arrays.copyOf(values, size * 2);
            }
            values[size++] = value;
        }

        long[] toArray() {
            return Arrays.copyOf(values, size);
        }
    }
}
