package dev.kitebridge.local;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

/** The functions and HTTP API routes of template.yaml, as the dev server serves them. */
public record Template(List<Function> functions, String authorizerFunction) {

    /**
     * A function: its logical id, its handler class, its deployment package (CodeUri), the routes that
     * reach it, and its other triggers by event type ({@code SQS}, {@code Schedule}).
     */
    public record Function(String name, String handlerClass, String codeUri, List<Route> routes, List<String> triggers) {}

    /**
     * A route such as {@code GET /unified/user-directory/users/{id}}.
     *
     * @param authorized whether the API's authorizer runs first (every route but those with {@code Auth: Authorizer: NONE})
     */
    public record Route(String method, String path, boolean authorized) {

        /** The path parameters if the path matches, else null. */
        public Map<String, String> match(String method, String requestPath) {
            if (!this.method.equalsIgnoreCase(method) && !this.method.equalsIgnoreCase("ANY")) {
                return null;
            }
            List<String> names = new ArrayList<>();
            StringBuilder regex = new StringBuilder();
            Matcher parameter = Pattern.compile("\\{(\\w+)(\\+?)}").matcher(path);
            int last = 0;
            while (parameter.find()) {
                regex.append(Pattern.quote(path.substring(last, parameter.start())));
                regex.append(parameter.group(2).isEmpty() ? "([^/]+)" : "(.+)");
                names.add(parameter.group(1));
                last = parameter.end();
            }
            regex.append(Pattern.quote(path.substring(last)));
            Matcher matched = Pattern.compile(regex.toString()).matcher(requestPath);
            if (!matched.matches()) {
                return null;
            }
            Map<String, String> values = new java.util.LinkedHashMap<>();
            for (int i = 0; i < names.size(); i++) {
                values.put(names.get(i), matched.group(i + 1));
            }
            return values;
        }
    }

    public static Template load(Path file) throws IOException {
        JsonNode root = new ObjectMapper(new YAMLFactory()).readTree(file.toFile());
        List<Function> functions = new ArrayList<>();
        Iterator<Map.Entry<String, JsonNode>> resources = root.path("Resources").fields();
        while (resources.hasNext()) {
            Map.Entry<String, JsonNode> resource = resources.next();
            if (!"AWS::Serverless::Function".equals(resource.getValue().path("Type").asText())) {
                continue;
            }
            JsonNode properties = resource.getValue().path("Properties");
            String handler = properties.path("Handler").asText();
            List<Route> routes = new ArrayList<>();
            List<String> triggers = new ArrayList<>();
            properties.path("Events").forEach(event -> {
                if ("HttpApi".equals(event.path("Type").asText())) {
                    JsonNode route = event.path("Properties");
                    routes.add(new Route(route.path("Method").asText(), route.path("Path").asText(),
                            !"NONE".equals(route.path("Auth").path("Authorizer").asText())));
                } else {
                    triggers.add(event.path("Type").asText());
                }
            });
            functions.add(new Function(resource.getKey(), handler.contains("::") ? handler.substring(0, handler.indexOf("::")) : handler,
                    properties.path("CodeUri").asText(null), routes,
                    triggers));
        }
        return new Template(functions, authorizerFunction(root));
    }

    /** The function the HTTP API's default authorizer runs ({@code FunctionArn: !Ref X.Alias} or {@code !GetAtt X.Arn}), or null. */
    private static String authorizerFunction(JsonNode root) {
        Iterator<Map.Entry<String, JsonNode>> resources = root.path("Resources").fields();
        while (resources.hasNext()) {
            JsonNode resource = resources.next().getValue();
            if (!"AWS::Serverless::HttpApi".equals(resource.path("Type").asText())) {
                continue;
            }
            JsonNode auth = resource.path("Properties").path("Auth");
            JsonNode authorizer = auth.path("Authorizers").path(auth.path("DefaultAuthorizer").asText());
            String arn = authorizer.path("FunctionArn").asText(null);
            if (arn != null) {
                // YAML's !Ref X.Alias (or !GetAtt X.Arn) reads as the text "X.Alias".
                return arn.contains(".") ? arn.substring(0, arn.indexOf('.')) : arn;
            }
        }
        return null;
    }

    public Function function(String name) {
        return functions.stream().filter(f -> f.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("template.yaml has no function " + name + "; it has "
                        + functions.stream().map(Function::name).toList()));
    }
}
