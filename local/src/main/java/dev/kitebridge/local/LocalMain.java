package dev.kitebridge.local;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.amazonaws.services.lambda.runtime.serialization.events.LambdaEventSerializers;

import dev.kitebridge.buildkite.BuildkiteToken;
import dev.kitebridge.sandbox.Sandbox;
import dev.kitebridge.sandbox.model.Population;

/**
 * The local dev server.
 *
 * <pre>
 * serve --sandbox [--members N --teams T] [--port P]   on the Buildkite sandbox, with a demo organization
 * serve [--port P]                                     on Buildkite, with the token in BUILDKITE_API_TOKEN
 * invoke FUNCTION EVENT_FILE [--buildkite]             one event through one handler, like sam local invoke
 * keys create|list|revoke --tenant T ...               tenants' API keys in the table KITEBRIDGE_TABLE names
 * </pre>
 */
public final class LocalMain {

    private static final String USAGE = """
            usage:
              java -jar local/target/kitebridge-local.jar serve --sandbox [--members N] [--teams T] [--port P] [--template F]
              java -jar local/target/kitebridge-local.jar serve [--port P] [--template F]      (BUILDKITE_API_TOKEN set)
              java -jar local/target/kitebridge-local.jar invoke FUNCTION EVENT_FILE [--buildkite] [--template F]
              java -jar local/target/kitebridge-local.jar keys create --tenant T [--label L] | list --tenant T | revoke --tenant T --prefix P
                (keys work on the table in KITEBRIDGE_TABLE; KITEBRIDGE_DYNAMODB_ENDPOINT points at a stand-in)
            """;

    /**
     * The demo sandbox's clock runs this many times as fast as real time, so that a first walk of
     * the demo organizations, which at Buildkite's real rate limits waits for a window or two, takes
     * seconds. Every limit is still enforced.
     */
    static final double DEMO_TIME_SCALE = 20;

    private LocalMain() {}

    public static void main(String[] args) throws Exception {
        List<String> rest = new ArrayList<>(List.of(args));
        if (rest.isEmpty() || rest.contains("--help") || rest.contains("-h")) {
            System.out.print(USAGE);
            return;
        }
        String command = rest.remove(0);
        try {
            switch (command) {
                case "serve" -> serve(rest);
                case "invoke" -> invoke(rest);
                case "keys" -> Keys.run(rest, (list, name) -> option(list, name, null));
                default -> throw new IllegalArgumentException("unknown command " + command);
            }
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.err.print(USAGE);
            System.exit(2);
        } catch (software.amazon.awssdk.core.exception.SdkException e) {
            System.err.println("AWS refused: " + e.getMessage());
            System.exit(1);
        }
    }

