package gptcourse.train;

import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/** The versions a run was made with, read from the jars' Maven metadata (run provenance). */
final class Versions {
    private Versions() {
    }

    static Map<String, String> all() {
        Map<String, String> v = new LinkedHashMap<>();
        v.put("gptcourse", maven("gptcourse", "gptcourse-lib"));
        v.put("java", System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + ")");
        v.put("nd4j", maven("org.nd4j", "nd4j-api"));
        v.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                + System.getProperty("os.arch"));
        return v;
    }

    /** The version in a jar's {@code pom.properties}, or "development build" (classes, not a jar). */
    private static String maven(String group, String artifact) {
        String path = "/META-INF/maven/" + group + "/" + artifact + "/pom.properties";
        try (InputStream in = Versions.class.getResourceAsStream(path)) {
            if (in == null) {
                return "development build";
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version", "unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }
}
