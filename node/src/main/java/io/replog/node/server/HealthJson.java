package io.replog.node.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.util.Map;

/** Renders a node's health report; the HTTP bridge and the binary HEALTH answer show the same document. */
public final class HealthJson {
    private static final ObjectMapper JSON = new ObjectMapper();

    private HealthJson() {
    }

    public static String render(final Map<String, Object> health) {
        try {
            return JSON.writeValueAsString(health);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("health report is not serialisable", e);
        }
    }
}
