package gptcourse.train;

/** What {@link TransformerTrainerBase#loadCheckpoint(Checkpoint, ResumeCheck)} accepts. */
public enum ResumeCheck {
    /** Refuse a checkpoint trained with another batch size, seed, data source, tokenizer or split. */
    SAME_DATA,
    /** Load it anyway, with a warning saying what differs ({@code --force}). */
    ALLOW_OTHER_DATA
}
