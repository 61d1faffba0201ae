package gptcourse.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The parsed grammar of the generated stand-in stories ({@code gptcourse/data/story-grammar.txt}):
 * word lists, beats (alternative sentence templates) and plots (sequences of beats). The file's
 * header describes its format; {@link StoryGenerator} uses it.
 */
final class StoryGrammar {

    static final String RESOURCE = "/gptcourse/data/story-grammar.txt";

    /** The slots a story fixes once (its cast and setting); every other slot names a word list. */
    static final Set<String> CAST = Set.of("name", "he", "He", "his", "His", "him", "kind", "friend", "fhe", "fHe",
            "fhis", "fhim", "fkind", "parent", "Parent", "place", "thing", "animal", "food");

    /** A piece of a template. */
    sealed interface Part permits Text, Slot, Choice {
    }

    record Text(String text) implements Part {
    }

    /** {@code {name}}; {@code article} for {@code {a_name}}. */
    record Slot(String name, boolean article) implements Part {
    }

    /** {@code [a|b|c]}. */
    record Choice(List<List<Part>> options) implements Part {
    }

    /** A beat of a plot; {@code optional} ones are used half the time. */
    record Step(String beat, boolean optional) {
    }

    final Map<String, String[]> words = new LinkedHashMap<>();
    final Map<String, List<List<Part>>> beats = new LinkedHashMap<>();
    final Map<String, List<Step>> plots = new LinkedHashMap<>();

    static StoryGrammar load() {
        try (InputStream in = StoryGrammar.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing from the classpath: rebuild gptcourse-lib");
            }
            return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + RESOURCE, e);
        }
    }

    /** Parses a grammar and checks that every slot, beat and plot it uses exists. */
    static StoryGrammar parse(String source) {
        StoryGrammar g = new StoryGrammar();
        Map<String, List<String>> wordLines = new LinkedHashMap<>();
        String kind = null;
        String name = null;
        int lineNumber = 0;
        try (BufferedReader reader = new BufferedReader(new java.io.StringReader(source))) {
            for (String raw = reader.readLine(); raw != null; raw = reader.readLine()) {
                lineNumber++;
                String line = raw.strip();
                if (line.isEmpty() || line.startsWith("#")) {
                    continue;
                }
                if (line.startsWith("[") && line.endsWith("]") && line.indexOf(' ') > 0 && !line.contains("|")) {
                    String[] header = line.substring(1, line.length() - 1).split(" ", 2);
                    kind = header[0];
                    name = header[1].strip();
                    switch (kind) {
                        case "words" -> wordLines.put(name, new ArrayList<>());
                        case "beat" -> g.beats.put(name, new ArrayList<>());
                        case "plot" -> g.plots.put(name, new ArrayList<>());
                        default -> throw error(lineNumber, "unknown section [" + kind + " ...]");
                    }
                    continue;
                }
                if (kind == null) {
                    throw error(lineNumber, "text before the first section");
                }
                switch (kind) {
                    case "words" -> wordLines.get(name).add(line);
                    case "beat" -> g.beats.get(name).add(template(line, lineNumber));
                    default -> {
                        for (String beat : line.split("\\s+")) {
                            boolean optional = beat.startsWith("?");
                            g.plots.get(name).add(new Step(optional ? beat.substring(1) : beat, optional));
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        wordLines.forEach((k, v) -> g.words.put(k, v.toArray(String[]::new)));
        g.check();
        return g;
    }

    private void check() {
        words.forEach((k, v) -> require(v.length > 0, "word list " + k + " is empty"));
        beats.forEach((k, v) -> {
            require(!v.isEmpty(), "beat " + k + " has no template");
            v.forEach(t -> checkSlots(k, t));
        });
        require(!plots.isEmpty(), "the grammar has no plot");
        plots.forEach((k, steps) -> steps.forEach(s -> require(beats.containsKey(s.beat()),
                "plot " + k + " uses the unknown beat " + s.beat())));
        for (String needed : List.of("girl", "boy", "kind", "animal", "place", "thing", "food", "parent")) {
            require(words.containsKey(needed), "the grammar needs the word list " + needed);
        }
    }

    private void checkSlots(String beat, List<Part> parts) {
        for (Part p : parts) {
            if (p instanceof Slot s) {
                require(CAST.contains(s.name()) || words.containsKey(s.name()),
                        "beat " + beat + " uses {" + (s.article() ? "a_" : "") + s.name() + "}, which is neither"
                                + " the cast " + CAST + " nor a word list");
            } else if (p instanceof Choice c) {
                c.options().forEach(o -> checkSlots(beat, o));
            }
        }
    }

    private static List<Part> template(String line, int lineNumber) {
        List<Part> parts = new ArrayList<>();
        int i = 0;
        while (i < line.length()) {
            char c = line.charAt(i);
            if (c == '[') {
                int end = line.indexOf(']', i);
                if (end < 0) {
                    throw error(lineNumber, "unclosed [ in: " + line);
                }
                List<List<Part>> options = new ArrayList<>();
                for (String option : line.substring(i + 1, end).split("\\|", -1)) {
                    options.add(template(option, lineNumber));
                }
                parts.add(new Choice(options));
                i = end + 1;
            } else if (c == '{') {
                int end = line.indexOf('}', i);
                if (end < 0) {
                    throw error(lineNumber, "unclosed { in: " + line);
                }
                String slot = line.substring(i + 1, end);
                boolean article = slot.startsWith("a_");
                parts.add(new Slot(article ? slot.substring(2) : slot, article));
                i = end + 1;
            } else {
                int next = i;
                while (next < line.length() && line.charAt(next) != '[' && line.charAt(next) != '{') {
                    next++;
                }
                parts.add(new Text(line.substring(i, next)));
                i = next;
            }
        }
        return parts;
    }

    private static IllegalStateException error(int line, String message) {
        return new IllegalStateException(RESOURCE + " line " + line + ": " + message);
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalStateException(RESOURCE + ": " + message);
        }
    }
}
