package dev.gpushare.common.config;

/** A {@code device-config.yaml} that cannot be read or does not follow the schema; the message names the key. */
public final class DeviceConfigException extends Exception {

    public DeviceConfigException(String message) {
        super(message);
    }

    public DeviceConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
