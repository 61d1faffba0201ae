package gptcourse.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * The project's one atomic file write: write a temporary sibling, force it to disk, then rename
 * it over the target (a rename within a folder is atomic on POSIX file systems), so a crash never
 * leaves a half-written file; plus the one-line message for a write that failed.
 */
public final class AtomicFiles {
    private AtomicFiles() {
    }

    public static void write(Path file, byte[] bytes) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                java.nio.ByteBuffer buf = java.nio.ByteBuffer.wrap(bytes);
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
            }
            move(tmp, file); // forces it to disk before the rename
        } catch (IOException | RuntimeException e) {
            deleteQuietly(tmp);
            throw e;
        }
    }

    /** Deletes a temporary file after a failed write (a full disk gets the space back). */
    public static void deleteQuietly(Path tmp) {
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

    /** Renames {@code tmp} over {@code file} atomically (after forcing it to disk). */
    public static void move(Path tmp, Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
        try {
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
