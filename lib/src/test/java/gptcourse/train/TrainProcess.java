package gptcourse.train;

/**
 * {@link TrainCommand} in a child process that the fault-injection tests watch and kill: it prints
 * {@code @@STEP n} after each step is logged and {@code @@CKPT n} when checkpoint n is written but
 * not yet renamed into place, then waits {@code -Dfault.checkpointPauseMs} so that a kill lands
 * inside the checkpoint write.
 */
public final class TrainProcess {
    private TrainProcess() {
    }

    public static void main(String[] args) {
        long pause = Long.getLong("fault.checkpointPauseMs", 0);
        FaultPoints.stepLogged = step -> marker("@@STEP " + step);
        FaultPoints.checkpointWritten = target -> {
            String name = target.getFileName().toString();
            marker("@@CKPT " + Long.parseLong(name.replaceAll("\\D", "").replaceFirst("^0+(?=\\d)", "")));
            if (pause > 0) {
                try {
                    Thread.sleep(pause);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        };
        TrainCommand.main(args);
    }

    private static void marker(String line) {
        synchronized (System.out) {
            System.out.println(line);
            System.out.flush();
        }
    }
}
