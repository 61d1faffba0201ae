package gptcourse.autograd;

import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.memory.Deallocatable;
import org.nd4j.linalg.api.memory.deallocation.DeallocatorService;
import org.nd4j.linalg.factory.Nd4j;

/**
 * For tests: the native buffers that ND4J allocates while some code runs, and what became of them
 * by its end: closed (freed at once), kept by {@link Buffers} for reuse, or neither (still in use, or
 * waiting for the garbage collector). ND4J registers every buffer that owns memory with its
 * deallocator service; this puts a recording one in its place while the code runs.
 */
public final class NativeAllocations {
    /** Bytes of owning buffers allocated, and how many of those bytes were closed, pooled or neither. */
    public record Report(long allocated, long closed, long pooled, long neither) {
    }

    private static final class Recorder extends DeallocatorService {
        final List<DataBuffer> buffers = Collections.synchronizedList(new ArrayList<>());

        @Override
        public void pickObject(Deallocatable d) {
            if (d instanceof DataBuffer b && b.originalDataBuffer() == null) {
                buffers.add(b); // views share their original's memory and own nothing
            }
            super.pickObject(d);
        }
    }

    private NativeAllocations() {
    }

    public static Report during(Runnable code) {
        Recorder recorder = new Recorder();
        DeallocatorService original = Nd4j.getDeallocatorService();
        Field field = serviceField();
        set(field, recorder);
        try {
            code.run();
        } finally {
            set(field, original);
        }
        long allocated = 0;
        long closed = 0;
        long pooled = 0;
        synchronized (recorder.buffers) {
            for (DataBuffer b : recorder.buffers) {
                long bytes = b.length() * b.getElementSize();
                allocated += bytes;
                if (b.wasClosed()) {
                    closed += bytes;
                } else if (Buffers.holds(b)) {
                    pooled += bytes;
                }
            }
        }
        return new Report(allocated, closed, pooled, allocated - closed - pooled);
    }

    private static Field serviceField() {
        try {
            Nd4j.getDeallocatorService(); // created on first use
            Field f = Nd4j.class.getDeclaredField("deallocatorService");
            f.setAccessible(true);
            return f;
        } catch (NoSuchFieldException e) {
            throw new AssertionError("ND4J no longer keeps its deallocator service in Nd4j.deallocatorService", e);
        }
    }

    private static void set(Field f, DeallocatorService service) {
        try {
            f.set(null, service);
        } catch (IllegalAccessException e) {
            throw new AssertionError(e);
        }
    }
}
