package dev.jrun.container;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.jrun.errors.JrunException;

/** The one JSON mapper of this package: container records' opaque parts, inspect, ps. */
final class Json {
    static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private Json() {}

    static JsonNode tree(Object value) {
        return MAPPER.valueToTree(value);
    }

    static <T> T read(JsonNode node, Class<T> type, String what) throws JrunException {
        try {
            return MAPPER.treeToValue(node, type);
        } catch (Exception e) {
            throw new JrunException("the record of " + what + " is unreadable: " + e.getMessage()
                    + "; remove the container (jrun rm -f) and run it again", e);
        }
    }
}
