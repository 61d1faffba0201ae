package gptcourse.analysis;

import java.util.Arrays;

/**
 * Counts of {@code long} keys in an open-addressing hash table (linear probing, two primitive
 * arrays, no boxing): 12 bytes a slot, at most 75% full, so about 16 to 32 bytes per distinct
 * key. Used for bigram counts, keyed {@code prev * dVocab + next}, in place of a {@code dVocab²}
 * matrix (50,257² ints would be 10 GB; TinyStories has a few million distinct bigrams).
 */
final class PairCounter {

    private static final long EMPTY = -1L; // keys are >= 0
    private static final int MAX_CAPACITY = 1 << 30;

    private long[] keys;
    private int[] counts;
    private int mask;
    private int size;
    private int resizeAt;

    PairCounter() {
        allocate(1 << 16);
    }

    private void allocate(int capacity) {
        keys = new long[capacity];
        Arrays.fill(keys, EMPTY);
        counts = new int[capacity];
        mask = capacity - 1;
        resizeAt = (int) (capacity * 0.75);
    }

    private static int slot(long key, int mask) {
        long h = key * 0x9E3779B97F4A7C15L; // Fibonacci hashing: spreads consecutive keys
        return (int) (h ^ (h >>> 32)) & mask;
    }

    /** Adds one to {@code key}'s count ({@code key >= 0}). */
    void increment(long key) {
        int i = slot(key, mask);
        while (true) {
            long k = keys[i];
            if (k == key) {
                if (counts[i] == Integer.MAX_VALUE) {
                    throw new ArithmeticException("bigram key " + key + " occurs more than " + Integer.MAX_VALUE
                            + " times: too many for an int count");
                }
                counts[i]++;
                return;
            }
            if (k == EMPTY) {
                keys[i] = key;
                counts[i] = 1;
                if (++size > resizeAt) {
                    grow();
                }
                return;
            }
            i = (i + 1) & mask;
        }
    }

    private void grow() {
        if (keys.length >= MAX_CAPACITY) {
            throw new IllegalStateException("more than " + resizeAt + " distinct bigrams: too many for one table");
        }
        long[] oldKeys = keys;
        int[] oldCounts = counts;
        allocate(keys.length * 2);
        for (int j = 0; j < oldKeys.length; j++) {
            long key = oldKeys[j];
            if (key != EMPTY) {
                int i = slot(key, mask);
                while (keys[i] != EMPTY) {
                    i = (i + 1) & mask;
                }
                keys[i] = key;
                counts[i] = oldCounts[j];
            }
        }
    }

    /** Number of distinct keys. */
    int size() {
        return size;
    }

    /** Calls {@code action} with every distinct key and its count, in table order. */
    void forEach(KeyCount action) {
        for (int j = 0; j < keys.length; j++) {
            if (keys[j] != EMPTY) {
                action.accept(keys[j], counts[j]);
            }
        }
    }

    /** The count of {@code key}, 0 if never added. */
    int countOf(long key) {
        int i = slot(key, mask);
        while (keys[i] != EMPTY) {
            if (keys[i] == key) {
                return counts[i];
            }
            i = (i + 1) & mask;
        }
        return 0;
    }

    @FunctionalInterface
    interface KeyCount {
        void accept(long key, int count);
    }
}
