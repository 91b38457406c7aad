package dev.kitebridge.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.logging.Level;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;

import dev.kitebridge.accounts.AccountsService;
import dev.kitebridge.connect.ConnectService;
import dev.kitebridge.sandbox.model.DataGenerator;
import dev.kitebridge.sandbox.model.Population;
import dev.kitebridge.time.TimeSource;

/**
 * The connect page in a real browser: Debian's headless Chromium, driven by Selenium through
 * Debian's chromedriver, on the dev server over HTTP, with a product's receiver (another loopback
 * server) to redirect to. Screenshots go to local/target/connect-screenshots/. Where Chromium is not
 * installed the tests are skipped saying so; with CI set they fail (.ci/run installs it).
 */
class ConnectPageBrowserTest {

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final Path SCREENSHOTS = Path.of("local/target/connect-screenshots");
    private static final ObjectMapper JSON = new ObjectMapper();

    private static LocalRuntime runtime;
    private static LocalServer server;
    private static HttpServer product;
    private static ChromeDriver browser;
    private static Path profile;
    private static final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(CHROMEDRIVER)) {
            String missing = "Chromium or chromedriver is not installed (/usr/bin/chromium, /usr/bin/chromedriver: "
                    + "apt-get install -y chromium chromium-driver)";
            if (System.getenv("CI") != null) {
                throw new AssertionError(missing + "; CI must run the browser tests (.ci/run installs them)");
            }
            Assumptions.abort(missing + ": the connect page's browser tests are skipped");
        }
        runtime = LocalRuntime.onSandbox(Template.load(Path.of("template.yaml")), LocalMain.startSandbox(Population.of(40, 4)));
        server = new LocalServer(0).serve(runtime);
        product = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 8);
        product.createContext("/connected", exchange -> {
            byte[] page = "<!doctype html><title>Product</title><h1>Connected, back in the product</h1>".getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("content-type", "text/html; charset=utf-8");
            exchange.sendResponseHeaders(200, page.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(page);
            }
        });
        product.start();
        HttpResponse<String> set = api("PUT", "/connect-settings", "{\"allowed_redirect_origins\":[\"" + productOrigin() + "\"]}");
        assertEquals(200, set.statusCode(), set.body());

        Files.createDirectories(SCREENSHOTS);
        profile = Files.createTempDirectory("kitebridge-chromium-");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--user-data-dir=" + profile, "--window-size=1100,1400");
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.PERFORMANCE, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort().build();
        browser = new ChromeDriver(service, options);
        browser.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(60));
    }

    @AfterAll
    static void stop() throws IOException {
        if (browser != null) {
            browser.quit();
        }
        if (product != null) {
            product.stop(0);
        }
        if (server != null) {
            server.close();
        }
        if (runtime != null) {
            runtime.close();
        }
        if (profile != null) {
            try (var files = Files.walk(profile)) {
                files.sorted(java.util.Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
            }
        }
    }

    @Test
    void aGoodTokenIsLinkedAndTheBrowserGoesBackWithTheAccountAndState() throws Exception {
        JsonNode session = newSession("{\"label\":\"Acme\",\"redirect_url\":\"" + productOrigin() + "/connected\",\"state\":\"signup 42\"}");
        requests();
        browser.get(session.get("url").asText());
        assertEquals("Connect Buildkite · Kitebridge", browser.getTitle());
        screenshot("1-form");
        WebElement link = browser.findElement(By.linkText("Buildkite's New API Access Token page"));
        assertEquals("https://buildkite.com/user/api-access-tokens/new", link.getAttribute("href"));
        assertEquals("noopener noreferrer", link.getAttribute("rel"));
        WebElement token = browser.findElement(By.id("token"));
        assertEquals("token", browser.findElement(By.cssSelector("label[for=token]")).getAttribute("for"));
        String secret = runtime.issueSandboxToken(DataGenerator.ALL_SCOPES);
        token.sendKeys(secret);
        token.sendKeys(Keys.ENTER);
        wait(ExpectedConditions.titleIs("Check what the token reaches · Kitebridge"));
        assertFalse(browser.getPageSource().contains(secret), "the token is not in the page");
        assertTrue(browser.findElement(By.tagName("main")).getText().contains("Acme Inc"), "its organizations are shown");
        screenshot("2-review");
        browser.findElement(By.xpath("//button[text()='Connect']")).click();
        wait(ExpectedConditions.urlContains(productOrigin() + "/connected"));
        URI back = URI.create(browser.getCurrentUrl());
        Matcher query = Pattern.compile("integrated_account_id=(acct_[0-9a-f]{32})&state=signup\\+42").matcher(back.getRawQuery());
        assertTrue(query.matches(), back.toString());
        screenshot("3-back-in-the-product");
        List<String> sent = requests();
        assertOnlyOwnOrigins(sent, true);
        assertTrue(sent.stream().anyMatch(u -> u.startsWith(productOrigin() + "/connected?integrated_account_id=")), sent.toString());

        JsonNode accounts = JSON.readTree(api("GET", "/integrated-accounts", null).body());
        assertTrue(accounts.get("result").findValuesAsText("id").contains(query.group(1)), accounts.toString());

        browser.get(session.get("url").asText()); // the link again: used
        assertEquals("This link has been used", browser.findElement(By.tagName("h1")).getText());
        assertEquals(410, status(session.get("url").asText()));
        screenshot("4-used");
    }

    @Test
    void aRefusedTokenIsToldBesideTheFieldAndNothingIsLinked() throws Exception {
        int before = accountCount();
        JsonNode session = newSession("{}");
        requests();
        browser.get(session.get("url").asText());
        browser.findElement(By.id("token")).sendKeys("bkua_" + "f".repeat(40));
        browser.findElement(By.xpath("//button[text()='Check the token']")).click();
        WebElement error = wait(ExpectedConditions.visibilityOfElementLocated(By.id("token-error")));
        assertTrue(error.getText().contains("Buildkite refused the token"), error.getText());
        WebElement token = browser.findElement(By.id("token"));
        assertEquals("true", token.getAttribute("aria-invalid"));
        assertEquals("token-hint token-error", token.getAttribute("aria-describedby"), "the error is tied to its field");
        assertEquals("", token.getAttribute("value"), "the token is not put back");
        assertEquals(token, browser.switchTo().activeElement(), "the field has the focus, to try again");
        assertFalse(browser.getPageSource().contains("f".repeat(40)));
        screenshot("5-refused");
        assertEquals(before, accountCount(), "nothing is linked");
        assertOnlyOwnOrigins(requests(), false);
    }

    @Test
    void aTokenMissingScopesListsWhatWillNotWorkThenIsLinkedOnConfirmation() throws Exception {
        int before = accountCount();
        JsonNode session = newSession("{\"label\":\"Read-only\"}");
        browser.get(session.get("url").asText());
        browser.findElement(By.id("token")).sendKeys(runtime.issueSandboxToken(Set.copyOf(AccountsService.READ_SCOPES)));
        browser.findElement(By.xpath("//button[text()='Check the token']")).click();
        wait(ExpectedConditions.titleIs("Check what the token reaches · Kitebridge"));
        List<String> missing = browser.findElements(By.cssSelector("ul.missing li")).stream().map(WebElement::getText).toList();
        assertEquals(3, missing.size(), missing.toString());
        assertTrue(missing.get(0).startsWith("write_teams: groups cannot be created"), missing.toString());
        screenshot("6-missing-scopes");
        browser.findElement(By.xpath("//button[text()='Connect anyway']")).click();
        wait(ExpectedConditions.titleIs("Buildkite is connected · Kitebridge"));
        screenshot("7-done");
        assertEquals(before + 1, accountCount());
        JsonNode accounts = JSON.readTree(api("GET", "/integrated-accounts", null).body()).get("result");
        JsonNode linked = accounts.get(accounts.size() - 1);
        assertEquals("Read-only", linked.get("label").asText());
        assertEquals("[\"write_teams\",\"write_organizations\",\"write_organization_invitations\"]", linked.get("missing_scopes").toString());
    }

    @Test
    void anExpiredLinkSaysSo() throws Exception {
        ConnectService past = new ConnectService(runtime.connectState().sessions(), runtime.connectState().redirectOrigins(),
                runtime.application().accountsService(), TimeSource.fixed(Instant.now().minus(Duration.ofMinutes(31))));
        String url = server.url() + "/connect/" + past.create(LocalRuntime.TENANT, "Acme", null, null, null).secret();
        browser.get(url);
        assertEquals("This link has expired", browser.findElement(By.tagName("h1")).getText());
        assertEquals(410, status(url));
        screenshot("8-expired");
        browser.get(server.url() + "/connect/kbcs_" + "x".repeat(43));
        assertEquals("This link does not work", browser.findElement(By.tagName("h1")).getText());
        assertFalse(browser.getPageSource().contains(LocalRuntime.TENANT + "<") || browser.getPageSource().contains("Acme"));
    }

    @Test
    void aCsrfTokenFromAnotherSessionIsRefused() throws Exception {
        JsonNode other = newSession("{}");
        Matcher csrf = Pattern.compile("name=\"csrf\" value=\"([^\"]+)\"").matcher(http.send(HttpRequest.newBuilder(
                URI.create(other.get("url").asText())).build(), HttpResponse.BodyHandlers.ofString()).body());
        assertTrue(csrf.find());
        JsonNode mine = newSession("{}");
        browser.get(mine.get("url").asText());
        // What a forged form would carry: the other session's CSRF token (set through WebDriver; the page runs no script).
        ((JavascriptExecutor) browser).executeScript("document.querySelector('input[name=csrf]').value = arguments[0]", csrf.group(1));
        browser.findElement(By.id("token")).sendKeys(runtime.issueSandboxToken(DataGenerator.ALL_SCOPES));
        browser.findElement(By.xpath("//button[text()='Check the token']")).click();
        wait(ExpectedConditions.textToBe(By.tagName("h1"), "This form does not belong to this page"));
        screenshot("9-csrf-refused");
        browser.get(mine.get("url").asText());
        assertTrue(browser.getPageSource().contains("5 tries left"), "the forged post tried nothing");
    }

    @Test
    void atTwiceTheZoomThePageFitsAndTheKeyboardGoesInOrder() throws Exception {
        JsonNode session = newSession("{\"label\":\"Zoomed\"}");
        Dimension wide = browser.manage().window().getSize();
        try {
            // 200% zoom of a 1280-pixel window is a 640-CSS-pixel viewport.
            browser.manage().window().setSize(new Dimension(640, 1000));
            browser.get(session.get("url").asText());
            Object overflow = ((JavascriptExecutor) browser).executeScript(
                    "return document.documentElement.scrollWidth - document.documentElement.clientWidth");
            assertEquals(0L, ((Number) overflow).longValue(), "no sideways scrolling");
            screenshot("10-zoom-200");
            List<String> order = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                new Actions(browser).sendKeys(Keys.TAB).perform(); // from the top of a page just loaded
                WebElement focused = browser.switchTo().activeElement();
                order.add(focused.getTagName() + (focused.getAttribute("id").isEmpty() ? "" : "#" + focused.getAttribute("id")));
            }
            assertEquals(List.of("a", "input#token", "button"), order, "the Buildkite link, the token, then the button");
        } finally {
            browser.manage().window().setSize(wide);
        }
    }

    /**
     * Every request the browser made since the last call was to the dev server (the connect page's
     * origin), and, once redirected, to the product's.
     */
    private static void assertOnlyOwnOrigins(List<String> urls, boolean redirected) {
        assertFalse(urls.isEmpty());
        for (String url : urls) {
            if (url.startsWith("chrome://") || url.startsWith("data:")) {
                continue; // Chromium's own resources (an input's clear icon): nothing leaves the machine
            }
            boolean own = url.startsWith(server.url() + "/");
            boolean product = redirected && url.startsWith(productOrigin() + "/");
            assertTrue(own || product, "a request to another host: " + url);
        }
    }

    /** The URLs of the requests the browser sent since the last call (Chrome's performance log). */
    private static List<String> requests() throws IOException {
        List<String> urls = new ArrayList<>();
        for (LogEntry entry : browser.manage().logs().get(LogType.PERFORMANCE)) {
            JsonNode message = JSON.readTree(entry.getMessage()).get("message");
            if ("Network.requestWillBeSent".equals(message.path("method").asText())) {
                urls.add(message.path("params").path("request").path("url").asText());
            }
        }
        return urls;
    }

    private static JsonNode newSession(String body) throws Exception {
        HttpResponse<String> created = api("POST", "/connect-sessions", body);
        assertEquals(201, created.statusCode(), created.body());
        JsonNode session = JSON.readTree(created.body());
        assertTrue(session.get("url").asText().startsWith(server.url() + "/connect/kbcs_"), session.toString());
        return session;
    }

    private static int accountCount() throws Exception {
        return JSON.readTree(api("GET", "/integrated-accounts", null).body()).get("result_count").asInt();
    }

    private static int status(String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private static HttpResponse<String> api(String method, String path, String body) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(server.url() + path))
                .header("Authorization", "Bearer " + LocalRuntime.DEMO_KEY)
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String productOrigin() {
        return "http://127.0.0.1:" + product.getAddress().getPort();
    }

    private static <T> T wait(org.openqa.selenium.support.ui.ExpectedCondition<T> condition) {
        return new WebDriverWait(browser, Duration.ofSeconds(30)).until(condition);
    }

    private static void screenshot(String name) throws IOException {
        Files.write(SCREENSHOTS.resolve(name + ".png"), browser.getScreenshotAs(OutputType.BYTES));
    }
}
