package dev.gpushare.certgen;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The parsed arguments of {@code certgen create|patch}: {@code --flag value} or {@code --flag=value}. */
sealed interface CommandLine permits CommandLine.Create, CommandLine.Patch, CommandLine.Help {

    String USAGE = """
            usage:
              certgen create --namespace NS --secret-name NAME --host HOST[,HOST...]
              certgen patch  --webhook-name NAME --namespace NS --secret-name NAME
            create: makes (or renews) the webhook's CA and server certificate in Secret NS/NAME
            patch:  sets caBundle of every webhook in MutatingWebhookConfiguration NAME from Secret NS/NAME""";

    /** {@code certgen create}. */
    record Create(String namespace, String secretName, WebhookHosts hosts) implements CommandLine {
    }

    /** {@code certgen patch}. */
    record Patch(String webhookName, String namespace, String secretName) implements CommandLine {
    }

    /** {@code --help} / {@code -h} anywhere, or no arguments at all. */
    record Help() implements CommandLine {
    }

    static CommandLine parse(String[] args) throws UsageException {
        if (args.length == 0 || List.of(args).contains("--help") || List.of(args).contains("-h")) {
            return new Help();
        }
        String subcommand = args[0];
        List<String> rest = List.of(args).subList(1, args.length);
        switch (subcommand) {
            case "create": {
                Map<String, String> flags = flags(rest, Set.of("namespace", "secret-name", "host"));
                return new Create(flags.get("namespace"), flags.get("secret-name"), hosts(flags.get("host")));
            }
            case "patch": {
                Map<String, String> flags = flags(rest, Set.of("webhook-name", "namespace", "secret-name"));
                return new Patch(flags.get("webhook-name"), flags.get("namespace"), flags.get("secret-name"));
            }
            default:
                throw new UsageException("unknown subcommand '" + subcommand + "' (expected create or patch)");
        }
    }

    /** Reads {@code args} as flags; every one of {@code required} must be given exactly once, nothing else. */
    private static Map<String, String> flags(List<String> args, Set<String> required) throws UsageException {
        Map<String, String> flags = new LinkedHashMap<>();
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (!arg.startsWith("--")) {
                throw new UsageException("unexpected argument '" + arg + "'");
            }
            String name;
            String value;
            int equals = arg.indexOf('=');
            if (equals >= 0) {
                name = arg.substring(2, equals);
                value = arg.substring(equals + 1);
            } else {
                name = arg.substring(2);
                if (i + 1 >= args.size()) {
                    throw new UsageException("--" + name + " needs a value");
                }
                value = args.get(++i);
            }
            if (!required.contains(name)) {
                throw new UsageException("unknown flag --" + name);
            }
            if (value.isBlank()) {
                throw new UsageException("--" + name + " needs a non-empty value");
            }
            if (flags.put(name, value.trim()) != null) {
                throw new UsageException("--" + name + " given twice");
            }
        }
        List<String> missing = new ArrayList<>();
        for (String name : required) {
            if (!flags.containsKey(name)) {
                missing.add("--" + name);
            }
        }
        if (!missing.isEmpty()) {
            missing.sort(null);
            throw new UsageException("missing " + String.join(", ", missing));
        }
        return flags;
    }

    private static WebhookHosts hosts(String commaSeparated) throws UsageException {
        List<String> hosts = new ArrayList<>();
        for (String item : commaSeparated.split(",", -1)) {
            if (item.isBlank()) {
                throw new UsageException("--host has an empty item: '" + commaSeparated + "'");
            }
            hosts.add(item.trim());
        }
        try {
            return new WebhookHosts(hosts);
        } catch (IllegalArgumentException e) {
            throw new UsageException("--host: " + e.getMessage());
        }
    }
}
