/**
 * File helpers used everywhere: {@link gptcourse.io.AtomicFiles} (atomic writes and the one-line
 * message for a failed one) and {@link gptcourse.io.Sha256} (hashing).
 */
package gptcourse.io;
