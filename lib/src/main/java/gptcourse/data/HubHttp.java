package gptcourse.data;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.HttpURLConnection;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The HTTP side of {@link HubDownloader}: requests to the Hub with redirects followed by hand
 * (http and https only, at most {@value #MAX_REDIRECTS}, the token sent to the Hub's own host
 * only), what the Hub announces about a file ({@code X-Linked-Size}, {@code X-Linked-Etag}),
 * content encodings (gzip and deflate decoded, others refused) and the errors worth retrying.
 */
final class HubHttp {
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
    static final int MAX_REDIRECTS = 10;

    private final DownloadOptions options;

    HubHttp(DownloadOptions options) {
        this.options = options;
    }

    /**
     * The body's content encoding, null for none ({@code identity}); gzip and deflate are decoded
     * (a compressed file is never stored as is), anything else is refused.
     */
    static String contentEncoding(HttpURLConnection connection) {
        String encoding = connection.getContentEncoding();
        if (encoding == null || encoding.isBlank() || encoding.trim().equalsIgnoreCase("identity")) {
            return null;
        }
        String e = encoding.trim().toLowerCase(Locale.ROOT);
        if (e.equals("gzip") || e.equals("x-gzip") || e.equals("deflate")) {
            return e;
        }
        connection.disconnect();
        throw new DataUnavailableException("the server sent " + connection.getURL() + " with Content-Encoding \""
                + encoding + "\", which this downloader cannot decode (it asks for identity, and decodes gzip and"
                + " deflate)", null);
    }

    static InputStream decoded(InputStream raw, String encoding) throws IOException {
        if (encoding == null) {
            return raw;
        }
        return encoding.equals("deflate") ? new java.util.zip.InflaterInputStream(raw)
                : new java.util.zip.GZIPInputStream(raw, 1 << 16);
    }

    /** Size and checksum the Hub announces for a file, without downloading it. */
    Remote probe(URI url) throws IOException {
        Response response = open(url, -1, "HEAD");
        response.connection.disconnect();
        if (response.status != 200) {
            throw httpError(response.status, url, null);
        }
        long size = response.remote.size >= 0 ? response.remote.size
                : contentEncoding(response.connection) == null ? response.connection.getContentLengthLong() : -1;
        return new Remote(size, response.remote.sha256);
    }

    /** Sends the request, following redirects by hand; {@code from >= 0} asks for a range. */
    Response open(URI url, long from, String method) throws IOException {
        URI current = url;
        long linkedSize = -1;
        String linkedSha = null;
        for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
            String scheme = current.getScheme() == null ? "" : current.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https")) {
                throw unavailable(url, null, "the server redirected " + url + " to " + current
                        + ", which is not an http(s) address: refusing to follow it", null);
            }
            HttpURLConnection c = (HttpURLConnection) current.toURL().openConnection();
            c.setInstanceFollowRedirects(false);
            c.setConnectTimeout((int) options.timeout().toMillis());
            c.setReadTimeout((int) options.timeout().toMillis());
            c.setRequestMethod(method);
            c.setRequestProperty("User-Agent", "gptcourse/0.1 (java; data pipeline)");
            c.setRequestProperty("Accept-Encoding", "identity");
            if (options.token() != null && sameHost(current, options.endpoint())) {
                c.setRequestProperty("Authorization", "Bearer " + options.token());
            }
            if (from >= 0) {
                c.setRequestProperty("Range", "bytes=" + from + "-");
            }
            int status = c.getResponseCode();
            if (linkedSha == null) {
                linkedSha = sha256Header(c.getHeaderField("X-Linked-Etag"));
            }
            if (linkedSize < 0 && c.getHeaderField("X-Linked-Size") != null) {
                try {
                    linkedSize = Long.parseLong(c.getHeaderField("X-Linked-Size").trim());
                } catch (NumberFormatException ignored) {
                    // not a size: ignore the header
                }
            }
            if (status == 301 || status == 302 || status == 303 || status == 307 || status == 308) {
                String location = c.getHeaderField("Location");
                c.disconnect();
                if (location == null) {
                    throw new IOException("redirect " + status + " from " + current + " without a Location");
                }
                try {
                    current = current.resolve(location.trim());
                } catch (IllegalArgumentException e) {
                    throw new IOException("redirect " + status + " from " + current + " to an invalid address " + location);
                }
                continue;
            }
            return new Response(c, status, new Remote(linkedSize, linkedSha));
        }
        throw new IOException("more than " + MAX_REDIRECTS + " redirects from " + url);
    }

    /** Throws for a refusal that retrying cannot fix; returns a retryable error otherwise. */
    IOException httpError(int status, URI url, Path target) {
        String what = "HTTP " + status + " for " + url;
        if (status == 401 || status == 403) {
            throw unavailable(url, target, what + ": the Hub wants a valid access token"
                    + " (set HF_TOKEN, and accept the dataset's terms on its page if it has any)", null);
        }
        if (status == 404) {
            throw unavailable(url, target, what + ": no such file on the Hub"
                    + " (check the repository and file name, and HF_ENDPOINT)", null);
        }
        if (status >= 400 && status < 500 && status != 408 && status != 429) {
            throw unavailable(url, target, what, null);
        }
        return new IOException(what);
    }

    static DataUnavailableException unavailable(URI url, Path target, String why, Throwable cause) {
        return new DataUnavailableException(why + ".\nDownload " + url + " yourself"
                + (target == null ? "" : " and put it at " + target.toAbsolutePath()
                + " (or anywhere, and pass that path)") + ".", cause);
    }

    static boolean isNoNetwork(IOException e) {
        return e instanceof UnknownHostException || e instanceof ConnectException
                || e instanceof NoRouteToHostException
                || (e instanceof SocketTimeoutException && String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT).contains("connect"));
    }

    private static boolean sameHost(URI a, URI b) {
        return a.getHost() != null && a.getHost().equalsIgnoreCase(b.getHost()) && a.getPort() == b.getPort();
    }

    private static String sha256Header(String etag) {
        if (etag == null) {
            return null;
        }
        String value = etag.trim();
        if (value.startsWith("W/")) {
            value = value.substring(2);
        }
        value = value.replace("\"", "").toLowerCase(Locale.ROOT);
        return SHA256.matcher(value).matches() ? value : null;
    }

    /** What the Hub says about a file: size and SHA-256 (from {@code X-Linked-*}), if given. */
    record Remote(long size, String sha256) {
    }

    record Response(HttpURLConnection connection, int status, Remote remote) {
    }
}
