package gptcourse.grading;

import gptcourse.data.TrainTestSplit;
import gptcourse.model.DemoTransformer;
import gptcourse.train.TransformerTrainerBase;
import gptcourse.train.TransformerTrainingArgs;

/**
 * Makes a trainer the way the exercise's constructor does, so a check can build the student's
 * trainer on its own small model and data: pass {@code MyTrainer::new}.
 */
@FunctionalInterface
public interface TrainerFactory {
    TransformerTrainerBase create(TransformerTrainingArgs args, DemoTransformer model, TrainTestSplit datasetDict);
}
