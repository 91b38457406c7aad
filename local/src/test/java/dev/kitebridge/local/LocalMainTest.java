package dev.kitebridge.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.kitebridge.sandbox.Sandbox;
import dev.kitebridge.sandbox.model.Population;

/**
 * The dev server's commands as a developer runs them, each in a process of its own (they exit):
 * any Buildkite-compatible endpoint by flag or by the functions' variables, and a start that cannot
 * go on says why in one line and exits non-zero.
 */
class LocalMainTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void invokeReachesABuildkiteCompatibleEndpointNamedByFlagsOrVariables() throws Exception {
        try (Sandbox standIn = Sandbox.builder().population(Population.of(20, 2)).start()) {
            Map<String, String> token = Map.of("BUILDKITE_API_TOKEN", standIn.token());
            Run byFlags = run(token, "invoke", "MeFunction", "events/MeFunction/get.json", "--buildkite",
                    "--buildkite-rest-url", standIn.restUrl(), "--buildkite-graphql-url", standIn.graphqlUrl());
            assertEquals(0, byFlags.exit(), byFlags.toString());
            JsonNode answer = JSON.readTree(byFlags.stdout());
            assertEquals(200, answer.get("statusCode").asInt(), byFlags.toString());
            String me = JSON.readTree(answer.get("body").asText()).toString();
            assertTrue(me.contains(standIn.owner().email()), "the stand-in's token user: " + me);

            Run byVariables = run(Map.of("BUILDKITE_API_TOKEN", standIn.token(), "KITEBRIDGE_BUILDKITE_REST_URL", standIn.restUrl(),
                    "KITEBRIDGE_BUILDKITE_GRAPHQL_URL", standIn.graphqlUrl()), "invoke", "MeFunction", "events/MeFunction/get.json", "--buildkite");
            assertEquals(0, byVariables.exit(), byVariables.toString());
            assertEquals(200, JSON.readTree(byVariables.stdout()).get("statusCode").asInt(), byVariables.toString());
        }
    }

    @Test
    void invokeTakesEveryKindOfEvent() throws Exception {
        Run authorizer = run(Map.of(), "invoke", "AuthorizerFunction", "events/AuthorizerFunction/known-key.json");
        assertEquals(0, authorizer.exit(), authorizer.toString());
        assertEquals(LocalRuntime.TENANT, JSON.readTree(authorizer.stdout()).at("/context/tenant_id").asText(), authorizer.toString());
        Run schedule = run(Map.of(), "invoke", "SyncScheduleFunction", "events/SyncScheduleFunction/tick.json");
        assertEquals(0, schedule.exit(), schedule.toString());
        assertTrue(JSON.readTree(schedule.stdout()).has("full_runs_started"), schedule.toString());
        Run queue = run(Map.of(), "invoke", "SyncWorkerFunction", "events/SyncWorkerFunction/run-message.json");
        assertEquals(0, queue.exit(), queue.toString());
        assertEquals(0, JSON.readTree(queue.stdout()).get("batchItemFailures").size(), queue.toString());
    }

    @Test
    void anUnreachableBuildkiteIsSaidInOneLine() throws Exception {
        int closed;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = socket.getLocalPort();
        }
        String nowhere = "http://127.0.0.1:" + closed;
        Run run = run(Map.of("BUILDKITE_API_TOKEN", "bkua_0000000000000000000000000000000000000000"), "serve", "--port", "0",
                "--buildkite-rest-url", nowhere, "--buildkite-graphql-url", nowhere + "/graphql");
        assertEquals(1, run.exit(), run.toString());
        assertEquals(1, run.stderr().strip().lines().count(), "one line: " + run);
        assertTrue(run.stderr().contains("cannot link the token with Buildkite at " + nowhere), run.toString());
        assertTrue(!run.stderr().contains("bkua_"), "never the token: " + run);
    }

    @Test
    void aTakenPortIsSaidInOneLine() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Run run = run(Map.of(), "serve", "--sandbox", "--port", Integer.toString(taken.getLocalPort()));
            assertEquals(1, run.exit(), run.toString());
            assertEquals(1, run.stderr().strip().lines().count(), "one line: " + run);
            assertTrue(run.stderr().contains("the port is taken"), run.toString());
        }
    }

    private record Run(int exit, String stdout, String stderr) {}

    /** LocalMain in a JVM of its own, on this test's classpath, from the repository's root. */
    private static Run run(Map<String, String> env, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(System.getProperty("java.home") + "/bin/java", "-cp",
                System.getProperty("java.class.path"), LocalMain.class.getName()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().keySet().removeIf(name -> name.startsWith("KITEBRIDGE_") || name.equals("BUILDKITE_API_TOKEN"));
        builder.environment().putAll(env);
        File out = File.createTempFile("local-main", ".out");
        File err = File.createTempFile("local-main", ".err");
        Process process = builder.redirectOutput(out).redirectError(err).start();
        if (!process.waitFor(3, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new AssertionError("LocalMain " + String.join(" ", args) + " did not end");
        }
        Run run = new Run(process.exitValue(), java.nio.file.Files.readString(out.toPath(), StandardCharsets.UTF_8),
                java.nio.file.Files.readString(err.toPath(), StandardCharsets.UTF_8));
        out.delete();
        err.delete();
        return run;
    }
}
