package gptcourse.kernel;

import java.io.StringReader;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import org.apache.maven.model.Model;
import org.apache.maven.model.io.xpp3.MavenXpp3Reader;
import org.eclipse.aether.RepositorySystem;
import org.eclipse.aether.RepositorySystemSession;
import org.eclipse.aether.artifact.DefaultArtifact;
import org.eclipse.aether.collection.CollectRequest;
import org.eclipse.aether.graph.Dependency;
import org.eclipse.aether.graph.Exclusion;
import org.eclipse.aether.repository.RemoteRepository;
import org.eclipse.aether.resolution.ArtifactResult;
import org.eclipse.aether.resolution.DependencyRequest;
import org.eclipse.aether.supplier.RepositorySystemSupplier;
import org.eclipse.aether.supplier.SessionBuilderSupplier;
import org.eclipse.aether.util.artifact.JavaScopes;
import org.eclipse.aether.util.filter.DependencyFilterUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Resolves {@code %maven} coordinates and {@code %%loadFromPOM} dependencies, with their
 * dependencies, from Maven Central into the local Maven repository (the same cache Maven uses,
 * so anything the course build already downloaded works offline).
 *
 * <p>{@code %mavenRepo id url} adds a repository for later {@code %maven} lines (http, https or
 * file URLs); a {@code %%loadFromPOM} cell uses its own {@code <repository>} elements, as in IJava.
 *
 * <p>{@code GPTCOURSE_MAVEN_CENTRAL} replaces Maven Central's URL (a mirror; the tests point it at
 * a closed port to check the offline path).
 */
final class MavenResolver {
    private static final Logger LOG = LoggerFactory.getLogger(MavenResolver.class);
    static final String CENTRAL_URL = "https://repo.maven.apache.org/maven2/";

    private final Path localRepository;
    private final String centralUrl;
    private final Map<String, RemoteRepository> added = new LinkedHashMap<>();
    private RepositorySystem system;

    MavenResolver() {
        String mirror = System.getenv("GPTCOURSE_MAVEN_CENTRAL");
        this.centralUrl = mirror == null || mirror.isBlank() ? CENTRAL_URL : mirror;
        String configured = System.getProperty("maven.repo.local");
        this.localRepository = configured != null ? Path.of(configured)
                : Path.of(System.getProperty("user.home"), ".m2", "repository");
    }

    /**
     * @param coordinates {@code group:artifact:version} or {@code group:artifact:extension[:classifier]:version}
     * @return the jars of those artifacts and their runtime dependencies
     * @throws Exception with a message for the student (bad coordinates, not found, offline)
     */
    List<Path> resolve(List<String> coordinates) throws Exception {
        List<Dependency> deps = new ArrayList<>();
        for (String c : coordinates) {
            try {
                deps.add(new Dependency(new DefaultArtifact(c), JavaScopes.RUNTIME));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("'" + c + "' is not Maven coordinates; write group:artifact:version, "
                        + "e.g. org.apache.commons:commons-math3:3.6.1");
            }
        }
        return resolveDependencies(deps, List.copyOf(added.values()), String.join(", ", coordinates));
    }

    /**
     * @param id  the repository's id
     * @param url its URL: {@code https://...}, {@code http://...} or {@code file:/...}
     */
    void addRepository(String id, String url) {
        if (!id.matches("[A-Za-z0-9._-]+")) {
            throw new IllegalArgumentException("'" + id + "' is not a repository id (letters, digits, '.', '_', '-')");
        }
        java.net.URI uri;
        try {
            uri = java.net.URI.create(url);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + url + "' is not a URL");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(java.util.Locale.ROOT);
        if (!List.of("http", "https", "file").contains(scheme)) {
            throw new IllegalArgumentException("'" + url + "' is not an http, https or file URL");
        }
        added.put(id, new RemoteRepository.Builder(id, "default", url).build());
        LOG.info("Added Maven repository {} at {}", id, url);
    }

