package dev.gpushare.scheduler.support;

import dev.gpushare.scheduler.embedded.TestApiServerDispatcher;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;

/**
 * The whole application on the embedded API with {@link TestApiServerDispatcher}, every listener on a free port, no
 * seeded nodes (each test creates its own, with names of its own, so tests share this one context), the device
 * plugin emulator answering fast, and short waits. The tests play kube-scheduler themselves: no scheduling driver,
 * no webhook call on pod creation, no kubeconfig written.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "hami.extender.port=0",
        "management.server.port=0",
        "hami.embedded.nodes=0",
        "hami.embedded.api.port=0",
        "hami.embedded.api.kubeconfig=",
        "hami.embedded.scheduling.enabled=false",
        "hami.embedded.device-plugin.allocation-delay=20ms",
        "hami.bind.lock-wait=2s",
        "hami.reconcile.interval=1h",
        "hami.extender.max-body-bytes=256KB",
        // A 4 MiB webhook body over TLS on a loaded CI machine; the deadline itself is SlowClientsTest's subject.
        "hami.listeners.body-read-timeout=30s",
})
@Import(TestApiConfiguration.class)
public @interface SchedulerSpringTest {
}
