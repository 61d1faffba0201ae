package gptcourse.grading;

/**
 * Thrown by {@link Checks#require} when a check fails: the autograder gives the cell no points
 * and reports this message. An {@link AssertionError}, as nbgrader expects of a failing test cell.
 */
public final class CheckFailed extends AssertionError {
    private static final long serialVersionUID = 1L;

    CheckFailed(String message) {
        super(message, null);
    }
}
