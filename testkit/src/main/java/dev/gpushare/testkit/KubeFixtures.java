package dev.gpushare.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * The bodies captured from a real kube-scheduler and kube-apiserver 1.19 ({@code fixtures/kube-1.19/}, see its
 * README), kept once here for every module's tests.
 */
public final class KubeFixtures {

    private KubeFixtures() {
    }

    /** The bytes of {@code name} (e.g. {@code filter-1.json}); fails when there is no such fixture. */
    public static byte[] bytes(String name) {
        try (InputStream in = KubeFixtures.class.getResourceAsStream("/fixtures/kube-1.19/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("no kube-1.19 fixture " + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read kube-1.19 fixture " + name, e);
        }
    }
}
