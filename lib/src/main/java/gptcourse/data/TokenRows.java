package gptcourse.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteOrder;
import java.nio.IntBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Rows of {@code width} int32 token ids: either an int array on the heap, or a file of
 * little-endian int32 (what {@code numpy.memmap(path, dtype="<i4")} reads) mapped into memory
 * in segments of under 1 GiB, so the page cache, not the heap, holds the 470 M-token train split.
 */
abstract class TokenRows {

    final int rows;
    final int width;

    TokenRows(int rows, int width) {
        this.rows = rows;
        this.width = width;
    }

    /** Copies row {@code row} into {@code dst[offset .. offset + width)}. */
    abstract void copyRow(int row, long[] dst, int offset);

    /** Copies row {@code row} into {@code dst[offset .. offset + width)}. */
    abstract void copyRow(int row, int[] dst, int offset);

    static TokenRows onHeap(int[] tokens, int rows, int width) {
        return new Heap(tokens, rows, width);
    }

    static TokenRows mapped(Path file, int rows, int width) {
        return new Mapped(file, rows, width);
    }

    private static final class Heap extends TokenRows {
        private final int[] tokens;

        Heap(int[] tokens, int rows, int width) {
            super(rows, width);
            this.tokens = tokens;
        }

        @Override
        void copyRow(int row, long[] dst, int offset) {
            int from = row * width;
            for (int i = 0; i < width; i++) {
                dst[offset + i] = tokens[from + i];
            }
        }

        @Override
        void copyRow(int row, int[] dst, int offset) {
            System.arraycopy(tokens, row * width, dst, offset, width);
        }
    }

    private static final class Mapped extends TokenRows {
        private final IntBuffer[] segments;
        private final int rowsPerSegment;

        Mapped(Path file, int rows, int width) {
            super(rows, width);
            this.rowsPerSegment = Math.max(1, (1 << 30) / (4 * width));
            int count = (rows + rowsPerSegment - 1) / rowsPerSegment;
            this.segments = new IntBuffer[count];
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
                long needed = 4L * rows * width;
                if (channel.size() < needed) {
                    throw new IOException(file + " holds " + channel.size() + " bytes, " + rows + " rows of " + width
                            + " int32 need " + needed);
                }
                for (int s = 0; s < count; s++) {
                    long firstRow = (long) s * rowsPerSegment;
                    long n = Math.min(rowsPerSegment, rows - firstRow);
                    segments[s] = channel.map(FileChannel.MapMode.READ_ONLY, 4L * firstRow * width, 4L * n * width)
                            .order(ByteOrder.LITTLE_ENDIAN).asIntBuffer();
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot map the token file " + file, e);
            }
        }

        @Override
        void copyRow(int row, long[] dst, int offset) {
            IntBuffer segment = segments[row / rowsPerSegment];
            int from = (row % rowsPerSegment) * width;
            for (int i = 0; i < width; i++) {
                dst[offset + i] = segment.get(from + i);
            }
        }

        @Override
        void copyRow(int row, int[] dst, int offset) {
            segments[row / rowsPerSegment].get((row % rowsPerSegment) * width, dst, offset, width);
        }
    }
}
