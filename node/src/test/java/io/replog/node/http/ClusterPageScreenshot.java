package io.replog.node.http;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.TimeUnit;

/**
 * Not a test: the tool behind docs/cluster-page.png (see docs/cluster-page.sh). Watches the page at
 * {@code -Dreplog.page.url} for {@code -Dreplog.page.seconds} (the page keeps its minute of history in the browser,
 * so it must stay open) and saves what it shows to {@code -Dreplog.page.out}. Skipped unless the URL is given.
 */
@EnabledIfSystemProperty(named = "replog.page.url", matches = ".+")
class ClusterPageScreenshot {
    @Test
    void watchAndSave() throws Exception {
        final ChromeOptions options = new ChromeOptions();
        options.setBinary(new File(System.getProperty("replog.chromium", "/usr/bin/chromium")));
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
            "--window-size=1200,740", "--hide-scrollbars");
        final ChromeDriverService service = new ChromeDriverService.Builder()
            .usingDriverExecutable(new File(System.getProperty("replog.chromedriver", "/usr/bin/chromedriver")))
            .usingAnyFreePort().build();
        final WebDriver browser = new ChromeDriver(service, options);
        try {
            browser.get(System.getProperty("replog.page.url"));
            TimeUnit.SECONDS.sleep(Long.getLong("replog.page.seconds", 60)); // the minute the charts show
            final Path out = Path.of(System.getProperty("replog.page.out", "target/cluster-page.png"));
            Files.move(((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE).toPath(), out,
                StandardCopyOption.REPLACE_EXISTING);
        } finally {
            browser.quit();
        }
    }
}
