package gptcourse.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringReader;

import org.apache.maven.model.Model;
import org.apache.maven.model.io.xpp3.MavenXpp3Reader;
import org.junit.jupiter.api.Test;

/** %%loadFromPOM bodies: fragments become a POM, as in IJava; bad or hostile XML is refused clearly. */
class PomFragmentsTest {
    private static final String DEP = "<dependency><groupId>g</groupId><artifactId>a</artifactId><version>1</version></dependency>";
    private static final String REPO = "<repository><id>r</id><url>https://example.org/m2/</url></repository>";

    private static Model model(String body) throws Exception {
        return new MavenXpp3Reader().read(new StringReader(PomFragments.toPom(body)));
    }

    @Test
    void looseRepositoryAndDependency() throws Exception {
        Model m = model(REPO + "\n\n" + DEP);
        assertEquals(1, m.getDependencies().size());
        assertEquals("a", m.getDependencies().get(0).getArtifactId());
        assertEquals("https://example.org/m2/", m.getRepositories().get(0).getUrl());
    }

    @Test
    void listsAndCoordinatesAreAccepted() throws Exception {
        Model m = model("<?xml version=\"1.0\"?><groupId>x</groupId><repositories>" + REPO + "</repositories>"
                + "<dependencies>" + DEP + DEP.replace(">a<", ">b<") + "</dependencies>");
        assertEquals(2, m.getDependencies().size());
        assertEquals(1, m.getRepositories().size());
    }

    @Test
    void aWholeProjectIsUsedAsItIs() throws Exception {
        String pom = "<project><modelVersion>4.0.0</modelVersion><groupId>p</groupId><artifactId>q</artifactId>"
                + "<version>2</version><dependencies>" + DEP + "</dependencies></project>";
        assertEquals(pom, PomFragments.toPom(pom));
    }

    @Test
    void unknownTagsAndStrayTextAreNamed() {
        Exception e = assertThrows(IllegalArgumentException.class, () -> PomFragments.toPom(DEP + "<plugin/>"));
        assertTrue(e.getMessage().contains("unrecognised tag <plugin>"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> PomFragments.toPom("org.example:lib:1.0"));
        assertTrue(e.getMessage().contains("text outside any element"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> PomFragments.toPom("<dependencies><plugin/></dependencies>"));
        assertTrue(e.getMessage().contains("may hold only <dependency>"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> PomFragments.toPom("   "));
        assertTrue(e.getMessage().contains("no <dependency>"), e.getMessage());
    }

    @Test
    void doctypesAndEntitiesAreRefused() {
        Exception e = assertThrows(IllegalArgumentException.class, () -> PomFragments.toPom(
                "<!DOCTYPE d [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><dependency><groupId>&x;</groupId></dependency>"));
        assertTrue(e.getMessage().contains("can't be read"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> PomFragments.toPom("<dependency><groupId>"));
        assertTrue(e.getMessage().contains("can't be read"), e.getMessage());
    }
}
