package gptcourse.kernel;

import java.security.Permission;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stops a notebook cell from ending the kernel with {@code System.exit} or {@code Runtime.halt}.
 * Everything else is allowed: this is a guard against accidents, not a sandbox.
 *
 * <p>It is a {@link SecurityManager}, the only hook Java 17 offers for this; the launcher passes
 * {@code -Djava.security.manager=allow}. On a JDK that has removed the security manager the
 * kernel runs without the guard and says so in its log.
 */
@SuppressWarnings({"removal", "deprecation"})
final class ExitGuard extends SecurityManager {
    private static final Logger LOG = LoggerFactory.getLogger(ExitGuard.class);
    private static volatile boolean kernelExiting;

    private ExitGuard() {
    }

    /** Installs the guard; logs a warning if this JDK doesn't allow it. */
    static void install() {
        // JDK 17 prints four "terminally deprecated" lines on the JVM's initial stderr here, on every
        // start; the kernel log needs none of them. With java.lang opened to the kernel (the launcher
        // does), that stream is swapped for a moment; otherwise the lines are printed.
        RuntimeException refused = null;
        java.lang.reflect.Field initialErr = initialErrField();
        Object saved = null;
        try {
            if (initialErr != null) {
                saved = initialErr.get(null);
                initialErr.set(null, new java.io.PrintStream(java.io.OutputStream.nullOutputStream()));
            }
            System.setSecurityManager(new ExitGuard());
        } catch (UnsupportedOperationException | SecurityException e) {
            refused = e;
        } catch (IllegalAccessException e) {
            LOG.debug("Could not swap the initial stderr: {}", e.toString());
        } finally {
            if (initialErr != null && saved != null) {
                try {
                    initialErr.set(null, saved);
                } catch (IllegalAccessException e) {
                    LOG.debug("Could not restore the initial stderr: {}", e.toString());
                }
            }
        }
        if (refused != null) {
            LOG.warn("System.exit in a cell can't be blocked on this JDK ({}); a cell that calls it ends the kernel.",
                    refused.getMessage());
        }
    }

    /** @return System's initialErrStream field if java.lang is open to this class, else null */
    private static java.lang.reflect.Field initialErrField() {
        try {
            java.lang.reflect.Field f = System.class.getDeclaredField("initialErrStream");
            f.setAccessible(true);
            return f;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    /** Lets the kernel itself exit (after a shutdown request). */
    static void allowExit() {
        kernelExiting = true;
    }

    @Override
    public void checkExit(int status) {
        if (!kernelExiting) {
            String call = calledFromHalt() ? "Runtime.getRuntime().halt(" + status + ")" : "System.exit(" + status + ")";
            throw new SecurityException(call + " is blocked in a notebook: it would end the kernel. "
                    + "To start over, use Kernel > Restart.");
        }
    }

    private static boolean calledFromHalt() {
        return StackWalker.getInstance().walk(frames -> frames.anyMatch(
                f -> f.getClassName().equals("java.lang.Runtime") && f.getMethodName().equals("halt")));
    }

    @Override
    public void checkPermission(Permission perm) {
        // allow everything else
    }

    @Override
    public void checkPermission(Permission perm, Object context) {
        // allow everything else
    }
}
