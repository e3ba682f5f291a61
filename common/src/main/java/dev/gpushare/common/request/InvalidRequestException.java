package dev.gpushare.common.request;

import dev.gpushare.common.annotation.Excerpt;

/**
 * A container's GPU request that we refuse rather than reinterpret (HAMi would wrap or ignore it), naming the
 * container and the resource.
 */
public final class InvalidRequestException extends Exception {

    private final String container;
    private final String resource;

    public InvalidRequestException(String container, String resource, String message) {
        super("container " + Excerpt.plain(container) + ": " + resource + ": " + message);
        this.container = container;
        this.resource = resource;
    }

    public String container() {
        return container;
    }

    public String resource() {
        return resource;
    }
}
