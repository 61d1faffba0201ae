package gptcourse.io;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The project's one atomic file write: write a temporary sibling with a name of its own, force it
 * to disk, then rename it over the target (a rename within a folder is atomic on POSIX file
 * systems), so a crash never leaves a half-written file and two writers never share a temporary
 * file; plus the one-line message for a write that failed.
 *
 * <p>The temporary file is {@code <target's name>.<random hex>.tmp}; a failed write deletes it (a
 * full disk gets its space back), a killed process leaves it under that name.
 */
public final class AtomicFiles {
    private AtomicFiles() {
    }

    /** Writes a file's content to a buffered stream (closing the stream only flushes it). */
    @FunctionalInterface
    public interface StreamContent {
        void writeTo(OutputStream out) throws IOException;
    }

    /** Writes a file's content to a channel, open for reading too and at position 0. */
    @FunctionalInterface
    public interface ChannelContent {
        void writeTo(FileChannel channel) throws IOException;
    }

    /** Replaces {@code file} with {@code bytes}. */
    public static void write(Path file, byte[] bytes) throws IOException {
        write(file, out -> out.write(bytes));
    }

    /** Replaces {@code file} with what {@code content} writes, or leaves it as it was if that throws. */
    public static void write(Path file, StreamContent content) throws IOException {
        writeChannel(file, channel -> {
            OutputStream out = new BufferedOutputStream(Channels.newOutputStream(channel), 1 << 16) {
                @Override
                public void close() throws IOException {
                    flush(); // the channel stays open: it is forced to disk before the rename
                }
            };
            content.writeTo(out);
            out.flush();
        });
    }

    /** As {@link #write(Path, StreamContent)}, for content written to (and read back from) a channel. */
    public static void writeChannel(Path file, ChannelContent content) throws IOException {
        Path tmp = createSibling(file);
        try {
            try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                content.writeTo(channel);
                channel.force(true);
            }
            rename(tmp, file);
        } catch (Throwable e) {
            deleteQuietly(tmp);
            throw e;
        }
    }

    /** A new empty file {@code <file's name>.<random hex>.tmp} beside {@code file}. */
    private static Path createSibling(Path file) throws IOException {
        for (int attempt = 1;; attempt++) {
            String suffix = "." + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".tmp";
            try {
                return Files.createFile(file.resolveSibling(file.getFileName() + suffix));
            } catch (FileAlreadyExistsException e) {
                if (attempt == 10) {
                    throw e;
                }
            }
        }
    }

    /** Renames {@code tmp} over {@code file}, atomically where the file system can. */
    private static void rename(Path tmp, Path file) throws IOException {
        try {
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static void deleteQuietly(Path tmp) {
        try {
            Files.deleteIfExists(tmp);
        } catch (IOException ignored) {
            // the write failed already; that error is the one to report
        }
    }

    /**
     * The one-line error for a failed write: {@code cannot <action> <path>: <cause>}, the cause in
     * words (no space left on device, permission denied, not a directory, ...).
     */
    public static UncheckedIOException failure(String action, Path path, IOException e) {
        return new UncheckedIOException("cannot " + action + " " + path.toAbsolutePath() + ": " + cause(e), e);
    }

    /** What went wrong, in words, with the file it concerns when that is not the path already named. */
    public static String cause(IOException e) {
        String why;
        if (e instanceof AccessDeniedException) {
            why = "permission denied";
        } else if (e instanceof NoSuchFileException) {
            why = "no such file or folder";
        } else if (e instanceof NotDirectoryException) {
            why = "not a directory";
        } else if (e instanceof FileSystemException f && f.getReason() != null) {
            why = f.getReason();
        } else {
            why = e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
        }
        if (e instanceof FileSystemException f && f.getFile() != null && !why.contains(f.getFile())) {
            why += " (" + f.getFile() + ")";
        }
        return why;
    }
}
