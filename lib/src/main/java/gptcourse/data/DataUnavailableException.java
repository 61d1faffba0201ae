package gptcourse.data;

/**
 * A dataset could not be found locally nor downloaded (offline, no network, or the Hub
 * refused). The message says what to download and where to put it.
 */
public final class DataUnavailableException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public DataUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
