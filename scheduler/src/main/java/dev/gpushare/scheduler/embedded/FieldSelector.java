package dev.gpushare.scheduler.embedded;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;

/**
 * A Kubernetes field selector ({@code involvedObject.name=web,spec.nodeName!=}) evaluated on JSON objects, as the
 * API server does: every term must hold; a field that is absent compares as the empty string. The mock server
 * knows only {@code metadata.name} and {@code metadata.namespace}; {@code kubectl describe} lists a pod's events
 * with {@code involvedObject.*} terms and a node's pods with {@code spec.nodeName}.
 */
record FieldSelector(List<Term> terms) {

    /** Values that JSON writes as they are, with nothing escaped. */
    private static final Pattern VERBATIM = Pattern.compile("[A-Za-z0-9._:-]+");

    record Term(String field, boolean equal, String value) {
    }

    FieldSelector {
        terms = List.copyOf(terms);
    }

    /** Parses {@code raw}; a term without an operator is an error naming the term. */
    static FieldSelector parse(String raw) {
        List<Term> terms = new ArrayList<>();
        for (String term : raw.split(",")) {
            if (term.isBlank()) {
                continue;
            }
            int notEqual = term.indexOf("!=");
            int doubleEqual = term.indexOf("==");
            int equal = term.indexOf('=');
            if (notEqual > 0) {
                terms.add(new Term(term.substring(0, notEqual).trim(), false, term.substring(notEqual + 2).trim()));
            } else if (doubleEqual > 0) {
                terms.add(new Term(term.substring(0, doubleEqual).trim(), true, term.substring(doubleEqual + 2).trim()));
            } else if (equal > 0) {
                terms.add(new Term(term.substring(0, equal).trim(), true, term.substring(equal + 1).trim()));
            } else {
                throw new IllegalArgumentException("invalid field selector term \"" + term
                        + "\": expected <field>=<value>, <field>==<value> or <field>!=<value>");
            }
        }
        return new FieldSelector(terms);
    }

    /**
     * Whether an object whose JSON text is {@code json} can match, without parsing it: a field equal to a value that
     * JSON writes verbatim has that value in the text. {@code false} only when it cannot match.
     */
    boolean mayMatch(String json) {
        for (Term term : terms) {
            if (term.equal() && VERBATIM.matcher(term.value()).matches() && !json.contains(term.value())) {
                return false;
            }
        }
        return true;
    }

    boolean matches(JsonNode object) {
        for (Term term : terms) {
            if (value(object, term.field()).equals(term.value()) != term.equal()) {
                return false;
            }
        }
        return true;
    }

    private static String value(JsonNode object, String field) {
        JsonNode node = object;
        for (String part : field.split("\\.")) {
            node = node == null ? null : node.get(part);
        }
        return node == null || node.isNull() || node.isContainer() ? "" : node.asString();
    }
}
