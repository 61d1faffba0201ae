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
        // JDK 17 prints four "terminally deprecated" lines to stderr here; the kernel log needs none of them.
        java.io.PrintStream err = System.err;
        RuntimeException refused = null;
        System.setErr(new java.io.PrintStream(java.io.OutputStream.nullOutputStream()));
        try {
            System.setSecurityManager(new ExitGuard());
        } catch (UnsupportedOperationException | SecurityException e) {
            refused = e;
        } finally {
            System.setErr(err);
        }
        if (refused != null) {
            LOG.warn("System.exit in a cell can't be blocked on this JDK ({}); a cell that calls it ends the kernel.",
                    refused.getMessage());
        }
    }

    /** Lets the kernel itself exit (after a shutdown request). */
    static void allowExit() {
        kernelExiting = true;
    }

    @Override
    public void checkExit(int status) {
        if (!kernelExiting) {
            throw new SecurityException("System.exit(" + status + ") is blocked in a notebook: it would end the kernel. "
                    + "To start over, use Kernel > Restart.");
        }
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
