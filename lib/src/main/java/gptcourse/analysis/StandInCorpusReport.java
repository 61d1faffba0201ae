package gptcourse.analysis;

import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import gptcourse.data.DataUtils;
import gptcourse.data.Gpt2Tokenizer;
import gptcourse.data.TextDataset;
import gptcourse.data.TinyStories;
import gptcourse.data.TokenizeOptions;
import gptcourse.data.TokenizedDataset;

/**
 * The figures of the generated stand-in corpus ({@link TinyStories#standIn(String)}) that {@code
 * docs/data.md} states: size, tokens, the three loss baselines of {@link LossBaselines} and how varied
 * the stories are, for each split at the size the notebooks use and rows of the course's n_ctx (128).
 *
 * <pre>
 * mvn -B -q -o -pl lib compile exec:java -Dexec.mainClass=gptcourse.analysis.StandInCorpusReport
 * </pre>
 */
public final class StandInCorpusReport {

    /** The course model's n_ctx: rows of this many tokens, as the notebooks cut them. */
    public static final int N_CTX = 128;

    private StandInCorpusReport() {
    }

    /** The figures of one corpus. */
    public record Figures(String name, int stories, long tokens, int distinctTokens, LossBaselines.Baselines baselines,
            double distinctStories, double distinctOpenings, double distinctWord4grams) {

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%s: %,d stories, %,d tokens (%,d distinct); uniform %.3f, unigram %.3f,"
                    + " bigram %.3f nats; distinct stories %.4f, openings (first 12 words) %.3f, word 4-grams %.4f",
                    name, stories, tokens, distinctTokens, baselines.uniform(), baselines.unigram(), baselines.bigram(),
                    distinctStories, distinctOpenings, distinctWord4grams);
        }
    }

    /** Figures of {@code dataset} cut into rows of {@link #N_CTX} tokens with BOS, as the notebooks do. */
    public static Figures figures(TextDataset dataset, Gpt2Tokenizer tokenizer) {
        TokenizedDataset rows = DataUtils.tokenizeAndConcatenate(dataset, tokenizer, TokenizeOptions.of(
                TokenizeOptions.maxLength(N_CTX), TokenizeOptions.numProc(Runtime.getRuntime().availableProcessors()),
                TokenizeOptions.inMemory()));
        TokenCounts counts = LossBaselines.counts(rows, tokenizer.vocabSize());
        LossBaselines.Baselines baselines = LossBaselines.compute(rows, tokenizer.vocabSize());
        int distinct = 0;
        for (int id = 0; id < counts.dVocab(); id++) {
            distinct += counts.count(id) > 0 ? 1 : 0;
        }
        List<String> stories = dataset.stream().toList();
        return new Figures(dataset.name(), stories.size(), counts.tokenCount(), distinct, baselines,
                distinctRatio(stories), distinctOpenings(stories, 12), distinctWordNgrams(stories, 4));
    }

    /** Distinct texts over all texts. */
    public static double distinctRatio(List<String> texts) {
        return texts.isEmpty() ? 0 : (double) new HashSet<>(texts).size() / texts.size();
    }

    /** Distinct openings (the first {@code words} words) over stories. */
    public static double distinctOpenings(List<String> stories, int words) {
        Set<String> openings = new HashSet<>();
        for (String story : stories) {
            String[] w = story.split("\\s+", words + 1);
            openings.add(String.join(" ", java.util.Arrays.copyOf(w, Math.min(words, w.length))));
        }
        return stories.isEmpty() ? 0 : (double) openings.size() / stories.size();
    }

    /** Distinct word n-grams over all word n-grams (within stories). */
    public static double distinctWordNgrams(List<String> stories, int n) {
        Set<String> distinct = new HashSet<>();
        long total = 0;
        for (String story : stories) {
            String[] w = story.split("\\s+");
            for (int i = 0; i + n <= w.length; i++) {
                distinct.add(String.join(" ", java.util.Arrays.copyOfRange(w, i, i + n)));
                total++;
            }
        }
        return total == 0 ? 0 : (double) distinct.size() / total;
    }

    public static void main(String[] args) {
        try (Gpt2Tokenizer tokenizer = Gpt2Tokenizer.load()) {
            for (String split : List.of("validation", "train")) {
                long t0 = System.nanoTime();
                TextDataset dataset = TinyStories.standIn(split);
                double seconds = (System.nanoTime() - t0) / 1e9;
                System.out.println(figures(dataset, tokenizer)
                        + String.format(Locale.ROOT, " [loaded or generated in %.1f s]", seconds));
            }
        }
    }
}
