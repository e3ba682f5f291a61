package dev.gpushare.common.annotation;

import dev.gpushare.common.device.DeviceInfo;

import java.util.List;
import java.util.Objects;

/** A decoded {@link HamiKeys#NODE_NVIDIA_REGISTER} value: either devices, or an explicit "no GPU on this node". */
public sealed interface NodeRegistration {

    RegisterFormat format();

    /** The devices in annotation order (order matters for tie-breaking); never empty. */
    record Registered(List<DeviceInfo> devices, RegisterFormat format) implements NodeRegistration {
        public Registered {
            devices = List.copyOf(devices);
            Objects.requireNonNull(format, "format");
            if (devices.isEmpty()) {
                throw new IllegalArgumentException("a registration without devices is NoGpuRegistered");
            }
        }
    }

    /** The plugin registered an empty list ({@code []}, {@code null}, or a legacy value without devices). */
    record NoGpuRegistered(RegisterFormat format) implements NodeRegistration {
        public NoGpuRegistered {
            Objects.requireNonNull(format, "format");
        }
    }
}
