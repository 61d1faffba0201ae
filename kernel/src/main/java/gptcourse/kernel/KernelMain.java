package gptcourse.kernel;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.logging.Level;

import io.github.spencerpark.jupyter.kernel.KernelConnectionProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts the kernel: {@code java gptcourse.kernel.KernelMain <connection-file>}, as Jupyter does
 * from the kernelspec that {@code environment/install-kernel.sh} writes.
 */
public final class KernelMain {
    private static final Logger LOG = LoggerFactory.getLogger(KernelMain.class);

    private KernelMain() {
    }

    /**
     * @param args the connection file Jupyter wrote
     * @throws Exception if the connection file can't be read or the sockets can't be bound
     */
    public static void main(String[] args) throws Exception {
        if (args.length == 1 && args[0].equals("--warm-up")) {
            warmUp();
            return;
        }
        if (args.length != 1) {
            System.err.println("usage: java gptcourse.kernel.KernelMain <connection-file> | --warm-up");
            System.exit(2);
        }
        // The base library logs through java.util.logging; keep its per-message INFO lines out of the log.
        java.util.logging.Logger.getLogger("").setLevel(Level.WARNING);
        OutputRouter router = startLogging();
        Thread.setDefaultUncaughtExceptionHandler((thread, e) -> {
            if (isThreadDeath(e)) return; // a stopped cell (interrupt, timeout), as Java's own handler ignores it
            if (router.target() != null) {
                // a thread a cell started: its cell shows the error, as Python's threading does
                System.err.println("Exception in thread \"" + thread.getName() + "\": " + ErrorFormatter.scrub(e.toString()));
            } else {
                LOG.error("Uncaught {} in thread {}: {}", e.getClass().getSimpleName(), thread.getName(), e.getMessage());
            }
        });

        KernelConnectionProperties props = KernelConnectionProperties.parse(Files.readString(Path.of(args[0])));
        ExitGuard.install();

        JavaKernel kernel = new JavaKernel(KernelConfig.fromEnvironment(), router);
        router.install();
        System.setIn(kernel.getIO().in); // input() from the notebook, while a cell with allow_stdin runs
        kernel.startInBackground(); // JShell warms up while the sockets bind; cells wait for it
        GuardedConnection connection = new GuardedConnection(props);
        kernel.becomeHandlerForConnection(connection);
        connection.connect();

        connection.waitUntilClose();
        LOG.info("Kernel stopped");
        ExitGuard.allowExit();
        System.exit(0);
    }

    @SuppressWarnings({"deprecation", "removal"})
    private static boolean isThreadDeath(Throwable e) {
        return e instanceof ThreadDeath;
    }

    /**
     * The log keeps the process's stderr (Jupyter's server log; simplelogger.properties caches it) and
     * is started here, before anything replaces System.out/err, so a log line never lands in a cell.
     *
     * @return the router that will own System.out/err, with the original streams as its fallback
     */
    private static OutputRouter startLogging() {
        LOG.debug("Logging to the process's stderr");
        java.util.logging.Logger.getLogger("").getHandlers(); // java.util.logging's console handler takes stderr now
        return new OutputRouter(System.out, System.err);
    }

    /**
     * Starts JShell, runs the startup script and one cell, then exits: what the install script
     * runs under {@code -XX:ArchiveClassesAtExit} to make the class-data archive that halves
     * the kernel's start time.
     */
    private static void warmUp() throws Exception {
        JavaKernel kernel = new JavaKernel(KernelConfig.fromEnvironment(), new OutputRouter(System.out, System.err));
        kernel.startInBackground();
        Object value = kernel.eval("var warmUp = java.util.List.of(1, 2, 3);\nwarmUp.size() + 1");
        kernel.complete("Math.ab", 7);
        kernel.onShutdown(false);
        System.out.println("warm-up done: " + (value == null ? "no value" : "ok"));
        System.exit(0);
    }
}
