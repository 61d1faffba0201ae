package gptcourse.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tech.tablesaw.api.ColumnType;
import tech.tablesaw.api.Table;
import tech.tablesaw.io.csv.CsvReadOptions;

/**
 * Fault injection on real training processes (a tiny model on the stand-in corpus): {@code kill -9}
 * during steps and inside checkpoint writes followed by resumes, a run whose loss becomes NaN, a
 * full file system and an unwritable runs folder. Each failure must leave the last good checkpoint
 * and the run's history intact, and say what happened in one line.
 */
class TrainingFaultsTest {
    static final String MODEL = "--data stand-in --n-ctx 16 --d-model 8 --n-heads 2 --d-head 4 --d-mlp 16 --n-layers 1"
            + " --batch-size 8 --test-size 4 --num-proc 1 --seed 3";
    /** Two epochs of six steps, a checkpoint every two steps, completions every three. */
    static final String RUN = MODEL + " --epochs 2 --max-steps-per-epoch 6 --checkpoint-every 2 --log-completions-every 3";
    static final int TOTAL_STEPS = 12;
    /** Generous: the machines running the tests are shared and can be slow. */
    static final Duration WAIT = Duration.ofMinutes(5);

    /** A training process started through {@link TrainProcess}, its output collected. */
    static final class Child {
        final Process process;
        final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        final StringBuffer out = new StringBuffer();
        final StringBuffer err = new StringBuffer();
        private final Thread outPump;
        private final Thread errPump;

