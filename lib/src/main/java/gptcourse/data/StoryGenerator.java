package gptcourse.data;

import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import gptcourse.data.StoryGrammar.Choice;
import gptcourse.data.StoryGrammar.Part;
import gptcourse.data.StoryGrammar.Slot;
import gptcourse.data.StoryGrammar.Step;
import gptcourse.data.StoryGrammar.Text;
import gptcourse.io.AtomicFiles;

/**
 * Writes short, simple stories in the manner of TinyStories from this project's own grammar
 * ({@code gptcourse/data/story-grammar.txt}: a small child's vocabulary, a cast of characters, places,
 * events, dialogue and a moral; no text taken from TinyStories). It is the offline stand-in for
 * TinyStories ({@link TinyStories#standIn(String)}): a corpus of any size, the same bytes for the same
 * seed, varied enough that a small model learns its grammar rather than memorising it.
 *
 * <pre>{@code
 * String story = StoryGenerator.story(42, 0);              // story 0 of the corpus with seed 42
 * List<String> some = StoryGenerator.stories(42, 100);     // stories 0..99
 * StoryGenerator.write(Path.of("stories.txt"), 42, 20_000_000); // about 20 MB, TinyStories' file format
 * }</pre>
 *
 * Story {@code i} of seed {@code s} depends only on {@code (s, i)}, never on the stories before it.
 */
public final class StoryGenerator {

    /** Part of every cache key: change it whenever the grammar or the generator changes its output. */
    public static final int VERSION = 1;

    private static final StoryGrammar GRAMMAR = StoryGrammar.load();
    private static final String SEPARATOR = "\n" + Gpt2Tokenizer.END_OF_TEXT + "\n";

    private StoryGenerator() {
    }

    /** Story {@code index} (0 or more) of the corpus with this seed. */
    public static String story(long seed, long index) {
        if (index < 0) {
            throw new IllegalArgumentException("story index " + index + " must be 0 or more");
        }
        SplittableRandom rng = new SplittableRandom(mix(seed, index));
        return new Teller(rng).tell();
    }

    /** Stories {@code 0 .. count - 1} of the corpus with this seed. */
    public static List<String> stories(long seed, int count) {
        if (count < 0) {
            throw new IllegalArgumentException("count " + count + " must be 0 or more");
        }
        List<String> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            out.add(story(seed, i));
        }
        return out;
    }

    /**
     * Writes stories {@code 0, 1, ...} of this seed to {@code file}, separated by {@code <|endoftext|>}
     * lines as in {@code TinyStories-train.txt}, until at least {@code bytes} bytes are written. The
     * file appears whole or not at all ({@link AtomicFiles}).
     *
     * @return the number of stories written
     */
    public static long write(Path file, long seed, long bytes) throws IOException {
        long[] count = new long[1];
        AtomicFiles.write(file, out -> count[0] = write(out, seed, bytes));
        return count[0];
    }

    private static long write(OutputStream out, long seed, long bytes) throws IOException {
        if (bytes < 1) {
            throw new IllegalArgumentException("bytes " + bytes + " must be at least 1");
        }
        long written = 0;
        long count = 0;
        Writer w = new OutputStreamWriter(out, StandardCharsets.UTF_8); // the stream is buffered
        while (written < bytes) {
            String text = story(seed, count++);
            w.write(text);
            w.write(SEPARATOR);
            written += text.length() + SEPARATOR.length(); // the grammar is ASCII: chars are bytes
        }
        w.flush();
        return count;
    }

    /** A well-spread seed for story {@code index} of corpus {@code seed} (SplitMix64's finaliser). */
    private static long mix(long seed, long index) {
        long z = seed * 0x9E3779B97F4A7C15L + index + 0x632BE59BD9B4E019L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** One story: picks a cast and a plot, then fills the plot's beats. */
    private static final class Teller {
        private final SplittableRandom rng;
        private final Map<String, String> cast = new HashMap<>();
        private final StringBuilder out = new StringBuilder(1024);

        Teller(SplittableRandom rng) {
            this.rng = rng;
        }

        String tell() {
            castCharacters();
            List<List<Step>> plots = new ArrayList<>(GRAMMAR.plots.values());
            List<Step> plot = plots.get(rng.nextInt(plots.size()));
            int sentences = 0;
            for (int i = 0; i < plot.size(); i++) {
                Step step = plot.get(i);
                if (step.optional() && rng.nextBoolean()) {
                    continue;
                }
                List<List<Part>> options = GRAMMAR.beats.get(step.beat());
                if (sentences > 0) {
                    boolean last = i == plot.size() - 1;
                    boolean newParagraph = last ? rng.nextInt(3) > 0 : sentences >= 3 && rng.nextInt(4) == 0;
                    out.append(newParagraph ? "\n\n" : " ");
                    if (newParagraph) {
                        sentences = 0;
                    }
                }
                fill(options.get(rng.nextInt(options.size())));
                sentences++;
            }
            return out.toString();
        }

        private void castCharacters() {
            boolean heroIsChild = rng.nextInt(5) < 3;
            boolean heroIsGirl = rng.nextBoolean();
            String heroKind = heroIsChild ? (heroIsGirl ? "girl" : "boy") : pick("animal");
            String hero = pick(heroIsGirl ? "girl" : "boy");
            boolean friendIsGirl = rng.nextBoolean();
            boolean friendIsChild = rng.nextInt(5) < 3;
            String friend;
            do {
                friend = pick(friendIsGirl ? "girl" : "boy");
            } while (friend.equals(hero));
            String friendKind = friendIsChild ? (friendIsGirl ? "girl" : "boy") : pick("animal");
            cast.put("name", hero);
            cast.put("kind", heroKind);
            pronouns("", heroIsGirl);
            cast.put("friend", friend);
            cast.put("fkind", friendKind);
            pronouns("f", friendIsGirl);
            String parent = pick("parent");
            cast.put("parent", parent);
            cast.put("Parent", capitalise(parent));
            cast.put("place", pick("place"));
            cast.put("thing", rng.nextInt(3) == 0 ? pick("color") + " " + pick("thing") : pick("thing"));
            String animal;
            do {
                animal = pick("animal");
            } while (animal.equals(heroKind) || animal.equals(friendKind));
            cast.put("animal", animal);
            cast.put("food", pick("food"));
        }

        private void pronouns(String prefix, boolean girl) {
            cast.put(prefix + "he", girl ? "she" : "he");
            cast.put(prefix + "He", girl ? "She" : "He");
            cast.put(prefix + "his", girl ? "her" : "his");
            cast.put(prefix + "His", girl ? "Her" : "His");
            cast.put(prefix + "him", girl ? "her" : "him");
        }

        private void fill(List<Part> parts) {
            for (Part part : parts) {
                if (part instanceof Text t) {
                    out.append(t.text());
                } else if (part instanceof Choice c) {
                    fill(c.options().get(rng.nextInt(c.options().size())));
                } else if (part instanceof Slot s) {
                    String value = cast.get(s.name());
                    if (value == null) {
                        value = pick(s.name());
                    }
                    if (s.article()) {
                        out.append("aeiouAEIOU".indexOf(value.charAt(0)) >= 0 ? "an " : "a ");
                    }
                    out.append(value);
                }
            }
        }

        private String pick(String list) {
            String[] words = GRAMMAR.words.get(list);
            return words[rng.nextInt(words.length)];
        }

        private static String capitalise(String s) {
            return Character.toUpperCase(s.charAt(0)) + s.substring(1);
        }
    }
}
