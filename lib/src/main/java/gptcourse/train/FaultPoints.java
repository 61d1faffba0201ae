package gptcourse.train;

import java.nio.file.Path;
import java.util.function.Consumer;
import java.util.function.LongConsumer;

/**
 * Places where the fault-injection tests watch a training process (to kill it with {@code
 * SIGKILL} at a chosen moment). They do nothing unless a test sets them.
 */
final class FaultPoints {
    /** The checkpoint for this path is complete in its temporary file, not yet renamed into place. */
    static volatile Consumer<Path> checkpointWritten = p -> { };
    /** A step's {@code train_loss} was logged. */
    static volatile LongConsumer stepLogged = s -> { };

    private FaultPoints() {
    }
}
