package gptcourse.train;

import java.util.AbstractList;
import java.util.List;
import java.util.RandomAccess;
import java.util.Set;

/**
 * The values of one metric, as {@link RunTracker#values(String)} returns them: a read-only list whose
 * out-of-range {@code get} says, in one line, what is missing and why. The common case is a notebook cell
 * that reads {@code trainer.tracker.values("train_loss").get(0)} after the training cell above failed
 * before its first step: a bare "Index 0 out of bounds for length 0" would hide that.
 */
final class MetricValues extends AbstractList<Double> implements RandomAccess {
    private final String metric;
    private final List<Double> values;
    private final List<String> logged;

    MetricValues(String metric, List<Double> values, Set<String> logged) {
        this.metric = metric;
        this.values = List.copyOf(values);
        this.logged = List.copyOf(logged);
    }

    @Override
    public Double get(int index) {
        if (index >= 0 && index < values.size()) {
            return values.get(index);
        }
        if (!values.isEmpty()) {
            throw new IndexOutOfBoundsException("there is no \"" + metric + "\" value " + index + ": the run logged "
                    + values.size() + " of them (0 to " + (values.size() - 1) + ")");
        }
        if (logged.isEmpty()) {
            throw new IndexOutOfBoundsException("no \"" + metric + "\" was logged: this run logged nothing yet. Did the"
                    + " training cell above stop with an error before its first step? Fix that error and run it again.");
        }
        throw new IndexOutOfBoundsException("no \"" + metric + "\" was logged in this run; it logged " + logged
                + ". Check the name passed to tracker.log(...).");
    }

    @Override
    public int size() {
        return values.size();
    }
}
