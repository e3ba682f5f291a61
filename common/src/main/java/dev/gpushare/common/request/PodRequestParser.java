package dev.gpushare.common.request;

import dev.gpushare.common.annotation.Excerpt;
import dev.gpushare.common.config.DeviceConfig;
import dev.gpushare.common.config.NvidiaConfig;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Reads what each container of a pod asks of NVIDIA GPUs (spec section 3.1), with the resource names and defaults of
 * the device config.
 *
 * <p>Per container, init containers included (native sidecars, i.e. init containers with
 * {@code restartPolicy: Always}, are init containers like any other), and per resource independently, the value
 * comes from {@code limits} when the key is there, else from {@code requests}. Then, as HAMi does:
 * <ol>
 *   <li>{@code nums} = count resource; absent or 0 means the container requests no GPU;</li>
 *   <li>{@code memreq} = memory resource (MiB), times {@code memoryFactor} when that is above 1; 0 if absent;</li>
 *   <li>{@code memPercentage} = percentage resource, else {@link ContainerRequest#PERCENTAGE_NOT_GIVEN};</li>
 *   <li>neither memory nor percentage: {@code memreq = defaultMemory} (not multiplied) when that is not 0, else
 *       {@code memPercentage = 100};</li>
 *   <li>{@code coresreq} = cores resource, else {@code defaultCores};</li>
 *   <li>{@code priority} = priority resource, else -1.</li>
 * </ol>
 * These rules are applied to every container, so the fields of a container with {@code nums == 0} are defined too.
 *
 * <p>Quantities are read exactly in any form the API server produces ({@code 3k}, {@code 3000}, {@code 3e3},
 * {@code 3000000m}). Where HAMi truncates or wraps, we refuse with an {@link InvalidRequestException} naming the
 * container and the resource (validated for every container, whether it requests a GPU or not):
 * <ul>
 *   <li>any GPU resource: not a quantity, negative, not a whole number (HAMi ignores {@code 1.5} and
 *       {@code 500m}), or above {@link Integer#MAX_VALUE};</li>
 *   <li>memory: written with a binary suffix ({@code 1Gi} is 1073741824 "MiB" to HAMi, which wraps it to int32;
 *       the suffix survives the API server's canonical form, so it always shows a user who meant bytes), or too
 *       large once multiplied by {@code memoryFactor};</li>
 *   <li>percentage: outside 1..100; cores: above 100.</li>
 * </ul>
 */
public final class PodRequestParser {

    private final NvidiaConfig config;

    public PodRequestParser(DeviceConfig config) {
        this.config = Objects.requireNonNull(config, "config").nvidia();
    }

    public PodRequest parse(Pod pod) throws InvalidRequestException {
        PodSpec spec = pod.getSpec();
        if (spec == null) {
            return new PodRequest(List.of(), List.of());
        }
        return new PodRequest(parseAll(spec.getInitContainers(), true), parseAll(spec.getContainers(), false));
    }

    private List<ContainerRequest> parseAll(List<Container> containers, boolean init)
            throws InvalidRequestException {
        if (containers == null) {
            return List.of();
        }
        List<ContainerRequest> requests = new ArrayList<>(containers.size());
        for (Container container : containers) {
            requests.add(parse(container, init));
        }
        return requests;
    }

    private ContainerRequest parse(Container container, boolean init) throws InvalidRequestException {
        String name = container.getName() == null ? "" : container.getName();
        Resources resources = new Resources(name, container.getResources());

        Integer nums = resources.whole(config.resourceCountName());
        long memory = orZero(resources.memory(config.resourceMemoryName()));
        if (config.memoryFactor() > 1) {
            memory *= config.memoryFactor();
            if (memory > Integer.MAX_VALUE) {
                throw new InvalidRequestException(name, config.resourceMemoryName(), "times memoryFactor "
                        + config.memoryFactor() + " exceeds " + Integer.MAX_VALUE + " MiB");
            }
        }
        int memreq = (int) memory;
        Integer percentage = resources.inRange(config.resourceMemoryPercentageName(), 1, 100);
        if (percentage == null) {
            if (memreq == 0 && config.defaultMemory() != 0) {
                memreq = config.defaultMemory();
            }
            percentage = memreq == 0 ? 100 : ContainerRequest.PERCENTAGE_NOT_GIVEN;
        }
        Integer cores = resources.inRange(config.resourceCoreName(), 0, 100);
        Integer priority = resources.whole(config.resourcePriorityName());
        return new ContainerRequest(name, init, orZero(nums), memreq, percentage,
                cores == null ? config.defaultCores() : cores, priority == null ? -1 : priority);
    }

    private static int orZero(Integer value) {
        return value == null ? 0 : value;
    }

    /** The resources of one container, looked up per name with limits before requests. */
    private static final class Resources {

        private final String container;
        private final Map<String, Quantity> limits;
        private final Map<String, Quantity> requests;

        Resources(String container, ResourceRequirements resources) {
            this.container = container;
            this.limits = resources == null || resources.getLimits() == null ? Map.of() : resources.getLimits();
            this.requests = resources == null || resources.getRequests() == null ? Map.of()
                    : resources.getRequests();
        }

        /** The whole, non-negative int32 value of {@code resource}, or {@code null} when absent. */
        Integer whole(String resource) throws InvalidRequestException {
            KubeQuantity q = lookup(resource);
            if (q == null) {
                return null;
            }
            if (q.value().signum() < 0) {
                throw invalid(resource, q.text() + " is negative");
            }
            if (!q.isWhole()) {
                throw invalid(resource, q.text() + " is not a whole number");
            }
            if (q.value().compareTo(BigDecimal.valueOf(Integer.MAX_VALUE)) > 0) {
                throw invalid(resource, q.text() + " exceeds " + Integer.MAX_VALUE);
            }
            return q.value().intValueExact();
        }

        /** Like {@link #whole}, within {@code [min, max]}. */
        Integer inRange(String resource, int min, int max) throws InvalidRequestException {
            Integer value = whole(resource);
            if (value != null && (value < min || value > max)) {
                throw invalid(resource, value + " is outside " + min + ".." + max);
            }
            return value;
        }

        /** Like {@link #whole}, refusing binary suffixes. */
        Integer memory(String resource) throws InvalidRequestException {
            KubeQuantity q = lookup(resource);
            if (q != null && q.binarySuffix()) {
                throw invalid(resource, q.text() + " uses a binary suffix; the value is a number of MiB"
                        + " (for 1 GiB write 1024)");
            }
            return whole(resource);
        }

        private KubeQuantity lookup(String resource) throws InvalidRequestException {
            Quantity q = limits.get(resource);
            if (q == null) {
                q = requests.get(resource);
            }
            if (q == null) {
                return null;
            }
            String text = KubeQuantity.text(q);
            if (text.length() > KubeQuantity.MAX_TEXT) {
                throw invalid(resource, Excerpt.of(text) + " is not a quantity we read (longer than "
                        + KubeQuantity.MAX_TEXT + " characters)");
            }
            return KubeQuantity.parse(text).orElseThrow(() -> invalid(resource,
                    Excerpt.of(text) + " is not a quantity"));
        }

        private InvalidRequestException invalid(String resource, String message) {
            return new InvalidRequestException(container, resource, message);
        }
    }
}
