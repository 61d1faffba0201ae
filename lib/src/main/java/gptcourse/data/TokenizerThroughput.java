package gptcourse.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Prints how many tokens per second {@link Gpt2Tokenizer} encodes: about 20 MB of the generated
 * stand-in stories ({@link StoryGenerator}), encoded the way {@link DataUtils#tokenizeAndConcatenate} does
 * (batches of stories, {@code numProc} threads), several times; the median run is the figure.
 *
 * <pre>
 * mvn -B -q -pl lib compile exec:java -Dexec.mainClass=gptcourse.data.TokenizerThroughput \
 *     -Dexec.args="--mb 20 --runs 5 --threads 2"
 * </pre>
 */
public final class TokenizerThroughput {

    private TokenizerThroughput() {
    }

    private static long processCpuNanos() {
        var os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        return os instanceof com.sun.management.OperatingSystemMXBean sun ? sun.getProcessCpuTime() : 0L;
    }

    public static void main(String[] args) {
        double megabytes = 20;
        int runs = 5;
        int threads = Runtime.getRuntime().availableProcessors();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--mb" -> megabytes = Double.parseDouble(args[++i]);
                case "--runs" -> runs = Integer.parseInt(args[++i]);
                case "--threads" -> threads = Integer.parseInt(args[++i]);
                default -> {
                    System.err.println("unknown argument " + args[i] + "; accepted: --mb N --runs N --threads N");
                    System.exit(2);
                }
            }
        }
        List<String> corpus = new ArrayList<>();
        long bytes = 0;
        for (long i = 0; bytes < megabytes * 1e6; i++) {
            String story = StoryGenerator.story(TinyStories.STAND_IN_TRAIN_SEED, i);
            corpus.add(story);
            bytes += story.getBytes(java.nio.charset.StandardCharsets.UTF_8).length + 1;
        }
        TextDataset dataset = TextDataset.of("throughput corpus", corpus);
        try (Gpt2Tokenizer tokenizer = Gpt2Tokenizer.load()) {
            System.out.printf(Locale.ROOT, "corpus: %d stories, %.1f MB (the generated stand-in stories); %d threads; %d cores%n",
                    corpus.size(), bytes / 1e6, threads, Runtime.getRuntime().availableProcessors());
            DataUtils.countTokens(dataset, tokenizer, threads); // warm-up: JIT, native pools
            double[] rates = new double[runs];
            double[] cpuRates = new double[runs];
            long tokens = 0;
            for (int run = 0; run < runs; run++) {
                long cpu0 = processCpuNanos();
                long t0 = System.nanoTime();
                tokens = DataUtils.countTokens(dataset, tokenizer, threads);
                double seconds = (System.nanoTime() - t0) / 1e9;
                double cpuSeconds = (processCpuNanos() - cpu0) / 1e9;
                rates[run] = tokens / seconds;
                cpuRates[run] = tokens / cpuSeconds;
                System.out.printf(Locale.ROOT, "run %d: %,d tokens in %.2f s = %,.0f tokens/s (%.2f CPU s, %,.0f tokens per CPU second)%n",
                        run + 1, tokens, seconds, rates[run], cpuSeconds, cpuRates[run]);
            }
            Arrays.sort(rates);
            Arrays.sort(cpuRates);
            System.out.printf(Locale.ROOT, "median: %,.0f tokens/s wall clock; %,.0f tokens per CPU second; %.2f bytes/token%n",
                    rates[runs / 2], cpuRates[runs / 2], (double) bytes / tokens);
            System.out.printf(Locale.ROOT, "load average now: %.2f (other processes on these cores slow the wall-clock figure)%n",
                    java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        }
    }
}
