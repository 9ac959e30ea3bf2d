package io.replog.node.log;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/**
 * What opening a log cut out of it because of damage in the middle ({@link CorruptionPolicy#SET_ASIDE}).
 *
 * @param keptId    the log now ends here: the last msg_id before the damaged batch
 * @param formerEnd the highest msg_id a valid batch after the damage still showed (at least {@code keptId}): the
 *                  log held at least this much, so at least this much must come back
 * @param setAside  the directory holding copies of everything cut (the damaged segment from the damage on, and every
 *                  later segment file)
 * @param where     the file, offset and problem, for messages
 */
public record CutDamage(long keptId, long formerEnd, Path setAside, String where) {
    /**
     * Kept in the data directory until the cut part is back (written before the cut, deleted once repaired), so a
     * restart in between (a crash, or docker's restart policy) never starts the cut log as if it were whole.
     */
    static final String FILE_NAME = "damage-to-take-back";

    /** The damage recorded in {@code dir}, or null. */
    static CutDamage read(final Path dir) throws IOException {
        final Path file = dir.resolve(FILE_NAME);
        final Properties p = AtomicFile.read(file);
        if (p == null) {
            return null;
        }
        try {
            return new CutDamage(Long.parseLong(AtomicFile.required(p, file, "kept_id")),
                Long.parseLong(AtomicFile.required(p, file, "former_end")),
                Path.of(AtomicFile.required(p, file, "set_aside")), AtomicFile.required(p, file, "where"));
        } catch (NumberFormatException | InvalidPathException e) {
            throw new IOException(file + " is malformed: " + e.getMessage(), e);
        }
    }

    /** Records this damage in {@code dir}, durably, keeping the higher end of one recorded before. */
    CutDamage write(final Path dir) throws IOException {
        final CutDamage earlier = read(dir);
        final CutDamage merged = earlier == null ? this : new CutDamage(Math.min(keptId, earlier.keptId),
            Math.max(formerEnd, earlier.formerEnd), setAside, where);
        final Map<String, String> values = new LinkedHashMap<>();
        values.put("kept_id", Long.toString(merged.keptId));
        values.put("former_end", Long.toString(merged.formerEnd));
        values.put("set_aside", merged.setAside.toString());
        values.put("where", merged.where);
        AtomicFile.write(dir, FILE_NAME, values);
        return merged;
    }

    /** The cut part is back: forgets the damage. */
    static void repaired(final Path dir) throws IOException {
        Files.deleteIfExists(dir.resolve(FILE_NAME));
        AtomicFile.syncDirectory(dir);
    }
}
