package dev.gpushare.common.annotation;

import tools.jackson.databind.JsonNode;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Decoder of {@link HamiKeys#NODE_NVIDIA_SCORE}: {@code [{"uuid":"GPU-a1","score":{"GPU-b2":100}}, ...]} becomes
 * {@code {GPU-a1={GPU-b2=100}}} (spec section 2.2), a higher score meaning a better link between the two GPUs.
 *
 * <p>Rules: keys {@code uuid}/{@code score} match case-insensitively (as in Go); {@code null} (Go's nil slice) is
 * an empty map; an entry without a {@code uuid} is skipped (it can match no GPU); repeated entries for one GPU are
 * merged, a later score for the same peer wins; a score must be an exact int32. Structural errors (not an array,
 * an entry that is not an object, a score that is not a number) are typed errors, as they are in HAMi.
 */
public final class PairScoreCodec {

    private static final String WHAT = HamiKeys.NODE_NVIDIA_SCORE;

    private PairScoreCodec() {
    }

    /** Scores per GPU UUID, then per peer UUID; maps are unmodifiable and keep annotation order. */
    public static Map<String, Map<String, Integer>> decode(String value) throws MalformedAnnotationException {
        JsonNode tree = JsonTrees.read(value, WHAT);
        if (tree.isNull()) {
            return Map.of();
        }
        if (!tree.isArray()) {
            throw new MalformedAnnotationException(WHAT + ": expected a JSON array, got " + tree.getNodeType());
        }
        Map<String, Map<String, Integer>> scores = new LinkedHashMap<>();
        for (int i = 0; i < tree.size(); i++) {
            String where = WHAT + ": entry " + i;
            JsonNode entry = tree.get(i);
            if (entry.isNull()) {
                continue;
            }
            if (!entry.isObject()) {
                throw new MalformedAnnotationException(where + ": expected a JSON object, got "
                        + entry.getNodeType());
            }
            String uuid = "";
            Map<String, Integer> peers = new LinkedHashMap<>();
            for (Map.Entry<String, JsonNode> field : entry.properties()) {
                JsonNode v = field.getValue();
                if (v.isNull()) {
                    continue;
                }
                switch (field.getKey().toLowerCase(Locale.ROOT)) {
                    case "uuid" -> uuid = JsonTrees.string(v, where + ": uuid");
                    case "score" -> peers = peerScores(v, where + ": score");
                    default -> {
                        // Ignored, like every unknown key in HAMi's decoder.
                    }
                }
            }
            if (!uuid.isEmpty()) {
                scores.computeIfAbsent(uuid, k -> new LinkedHashMap<>()).putAll(peers);
            }
        }
        Map<String, Map<String, Integer>> frozen = new LinkedHashMap<>();
        scores.forEach((uuid, peers) -> frozen.put(uuid, Collections.unmodifiableMap(peers)));
        return Collections.unmodifiableMap(frozen);
    }

    private static Map<String, Integer> peerScores(JsonNode node, String where) throws MalformedAnnotationException {
        if (!node.isObject()) {
            throw new MalformedAnnotationException(where + ": expected a JSON object, got " + node.getNodeType());
        }
        Map<String, Integer> peers = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> peer : node.properties()) {
            if (peer.getValue().isNull()) {
                continue;
            }
            peers.put(peer.getKey(), JsonTrees.integer(peer.getValue(), Integer.MIN_VALUE, Integer.MAX_VALUE,
                    where + ": " + Excerpt.of(peer.getKey())));
        }
        return peers;
    }
}
