package dev.kitebridge.local;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

import dev.kitebridge.access.BuildkiteAccess;
import dev.kitebridge.accounts.AccountsService;
import dev.kitebridge.buildkite.BuildkiteToken;
import dev.kitebridge.buildkite.client.BuildkiteClient;
import dev.kitebridge.contract.ApiError;
import dev.kitebridge.logging.JsonLogFormatter;
import dev.kitebridge.sandbox.Sandbox;
import dev.kitebridge.sandbox.model.DataGenerator;
import dev.kitebridge.sandbox.model.Population;

/**
 * The local dev server.
 *
 * <pre>
 * serve --sandbox [--members N --teams T] [--port P]   on the Buildkite sandbox, with a demo organization
 * serve [--port P]                                     on Buildkite, with the token in BUILDKITE_API_TOKEN
 * invoke FUNCTION EVENT_FILE [--buildkite]             one event through one handler, like sam local invoke
 * keys create|list|revoke --tenant T ...               tenants' API keys in the table KITEBRIDGE_TABLE names
 * connect-origins list|set --tenant T [ORIGIN...]      a tenant's allowed redirect origins for connect pages, likewise
 * </pre>
 */
public final class LocalMain {

    private static final String USAGE = """
            usage:
              java -jar local/target/kitebridge-local.jar serve --sandbox [--members N] [--teams T] [--port P] [--state memory|dynamodb] [--template F]
              java -jar local/target/kitebridge-local.jar serve [BUILDKITE] [--port P] [--state memory|dynamodb] [--template F]   (BUILDKITE_API_TOKEN set)
              java -jar local/target/kitebridge-local.jar invoke FUNCTION EVENT_FILE [--buildkite [BUILDKITE]] [--template F]
              java -jar local/target/kitebridge-local.jar keys create --tenant T [--label L] | list --tenant T | revoke --tenant T --prefix P
              java -jar local/target/kitebridge-local.jar connect-origins list --tenant T | set --tenant T [ORIGIN...]
                BUILDKITE: --buildkite-rest-url URL --buildkite-graphql-url URL (or KITEBRIDGE_BUILDKITE_REST_URL and
                  KITEBRIDGE_BUILDKITE_GRAPHQL_URL; Buildkite's own by default): any Buildkite-compatible endpoint
                --state dynamodb keeps accounts, keys, syncs and events in .kitebridge/ across restarts (dynalite, started
                  here), or in the stand-in KITEBRIDGE_DYNAMODB_ENDPOINT names; memory is the default
                (keys and connect-origins work on the table in KITEBRIDGE_TABLE; KITEBRIDGE_DYNAMODB_ENDPOINT points at a stand-in)
            """;

    /**
     * The demo sandbox's clock runs this many times as fast as real time, so that a first walk of
     * the demo organizations, which at Buildkite's real rate limits waits for a window or two, takes
     * seconds. Every limit is still enforced.
     */
    static final double DEMO_TIME_SCALE = 20;
    /** Where {@code --state dynamodb} keeps its tables and tokens, beside the repository's files. */
    static final Path STATE_FOLDER = Path.of(".kitebridge");

    private LocalMain() {}

    public static void main(String[] args) throws Exception {
        List<String> rest = new ArrayList<>(List.of(args));
        if (rest.isEmpty() || rest.contains("--help") || rest.contains("-h")) {
            System.out.print(USAGE);
            return;
        }
        String command = rest.remove(0);
        JsonLogFormatter.install(); // the functions' log lines, as in AWS: JSON, secrets redacted
        try {
            switch (command) {
                case "serve" -> serve(rest);
                case "invoke" -> invoke(rest);
                case "keys" -> Keys.run(rest, (list, name) -> option(list, name, null));
                case "connect-origins" -> ConnectOrigins.run(rest, (list, name) -> option(list, name, null));
                default -> throw new IllegalArgumentException("unknown command " + command);
            }
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.err.print(USAGE);
            System.exit(2);
        } catch (StartFailed e) {
            System.err.println(e.getMessage());
            System.exit(1);
        } catch (software.amazon.awssdk.core.exception.SdkException e) {
            System.err.println("AWS refused: " + e.getMessage());
            System.exit(1);
        } catch (RuntimeException e) {
            // Logged (redacted), then the process ends: what it started (a sandbox, dynalite) must not keep it alive.
            System.getLogger(LocalMain.class.getName()).log(System.Logger.Level.ERROR, command + " failed", e);
            System.exit(1);
        }
    }

