package dev.kitebridge.bench.fleet;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the benchmark takes from template.yaml rather than repeating it: each function's MemorySize
 * and Timeout (its own, else the Globals'), the sync schedule's default and the webhook tick's rate.
 * Read line by line (the template's layout: two-space indents, a resource per top-level key under
 * Resources), since its short-form tags (!Ref) are no plain YAML.
 */
public record DeployedTemplate(Path path, Map<String, Map<String, String>> functions, Map<String, String> globals,
                               Map<String, String> parameterDefaults) {

    private static final Pattern TOP = Pattern.compile("^([A-Za-z]+):\\s*$");
    private static final Pattern RESOURCE = Pattern.compile("^  ([A-Za-z0-9]+):\\s*$");
    private static final Pattern SETTING = Pattern.compile("^\\s+(MemorySize|Timeout|Schedule|Default):\\s*(.+?)\\s*$");
    private static final Pattern RATE = Pattern.compile("rate\\((\\d+) (minute|minutes|hour|hours|day|days)\\)");

    public static DeployedTemplate read(Path path) throws IOException {
        List<String> lines = Files.readAllLines(path);
        Map<String, Map<String, String>> functions = new HashMap<>();
        Map<String, String> globals = new HashMap<>();
        Map<String, String> defaults = new HashMap<>();
        String section = "";
        String resource = null;
        for (String line : lines) {
            Matcher top = TOP.matcher(line);
            if (top.matches()) {
                section = top.group(1);
                resource = null;
                continue;
            }
            Matcher named = RESOURCE.matcher(line);
            if (named.matches()) {
                resource = named.group(1);
                continue;
            }
            Matcher setting = SETTING.matcher(line);
            if (!setting.matches() || line.trim().startsWith("#")) {
                continue;
            }
            String value = setting.group(2).replaceAll("^'|'$", "");
            switch (section) {
                case "Globals" -> globals.putIfAbsent(setting.group(1), value);
                case "Parameters" -> {
                    if (resource != null && setting.group(1).equals("Default")) {
                        defaults.put(resource, value);
                    }
                }
                case "Resources" -> {
                    if (resource != null) {
                        functions.computeIfAbsent(resource, r -> new HashMap<>()).putIfAbsent(setting.group(1), value);
                    }
                }
                default -> { }
            }
        }
        return new DeployedTemplate(path, functions, globals, defaults);
    }

    /** A function's MemorySize in MB: its own, else the Globals'. */
    public int memoryMb(String function) {
        return Integer.parseInt(setting(function, "MemorySize"));
    }

    /** A function's Timeout in seconds: its own, else the Globals'. */
    public int timeoutSeconds(String function) {
        return Integer.parseInt(setting(function, "Timeout"));
    }

    /** The rate of a function's Schedule event; {@code !Ref Parameter} is read as that parameter's default. */
    public Duration schedule(String function) {
        String schedule = functions.getOrDefault(function, Map.of()).get("Schedule");
        if (schedule == null) {
            throw new IllegalStateException(path + ": " + function + " has no Schedule event");
        }
        if (schedule.startsWith("!Ref ")) {
            schedule = parameterDefaults.get(schedule.substring(5).trim());
        }
        return rate(schedule);
    }

    /** The text of a function's schedule, as the template has it after its parameter's default: e.g. {@code rate(1 hour)}. */
    public String scheduleText(String function) {
        String schedule = functions.get(function).get("Schedule");
        return schedule.startsWith("!Ref ") ? parameterDefaults.get(schedule.substring(5).trim()) + " (" + schedule.substring(5).trim()
                + "'s default)" : schedule;
    }

    /** A parameter's default read as an ISO-8601 duration (e.g. {@code SyncFullRun}'s {@code P1D}). */
    public Duration parameterDuration(String parameter) {
        String value = parameterDefaults.get(parameter);
        if (value == null) {
            throw new IllegalStateException(path + " has no default for parameter " + parameter);
        }
        return Duration.parse(value);
    }

    static Duration rate(String expression) {
        Matcher rate = RATE.matcher(expression == null ? "" : expression);
        if (!rate.find()) {
            throw new IllegalArgumentException("not a rate(...) expression: " + expression);
        }
        long n = Long.parseLong(rate.group(1));
        return switch (rate.group(2).replaceAll("s$", "")) {
            case "minute" -> Duration.ofMinutes(n);
            case "hour" -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
        };
    }

    private String setting(String function, String name) {
        Map<String, String> own = functions.get(function);
        if (own == null) {
            throw new IllegalStateException(path + " has no resource " + function);
        }
        String value = own.getOrDefault(name, globals.get(name));
        if (value == null) {
            throw new IllegalStateException(path + ": no " + name + " for " + function + " nor in Globals");
        }
        return value;
    }
}
