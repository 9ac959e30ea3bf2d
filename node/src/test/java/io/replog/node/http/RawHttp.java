package io.replog.node.http;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * HTTP/1.1 over a plain socket, for what java.net.http will not do: pipelining, several requests in one write,
 * malformed URIs, {@code Expect: 100-continue} without a body. Reads responses with Content-Length or chunked bodies.
 */
public final class RawHttp implements AutoCloseable {
    private final Socket socket;
    private final InputStream in;

    public record Response(int status, Map<String, String> headers, String body) {
        public String header(final String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    public RawHttp(final int port) throws IOException {
        this(new Socket("127.0.0.1", port));
    }

    /** Over an already connected socket (e.g. one with a small receive buffer). */
    public RawHttp(final Socket socket) throws IOException {
        this.socket = socket;
        this.socket.setSoTimeout(30_000);
        this.in = new BufferedInputStream(socket.getInputStream(), 1 << 16);
    }

    public Socket socket() {
        return socket;
    }

    public static String get(final String path) {
        return "GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n";
    }

    public static String post(final String path, final String json) {
        final byte[] body = json.getBytes(StandardCharsets.UTF_8);
        return "POST " + path + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
            + body.length + "\r\n\r\n" + json;
    }

    /** Writes all of {@code requests} with one write call: they reach the node in one packet. */
    public void send(final String... requests) throws IOException {
        socket.getOutputStream().write(String.join("", requests).getBytes(StandardCharsets.UTF_8));
        socket.getOutputStream().flush();
    }

    public Response read() throws IOException {
        final String statusLine = line();
        final int status = Integer.parseInt(statusLine.split(" ")[1]);
        final Map<String, String> headers = new TreeMap<>();
        for (String h = line(); !h.isEmpty(); h = line()) {
            final int colon = h.indexOf(':');
            headers.put(h.substring(0, colon).trim().toLowerCase(Locale.ROOT), h.substring(colon + 1).trim());
        }
        final ByteArrayOutputStream body = new ByteArrayOutputStream();
        if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            for (int size = Integer.parseInt(line(), 16); size > 0; size = Integer.parseInt(line(), 16)) {
                body.write(in.readNBytes(size));
                line();
            }
            line();
        } else {
            final int length = Integer.parseInt(headers.getOrDefault("content-length", "0"));
            final byte[] bytes = in.readNBytes(length);
            if (bytes.length < length) {
                throw new EOFException("body cut short: " + bytes.length + " of " + length);
            }
            body.write(bytes);
        }
        return new Response(status, headers, body.toString(StandardCharsets.UTF_8));
    }

    /** True when the node closed the connection (nothing more to read). */
    public boolean atEof() throws IOException {
        return in.read() < 0;
    }

    private String line() throws IOException {
        final StringBuilder s = new StringBuilder();
        for (int c = in.read(); c != '\n'; c = in.read()) {
            if (c < 0) {
                throw new EOFException("connection closed after \"" + s + "\"");
            }
            if (c != '\r') {
                s.append((char) c);
            }
        }
        return s.toString();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
