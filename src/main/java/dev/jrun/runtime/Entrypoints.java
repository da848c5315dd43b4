package dev.jrun.runtime;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;

/** podman's --entrypoint: a JSON array of strings is the whole entrypoint, anything else one word. */
public final class Entrypoints {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Entrypoints() {}

    /**
     * "" clears the image's entrypoint; '["/bin/echo","json"]' is two words; a string that is not
     * a JSON array of strings (also '["/bin/echo",') is taken as it is, as podman does.
     */
    public static List<String> parse(String option) {
        if (option.isEmpty()) return List.of();
        if (option.stripLeading().startsWith("[")) {
            try {
                // Strings only, as Go's json.Unmarshal into []string: [1,2] is not an entrypoint.
                JsonNode array = JSON.readTree(option);
                if (array != null && array.isArray()) {
                    List<String> words = new ArrayList<>();
                    for (JsonNode word : array) {
                        if (!word.isTextual()) return List.of(option);
                        words.add(word.textValue());
                    }
                    return List.copyOf(words);
                }
            } catch (JsonProcessingException notJson) {
                // falls through: one word, as podman
            }
        }
        return List.of(option);
    }
}
