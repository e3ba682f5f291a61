package dev.gpushare.scheduler.embedded;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.springframework.boot.test.context.SpringBootTest;

/**
 * The application as the README's run command starts it (two seeded nodes of four A100-40GB, the scheduling
 * driver, the webhook call on pod creation, the kubeconfig), every listener on a free port and a fast device-plugin
 * emulator. The tests of this package share the context: each deletes the pods it created.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "hami.extender.port=0",
        "management.server.port=0",
        "hami.embedded.api.port=0",
        "hami.embedded.api.kubeconfig=target/playground-test.kubeconfig",
        "hami.embedded.device-plugin.allocation-delay=20ms",
        "hami.reconcile.interval=1h",
})
@interface PlaygroundTest {
}
