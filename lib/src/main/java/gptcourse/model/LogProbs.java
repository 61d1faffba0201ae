package gptcourse.model;

import gptcourse.autograd.Functional;
import gptcourse.autograd.Tensor;
import org.nd4j.linalg.api.ndarray.INDArray;

/** The training objective's building block, as in the tutorial. */
public final class LogProbs {
    private LogProbs() {
    }

    /**
     * The log-probability the model gave to each actual next token:
     * {@code log_softmax(logits)[:, :-1]} gathered at {@code tokens[:, 1:]}. The training loss is
     * {@code getLogProbs(logits, tokens).mean().neg()}.
     *
     * @param logits [batch, posn, d_vocab]
     * @param tokens [batch, posn]
     * @return [batch, posn - 1]
     */
    public static Tensor getLogProbs(Tensor logits, INDArray tokens) {
        return Functional.logProbsOfNextTokens(logits, tokens);
    }
}
