package dev.gpushare.common.config;

import java.util.List;

/**
 * One {@code migProfileAllowlist} entry (HAMi v2.10): the GPU models it applies to (substring of the device type)
 * and the MIG profiles the scheduler may create on them, e.g. {@code 1g.10gb}. HAMi's device plugin matches a
 * profile by its slice count, the part before the first dot ({@link #sliceOf}); the memory after it is a label.
 */
public record AllowedMigProfiles(List<String> models, List<String> profiles) {

    public AllowedMigProfiles {
        models = List.copyOf(models);
        profiles = List.copyOf(profiles);
    }

    /** The slice part of a profile or MIG template name ({@code 1g} of {@code 1g.10gb}), as HAMi's plugin keys it. */
    public static String sliceOf(String profile) {
        int dot = profile.indexOf('.');
        return dot > 0 ? profile.substring(0, dot) : profile;
    }
}
