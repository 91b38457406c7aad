package dev.kitebridge.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import org.junit.jupiter.api.Test;

/**
 * The deployment packages template.yaml names (the functions module builds them and prints their
 * sizes): every function's handler loads from its own package alone, and each package carries the
 * AWS SDK modules its functions use and no other, with one HTTP client, Apache's.
 */
class DeploymentPackageTest {

    /** Each package and the AWS services its functions call. */
    private static final Map<String, Set<String>> SERVICES = Map.of(
            "functions/target/packages/api.jar", Set.of("dynamodb", "secretsmanager"),
            "functions/target/packages/sync.jar", Set.of("dynamodb", "secretsmanager", "sqs"),
            "functions/target/packages/authorizer.jar", Set.of("dynamodb"),
            "functions/target/packages/health.jar", Set.of());

    /** The SDK's one HTTP client in every package that calls AWS, as its discovery finds it (README, "Cold start, measured"). */
    private static final String HTTP_CLIENT = "software.amazon.awssdk.http.apache.ApacheSdkHttpService";
    private static final List<String> OTHER_HTTP_CLIENTS = List.of("software/amazon/awssdk/http/urlconnection/",
            "software/amazon/awssdk/http/apache5/", "software/amazon/awssdk/http/crt/", "software/amazon/awssdk/http/nio/");

    private final Template template = Template.load(Path.of("template.yaml"));

    DeploymentPackageTest() throws IOException {}

    @Test
    void everyFunctionsHandlerLoadsFromItsOwnPackageAlone() throws Exception {
        for (Template.Function function : template.functions()) {
            assertTrue(SERVICES.containsKey(function.codeUri()), function.name() + "'s CodeUri is a package this test knows: " + function.codeUri());
            Path jar = Path.of(function.codeUri());
            assertTrue(Files.isRegularFile(jar), jar + " is built before these tests (the functions module packages it)");
            // Nothing from the test's classpath: what the handler needs is in its package or in the JDK.
            try (URLClassLoader alone = new URLClassLoader(new URL[] {jar.toUri().toURL()}, ClassLoader.getPlatformClassLoader())) {
                // Created as Lambda creates it (with state in memory here, as no KITEBRIDGE_TABLE is set).
                Class.forName(function.handlerClass(), true, alone).getConstructor().newInstance();
            }
        }
    }

    /**
     * The API's package wires the whole application on AWS state (the sync stores with it) without
     * the SQS module: the sync queue's client is built only where a run is queued.
     */
    @Test
    void theApiPackageWiresItsAwsStateWithoutTheSqsModule() throws Exception {
        Path jar = Path.of("functions/target/packages/api.jar");
        try (URLClassLoader alone = new URLClassLoader(new URL[] {jar.toUri().toURL()}, ClassLoader.getPlatformClassLoader())) {
            Class<?> dependencies = Class.forName("dev.kitebridge.functions.Dependencies", true, alone);
            Object wiring = dependencies.getMethod("fromEnvironment", Map.class).invoke(null, Map.of("KITEBRIDGE_TABLE", "kitebridge",
                    "AWS_REGION", "us-east-1", "KITEBRIDGE_DYNAMODB_ENDPOINT", "http://127.0.0.1:9", "KITEBRIDGE_SECRETSMANAGER_ENDPOINT",
                    "http://127.0.0.1:9"));
            Class<?> application = Class.forName("dev.kitebridge.api.Application", true, alone);
            assertNotNull(application.getMethod("create", wiring.getClass()).invoke(null, wiring));
            assertThrows(ClassNotFoundException.class, () -> Class.forName("software.amazon.awssdk.services.sqs.SqsClient", false, alone));
        }
    }

    @Test
    void eachPackageCarriesOnlyTheSdkModulesItsFunctionsUse() throws IOException {
        for (Map.Entry<String, Set<String>> expected : SERVICES.entrySet()) {
            try (ZipFile jar = new ZipFile(expected.getKey())) {
                Set<String> services = new TreeSet<>();
                jar.stream().map(entry -> entry.getName().split("/")).forEach(parts -> {
                    if (parts.length > 4 && String.join("/", parts).startsWith("software/amazon/awssdk/services/")) {
                        services.add(parts[4]);
                    }
                });
                assertEquals(expected.getValue(), services, expected.getKey());
                assertTrue(jar.stream().noneMatch(entry -> OTHER_HTTP_CLIENTS.stream().anyMatch(entry.getName()::startsWith)),
                        expected.getKey() + " carries no HTTP client but " + HTTP_CLIENT);
                ZipEntry discovered = jar.getEntry("META-INF/services/software.amazon.awssdk.http.SdkHttpService");
                if (services.isEmpty()) {
                    assertTrue(jar.stream().noneMatch(entry -> entry.getName().startsWith("software/amazon/awssdk/")),
                            expected.getKey() + " calls no AWS service and carries no AWS SDK");
                } else {
                    assertNotNull(discovered, expected.getKey() + " names its HTTP client where the SDK looks for it");
                    List<String> named = new String(jar.getInputStream(discovered).readAllBytes(), StandardCharsets.UTF_8).lines()
                            .map(String::strip).filter(line -> !line.isEmpty() && !line.startsWith("#")).toList();
                    assertEquals(List.of(HTTP_CLIENT), named, expected.getKey() + ": the one HTTP client the SDK discovers");
                }
            }
        }
    }
}
