package gptcourse.kernel;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The built-in startup script ({@code startup.jsh}): the imports every notebook starts with.
 * Its {@code import gptcourse.x.*;} lines are kept only for the course packages that exist on
 * the classpath (the library is written alongside the kernel).
 */
final class StartupScript {
    private static final Logger LOG = LoggerFactory.getLogger(StartupScript.class);
    private static final Pattern COURSE_IMPORT = Pattern.compile("^\\s*import\\s+(gptcourse(?:\\.\\w+)+)\\.\\*\\s*;\\s*$");

    private StartupScript() {
    }

    /** @return the script's text, with imports of missing course packages blanked (lines kept) */
    static String course() {
        String script;
        try (InputStream in = StartupScript.class.getResourceAsStream("startup.jsh")) {
            script = in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            LOG.warn("Could not read the built-in startup script: {}", e.toString());
            return "";
        }
        StringBuilder kept = new StringBuilder();
        for (String line : script.split("\n", -1)) {
            Matcher m = COURSE_IMPORT.matcher(line);
            if (m.matches() && !packageExists(m.group(1))) {
                LOG.debug("Startup: skipping '{}' (no such package on the classpath)", line.trim());
                kept.append('\n');
                continue;
            }
            kept.append(line).append('\n');
        }
        return kept.toString();
    }

    static boolean packageExists(String pkg) {
        return ClassLoader.getSystemResource(pkg.replace('.', '/') + "/") != null;
    }
}
