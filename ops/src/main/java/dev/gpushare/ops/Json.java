package dev.gpushare.ops;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/** The JSON of the ops documents: indented, one mapper. */
public final class Json {

    private static final JsonMapper MAPPER = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

    private Json() {
    }

    public static String write(Object value) {
        return MAPPER.writeValueAsString(value);
    }

    public static <T> T read(String json, Class<T> type) throws JacksonException {
        return MAPPER.readValue(json, type);
    }

    public static <T> T convert(JsonNode tree, Class<T> type) throws JacksonException {
        return MAPPER.treeToValue(tree, type);
    }
}
