package dev.kitebridge.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** A record is one JSON line, its stack one field, and no secret of any kind survives in it. */
class JsonLogFormatterTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SecureRandom RANDOM = new SecureRandom();

    private final JsonLogFormatter formatter = new JsonLogFormatter();

    @Test
    void aRecordIsOneJsonLineWithLambdasLevelNames() throws Exception {
        LogRecord record = new LogRecord(Level.WARNING, "sync run {0} failed\nafter {1} attempts");
        record.setParameters(new Object[] {"run_1", 3});
        record.setLoggerName("dev.kitebridge.sync.SyncRunner");
        record.setInstant(Instant.parse("2026-05-01T10:15:30.123456Z"));

        String line = formatter.format(record);

        assertOneLine(line);
        JsonNode json = JSON.readTree(line);
        assertEquals(List.of("timestamp", "level", "logger", "message"), names(json));
        assertEquals("2026-05-01T10:15:30.123456Z", json.get("timestamp").asText());
        assertEquals("WARN", json.get("level").asText());
        assertEquals("dev.kitebridge.sync.SyncRunner", json.get("logger").asText());
        assertEquals("sync run run_1 failed\nafter 3 attempts", json.get("message").asText());
        assertEquals("ERROR", level(Level.SEVERE));
        assertEquals("INFO", level(Level.INFO));
        assertEquals("DEBUG", level(Level.FINE));
        assertEquals("TRACE", level(Level.FINEST));
    }

    @Test
    void aThrowableIsItsClassAndItsWholeStackInOneField() throws Exception {
        IllegalStateException failure = new IllegalStateException("the save failed\non two lines",
                new java.io.UncheckedIOException(new java.io.IOException("connection reset")));
        failure.addSuppressed(new IllegalArgumentException("while releasing the lease"));
        LogRecord record = new LogRecord(Level.SEVERE, "request req-1 failed");
        record.setThrown(failure);

        String line = formatter.format(record);

        assertOneLine(line);
        JsonNode json = JSON.readTree(line);
        assertEquals(List.of("timestamp", "level", "logger", "message", "exception", "stack"), names(json));
        assertEquals("java.lang.IllegalStateException", json.get("exception").asText());
        String stack = json.get("stack").asText();
        assertTrue(stack.startsWith("java.lang.IllegalStateException: the save failed\non two lines"), stack);
        assertTrue(stack.contains("\tat dev.kitebridge.logging.JsonLogFormatterTest.aThrowableIsItsClassAndItsWholeStackInOneField"), stack);
        assertTrue(stack.contains("Caused by: java.io.UncheckedIOException: java.io.IOException: connection reset"), stack);
        assertTrue(stack.contains("Caused by: java.io.IOException: connection reset"), stack);
        assertTrue(stack.contains("Suppressed: java.lang.IllegalArgumentException: while releasing the lease"), stack);
    }

    @Test
    void everySecretIsRedactedFromTheMessageAndEveryMessageOfTheStack() throws Exception {
        String buildkite = "bkua_" + HexFormat.of().formatHex(bytes(20));
        String apiKey = "kb_" + base64Url(32);
        String signing = "whsec_" + base64Url(32);
        String bearer = base64Url(24);
        String awsKeyId = "AKIA" + HexFormat.of().withUpperCase().formatHex(bytes(8));
        String awsSecret = base64Url(30).replace('-', '+').replace('_', '/');
        String issued = "bkua_MTA." + HexFormat.of().formatHex(bytes(20)); // the shape Buildkite issues: an id, a dot, 40 hex
        String legacy = HexFormat.of().formatHex(bytes(20)); // a token from before March 2023: 40 hex, no prefix
        // Each glued to what is around it, with no separator a pattern could lean on but the secret's own end.
        String message = "linking(" + buildkite + ") key=" + apiKey + ";secret:\"" + signing + "\" Authorization: Bearer " + bearer
                + "\nid " + awsKeyId + "/aws_secret_access_key=" + awsSecret + " done; " + issued + ", " + legacy + ".";
        RuntimeException failure = new IllegalStateException("outer " + apiKey,
                new RuntimeException("cause " + buildkite + "\n" + signing,
                        new RuntimeException("root {\"Authorization\":\"Bearer " + bearer + "\",\"SessionToken\":\"" + awsSecret + "\"}")));
        failure.addSuppressed(new RuntimeException("suppressed " + awsKeyId + buildkite));
        LogRecord record = new LogRecord(Level.SEVERE, message);
        record.setThrown(failure);

        String line = formatter.format(record);

        JsonNode json = JSON.readTree(line);
        for (String secret : List.of(buildkite, apiKey, signing, bearer, awsKeyId, awsSecret, issued, legacy)) {
            String body = secret.substring(secret.indexOf('_') + 1);
            for (int i = 0; i + 8 <= body.length(); i++) {
                assertFalse(line.contains(body.substring(i, i + 8)), "a piece of " + secret + " survives: " + line);
            }
        }
        assertEquals("linking(bkua_[redacted]) key=kb_[redacted];secret:\"whsec_[redacted]\" Authorization: Bearer [redacted]"
                + "\nid AKIA[redacted]/aws_secret_access_key=[redacted] done; bkua_[redacted], [redacted].", json.get("message").asText());
        String stack = json.get("stack").asText();
        assertTrue(stack.startsWith("java.lang.IllegalStateException: outer kb_[redacted]"), stack);
        assertTrue(stack.contains("Caused by: java.lang.RuntimeException: cause bkua_[redacted]\nwhsec_[redacted]"), stack);
        assertTrue(stack.contains("root {\"Authorization\":\"Bearer [redacted]\",\"SessionToken\":\"[redacted]\"}"), stack);
        assertTrue(stack.contains("Suppressed: java.lang.RuntimeException: suppressed AKIA[redacted]bkua_[redacted]"), stack);
    }

    @Test
    void whatIsNoSecretIsLeftAlone() {
        String text = "key kb_UtW9MJMN revoked; webhook wh_0a1b2c of dev.kitebridge.webhooks; a Bearer-less header; evt_3f786850e387550fdab836ed7e6dc881 and sha-256 "
                + "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
        assertEquals(text, JsonLogFormatter.redact(text));
    }

    @Test
    void installedOnceItPrintsEveryRecordOfTheProcessAsALineOnStdout() throws Exception {
        JsonLogFormatter.install();
        JsonLogFormatter.install();
        Logger root = Logger.getLogger("");
        List<Handler> ours = Arrays.stream(root.getHandlers()).filter(h -> h.getFormatter() instanceof JsonLogFormatter).toList();
        assertEquals(List.of(), Arrays.stream(root.getHandlers()).filter(h -> !ours.contains(h)).toList(), "the JDK's console handler is gone");
        assertEquals(1, ours.size());

        PrintStream before = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            System.getLogger("dev.kitebridge.logging.test").log(System.Logger.Level.ERROR, "failed with kb_" + base64Url(32),
                    new IllegalStateException("multi\nline"));
        } finally {
            System.setOut(before);
        }
        String printed = out.toString(StandardCharsets.UTF_8);
        assertTrue(printed.endsWith(System.lineSeparator()), printed);
        assertOneLine(printed.stripTrailing());
        JsonNode json = JSON.readTree(printed);
        assertEquals("ERROR", json.get("level").asText());
        assertEquals("failed with kb_[redacted]", json.get("message").asText());
        assertTrue(json.get("stack").asText().startsWith("java.lang.IllegalStateException: multi\nline"));
    }

    private String level(Level level) throws Exception {
        return JSON.readTree(formatter.format(new LogRecord(level, "x"))).get("level").asText();
    }

    private static void assertOneLine(String line) {
        assertFalse(line.contains("\n") || line.contains("\r"), "more than one line: " + line);
    }

    private static List<String> names(JsonNode json) {
        List<String> names = new java.util.ArrayList<>();
        json.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static byte[] bytes(int n) {
        byte[] bytes = new byte[n];
        RANDOM.nextBytes(bytes);
        return bytes;
    }

    private static String base64Url(int n) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes(n));
    }
}
