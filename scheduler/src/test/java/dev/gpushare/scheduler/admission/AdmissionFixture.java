package dev.gpushare.scheduler.admission;

import dev.gpushare.testkit.KubeFixtures;

/** The AdmissionReview v1 a kube-apiserver 1.19 sent for pod {@code whtest/wh-pod} asking for one GPU. */
final class AdmissionFixture {

    static final String UID = "7acb7873-32f4-4b52-bf88-c1517a08a1f4";

    private AdmissionFixture() {
    }

    static byte[] bytes() {
        return KubeFixtures.bytes("admission-1.json");
    }
}
