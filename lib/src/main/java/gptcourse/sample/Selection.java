package gptcourse.sample;

/**
 * The order statistics top-k and top-p need, without sorting the vocabulary: quickselect with
 * three-way partitions (expected linear time, and ties cost nothing extra). libnd4j's sort of the
 * 50,257 probabilities took 5-9 ms a token, as long as the model's forward pass at the course's size.
 * Both methods work on a copy and leave their argument alone.
 */
final class Selection {
    private Selection() {
    }

    /**
     * Where a filter cuts the vocabulary: it keeps {@code count} values, the {@code larger} ones above
     * {@code threshold} and, of the {@code ties} equal to it, the first {@code count - larger} by id.
     */
    record Cut(int count, double threshold, int larger, int ties) {
        /** Whether every value equal to the threshold is kept (then the cut is a plain comparison). */
        boolean keepsAllTies() {
            return count - larger == ties;
        }
    }

    /** The cut that keeps the {@code k} largest values of {@code v}, {@code 1 <= k <= v.length}. */
    static Cut largest(double[] v, int k) {
        if (k < 1 || k > v.length) {
            throw new IllegalArgumentException("k must be in [1, " + v.length + "], got " + k);
        }
        double[] a = v.clone();
        int lo = 0;
        int hi = a.length;
        while (true) {
            double pivot = pivot(a, lo, hi);
            long bounds = partition(a, lo, hi, pivot);
            int gt = (int) (bounds >>> 32);
            int lt = (int) bounds;
            if (k <= gt) {
                hi = gt;   // the values in [0, lo) are larger than all in [lo, hi), those from hi on smaller
            } else if (k <= lt) {
                return new Cut(k, pivot, gt, lt - gt);
            } else {
                lo = lt;
            }
        }
    }

    /**
     * The cut that keeps the smallest {@code n} whose {@code n} largest values sum to at least {@code target},
     * at least 1 (all of them if even their total falls short, as rounding can make it): the course's
     * {@code searchsorted(cumsum(sorted descending), p) + 1} without the sort.
     *
     * @param probs the probabilities, in any order (non-negative)
     */
    static Cut nucleus(double[] probs, double target) {
        if (probs.length == 0) {
            throw new IllegalArgumentException("no probabilities to choose from");
        }
        double[] a = probs.clone();
        int lo = 0;
        int hi = a.length;
        double sum = 0;   // of the values in [0, lo), all larger than those in [lo, hi)
        double smallest = Double.NaN;
        int smallestTies = 0;
        while (lo < hi) {
            double pivot = pivot(a, lo, hi);
            long bounds = partition(a, lo, hi, pivot);
            int gt = (int) (bounds >>> 32);
            int lt = (int) bounds;
            double larger = 0;
            for (int i = lo; i < gt; i++) {
                larger += a[i];
            }
            if (gt > lo && sum + larger >= target) {
                hi = gt;   // the count ends among the values larger than the pivot
                continue;
            }
            sum += larger;
            for (int i = gt; i < lt; i++) {   // the pivot's ties, one at a time as a running sum would add them
                sum += pivot;
                if (sum >= target) {
                    return new Cut(i + 1, pivot, gt, lt - gt);
                }
            }
            smallest = pivot;
            smallestTies = lt - gt;
            lo = lt;
        }
        return new Cut(a.length, smallest, a.length - smallestTies, smallestTies);
    }

    /** The median of the first, middle and last values of {@code a[lo, hi)}. */
    private static double pivot(double[] a, int lo, int hi) {
        double x = a[lo];
        double y = a[(lo + hi) >>> 1];
        double z = a[hi - 1];
        if (x > y) {
            double t = x;
            x = y;
            y = t;
        }
        if (y > z) {
            y = z;
        }
        return Math.max(x, y);
    }

    /**
     * Reorders {@code a[lo, hi)} into values larger than {@code pivot}, equal to it, then smaller (Dijkstra's
     * three-way partition) and returns the two bounds {@code gt} and {@code lt} as {@code gt << 32 | lt}:
     * {@code [lo, gt)} larger, {@code [gt, lt)} equal, {@code [lt, hi)} smaller. The pivot is one of the
     * values, so the equal part is never empty (a NaN lands there too: it compares neither way).
     */
    private static long partition(double[] a, int lo, int hi, double pivot) {
        int gt = lo;
        int i = lo;
        int lt = hi;
        while (i < lt) {
            double x = a[i];
            if (x > pivot) {
                a[i++] = a[gt];
                a[gt++] = x;
            } else if (x < pivot) {
                a[i] = a[--lt];
                a[lt] = x;
            } else {
                i++;
            }
        }
        return ((long) gt << 32) | lt;
    }
}
