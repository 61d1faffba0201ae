package gptcourse.train;

/**
 * Training stopped because a number it depends on (the loss, or the weights about to be saved)
 * became NaN or infinite: continuing would only train on garbage and overwrite good checkpoints.
 * The message is one line naming the step, the value and the learning rate; the last good
 * checkpoint stays the latest.
 */
public class NonFiniteTrainingException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    public NonFiniteTrainingException(String message) {
        super(message);
    }

    /** The loss at {@code step} is not finite. */
    static NonFiniteTrainingException loss(long step, double loss, double lr, String lastCheckpoint) {
        return new NonFiniteTrainingException("training stopped at step " + step + ": the loss is " + loss
                + " (learning rate " + lr + "). " + (lastCheckpoint == null ? "No checkpoint was saved yet"
                : "The last good checkpoint is " + lastCheckpoint) + "; try a lower learning rate.");
    }
}
