/**
 * The tutorial's "Create Data" cells: the GPT-2 tokenizer, TinyStories, tokenize-and-concatenate,
 * the train/test split and the data loaders.
 *
 * <pre>{@code
 * import static gptcourse.data.TokenizeOptions.*;
 *
 * Gpt2Tokenizer tokenizer = Gpt2Tokenizer.load();                      // model.tokenizer
 * TextDataset dataset = TinyStories.load("train");                     // load_dataset(..., split="train")
 * TokenizedDataset tokens = DataUtils.tokenizeAndConcatenate(          // tokenize_and_concatenate
 *         dataset, tokenizer, streaming(false), maxLength(256), columnName("text"), addBosToken(true), numProc(4));
 * TrainTestSplit split = tokens.trainTestSplit(1000, 42);              // train_test_split(test_size=1000)
 * DataLoader trainLoader = DataLoader.builder(split.train()).batchSize(16).shuffle(true).seed(42).build();
 * DataLoader testLoader = DataLoader.builder(split.test()).batchSize(16).shuffle(false).build();
 * Batch first = trainLoader.dataset().slice(0, 16);                    // train_loader.dataset[:batch_size]
 * }</pre>
 *
 * <p>Offline, {@link gptcourse.data.TinyStories#standIn(String)} is a small bundled corpus of
 * the project's own simple stories (not TinyStories). Settings ({@code HF_ENDPOINT}, {@code
 * HF_TOKEN}, {@code HF_HUB_OFFLINE}, {@code GPTCOURSE_CACHE}) are in {@link
 * gptcourse.data.DownloadOptions}.
 *
 * <p>Tokenizer speed: {@code mvn -B -q -pl lib compile exec:java
 * -Dexec.mainClass=gptcourse.data.TokenizerThroughput} prints tokens per second (see {@code
 * docs/data.md}).
 */
package gptcourse.data;
