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
        if (args.length != 1) {
            System.err.println("usage: java gptcourse.kernel.KernelMain <connection-file>");
            System.exit(2);
        }
        // The base library logs through java.util.logging; keep its per-message INFO lines out of the log.
        java.util.logging.Logger.getLogger("").setLevel(Level.WARNING);
        Thread.setDefaultUncaughtExceptionHandler((thread, e) ->
                LOG.error("Uncaught {} in thread {}: {}", e.getClass().getSimpleName(), thread.getName(), e.getMessage()));

        KernelConnectionProperties props = KernelConnectionProperties.parse(Files.readString(Path.of(args[0])));
        ExitGuard.install();

        JavaKernel kernel = new JavaKernel(KernelConfig.fromEnvironment());
        GuardedConnection connection = new GuardedConnection(props);
        kernel.becomeHandlerForConnection(connection);
        connection.connect();
        kernel.startInBackground();

        connection.waitUntilClose();
        LOG.info("Kernel stopped");
        ExitGuard.allowExit();
        System.exit(0);
    }
}