    private static void serve(List<String> args) throws Exception {
        boolean sandbox = take(args, "--sandbox");
        int port = Integer.parseInt(option(args, "--port", "3000"));
        Template template = Template.load(Path.of(option(args, "--template", "template.yaml")));
        Population population = population(args);
        requireEmpty(args);
        LocalRuntime runtime = sandbox ? LocalRuntime.onSandbox(template, startSandbox(population)) : LocalRuntime.onBuildkite(template, tokenFromEnvironment());
        if (sandbox) {
            System.out.println("Reading the demo organizations' directory data (what a sync keeps fresh in production)...");
            Warmer.walkUsers(runtime, DEMO_TIME_SCALE);
        }
        LocalServer server = new LocalServer(runtime, port);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            runtime.close();
        }));
        String base = server.url() + "/unified/user-directory";
        String account = "integrated_account_id=" + runtime.accountId();
        String curl = "curl -s -H 'Authorization: Bearer " + LocalRuntime.DEMO_KEY + "' ";
        System.out.println("Kitebridge is serving template.yaml's routes at " + server.url()
                + (sandbox ? " on the Buildkite sandbox" : " on Buildkite") + ".");
        System.out.println("Integrated account: " + runtime.accountId() + " (tenant " + LocalRuntime.TENANT + ")");
        if (sandbox) {
            System.out.println("The sandbox keeps Buildkite's rate limits on a clock " + (int) DEMO_TIME_SCALE
                    + " times as fast as real time; a page that must wait answers 429 with Retry-After in its seconds.");
        }
        System.out.println();
        System.out.println(curl + "'" + base + "/users?" + account + "&limit=5'");
        System.out.println(curl + "'" + base + "/users?" + account + "&role=organization:admin&is_2fa_enabled=false'");
        System.out.println(curl + "'" + base + "/groups?" + account + "&limit=5'");
        System.out.println(curl + "'" + base + "/roles?" + account + "'");
        System.out.println(curl + "'" + base + "/organizations?" + account + "'");
        System.out.println(curl + "'" + base + "/me?" + account + "'");
        System.out.println(curl + "'" + server.url() + "/integrated-accounts'");
        System.out.println(curl + "-X POST '" + server.url() + "/sync-runs' -d '{\"integrated_account_id\":\"" + runtime.accountId()
                + "\"}'   # a sync run, worked on in this process");
        System.out.println(curl + "'" + server.url() + "/events?" + account + "&limit=20'");
        System.out.println();
        System.out.println("Ctrl-C stops it.");
        new CountDownLatch(1).await();
    }

    private static void invoke(List<String> args) throws IOException {
        boolean buildkite = take(args, "--buildkite");
        Template template = Template.load(Path.of(option(args, "--template", "template.yaml")));
        if (args.size() != 2) {
            throw new IllegalArgumentException("invoke takes a function name and an event file");
        }
        String function = args.get(0);
        APIGatewayV2HTTPEvent event;
        try (InputStream in = Files.newInputStream(Path.of(args.get(1)))) {
            event = LambdaEventSerializers.serializerFor(APIGatewayV2HTTPEvent.class, LocalMain.class.getClassLoader()).fromJson(in);
        }
        try (LocalRuntime runtime = buildkite ? LocalRuntime.onBuildkite(template, tokenFromEnvironment())
                : LocalRuntime.onSandbox(template, startSandbox(Population.demo()))) {
            APIGatewayV2HTTPResponse response = runtime.invoke(function, event);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            LambdaEventSerializers.serializerFor(APIGatewayV2HTTPResponse.class, LocalMain.class.getClassLoader()).toJson(response, out);
            System.out.println(out.toString(StandardCharsets.UTF_8));
        }
    }

    static Sandbox startSandbox(Population population) {
        return Sandbox.builder().population(population).timeScale(DEMO_TIME_SCALE).start();
    }

    private static Population population(List<String> args) {
        String members = option(args, "--members", null);
        String teams = option(args, "--teams", null);
        if (members == null && teams == null) {
            return Population.demo();
        }
        return Population.of(Integer.parseInt(members == null ? "200" : members), Integer.parseInt(teams == null ? "10" : teams))
                .withOrganizations(2, 0);
    }

    private static BuildkiteToken tokenFromEnvironment() {
        String token = System.getenv("BUILDKITE_API_TOKEN");
        if (token == null || token.isBlank()) {
            throw new IllegalArgumentException("set BUILDKITE_API_TOKEN to a Buildkite API token, or use --sandbox");
        }
        return BuildkiteToken.of(token.trim());
    }

    private static boolean take(List<String> args, String flag) {
        return args.remove(flag);
    }

    private static String option(List<String> args, String name, String fallback) {
        int at = args.indexOf(name);
        if (at < 0) {
            return fallback;
        }
        if (at + 1 >= args.size()) {
            throw new IllegalArgumentException(name + " needs a value");
        }
        String value = args.get(at + 1);
        args.remove(at + 1);
        args.remove(at);
        return value;
    }

    private static void requireEmpty(List<String> args) {
        if (!args.isEmpty()) {
            throw new IllegalArgumentException("unexpected " + String.join(" ", args));
        }
    }
}
