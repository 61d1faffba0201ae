package gptcourse.sample;

import static gptcourse.sample.SamplingArgs.frequencyPenalty;
import static gptcourse.sample.SamplingArgs.greedy;
import static gptcourse.sample.SamplingArgs.seed;
import static gptcourse.sample.SamplingArgs.temperature;
import static gptcourse.sample.SamplingArgs.topK;
import static gptcourse.sample.SamplingArgs.topP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The course's sample_next_token keyword arguments, named: same defaults, same "off" values. */
class SamplingArgsTest {

    @Test
    void defaultsAreTheCourses() {
        SamplingArgs d = SamplingArgs.of();
        assertEquals(1.0, d.temperature(), "temperature=1.0: sample(prompt, n) samples, it is not greedy");
        assertEquals(0, d.topK(), "top_k=0 is off");
        assertEquals(0.0, d.topP(), "top_p=0.0 is off");
        assertEquals(0.0, d.frequencyPenalty());
        assertNull(d.seed());
        assertFalse(d.topKOn());
        assertFalse(d.topPOn());
        assertEquals(SamplingArgs.DEFAULTS, d);
    }

    @Test
    void optionsReadLikeKeywordArguments() {
        SamplingArgs a = SamplingArgs.of(temperature(0.7), topP(0.95));
        assertEquals(new SamplingArgs(0.7, 0, 0.95, 0.0, null), a);
        assertTrue(a.topPOn());
        assertEquals(0.0, SamplingArgs.of(greedy()).temperature());
        assertEquals(new SamplingArgs(1.0, 40, 0.0, 0.5, 42L), SamplingArgs.of(topK(40), frequencyPenalty(0.5), seed(42)));
        // a later option wins; a whole SamplingArgs replaces everything before it
        assertEquals(0.3, SamplingArgs.of(temperature(0.7), temperature(0.3)).temperature());
        assertEquals(a, SamplingArgs.of(topK(3), a));
        assertEquals(new SamplingArgs(0.7, 0, 0.95, 0.0, 1L), a.with(seed(1)));
        assertEquals("SamplingArgs(temperature=0.7, topK=0, topP=0.95, frequencyPenalty=0.0, seed=none)", a.toString());
    }

    @Test
    void badValuesNameTheSettingAndTheValue() {
        for (double t : new double[] {-0.1, Double.NaN, Double.POSITIVE_INFINITY}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SamplingArgs.of(temperature(t)));
            assertTrue(e.getMessage().contains("temperature") && e.getMessage().contains(String.valueOf(t)), e.getMessage());
        }
        for (double p : new double[] {-0.01, 1.0001, Double.NaN}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SamplingArgs.of(topP(p)));
            assertTrue(e.getMessage().contains("topP") && e.getMessage().contains("0.0 (off)"), e.getMessage());
        }
        IllegalArgumentException k = assertThrows(IllegalArgumentException.class, () -> SamplingArgs.of(topK(-5)));
        assertTrue(k.getMessage().contains("-5") && k.getMessage().contains("0 (off)"), k.getMessage());
        assertThrows(IllegalArgumentException.class, () -> SamplingArgs.of(frequencyPenalty(Double.NaN)));
        assertThrows(NullPointerException.class, () -> SamplingArgs.of((SamplingOption) null));
        assertThrows(NullPointerException.class, () -> SamplingArgs.of((SamplingOption[]) null));
        // the edges are allowed: 0 and 1.0 for top_p, 0 for temperature, any finite penalty
        assertEquals(1.0, SamplingArgs.of(topP(1.0)).topP());
        assertEquals(-2.0, SamplingArgs.of(frequencyPenalty(-2.0)).frequencyPenalty());
    }
}
