// The setup that notebooks 03, 04 and 05 share: the model configuration, the data and the training
// arguments of notebooks 01 and 02, in one place. A notebook runs it with `%load setup.jsh` after its
// run-settings cell, which defines QUICK_RUN (the short run, or the tutorial's values) and CI (set by
// the project's tests, which shrink every run to a few steps).

// Python's keyword arguments are named options here: tokenizeAndConcatenate's streaming(false),
// maxLength(128), ... and the sampler's temperature(0.7), topP(0.95), ...
import static gptcourse.data.TokenizeOptions.*;
import static gptcourse.sample.SamplingArgs.*;

// The tokenizer and the tutorial's model configuration: d_model 32, 16 heads of 2, 4 layers, n_ctx 128.
Gpt2Tokenizer tokenizer = Gpt2Tokenizer.load();
Config modelCfg = Config.trainingDefaults(tokenizer.vocabSize());

// The stories: TinyStories' small validation file (19 MB) for the quick run, its 1.9 GB train file for
// the full one. Without network access, the project's generated stand-in stories of the same split
// (with a warning): 2 MB for the quick run, 10 MB for the full one.
TextDataset dataset = TinyStories.loadOrStandIn(QUICK_RUN ? "validation" : "train");

// Tokenized and cut into rows of n_ctx tokens, each starting with <|endoftext|> (notebook 02).
TokenizedDataset tokenizedDataset = DataUtils.tokenizeAndConcatenate(dataset, tokenizer,
    streaming(false), maxLength(modelCfg.nCtx()), columnName("text"), addBosToken(true),
    numProc(Runtime.getRuntime().availableProcessors()));

// The tutorial holds out 1,000 rows for testing; the quick run 100 (12,700 next tokens, enough to
// tell accuracies a percent apart: it evaluates after each of its ten short epochs, and on a CPU an
// evaluation costs as much as a third of the training), never more than a fifth of the rows.
int testSize = Math.min(QUICK_RUN ? 100 : 1000, tokenizedDataset.size() / 5);
long splitSeed = 42;   // which rows are held out: the same ones in every notebook
TrainTestSplit datasetDict = tokenizedDataset.trainTestSplit(testSize, splitSeed);

// The seed of the model's random initial weights: every notebook starts from the same ones.
long modelSeed = 42;

// The tutorial's training arguments (10 epochs of up to 500 steps of 32 rows, learning rate 1e-3),
// shrunk for the quick run and for the tests. The quick run's 240 small steps take a learning rate
// five times the tutorial's: at 1e-3 they end near the unigram stage (loss ~5), at 5e-3 the samples
// start to make sentences (loss ~3). Notebook 05 applies the same settings to its own arguments.
<A extends TransformerTrainingArgs> A withRunSettings(A args) {
    if (QUICK_RUN) {
        args.batchSize = 4;
        args.epochs = 10;
        args.maxStepsPerEpoch = 24;
        args.lr = 5e-3;
    }
    if (CI) {
        args.batchSize = 4;
        args.epochs = 2;
        args.maxStepsPerEpoch = 3;
    }
    return args;
}
var args = withRunSettings(new TransformerTrainingArgs());

System.out.println(datasetDict);
System.out.println(args);
