/**
 * The tutorial's loss-curve analysis: the cross-entropy a model reaches by predicting
 * uniformly ({@code ln d_vocab}), from token frequencies alone (unigram entropy) and from the
 * previous token alone (bigram conditional entropy), the plateaus a training curve passes.
 *
 * <pre>{@code
 * LossBaselines.Baselines baselines = LossBaselines.compute(split.train(), 50257);
 * System.out.println(baselines);
 * }</pre>
 *
 * <p>{@link gptcourse.analysis.LossBaselines} computes them from an {@code int[]}, an {@code
 * INDArray} or a memory-mapped {@link gptcourse.data.TokenizedDataset};
 * {@link gptcourse.analysis.TokenCounts} holds the counts behind them.
 */
package gptcourse.analysis;
