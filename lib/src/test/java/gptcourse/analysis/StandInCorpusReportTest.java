package gptcourse.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import gptcourse.data.Gpt2Tokenizer;
import gptcourse.data.StoryGenerator;
import gptcourse.data.TextDataset;
import org.junit.jupiter.api.Test;

/**
 * The generated stand-in corpus is varied and its loss baselines are in a sane range. The figures in
 * docs/data.md come from {@code StandInCorpusReport}'s main at the notebooks' sizes; this checks a
 * 1 MB prefix, which tokenizes in seconds.
 */
class StandInCorpusReportTest {

    @Test
    void entropiesAndVarietyAreInASaneRange() {
        List<String> stories = StoryGenerator.stories(1, 2_000); // about 1 MB
        StandInCorpusReport.Figures f;
        try (Gpt2Tokenizer tokenizer = Gpt2Tokenizer.load()) {
            f = StandInCorpusReport.figures(TextDataset.of("generated", stories), tokenizer);
        }
        assertEquals(Math.log(50257), f.baselines().uniform(), 1e-9);
        // a child's vocabulary: far fewer tokens than GPT-2's, far more than a toy corpus
        assertTrue(f.distinctTokens() > 600 && f.distinctTokens() < 5_000, f.toString());
        // simpler than TinyStories (unigram 7.35 there), far from degenerate
        assertTrue(f.baselines().unigram() > 4.5 && f.baselines().unigram() < 7.35, f.toString());
        // the previous token helps a lot but leaves plenty to learn (no memorised corpus)
        assertTrue(f.baselines().bigram() > 1.5 && f.baselines().bigram() < f.baselines().unigram() - 1.5, f.toString());
        assertEquals(1.0, f.distinctStories(), 1e-3, "practically every story is new: " + f);
        assertTrue(f.distinctOpenings() > 0.8, "openings vary: " + f);
        assertTrue(f.distinctWord4grams() > 0.15, "word 4-grams vary: " + f);
    }

    @Test
    void varietyMeasuresOnKnownTexts() {
        assertEquals(0.5, StandInCorpusReport.distinctRatio(List.of("a", "a")));
        assertEquals(0.0, StandInCorpusReport.distinctRatio(List.of()));
        assertEquals(0.5, StandInCorpusReport.distinctOpenings(List.of("x y z", "x y w"), 2));
        assertEquals(1.0, StandInCorpusReport.distinctOpenings(List.of("x y z", "x y w"), 3));
        // "a b a b": 2-grams "a b", "b a", "a b" -> 2 distinct of 3
        assertEquals(2.0 / 3, StandInCorpusReport.distinctWordNgrams(List.of("a b a b"), 2), 1e-12);
        assertEquals(0.0, StandInCorpusReport.distinctWordNgrams(List.of("a"), 2));
    }
}