    private static void serve(List<String> args) throws Exception {
        boolean sandbox = take(args, "--sandbox");
        int port = Integer.parseInt(option(args, "--port", "3000"));
        Template template = Template.load(Path.of(option(args, "--template", "template.yaml")));
        Population population = population(args);
        BuildkiteAccess.Endpoints buildkite = sandbox ? null : buildkiteEndpoints(args, System.getenv());
        String stateOption = option(args, "--state", null);
        requireEmpty(args);
        BuildkiteToken token = sandbox ? null : tokenFromEnvironment();
        LocalServer server;
        try {
            server = new LocalServer(port); // the port first: a taken one is said before anything slow starts
        } catch (BindException e) {
            throw new StartFailed("cannot serve on 127.0.0.1:" + port + ": the port is taken (choose another with --port)");
        }
        LocalState state = state(stateOption);
        LocalRuntime runtime = sandbox ? LocalRuntime.onSandbox(template, startSandbox(population), state)
                : onBuildkite(template, token, buildkite, state);
        if (sandbox) {
            Warmer.walkUsers(runtime, DEMO_TIME_SCALE);
        }
        server.serve(runtime);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            runtime.close();
        }));
        String base = server.url() + "/unified/user-directory";
        String account = "integrated_account_id=" + runtime.accountId();
        String curl = "curl -s -H 'Authorization: Bearer " + LocalRuntime.DEMO_KEY + "' ";
        System.out.println("Kitebridge is serving template.yaml's routes at " + server.url()
                + (sandbox ? " on the Buildkite sandbox" : " on Buildkite at " + buildkite.rest()) + ".");
        System.out.println("Integrated account: " + runtime.accountId() + " (tenant " + LocalRuntime.TENANT + "); state "
                + runtime.stateDescription() + ".");
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
        // The connect page, as a tenant's customer meets it: a new session (30 minutes, single use), and a token to paste.
        System.out.println("Connect page (a customer links their Buildkite; open it in a browser, valid 30 minutes, once):");
        System.out.println("  " + server.url() + "/connect/" + runtime.newConnectSession("Buildkite sandbox"));
        if (sandbox) {
            System.out.println("  sandbox token to paste, every scope:      "
                    + runtime.issueSandboxToken(DataGenerator.ALL_SCOPES));
            System.out.println("  one with the read scopes only (to see what missing scopes cost): "
                    + runtime.issueSandboxToken(java.util.Set.copyOf(AccountsService.READ_SCOPES)));
        }
        System.out.println("  then: " + curl + "'" + server.url() + "/integrated-accounts'   # the new account is listed");
        System.out.println("  another link: " + curl + "-X POST '" + server.url() + "/connect-sessions' -d '{\"label\":\"Acme\"}'");
        System.out.println();
        System.out.println("Ctrl-C stops it.");
        new CountDownLatch(1).await();
    }

    private static void invoke(List<String> args) throws IOException, StartFailed {
        boolean onBuildkite = take(args, "--buildkite");
        Template template = Template.load(Path.of(option(args, "--template", "template.yaml")));
        BuildkiteAccess.Endpoints buildkite = onBuildkite ? buildkiteEndpoints(args, System.getenv()) : null;
        if (args.size() != 2) {
            throw new IllegalArgumentException("invoke takes a function name and an event file");
        }
        String function = args.get(0);
        Path eventFile = Path.of(args.get(1));
        template.function(function); // an unknown name is said before anything starts
        if (!Files.isRegularFile(eventFile)) {
            throw new IllegalArgumentException("no event file " + eventFile);
        }
        // As sam local invoke: the function's logs on stderr, its answer alone on stdout.
        PrintStream answer = System.out;
        System.setOut(System.err);
        LocalState state = LocalState.inMemory(System.getenv());
        try (LocalRuntime runtime = onBuildkite ? onBuildkite(template, tokenFromEnvironment(), buildkite, state)
                : LocalRuntime.onSandbox(template, startSandbox(Population.demo()), state);
             InputStream event = Files.newInputStream(eventFile)) {
            answer.println(runtime.invokeJson(function, event));
        }
    }

    /** The state {@code --state} names, or, without it, the one the environment names. */
    private static LocalState state(String option) throws StartFailed {
        if (option == null) {
            return LocalState.fromEnvironment(System.getenv(), STATE_FOLDER);
        }
        return switch (option) {
            case "memory" -> LocalState.inMemory(System.getenv());
            case "dynamodb" -> {
                LocalState.requireStandIn(System.getenv());
                yield LocalState.inDynamoDb(System.getenv(), STATE_FOLDER);
            }
            default -> throw new IllegalArgumentException("--state is memory or dynamodb, not " + option);
        };
    }

    /** Buildkite's endpoints: the flags', else the functions' variables', else Buildkite's own. */
    static BuildkiteAccess.Endpoints buildkiteEndpoints(List<String> args, Map<String, String> env) {
        URI rest = url(option(args, "--buildkite-rest-url", env.get("KITEBRIDGE_BUILDKITE_REST_URL")), BuildkiteClient.BUILDKITE_REST);
        URI graphql = url(option(args, "--buildkite-graphql-url", env.get("KITEBRIDGE_BUILDKITE_GRAPHQL_URL")),
                BuildkiteClient.BUILDKITE_GRAPHQL);
        return new BuildkiteAccess.Endpoints(rest, graphql);
    }

    private static URI url(String value, URI fallback) {
        if (value == null || value.isBlank()) {
            return fallback;
        }
        try {
            URI uri = new URI(value);
            if (!"https".equals(uri.getScheme()) && !"http".equals(uri.getScheme()) || uri.getHost() == null) {
                throw new URISyntaxException(value, "not an http(s) URL with a host");
            }
            return uri;
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("a Buildkite URL must be an http(s) URL with a host: " + value);
        }
    }

    /** Links the token's account, checking it with Buildkite: an unreachable Buildkite or a refused token is said in one line. */
    private static LocalRuntime onBuildkite(Template template, BuildkiteToken token, BuildkiteAccess.Endpoints endpoints, LocalState state)
            throws StartFailed {
        // A connection first, so that a Buildkite out of reach is said at once, not after the client's retries.
        URI rest = endpoints.rest();
        int port = rest.getPort() >= 0 ? rest.getPort() : "https".equals(rest.getScheme()) ? 443 : 80;
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(rest.getHost(), port), (int) Duration.ofSeconds(5).toMillis());
        } catch (IOException e) {
            throw new StartFailed("cannot link the token with Buildkite at " + rest + ": " + rest.getHost() + ":" + port
                    + " cannot be reached (" + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()) + ")");
        }
        try {
            return LocalRuntime.onBuildkite(template, token, endpoints, state);
        } catch (ApiError e) {
            throw new StartFailed("cannot link the token with Buildkite at " + endpoints.rest() + ": " + e.getMessage()
                    + " (" + e.status() + " " + e.error() + ")");
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
