package gptcourse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;

/** The launch files publish the notebook server on the loopback interface unless told otherwise. */
class LaunchDefaultsTest {
    static Path repo() {
        Path dir = Path.of("").toAbsolutePath();
        return Files.exists(dir.resolve("docker")) ? dir : dir.getParent();
    }

    @Test
    void composePublishesOnLoopbackByDefault() throws Exception {
        List<String> ports = Files.readAllLines(repo().resolve("docker/compose.yaml")).stream()
                .map(String::strip).filter(l -> l.startsWith("- \"") && l.endsWith(":8888\"")).toList();
        assertEquals(List.of("- \"${GPTCOURSE_BIND:-127.0.0.1}:${GPTCOURSE_PORT:-8888}:8888\""), ports);
        String readme = Files.readString(repo().resolve("README.md"));
        assertFalse(readme.contains("-p 8888:8888"), "the README's docker run publishes on 127.0.0.1 too");
    }
}
