package gptcourse.autograd;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.Shape;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Recycles the native memory of large arrays between training steps. Each step allocates the same
 * arrays again (the 0.8 GB logits and their gradient, the attention patterns); asking the OS for
 * fresh pages costs more than the arithmetic on them (about 0.5 s per 0.8 GB here), so freed arrays
 * are kept by size and handed out again. Small arrays are simply freed.
 */
public final class Buffers {
    /** Arrays smaller than this are freed, not kept: malloc's own free lists serve them well. */
    static final long MIN_POOLED_BYTES = 1L << 20;
    /**
     * At most this many free buffers are kept for any one size. The pool never holds more buffers of a
     * size than were in use at once (a buffer is only allocated when none is free), so this bound only
     * matters for sizes that stop being used. It must be at least what one step holds at once: a
     * training step keeps one attention pattern a layer for backward() (4 for the course's model, 12 for
     * GPT-2 small's) plus their gradients. With 6, every batch of notebook 03's quick-run evaluation
     * allocated fresh arrays, page faults included, and took about twice as long.
     */
    private static final int MAX_PER_SIZE = 32;

    static {
        Backend.selectNatives();
    }

    private record Key(DataType type, long length) {
    }

    private static final Map<Key, ArrayDeque<DataBuffer>> FREE = new HashMap<>();
    private static long pooledBytes;
    private static long freshPoolable;

    private Buffers() {
    }

    /** An array of the given shape, in row-major order, with unspecified contents. */
    public static INDArray empty(DataType type, long... shape) {
        long length = Shape.lengthOf(shape);
        if (length * type.width() >= MIN_POOLED_BYTES) {
            DataBuffer reused;
            synchronized (FREE) {
                ArrayDeque<DataBuffer> q = FREE.get(new Key(type, length));
                reused = q == null ? null : q.poll();
                if (reused != null) {
                    pooledBytes -= length * type.width();
                } else {
                    freshPoolable++;
                }
            }
            if (reused != null) {
                return Nd4j.create(reused, shape, Nd4j.getStrides(shape, 'c'), 0, 'c', type);
            }
        }
        return Nd4j.createUninitialized(type, shape);
    }

    /** An array of zeros of the given shape. */
    public static INDArray zeros(DataType type, long... shape) {
        return empty(type, shape).assign(0);
    }

    /**
     * Gives back an array this code allocated and no longer uses; large ones are kept for reuse.
     * Views, and arrays whose memory may be shared, are left to the garbage collector.
     */
    public static void release(INDArray a) {
        if (a == null || a.wasClosed() || a.isView() || !a.closeable()) {
            return;
        }
        DataBuffer buf = a.data();
        long bytes = buf.length() * buf.dataType().width();
        if (bytes >= MIN_POOLED_BYTES && a.length() == buf.length() && a.offset() == 0) {
            synchronized (FREE) {
                ArrayDeque<DataBuffer> q = FREE.computeIfAbsent(new Key(buf.dataType(), buf.length()), k -> new ArrayDeque<>());
                if (q.size() < MAX_PER_SIZE) {
                    q.push(buf);
                    pooledBytes += bytes;
                    return;
                }
            }
        }
        a.close();
    }

    /** Frees every kept buffer (e.g. after training, before a different workload). */
    public static void clear() {
        synchronized (FREE) {
            FREE.values().forEach(q -> q.forEach(DataBuffer::close));
            FREE.clear();
            pooledBytes = 0;
        }
    }

    /** How many arrays large enough to be kept were allocated afresh (none was free) since the start. */
    static long freshAllocations() {
        synchronized (FREE) {
            return freshPoolable;
        }
    }

    /** Whether {@code buffer} is kept for reuse now (for tests). */
    static boolean holds(DataBuffer buffer) {
        synchronized (FREE) {
            ArrayDeque<DataBuffer> q = FREE.get(new Key(buffer.dataType(), buffer.length()));
            return q != null && q.stream().anyMatch(b -> b == buffer);
        }
    }

    /** Bytes currently kept for reuse. */
    public static long pooledBytes() {
        synchronized (FREE) {
            return pooledBytes;
        }
    }
}
