package gptcourse.train;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;

/** The JSON of run folders and checkpoints: pretty, with nulls and NaN kept. */
final class Json {
    static final Gson GSON = new GsonBuilder().setPrettyPrinting().serializeNulls().serializeSpecialFloatingPointValues()
            .disableHtmlEscaping().create();

    private Json() {
    }
}
