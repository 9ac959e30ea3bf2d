package io.replog.tools;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Splits a byte stream into lines, bytes untouched: a line ends at '\n' or at the end of the input, and one '\r'
 * right before that end is dropped (so CRLF input works, as with {@code BufferedReader.readLine}); every other
 * byte, a lone '\r' included, is part of the line. A line longer than the limit is read to its end but only its
 * first bytes are kept, so one huge line cannot exhaust memory: its {@link Line#length()} says how long it was.
 */
final class LineReader {
    private static final int CHUNK = 64 * 1024;

    /** One line: its number (from 1), its bytes (all of them unless {@link #truncated()}), its full length. */
    record Line(long number, byte[] bytes, long length) {
        boolean truncated() {
            return bytes.length < length;
        }
    }

    private final InputStream in;
    /** Bytes kept per line: the limit plus one, for a '\r' that may turn out to end the line. */
    private final int keep;
    private final byte[] chunk = new byte[CHUNK];
    private int pos;
    private int end;
    private long number;
    private byte[] line = new byte[256];

    /** @param maxLineBytes lines longer than this are truncated (and reported so); at most Integer.MAX_VALUE - 9 */
    LineReader(final InputStream in, final int maxLineBytes) {
        this.in = in;
        this.keep = maxLineBytes + 1;
    }

    /** The next line, or null at the end of the input. */
    Line next() throws IOException {
        int kept = 0;
        long length = 0;
        byte last = 0;
        boolean any = false;
        while (true) {
            if (pos == end && !fill()) {
                return any ? finish(kept, length, last) : null;
            }
            any = true;
            int stop = pos;
            while (stop < end && chunk[stop] != '\n') {
                stop++;
            }
            final int n = stop - pos;
            if (n > 0) {
                final int copy = (int) Math.min(n, keep - kept);
                if (copy > 0) {
                    ensure(kept + copy);
                    System.arraycopy(chunk, pos, line, kept, copy);
                    kept += copy;
                }
                length += n;
                last = chunk[stop - 1];
            }
            if (stop < end) {
                pos = stop + 1;
                return finish(kept, length, last);
            }
            pos = end;
        }
    }

    private Line finish(final int kept, final long length, final byte last) {
        final long full = length > 0 && last == '\r' ? length - 1 : length;
        return new Line(++number, Arrays.copyOf(line, (int) Math.min(kept, full)), full);
    }

    private boolean fill() throws IOException {
        final int n = in.read(chunk);
        pos = 0;
        end = Math.max(0, n);
        return n > 0;
    }

    private void ensure(final int size) {
        if (size > line.length) {
            line = Arrays.copyOf(line, (int) Math.min(keep, Math.max(size, 2L * line.length)));
        }
    }
}
