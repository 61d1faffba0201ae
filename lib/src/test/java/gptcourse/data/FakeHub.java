package gptcourse.data;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import gptcourse.io.Sha256;

/**
 * A stand-in for the Hugging Face Hub on 127.0.0.1: {@code /datasets/<repo>/resolve/main/<file>}
 * answers 302 to {@code /cdn/<file>} on a second port (the CDN) with {@code X-Linked-Size} and {@code X-Linked-Etag} (the
 * SHA-256), like the real Hub; the CDN honours {@code Range}. Faults on demand: cut the next
 * transfers short, serve corrupt bytes, ignore Range, demand a token, send no size headers and
 * end a transfer early but cleanly, encode the body, redirect somewhere else.
 */
final class FakeHub implements AutoCloseable {

    private static final Pattern RANGE = Pattern.compile("bytes=(\\d+)-");

    private final HttpServer server;
    private final HttpServer cdnServer; // another port, as the real CDN is another host
    private final Map<String, byte[]> files = new ConcurrentHashMap<>();
    /** One line per request: "METHOD path range=... auth=...". */
    final List<String> log = new CopyOnWriteArrayList<>();
    /** Cut this many next transfers after {@link #dropAfterBytes} bytes. */
    final AtomicInteger dropTransfers = new AtomicInteger();
    volatile int dropAfterBytes = 1000;
    /** Flip a byte in this many next transfers (size stays right). */
    final AtomicInteger corruptTransfers = new AtomicInteger();
    volatile boolean ignoreRange;
    volatile String requiredToken;
    /** No X-Linked-Size, X-Linked-Etag or Content-Length: the body is chunked. */
    volatile boolean noSizeHeaders;
    /** End this many next transfers after {@link #dropAfterBytes} bytes, cleanly (a complete-looking chunked body). */
    final AtomicInteger truncateSilently = new AtomicInteger();
    /** Send the body with this Content-Encoding ("gzip" compresses it; other values only label it). */
    volatile String contentEncoding;
    /** Where the Hub redirects instead of the CDN (e.g. a {@code file:} address), or null. */
    volatile String redirectTo;

