package gptcourse.data;

/**
 * The two parts of {@link TokenizedDataset#trainTestSplit}, like Hugging Face's {@code
 * DatasetDict} with keys {@code "train"} and {@code "test"}.
 */
public record TrainTestSplit(TokenizedDataset train, TokenizedDataset test) {

    /** {@code dataset_dict["train"]} or {@code dataset_dict["test"]}. */
    public TokenizedDataset get(String split) {
        if ("train".equals(split)) {
            return train;
        }
        if ("test".equals(split)) {
            return test;
        }
        throw new IllegalArgumentException("no split \"" + split + "\": a train-test split has \"train\" and \"test\"");
    }

    @Override
    public String toString() {
        return "DatasetDict({\n    train: " + train + "\n    test: " + test + "\n})";
    }
}
