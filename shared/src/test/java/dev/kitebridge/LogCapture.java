package dev.kitebridge;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;

import dev.kitebridge.contract.ApiJson;

/**
 * Every log line a piece of code writes (System.Logger goes to java.util.logging), formatted as it
 * would be printed: by the JDK's console handler, or by the format given (the functions' JSON lines).
 */
public final class LogCapture extends Handler implements AutoCloseable {

    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final Formatter formatter;
    /** The loggers listened to, each with its level before. */
    private final Map<Logger, Level> levelsBefore = new LinkedHashMap<>();

    private LogCapture(Formatter formatter, String... loggerNames) {
        this.formatter = formatter;
        for (String name : loggerNames) {
            Logger logger = Logger.getLogger(name);
            levelsBefore.put(logger, logger.getLevel());
            logger.setLevel(Level.ALL);
            logger.addHandler(this);
        }
    }

    /**
     * Captures everything logged under the names ("" for all), at every level, until closed. A
     * logger that does not pass its records to its parents (the request log) is heard only if named.
     */
    public static LogCapture of(String... loggerNames) {
        return new LogCapture(new SimpleFormatter(), loggerNames);
    }

    /** Captures as {@link #of(String...)} does, each line formatted by {@code formatter}. */
    public static LogCapture of(Formatter formatter, String... loggerNames) {
        return new LogCapture(formatter, loggerNames);
    }

    public List<String> lines() {
        return List.copyOf(lines);
    }

    /** The JSON lines (the request log's, the metrics'), each read from its first brace, whose "message" is this. */
    public List<JsonNode> json(String message) {
        return lines.stream().map(line -> {
            try {
                return ApiJson.MAPPER.readTree(line.substring(line.indexOf('{')));
            } catch (JsonProcessingException e) {
                throw new AssertionError("not a JSON line: " + line, e);
            }
        }).filter(line -> line.path("message").asText().equals(message)).toList();
    }

    @Override
    public void publish(LogRecord record) {
        lines.add(formatter.format(record));
    }

    @Override
    public void flush() {}

    @Override
    public void close() {
        levelsBefore.forEach((logger, before) -> {
            logger.removeHandler(this);
            logger.setLevel(before);
        });
    }
}
