package dev.kitebridge.logging;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.logging.ErrorManager;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.io.JsonStringEncoder;

/**
 * Every log record as one JSON line: {@code timestamp} (RFC 3339), {@code level} (Lambda's names:
 * ERROR, WARN, INFO, DEBUG, TRACE), {@code logger}, {@code message}, and for a record with a
 * throwable its {@code exception} (class) and {@code stack} (the whole trace, causes included, as
 * one string). Secrets are redacted from the message and the stack by their shape, whatever
 * logged them: Buildkite tokens, {@code Bearer} values, API keys, webhook signing secrets and AWS
 * credentials.
 *
 * <p>{@link #install()} puts it on the root logger of the process, printing to stdout. With the
 * function's log format JSON, Lambda takes a JSON line on stdout as the log event itself (its
 * {@code level} and {@code timestamp} too) rather than wrapping it as text; with the text format
 * the line is still one CloudWatch event, where a multi-line stack would be one event a line.
 */
public final class JsonLogFormatter extends Formatter {

    private static final String REDACTED = "[redacted]";
    /** What a secret looks like, and what is kept of it (group 1: a prefix that tells its kind). */
    private static final List<Pattern> SECRETS = List.of(
            Pattern.compile("(?i)(bearer\\s+)[^\\s\"',;]+"),
            // A Buildkite API token: bkua_ and an id, a dot, 40 hex (bkua_MTA.4f6c…); before March 2023, the 40 hex alone
            Pattern.compile("(bkua_)[A-Za-z0-9_.]+"),
            Pattern.compile("()(?<![0-9A-Za-z])[0-9a-f]{40}(?![0-9A-Za-z])"),
            // API keys: kb_ and 43 characters; 20 at least, as the authorizer takes (a key's 8-character list prefix is shown)
            Pattern.compile("(kb_)[A-Za-z0-9_-]{20,}"),
            Pattern.compile("(whsec_)[A-Za-z0-9_-]+"),
            // A connect page's secret (its URL's last segment), should a path ever reach a line
            Pattern.compile("(kbcs_)[A-Za-z0-9_-]+"),
            Pattern.compile("(?<![A-Z0-9])(AKIA|ASIA)[A-Z0-9]{16}(?![A-Z0-9])"),
            Pattern.compile("(?i)((?:aws_?)?(?:secret_?access_?key|session_?token)[\"']?\\s*[:=]\\s*[\"']?)[A-Za-z0-9/+=]{16,}"));

    private static boolean installed;

    /**
     * Makes this the format of every log line of the process, once however often called: the root
     * logger's handlers (the JDK's console handler: stderr, two lines a record and more for a stack)
     * give way to one that prints this format to stdout. Loggers that print their own lines
     * (the request log) are left as they are.
     */
    public static synchronized void install() {
        if (installed) {
            return;
        }
        Logger root = Logger.getLogger("");
        for (Handler handler : root.getHandlers()) {
            root.removeHandler(handler);
        }
        Handler lines = new Handler() {
            @Override
            public void publish(LogRecord record) {
                if (!isLoggable(record)) {
                    return;
                }
                String line;
                try {
                    line = getFormatter().format(record);
                } catch (RuntimeException e) {
                    reportError(null, e, ErrorManager.FORMAT_FAILURE); // a log line must never fail the work that logged it
                    return;
                }
                System.out.println(line); // System.out as it is now: Lambda's runtime sets it
            }

            @Override
            public void flush() {
                System.out.flush();
            }

            @Override
            public void close() {}
        };
        lines.setFormatter(new JsonLogFormatter());
        root.addHandler(lines);
        installed = true;
    }

    /** The record's line, without a line break. */
    @Override
    public String format(LogRecord record) {
        StringBuilder line = new StringBuilder(256).append('{');
        field(line, "timestamp", record.getInstant().toString());
        field(line.append(','), "level", level(record.getLevel()));
        field(line.append(','), "logger", record.getLoggerName() == null ? "" : record.getLoggerName());
        field(line.append(','), "message", redact(formatMessage(record)));
        Throwable thrown = record.getThrown();
        if (thrown != null) {
            StringWriter stack = new StringWriter();
            thrown.printStackTrace(new PrintWriter(stack));
            field(line.append(','), "exception", thrown.getClass().getName());
            field(line.append(','), "stack", redact(stack.toString().stripTrailing()));
        }
        return line.append('}').toString();
    }

    /** The text with every secret replaced by its kind's prefix and {@code [redacted]}. */
    static String redact(String text) {
        if (text == null) {
            return "";
        }
        String redacted = text;
        for (Pattern secret : SECRETS) {
            redacted = secret.matcher(redacted).replaceAll(m -> Matcher.quoteReplacement(m.group(1) + REDACTED));
        }
        return redacted;
    }

    /** Lambda's level names, so that its log-level filtering reads them (it takes an unknown one for INFO). */
    private static String level(Level level) {
        int value = level.intValue();
        if (value >= Level.SEVERE.intValue()) {
            return "ERROR";
        }
        if (value >= Level.WARNING.intValue()) {
            return "WARN";
        }
        if (value >= Level.CONFIG.intValue()) {
            return "INFO";
        }
        return value >= Level.FINE.intValue() ? "DEBUG" : "TRACE";
    }

    private static void field(StringBuilder line, String name, String value) {
        JsonStringEncoder json = JsonStringEncoder.getInstance();
        line.append('"').append(json.quoteAsString(name)).append("\":\"").append(json.quoteAsString(value)).append('"');
    }
}
