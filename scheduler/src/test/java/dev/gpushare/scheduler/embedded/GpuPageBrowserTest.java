package dev.gpushare.scheduler.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.gpushare.scheduler.events.DecisionLog;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.env.Environment;

/**
 * The GPU page in a real browser (Debian's headless Chromium through its chromedriver, both installed by
 * {@code .ci/run} when missing): nodes, GPUs, the pods on them and a pending pod's reason are shown; a pod bound
 * later appears without a reload; a value from the cluster that looks like markup is shown as text. Leaves a
 * screenshot in {@code target/screenshots/gpu-view.png} (the README shows a copy). Skipped without Chromium unless
 * {@code GPUSHARE_REQUIRE_BROWSER} is set (CI sets it).
 */
@PlaygroundTest
class GpuPageBrowserTest {

    private static final String NAMESPACE = "browser";
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

    @Autowired
    KubernetesClient client;
    @Autowired
    DecisionLog decisions;
    @Autowired
    Environment environment;
    @TempDir
    Path profile;
    private WebDriver browser;

    @BeforeEach
    void openBrowser() {
        boolean installed = Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
        if (System.getenv("GPUSHARE_REQUIRE_BROWSER") == null) {
            Assumptions.assumeTrue(installed, "no /usr/bin/chromium and /usr/bin/chromedriver");
        }
        assertThat(installed).as("GPUSHARE_REQUIRE_BROWSER is set: Chromium and chromedriver must be installed")
                .isTrue();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--user-data-dir=" + profile, "--window-size=1440,1180");
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
        browser = new ChromeDriver(service, options);
    }

    @AfterEach
    void closeBrowserAndDeletePods() {
        if (browser != null) {
            browser.quit();
        }
        client.pods().inNamespace(NAMESPACE).delete();
        await().atMost(Duration.ofSeconds(30)).until(() -> client.pods().inNamespace(NAMESPACE).list().getItems()
                .isEmpty());
    }

    private static String text(WebDriverWait wait, By by) {
        return wait.<String>until(b -> b.findElement(by).getText());
    }

    @Test
    void showsEveryGpuWithItsPodsThePendingReasonAndNewPodsWithoutAReload() throws Exception {
        for (String example : List.of("memory-slice", "core-slice", "two-gpus", "whole-gpu", "spread", "too-big")) {
            Examples.create(client, NAMESPACE, example);
        }
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            assertThat(client.pods().inNamespace(NAMESPACE).withName("two-gpus").get().getStatus().getPhase())
                    .isEqualTo("Running");
            assertThat(client.pods().inNamespace(NAMESPACE).withName("too-big").get().getStatus().getConditions())
                    .extracting(PodCondition::getReason).contains("Unschedulable");
        });
        browser.get("http://127.0.0.1:" + environment.getRequiredProperty("local.management.port") + "/ui/");
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(30));
        wait.ignoring(StaleElementReferenceException.class);
        wait.until(b -> b.findElements(By.cssSelector("[data-pod='browser/two-gpus']")).size() == 2);

        // The page replaces its content on every update: each look is one wait that retries a stale element.
        assertThat(wait.<List<String>>until(b -> b.findElements(By.cssSelector("[data-node]")).stream()
                .map(e -> e.getDomAttribute("data-node")).toList())).containsExactly("gpu-node-1", "gpu-node-2");
        assertThat(wait.<Integer>until(b -> b.findElements(By.cssSelector("[data-node] [data-gpu]")).size())).isEqualTo(8);
        String uuid = client.pods().inNamespace(NAMESPACE).withName("memory-slice").get().getMetadata()
                .getAnnotations().get("hami.io/vgpu-devices-allocated").split(",")[0];
        assertThat(wait.<String>until(b -> {
            WebElement slice = b.findElement(By.cssSelector("[data-pod='browser/memory-slice']"));
            return slice.findElement(By.xpath("ancestor::*[@data-gpu]")).getDomAttribute("data-gpu") + "|"
                    + slice.getText();
        })).startsWith(uuid + "|browser/memory-slice").contains("10000 MiB");
        assertThat(text(wait, By.cssSelector("[data-pod='browser/core-slice']"))).contains("4000 MiB · 30%");
        assertThat(text(wait, By.cssSelector("[data-pending='browser/too-big']"))).contains("Unschedulable")
                .contains("0/2 nodes are available: 2 4/4 CardInsufficientMemory.");
        assertThat(text(wait, By.id("policy"))).isEqualTo("node binpack, GPU spread");
        assertThat(text(wait, By.id("leader"))).startsWith("this replica").contains("synced");
        assertThat(text(wait, By.id("decisions"))).contains("BindingSucceed")
                .contains("Successfully assigned browser/two-gpus to gpu-node-");
        ((JavascriptExecutor) browser).executeScript("window.loadedOnce = 'yes';");
        Examples.create(client, NAMESPACE, "gpu-uuid");
        wait.until(b -> !b.findElements(By.cssSelector("[data-pod='browser/gpu-uuid']")).isEmpty());
        assertThat(((JavascriptExecutor) browser).executeScript("return window.loadedOnce;"))
                .as("the page was not reloaded").isEqualTo("yes");
        assertThat(wait.<String>until(b -> b.findElement(By.cssSelector("[data-pod='browser/gpu-uuid']"))
                .findElement(By.xpath("ancestor::*[@data-gpu]")).getDomAttribute("data-gpu")))
                .isEqualTo("GPU-ddc9d79a-8895-34f7-8815-d35c5a978cfe");

        wait.until(b -> b.findElements(By.cssSelector("[data-pending='browser/gpu-uuid']")).isEmpty()
                && b.findElements(By.cssSelector(".pod.reserved")).isEmpty());
        File screenshot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE);
        Path saved = Path.of("target", "screenshots", "gpu-view.png");
        Files.createDirectories(saved.getParent());
        Files.copy(screenshot.toPath(), saved, StandardCopyOption.REPLACE_EXISTING);
        assertThat(Files.size(saved)).isPositive();

        String markup = "<img src=x onerror=\"document.title='injected'\">";
        decisions.add(new DecisionLog.Decision(Instant.now(), NAMESPACE, "odd<b>name</b>", "Warning",
                "FilteringFailed", markup));
        wait.until(b -> b.findElement(By.id("decisions")).getText().contains("browser/odd<b>name</b>"));
        assertThat(text(wait, By.id("decisions"))).contains(markup);
        assertThat(wait.<Integer>until(b -> b.findElements(By.cssSelector("#decisions img, #decisions b")).size()))
                .as("markup from the cluster is text, never elements").isZero();
        assertThat(browser.getTitle()).isEqualTo("gpushare: GPUs");
    }
}
