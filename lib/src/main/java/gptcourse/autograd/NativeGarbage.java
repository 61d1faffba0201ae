package gptcourse.autograd;

/**
 * When to ask the garbage collector for native memory that nothing refers to any more. ND4J frees an
 * array's native memory only when the collector finds its Java object unreachable, and the temporary
 * arrays that ND4J's own operations make (and any that code does not close) have tiny Java objects:
 * the JVM would rarely collect, and native memory would creep up step after step. A full collection
 * costs 15-45 ms here, so it is asked for once the process has grown by {@link #GROWTH_BYTES} above its
 * smallest size since the last one, and in any case every {@link #MAX_INTERVAL_NANOS} of work, or every
 * {@link #BLIND_INTERVAL_NANOS} where the resident size cannot be read. (A program doing notebook 03's
 * quick run made 24 collections, about 1 s, with a 3 s rule everywhere, and 20 with these rules: most
 * follow real growth, the checkpoints' copies among it; a long run that holds steady makes two a minute.) The library's own operations close their large
 * temporaries ({@code MemoryReleaseTest}), so this mostly catches ND4J's small ones and a student's.
 * Called after each backward pass and each forward pass without a graph.
 */
public final class NativeGarbage {
    /** Growth of the resident size above its smallest since the last collection that triggers the next one. */
    static final long GROWTH_BYTES = 32L << 20;
    /** The longest time between two collections where the growth rule works. */
    static final long MAX_INTERVAL_NANOS = 30_000_000_000L;
    /** The longest time between two collections where the resident size cannot be read. */
    static final long BLIND_INTERVAL_NANOS = 3_000_000_000L;

    /** The smallest resident size seen since the last collection (memory freed to the OS lowers it). */
    private static long residentLow = ProcessMemory.residentBytes();
    private static long lastNanos = System.nanoTime();
    private static long collections;

    private NativeGarbage() {
    }

    /** Collects if {@link #shouldCollect} says so. */
    public static void collectOccasionally() {
        synchronized (NativeGarbage.class) {
            long now = System.nanoTime();
            long resident = ProcessMemory.residentBytes();
            residentLow = residentLow < 0 ? resident : Math.min(residentLow, resident);
            if (!shouldCollect(resident, residentLow, now - lastNanos)) {
                return;
            }
            System.gc();
            collections++;
            lastNanos = System.nanoTime();
            residentLow = ProcessMemory.residentBytes();
        }
    }

    /**
     * Whether to collect now, given the resident bytes now and the fewest since the last collection (-1
     * where unknown), and the nanoseconds since it.
     */
    static boolean shouldCollect(long residentNow, long residentLow, long nanosSinceLast) {
        if (residentNow < 0 || residentLow < 0) {
            return nanosSinceLast > BLIND_INTERVAL_NANOS;
        }
        return residentNow - residentLow > GROWTH_BYTES || nanosSinceLast > MAX_INTERVAL_NANOS;
    }

    /** How many collections this policy asked for since the start. */
    static long collections() {
        synchronized (NativeGarbage.class) {
            return collections;
        }
    }
}