    FakeHub() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/datasets/", this::resolve);
        server.start();
        cdnServer = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        cdnServer.createContext("/cdn/", this::cdn);
        cdnServer.start();
    }

    void put(String file, byte[] content) {
        files.put(file, content);
    }

    URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** Download settings against this hub: the cache, {@code retries} tries, backoff 1 ms, timeout 10 s. */
    DownloadOptions options(Path cache, int retries) {
        return new DownloadOptions(endpoint(), null, cache, false, false, retries, Duration.ofMillis(1),
                Duration.ofSeconds(10));
    }

    /** A stories file as TinyStories' are: {@code stories} {@code copies} times, each followed by an end-of-text line. */
    static byte[] storiesFile(List<String> stories, int copies) {
        StringBuilder text = new StringBuilder();
        for (int copy = 0; copy < copies; copy++) {
            for (String story : stories) {
                text.append(story).append('\n').append(Gpt2Tokenizer.END_OF_TEXT).append('\n');
            }
        }
        return text.toString().getBytes(StandardCharsets.UTF_8);
    }

    long cdnGets() {
        return log.stream().filter(l -> l.startsWith("GET /cdn/")).count();
    }

    private void resolve(HttpExchange ex) throws IOException {
        record(ex);
        String prefix = "/datasets/" + TinyStories.REPO_ID + "/resolve/main/";
        String path = ex.getRequestURI().getPath();
        byte[] content = path.startsWith(prefix) ? files.get(path.substring(prefix.length())) : null;
        if (requiredToken != null && !("Bearer " + requiredToken).equals(ex.getRequestHeaders().getFirst("Authorization"))) {
            send(ex, 401, "Invalid credentials");
            return;
        }
        if (content == null) {
            send(ex, 404, "Entry not found");
            return;
        }
        String file = path.substring(prefix.length());
        ex.getResponseHeaders().add("Location", redirectTo != null ? redirectTo : "http://127.0.0.1:"
                + cdnServer.getAddress().getPort() + "/cdn/" + file + "?X-Amz-Signature=fake");
        if (!noSizeHeaders) {
            ex.getResponseHeaders().add("X-Linked-Size", Long.toString(content.length));
            ex.getResponseHeaders().add("X-Linked-Etag", "\"" + Sha256.of(content) + "\"");
        }
        ex.getResponseHeaders().add("ETag", "W/\"not-the-sha\"");
        ex.sendResponseHeaders(302, -1);
        ex.close();
    }

    private void cdn(HttpExchange ex) throws IOException {
        record(ex);
        byte[] content = files.get(ex.getRequestURI().getPath().substring("/cdn/".length()));
        if (content == null) {
            send(ex, 404, "NoSuchKey");
            return;
        }
        if (ex.getRequestHeaders().getFirst("Authorization") != null) {
            send(ex, 400, "the CDN must not receive the Hub token");
            return;
        }
        int from = 0;
        String range = ex.getRequestHeaders().getFirst("Range");
        Matcher m = range == null ? null : RANGE.matcher(range);
        if (m != null && m.matches() && !ignoreRange) {
            from = Integer.parseInt(m.group(1));
            if (from >= content.length) {
                ex.getResponseHeaders().add("Content-Range", "bytes */" + content.length);
                send(ex, 416, "");
                return;
            }
            ex.getResponseHeaders().add("Content-Range", "bytes " + from + "-" + (content.length - 1) + "/" + content.length);
        }
        int length = content.length - from;
        if ("HEAD".equals(ex.getRequestMethod())) {
            if (!noSizeHeaders) {
                ex.getResponseHeaders().add("Content-Length", Integer.toString(length));
            }
            ex.sendResponseHeaders(from > 0 ? 206 : 200, -1);
            ex.close();
            return;
        }
        byte[] body = java.util.Arrays.copyOfRange(content, from, content.length);
        if (corruptTransfers.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            body[body.length / 2] ^= 0x5a;
        }
        if (truncateSilently.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            body = java.util.Arrays.copyOf(body, Math.min(dropAfterBytes, body.length));
        }
        if (contentEncoding != null) {
            ex.getResponseHeaders().add("Content-Encoding", contentEncoding);
            if (contentEncoding.equals("gzip")) {
                java.io.ByteArrayOutputStream zipped = new java.io.ByteArrayOutputStream();
                try (java.util.zip.GZIPOutputStream gz = new java.util.zip.GZIPOutputStream(zipped)) {
                    gz.write(body);
                }
                body = zipped.toByteArray();
            }
            length = body.length;
        }
        boolean drop = dropTransfers.getAndUpdate(n -> Math.max(0, n - 1)) > 0;
        ex.sendResponseHeaders(from > 0 ? 206 : 200, noSizeHeaders ? 0 : body.length);
        OutputStream out = ex.getResponseBody();
        if (drop) {
            out.write(body, 0, Math.min(dropAfterBytes, body.length));
            out.flush();
            // Closing the connection mid-body: the client sees a premature end of stream.
            try {
                ex.close();
            } catch (RuntimeException expected) {
                // "insufficient bytes written": exactly the fault we want
            }
            return;
        }
        out.write(body);
        out.close();
    }

    private void record(HttpExchange ex) {
        log.add(ex.getRequestMethod() + " " + ex.getRequestURI().getPath()
                + " range=" + ex.getRequestHeaders().getFirst("Range")
                + " auth=" + (ex.getRequestHeaders().getFirst("Authorization") != null));
    }

    private static void send(HttpExchange ex, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        ex.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            ex.getResponseBody().write(bytes);
        }
        ex.close();
    }

    @Override
    public void close() {
        server.stop(0);
        cdnServer.stop(0);
    }
}
