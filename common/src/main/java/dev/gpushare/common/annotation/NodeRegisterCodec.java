package dev.gpushare.common.annotation;

import dev.gpushare.common.device.DeviceInfo;
import tools.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Codec of {@link HamiKeys#NODE_NVIDIA_REGISTER} (spec section 2.2).
 *
 * <p>Decoding accepts the v2.8 JSON array and falls back to the legacy colon/comma list of v2.7 plugins. A value
 * whose first non-blank character is {@code [}, <code>{</code> or {@code "}, or the literal {@code null} (what Go
 * writes for a nil slice), is JSON (and must be an array or {@code null}); anything else is tried as the legacy
 * format. Rules, and where they deliberately differ from HAMi:
 * <ul>
 *   <li>JSON: keys are matched case-insensitively, as Go does; unknown keys (also {@code devicepairscore},
 *       {@code migtemplate}, {@code custominfo}) are ignored; a {@code null} field counts as absent; integers
 *       must be exact ({@code 10.0} is accepted, {@code 10.5} and {@code "10"} are errors).</li>
 *   <li>Both formats: a device without an {@code id}, with an {@code id} containing one of {@code , : ; [ ]}
 *       (they would corrupt the allocation annotation and the MIG suffix), a duplicate {@code id}, a negative
 *       {@code index}, {@code count}, {@code devmem} or {@code devcore}, or a number outside int32 rejects the
 *       whole value (HAMi would register such a device and mis-account it).</li>
 *   <li>Legacy: each device is {@code id,count,devmem,devcore,type,numa,health[,index,mode]} terminated by
 *       {@code :}; parts without a comma are skipped; a device with other than 7 or 9 fields, or a value without
 *       any {@code :}, rejects the whole value; {@code health} takes Go's boolean spellings ({@code 1 t T TRUE true
 *       True 0 f F FALSE false False}); a non-numeric number is an error (HAMi silently reads 0); a 7-field
 *       device gets index 0 and mode {@code hami-core}.</li>
 *   <li>An empty list ({@code []}, {@code null}, or a legacy value without devices) is
 *       {@link NodeRegistration.NoGpuRegistered}, not an error. A blank value is an error.</li>
 * </ul>
 * The JSON mode is kept as written: an absent {@code mode} decodes to {@code ""} (HAMi treats it as
 * {@code hami-core}), so that {@link #encode} reproduces the plugin's bytes.
 */
public final class NodeRegisterCodec {

    private static final String WHAT = HamiKeys.NODE_NVIDIA_REGISTER;

    private NodeRegisterCodec() {
    }

    public static NodeRegistration decode(String value) throws MalformedAnnotationException {
        String trimmed = value.strip();
        if (trimmed.isEmpty()) {
            throw new MalformedAnnotationException(WHAT + " is empty");
        }
        if ("[{\"".indexOf(trimmed.charAt(0)) >= 0 || trimmed.equals("null")) {
            return result(decodeJson(value), RegisterFormat.JSON);
        }
        return result(decodeLegacy(value), RegisterFormat.LEGACY);
    }

    /**
     * The JSON a v2.8 device plugin writes for these devices: keys in the order
     * {@code id,index,count,devmem,devcore,type,numa,mode,health,devicepairscore}, zero values omitted,
     * {@code "devicepairscore":{}} always present, strings escaped as Go does.
     *
     * @throws IllegalArgumentException for a device the decoder would reject (empty or reserved-character id,
     *                                  negative numbers)
     */
    public static String encode(List<DeviceInfo> devices) {
        StringBuilder out = new StringBuilder(devices.size() * 160 + 2).append('[');
        for (int i = 0; i < devices.size(); i++) {
            DeviceInfo d = devices.get(i);
            String invalid = invalidity(d);
            if (invalid != null) {
                throw new IllegalArgumentException("device " + i + ": " + invalid);
            }
            if (i > 0) {
                out.append(',');
            }
            out.append("{\"id\":");
            GoJson.appendString(out, d.id());
            appendNumber(out, "index", d.index());
            appendNumber(out, "count", d.count());
            appendNumber(out, "devmem", d.devmem());
            appendNumber(out, "devcore", d.devcore());
            if (!d.type().isEmpty()) {
                out.append(",\"type\":");
                GoJson.appendString(out, d.type());
            }
            appendNumber(out, "numa", d.numa());
            if (!d.mode().isEmpty()) {
                out.append(",\"mode\":");
                GoJson.appendString(out, d.mode());
            }
            if (d.health()) {
                out.append(",\"health\":true");
            }
            out.append(",\"devicepairscore\":{}}");
        }
        return out.append(']').toString();
    }

    private static void appendNumber(StringBuilder out, String key, int value) {
        if (value != 0) {
            out.append(",\"").append(key).append("\":").append(value);
        }
    }

    private static NodeRegistration result(List<DeviceInfo> devices, RegisterFormat format)
            throws MalformedAnnotationException {
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < devices.size(); i++) {
            DeviceInfo d = devices.get(i);
            String invalid = invalidity(d);
            if (invalid != null) {
                throw new MalformedAnnotationException(WHAT + ": device " + i + ": " + invalid);
            }
            if (!ids.add(d.id())) {
                throw new MalformedAnnotationException(WHAT + ": device " + i + ": duplicate id "
                        + Excerpt.of(d.id()));
            }
        }
        return devices.isEmpty() ? new NodeRegistration.NoGpuRegistered(format)
                : new NodeRegistration.Registered(devices, format);
    }

    /** Why a device cannot be registered, or {@code null}. */
    private static String invalidity(DeviceInfo d) {
        if (d.id().isEmpty()) {
            return "missing id";
        }
        for (int i = 0; i < d.id().length(); i++) {
            if (",:;[]".indexOf(d.id().charAt(i)) >= 0) {
                return "id " + Excerpt.of(d.id()) + " contains '" + d.id().charAt(i) + "'";
            }
        }
        if (d.index() < 0 || d.count() < 0 || d.devmem() < 0 || d.devcore() < 0) {
            return "negative index, count, devmem or devcore";
        }
        return null;
    }

    private static List<DeviceInfo> decodeJson(String value) throws MalformedAnnotationException {
        JsonNode tree = JsonTrees.read(value, WHAT);
        if (tree.isNull()) {
            return List.of();
        }
        if (!tree.isArray()) {
            throw new MalformedAnnotationException(WHAT + ": expected a JSON array, got " + tree.getNodeType());
        }
        List<DeviceInfo> devices = new ArrayList<>(tree.size());
        for (int i = 0; i < tree.size(); i++) {
            devices.add(decodeJsonDevice(tree.get(i), WHAT + ": device " + i));
        }
        return devices;
    }

    private static DeviceInfo decodeJsonDevice(JsonNode node, String where) throws MalformedAnnotationException {
        if (!node.isObject()) {
            throw new MalformedAnnotationException(where + ": expected a JSON object, got " + node.getNodeType());
        }
        String id = "";
        String type = "";
        String mode = "";
        int index = 0;
        int count = 0;
        int devmem = 0;
        int devcore = 0;
        int numa = 0;
        boolean health = false;
        for (Map.Entry<String, JsonNode> field : node.properties()) {
            JsonNode v = field.getValue();
            if (v.isNull()) {
                continue;
            }
            String key = field.getKey().toLowerCase(Locale.ROOT);
            String f = where + ": " + key;
            switch (key) {
                case "id" -> id = JsonTrees.string(v, f);
                case "index" -> index = JsonTrees.integer(v, 0, Integer.MAX_VALUE, f);
                case "count" -> count = JsonTrees.integer(v, 0, Integer.MAX_VALUE, f);
                case "devmem" -> devmem = JsonTrees.integer(v, 0, Integer.MAX_VALUE, f);
                case "devcore" -> devcore = JsonTrees.integer(v, 0, Integer.MAX_VALUE, f);
                case "type" -> type = JsonTrees.string(v, f);
                case "numa" -> numa = JsonTrees.integer(v, Integer.MIN_VALUE, Integer.MAX_VALUE, f);
                case "mode" -> mode = JsonTrees.string(v, f);
                case "health" -> health = JsonTrees.bool(v, f);
                default -> {
                    // Fields HAMi writes but the scheduler does not use, and keys of later versions.
                }
            }
        }
        return new DeviceInfo(id, index, count, devmem, devcore, type, numa, mode, health);
    }

    private static List<DeviceInfo> decodeLegacy(String value) throws MalformedAnnotationException {
        if (value.indexOf(':') < 0) {
            throw new MalformedAnnotationException(WHAT + " is neither a JSON array nor a legacy device list"
                    + " (no ':'): " + Excerpt.of(value));
        }
        List<DeviceInfo> devices = new ArrayList<>();
        for (String part : value.split(":", -1)) {
            if (part.indexOf(',') < 0) {
                continue;
            }
            String where = WHAT + ": legacy device " + devices.size();
            String[] f = part.split(",", -1);
            if (f.length != 7 && f.length != 9) {
                throw new MalformedAnnotationException(where + ": expected 7 or 9 comma-separated fields, got "
                        + f.length + " in " + Excerpt.of(part));
            }
            int index = f.length == 9 ? legacyInt(f[7], where + ": index") : 0;
            String mode = f.length == 9 ? f[8] : DeviceInfo.MODE_HAMI_CORE;
            devices.add(new DeviceInfo(f[0], index, legacyInt(f[1], where + ": count"),
                    legacyInt(f[2], where + ": devmem"), legacyInt(f[3], where + ": devcore"), f[4],
                    legacyInt(f[5], where + ": numa"), mode, legacyBool(f[6], where + ": health")));
        }
        return devices;
    }

    private static int legacyInt(String text, String field) throws MalformedAnnotationException {
        Integer value = DecimalInt.parse(text);
        if (value == null) {
            throw new MalformedAnnotationException(field + ": expected a decimal integer, got " + Excerpt.of(text));
        }
        return value;
    }

    private static boolean legacyBool(String text, String field) throws MalformedAnnotationException {
        return switch (text) {
            case "1", "t", "T", "TRUE", "true", "True" -> true;
            case "0", "f", "F", "FALSE", "false", "False" -> false;
            default -> throw new MalformedAnnotationException(field + ": expected a boolean, got "
                    + Excerpt.of(text));
        };
    }
}
