package dev.kitebridge.sandbox.rest;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.kitebridge.sandbox.http.Reply;

/**
 * One REST v2 endpoint: a method, a path template such as {@code /v2/organizations/{org}/teams/{team}},
 * the scope it needs (null for none) and what it does.
 */
public record RestRoute(String method, String template, String scope, Handler handler, Pattern pattern, List<String> names) {

    @FunctionalInterface
    public interface Handler {
        Reply handle(RestCall call);
    }

    public static RestRoute of(String method, String template, String scope, Handler handler) {
        List<String> names = new ArrayList<>();
        Matcher m = Pattern.compile("\\{(\\w+)}").matcher(template);
        StringBuilder regex = new StringBuilder();
        int last = 0;
        while (m.find()) {
            regex.append(Pattern.quote(template.substring(last, m.start()))).append("([^/]+)");
            names.add(m.group(1));
            last = m.end();
        }
        regex.append(Pattern.quote(template.substring(last)));
        return new RestRoute(method, template, scope, handler, Pattern.compile(regex.toString()), List.copyOf(names));
    }

    /** The route's name in the journal and in fault plans, e.g. {@code GET /v2/organizations/{org}}. */
    public String name() {
        return method + " " + template;
    }

    /** The path parameters if the path matches, else null. */
    public Map<String, String> match(String path) {
        Matcher m = pattern.matcher(path);
        if (!m.matches()) {
            return null;
        }
        Map<String, String> params = new LinkedHashMap<>();
        for (int i = 0; i < names.size(); i++) {
            params.put(names.get(i), m.group(i + 1));
        }
        return params;
    }
}
