package dev.gpushare.scheduler.gpuview;

import org.springframework.boot.actuate.autoconfigure.web.ManagementContextConfiguration;
import org.springframework.boot.actuate.autoconfigure.web.ManagementContextType;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.context.annotation.Bean;

/**
 * Puts the GPU page on the management listener (Spring's separate management context, never the extender or the
 * webhook port); its data comes from the main context's {@link GpuPageService}.
 */
@ManagementContextConfiguration(value = ManagementContextType.CHILD, proxyBeanMethods = false)
class GpuPageManagementConfiguration {

    @Bean
    @ConditionalOnBean(GpuPageService.class)
    GpuPageController gpuPageController(GpuPageService pages, GpuPageStream stream) {
        return new GpuPageController(pages, stream);
    }
}
