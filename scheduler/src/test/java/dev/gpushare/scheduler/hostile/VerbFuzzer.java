package dev.gpushare.scheduler.hostile;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Seeded request bodies for the three verbs: valid requests (captured kube-scheduler and API server bodies, and
 * well-formed ones about pods that do not exist) taken apart at random: fields dropped, replaced by values of the
 * wrong type, by long or hostile strings (control characters, path separators, ten thousand digits), arrays with
 * {@code null} entries, truncated or non-JSON bytes. The same seed gives the same bodies.
 */
final class VerbFuzzer {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final List<String> HOSTILE = List.of("", "../../../nodes/x", "a/b", "x\nERROR forged line",
            "\u202e\u0000\u001b[31m", "9".repeat(10_000), "1e999999999", "-1", "0.5", "1Gi", "NaN", "🚀",
            "hami.io/vgpu-node", "A".repeat(300));

    private final Random random;
    private final List<JsonNode> filterSeeds;
    private final List<JsonNode> bindSeeds;
    private final List<JsonNode> reviewSeeds;

    VerbFuzzer(long seed, List<JsonNode> filterSeeds, List<JsonNode> bindSeeds, List<JsonNode> reviewSeeds) {
        this.random = new Random(seed);
        this.filterSeeds = filterSeeds;
        this.bindSeeds = bindSeeds;
        this.reviewSeeds = reviewSeeds;
    }

    enum Verb { FILTER, BIND, WEBHOOK }

    record Case(Verb verb, byte[] body) {
    }

    Case next() {
        Verb verb = Verb.values()[random.nextInt(3)];
        List<JsonNode> seeds = switch (verb) {
            case FILTER -> filterSeeds;
            case BIND -> bindSeeds;
            case WEBHOOK -> reviewSeeds;
        };
        JsonNode tree = seeds.get(random.nextInt(seeds.size())).deepCopy();
        int mutations = 1 + random.nextInt(4);
        for (int i = 0; i < mutations; i++) {
            tree = mutate(tree, 0);
        }
        byte[] body = JSON.writeValueAsBytes(tree);
        if (random.nextInt(20) == 0) {
            body = java.util.Arrays.copyOf(body, random.nextInt(body.length + 1));  // truncated
        } else if (random.nextInt(40) == 0) {
            body = HOSTILE.get(random.nextInt(HOSTILE.size())).getBytes(StandardCharsets.UTF_8);  // not JSON
        }
        return new Case(verb, body);
    }

    /** Replaces one randomly chosen node of the tree (descending at random) by a hostile value. */
    private JsonNode mutate(JsonNode node, int depth) {
        if (depth > 0 && random.nextInt(4) == 0 || !(node.isObject() || node.isArray()) || node.isEmpty()) {
            return hostile();
        }
        if (node instanceof ObjectNode object) {
            List<String> names = object.propertyNames().stream().toList();
            String name = names.get(random.nextInt(names.size()));
            switch (random.nextInt(6)) {
                case 0 -> object.remove(name);
                case 1 -> object.putNull(name);
                default -> object.set(name, mutate(object.get(name), depth + 1));
            }
            return object;
        }
        ArrayNode array = (ArrayNode) node;
        int index = random.nextInt(array.size());
        switch (random.nextInt(5)) {
            case 0 -> array.insertNull(index);
            case 1 -> array.remove(index);
            default -> array.set(index, mutate(array.get(index), depth + 1));
        }
        return array;
    }

    private JsonNode hostile() {
        return switch (random.nextInt(8)) {
            case 0 -> NODES.nullNode();
            case 1 -> NODES.numberNode(random.nextLong());
            case 2 -> NODES.booleanNode(random.nextBoolean());
            case 3 -> NODES.arrayNode().addNull().add(HOSTILE.get(random.nextInt(HOSTILE.size())));
            case 4 -> NODES.objectNode().put(HOSTILE.get(random.nextInt(HOSTILE.size())), "x");
            default -> NODES.stringNode(HOSTILE.get(random.nextInt(HOSTILE.size())));
        };
    }
}