    /**
     * @param pom    a whole POM, or {@code <dependency>}, {@code <dependencies>}, {@code <repository>} and
     *               {@code <repositories>} elements
     * @param scopes the dependency scopes to load; empty means compile, runtime, system and import
     * @return the jars of those dependencies and theirs
     * @throws Exception with a message for the student
     */
    List<Path> resolvePom(String pom, List<String> scopes) throws Exception {
        Model model = new MavenXpp3Reader().read(new StringReader(PomFragments.toPom(pom)));
        Properties props = model.getProperties();
        List<String> wanted = scopes.isEmpty() ? List.of(JavaScopes.COMPILE, JavaScopes.RUNTIME, JavaScopes.SYSTEM, "import")
                : scopes;
        List<Dependency> deps = new ArrayList<>();
        for (org.apache.maven.model.Dependency d : model.getDependencies()) {
            String scope = d.getScope() == null ? JavaScopes.COMPILE : d.getScope();
            if (!wanted.contains(scope)) continue;
            List<Exclusion> exclusions = new ArrayList<>();
            for (org.apache.maven.model.Exclusion x : d.getExclusions()) {
                exclusions.add(new Exclusion(x.getGroupId(), x.getArtifactId(), "*", "*"));
            }
            DefaultArtifact artifact = new DefaultArtifact(interpolate(d.getGroupId(), props),
                    interpolate(d.getArtifactId(), props), interpolate(d.getClassifier(), props),
                    d.getType() == null ? "jar" : d.getType(), interpolate(d.getVersion(), props));
            deps.add(new Dependency(artifact, JavaScopes.RUNTIME, false, exclusions));
        }
        List<RemoteRepository> repos = new ArrayList<>();
        for (org.apache.maven.model.Repository r : model.getRepositories()) {
            repos.add(new RemoteRepository.Builder(r.getId(), "default", r.getUrl()).build());
        }
        if (deps.isEmpty()) throw new IllegalArgumentException("the POM has no <dependency> to load (scopes " + wanted + ")");
        return resolveDependencies(deps, repos, deps.size() + " dependencies");
    }

    private static String interpolate(String value, Properties props) {
        if (value == null) return null;
        String out = value;
        for (Map.Entry<Object, Object> e : props.entrySet()) {
            out = out.replace("${" + e.getKey() + "}", String.valueOf(e.getValue()));
        }
        return out;
    }

    private synchronized RepositorySystem system() {
        if (system == null) system = new RepositorySystemSupplier().get();
        return system;
    }

    private List<Path> resolveDependencies(List<Dependency> deps, List<RemoteRepository> extraRepos, String what)
            throws Exception {
        RepositorySystem sys = system();
        List<RemoteRepository> repos = new ArrayList<>();
        repos.add(new RemoteRepository.Builder("central", "default", centralUrl).build());
        repos.addAll(extraRepos);
        try (RepositorySystemSession.CloseableSession session = new SessionBuilderSupplier(sys).get()
                .withLocalRepositoryBaseDirectories(localRepository)
                .setConfigProperty("aether.connector.connectTimeout", 10_000)
                .setConfigProperty("aether.connector.requestTimeout", 60_000)
                .build()) {
            CollectRequest collect = new CollectRequest(deps, List.of(), repos);
            DependencyRequest request = new DependencyRequest(collect,
                    DependencyFilterUtils.classpathFilter(JavaScopes.RUNTIME));
            List<Path> jars = new ArrayList<>();
            for (ArtifactResult r : sys.resolveDependencies(session, request).getArtifactResults()) {
                if (r.getArtifact() != null && r.getArtifact().getPath() != null) jars.add(r.getArtifact().getPath());
            }
            LOG.info("Resolved {}: {} jars", what, jars.size());
            return jars;
        } catch (org.eclipse.aether.resolution.DependencyResolutionException e) {
            throw new IllegalStateException(explain(e, what), e);
        }
    }

    private String explain(Exception e, String what) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof UnknownHostException || t instanceof ConnectException
                    || t instanceof java.net.SocketTimeoutException || t instanceof java.net.NoRouteToHostException) {
                return "couldn't reach Maven Central at " + centralUrl + " (" + t.getClass().getSimpleName() + ": " + t.getMessage()
                        + ") to download " + what + ". Offline, only artifacts already in " + localRepository
                        + " can be used.";
            }
        }
        Throwable root = e;
        while (root.getCause() != null) root = root.getCause();
        return "couldn't resolve " + what + ": " + root.getMessage();
    }
}