        Child(Path cache, long checkpointPauseMs, String args) throws IOException {
            List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx768m", "-Dorg.bytedeco.javacpp.maxPhysicalBytes=0",
                    "-Dfault.checkpointPauseMs=" + checkpointPauseMs, "-cp", System.getProperty("java.class.path"),
                    TrainProcess.class.getName()));
            cmd.addAll(List.of(args.trim().split("\\s+")));
            ProcessBuilder pb = new ProcessBuilder(cmd);
            pb.environment().put("GPTCOURSE_CACHE", cache.toString());
            pb.environment().put("HF_HUB_OFFLINE", "1");
            pb.environment().put("OMP_NUM_THREADS", "1");
            process = pb.start();
            outPump = pump(process.getInputStream(), out, lines);
            errPump = pump(process.getErrorStream(), err, null);
        }

        private static Thread pump(InputStream in, StringBuffer sink, BlockingQueue<String> queue) {
            Thread t = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                    for (String line; (line = r.readLine()) != null;) {
                        sink.append(line).append('\n');
                        if (queue != null) {
                            queue.add(line);
                        }
                    }
                } catch (IOException ignored) {
                    // the process was killed
                }
            });
            t.setDaemon(true);
            t.start();
            return t;
        }

        /** Waits for the line {@code marker}. */
        void await(String marker) throws InterruptedException {
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (System.nanoTime() < deadline) {
                String line = lines.poll(1, TimeUnit.SECONDS);
                if (marker.equals(line)) {
                    return;
                }
                if (line == null && !process.isAlive() && !outPump.isAlive() && lines.isEmpty()) {
                    throw new AssertionError("the process ended (status " + process.exitValue() + ") before " + marker
                            + "\nstdout:\n" + out + "\nstderr:\n" + err);
                }
            }
            process.destroyForcibly();
            throw new AssertionError("no " + marker + " within " + WAIT + "\nstdout:\n" + out + "\nstderr:\n" + err);
        }

        /** {@code kill -9}. */
        void kill() throws InterruptedException {
            process.destroyForcibly(); // SIGKILL on Linux
            process.waitFor();
        }

        /** Waits for the end; returns the exit status. */
        int finish() throws InterruptedException {
            if (!process.waitFor(WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("the process did not end within " + WAIT + "\nstdout:\n" + out + "\nstderr:\n" + err);
            }
            outPump.join(WAIT.toMillis());
            errPump.join(WAIT.toMillis());
            return process.exitValue();
        }

        List<String> errorLines() {
            return err.toString().lines().filter(l -> l.startsWith("train: ")).toList();
        }
    }

    static Table csv(Path file) {
        return Table.read().usingOptions(CsvReadOptions.builder(file.toFile()).columnTypes(c -> ColumnType.STRING));
    }

    static List<Long> steps(Table t) {
        return t.stringColumn("step").asList().stream().map(Long::parseLong).toList();
    }

    /** After a kill: the newest valid checkpoint loads, and both tables hold every row up to it exactly once. */
    static long checkDurable(Path runDir, String when) {
        long k = Checkpoint.read(runDir).step();
        List<Long> metricSteps = steps(csv(runDir.resolve("metrics.csv"))).stream().filter(s -> s <= k).toList();
        assertEquals(LongStream.rangeClosed(1, k).boxed().toList(), metricSteps, when + ": metrics.csv up to step " + k);
        if (k >= 3) {
            List<Long> completionSteps = steps(csv(runDir.resolve("completions.csv"))).stream().filter(s -> s <= k).toList();
            assertEquals(LongStream.rangeClosed(1, k / 3).map(i -> 3 * i).boxed().toList(), completionSteps,
                    when + ": completions.csv up to step " + k);
        }
        return k;
    }

    @Test
    void killedAtRandomPointsAndResumedTheRunMatchesAnUninterruptedOne(@TempDir Path tmp) throws Exception {
        Path runs = tmp.resolve("runs");
        Path cache = tmp.resolve("cache");
        Child reference = new Child(cache, 0, RUN + " --wandb-name reference --runs-dir " + runs);
        assertEquals(0, reference.finish(), reference.err::toString);

        long seed = Long.getLong("gptcourse.faultSeed", 14);
        Random random = new Random(seed);
        int stepKill = 3 + random.nextInt(3);            // during step 3, 4 or 5
        int checkpointKill = 6 + 2 * random.nextInt(2);  // inside the write of checkpoint 6 or 8
        int lateStepKill = 9 + random.nextInt(3);        // during step 9, 10 or 11
        System.out.println("kill -9 plan (seed " + seed + "): after step " + stepKill + ", inside checkpoint "
                + checkpointKill + ", after step " + lateStepKill);
        Path dir = runs.resolve("day1-demotransformer/killed");
        String resume = "--data stand-in --num-proc 1 --runs-dir " + runs + " --resume " + dir;

        Child first = new Child(cache, 0, RUN + " --wandb-name killed --runs-dir " + runs);
        first.await("@@STEP " + stepKill);
        first.kill();
        long k1 = checkDurable(dir, "killed after step " + stepKill);
        assertTrue(k1 >= 2 && k1 <= stepKill, "resumes from checkpoint " + k1);

        Child second = new Child(cache, 2000, resume);
        second.await("@@CKPT " + checkpointKill);
        second.kill();
        long k2 = checkDurable(dir, "killed inside checkpoint " + checkpointKill);
        assertEquals(checkpointKill - 2, k2, "the checkpoint being written is not there; the one before it is");

        Child third = new Child(cache, 0, resume);
        third.await("@@STEP " + lateStepKill);
        third.kill();
        checkDurable(dir, "killed after step " + lateStepKill);

        Child last = new Child(cache, 0, resume);
        assertEquals(0, last.finish(), last.err::toString);
        assertTrue(last.out.toString().contains("finished"), last.out::toString);

        Path refDir = runs.resolve("day1-demotransformer/reference");
        Table expected = csv(refDir.resolve("metrics.csv"));
        Table actual = csv(dir.resolve("metrics.csv"));
        assertEquals(LongStream.rangeClosed(1, TOTAL_STEPS).boxed().toList(), steps(actual), "every step once");
        for (String column : List.of("train_loss", "accuracy")) {
            List<String> want = expected.stringColumn(column).asList();
            List<String> got = actual.stringColumn(column).asList();
            for (int i = 0; i < want.size(); i++) {
                if (want.get(i).isEmpty()) {
                    assertEquals("", got.get(i), column + " at step " + (i + 1));
                } else {
                    double w = Double.parseDouble(want.get(i));
                    assertEquals(w, Double.parseDouble(got.get(i)), 1e-6 * Math.abs(w), column + " at step " + (i + 1));
                }
            }
        }
        Table wantCompletions = csv(refDir.resolve("completions.csv"));
        Table gotCompletions = csv(dir.resolve("completions.csv"));
        assertEquals(List.of(3L, 6L, 9L, 12L), steps(gotCompletions), "every completions row once");
        for (int c = 0; c < wantCompletions.columnCount(); c++) {
            assertEquals(wantCompletions.stringColumn(c).asList(), gotCompletions.stringColumn(c).asList(),
                    "completions column " + wantCompletions.columnNames().get(c));
        }
    }

    @Test
    void aLossThatIsNotFiniteStopsTrainingInOneLineAndKeepsTheLastGoodCheckpoint(@TempDir Path tmp) throws Exception {
        Path runs = tmp.resolve("runs");
        Child child = new Child(tmp.resolve("cache"), 0, MODEL + " --epochs 1 --max-steps-per-epoch 12 --checkpoint-every 1"
                + " --lr 1e30 --wandb-name nan --runs-dir " + runs);
        assertEquals(TrainCommand.EXIT_DIVERGED, child.finish(), child.err::toString);
        List<String> errors = child.errorLines();
        assertEquals(1, errors.size(), child.err::toString);
        String line = errors.get(0);
        assertTrue(line.matches("train: training stopped at step \\d+: the loss is (NaN|-?Infinity) \\(learning rate"
                + " 1\\.0E30\\)\\. .*"), line);
        assertFalse(child.err.toString().contains("\tat "), "no stack trace: " + child.err);
        assertFalse(child.out.toString().contains("finished"), child.out::toString);
        long failedAt = Long.parseLong(line.replaceAll("^train: training stopped at step (\\d+):.*", "$1"));
        Path dir = runs.resolve("day1-demotransformer/nan");
        assertFalse(Files.exists(dir.resolve("summary.json")), "a failed run is not summarised as finished");
        if (failedAt > 1) {
            Checkpoint latest = Checkpoint.read(dir);
            assertTrue(latest.step() < failedAt, "the latest checkpoint is from before the failure: " + latest.step());
            latest.model().forEach((k, v) -> assertFalse(v.isNaN().any() || v.isInfinite().any(), k + " is finite"));
            assertTrue(line.contains(latest.file().toString()), "the line names the last good checkpoint: " + line);
        }
    }

    @Test
    void anUnwritableRunsFolderIsOneLineAndExitStatus2(@TempDir Path tmp) throws Exception {
        Path notAFolder = Files.writeString(tmp.resolve("runs-is-a-file"), "x");
        Child child = new Child(tmp.resolve("cache"), 0, MODEL + " --epochs 1 --max-steps-per-epoch 2 --runs-dir "
                + notAFolder.resolve("runs"));
        assertEquals(TrainCommand.EXIT_ERROR, child.finish(), child.err::toString);
        List<String> errors = child.errorLines();
        assertEquals(1, errors.size(), child.err::toString);
        assertTrue(errors.get(0).startsWith("train: cannot create the run folder " + notAFolder.resolve("runs")),
                errors.get(0));
        assertFalse(child.err.toString().contains("\tat "), child.err::toString);
        assertFalse(child.out.toString().contains("finished"), child.out::toString);
    }

    @Test
    void aFullFileSystemIsOneLineExitStatus2AndTheLastCheckpointSurvives(@TempDir Path tmp) throws Exception {
        Path mount = Files.createDirectory(tmp.resolve("small-fs"));
        Process m = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=48m", "tmpfs", mount.toString())
                .redirectErrorStream(true).start();
        String why = new String(m.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        boolean mounted = m.waitFor(WAIT.toMillis(), TimeUnit.MILLISECONDS) && m.exitValue() == 0;
        assumeTrue(mounted, "SKIPPED the full-disk test: cannot mount a small tmpfs here (it needs root with"
                + " CAP_SYS_ADMIN): " + why);
        try {
            Path runs = mount.resolve("runs");
            Child child = new Child(tmp.resolve("cache"), 3000, MODEL + " --epochs 1 --max-steps-per-epoch 12"
                    + " --checkpoint-every 2 --wandb-name full --runs-dir " + runs);
            child.await("@@CKPT 2");
            Path filler = mount.resolve("filler");
            fill(filler);
            assertEquals(TrainCommand.EXIT_ERROR, child.finish(), child.err::toString);
            List<String> errors = child.errorLines();
            assertEquals(1, errors.size(), child.err::toString);
            assertTrue(errors.get(0).startsWith("train: cannot ") && errors.get(0).contains(runs.toString())
                    && errors.get(0).endsWith(": No space left on device"), errors.get(0));
            assertFalse(child.err.toString().contains("\tat "), child.err::toString);
            assertFalse(child.out.toString().contains("finished"), child.out::toString);
            Files.delete(filler);
            Path dir = runs.resolve("day1-demotransformer/full");
            assertEquals(2, Checkpoint.read(dir).step(), "the last good checkpoint is intact");
            assertFalse(Files.exists(dir.resolve("summary.json")));
        } finally {
            new ProcessBuilder("umount", "-l", mount.toString()).inheritIO().start().waitFor();
        }
    }

    /** Writes {@code file} until the file system is full. */
    static void fill(Path file) throws IOException {
        try (OutputStream out = Files.newOutputStream(file)) {
            for (int chunk : new int[] {1 << 20, 1 << 12, 1}) {
                byte[] bytes = new byte[chunk];
                try {
                    while (true) {
                        out.write(bytes);
                        out.flush();
                    }
                } catch (IOException full) {
                    // next, smaller chunks
                }
            }
        } catch (IOException alsoFull) {
            // closing may fail on a full file system too
        }
    }
}
