package dev.kitebridge.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import org.junit.jupiter.api.Test;

import com.amazonaws.services.lambda.runtime.RequestHandler;

/**
 * The deployment packages template.yaml names (the functions module builds them and prints their
 * sizes): every function's handler loads from its own package alone, and each package carries the
 * AWS SDK modules its functions use and no other, with one HTTP client, Apache's; the JVM uses their
 * versioned classes, joda-time is only where an event needs it, and the SDK's logging is bound.
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
            Class<?> application = Class.forName("dev.kitebridge.app.Application", true, alone);
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

    /** Versioned classes (Jackson's, for Java 11 and later) count only in a jar whose manifest says Multi-Release. */
    @Test
    void aPackageWithVersionedClassesIsMultiRelease() throws IOException {
        for (String path : SERVICES.keySet()) {
            try (JarFile jar = new JarFile(Path.of(path).toFile(), true, ZipFile.OPEN_READ, Runtime.version())) {
                boolean versioned = jar.stream().anyMatch(e -> e.getName().startsWith("META-INF/versions/") && e.getName().endsWith(".class"));
                assertEquals(versioned, jar.isMultiRelease(), path + (versioned ? " has versioned classes" : " has none"));
            }
        }
        try (JarFile api = new JarFile("functions/target/packages/api.jar")) {
            assertTrue(api.isMultiRelease(), "the API's package has versioned classes, and says so");
        }
    }

    /**
     * joda-time is in a package only if one of its functions takes an event with a joda-time field
     * (ScheduledEvent's time): the package's own classes need nothing else of it.
     */
    @Test
    void jodaTimeIsOnlyWhereAFunctionsEventNeedsIt() throws Exception {
        Map<String, Boolean> needed = new TreeMap<>();
        for (Template.Function function : template.functions()) {
            Class<?> event = eventType(Class.forName(function.handlerClass(), false, getClass().getClassLoader()));
            boolean joda = false;
            for (Field field : event.getDeclaredFields()) {
                joda |= field.getType().getName().startsWith("org.joda.time.");
            }
            needed.merge(function.codeUri(), joda, Boolean::logicalOr);
        }
        assertTrue(needed.containsValue(true) && needed.containsValue(false), "some packages need joda-time, some do not: " + needed);
        for (Map.Entry<String, Boolean> expected : needed.entrySet()) {
            try (ZipFile jar = new ZipFile(expected.getKey())) {
                assertEquals(expected.getValue(), jar.getEntry("org/joda/time/DateTime.class") != null,
                        expected.getKey() + (expected.getValue() ? " carries joda-time" : " carries no joda-time"));
            }
        }
    }

    /** A package with SLF4J's API (the AWS SDK's) also has a binding for that major version. */
    @Test
    void everyPackageWithSlf4jHasABinding() throws IOException {
        for (String path : SERVICES.keySet()) {
            try (ZipFile jar = new ZipFile(path)) {
                ZipEntry api = jar.getEntry("META-INF/maven/org.slf4j/slf4j-api/pom.properties");
                if (api == null) {
                    assertTrue(jar.getEntry("org/slf4j/LoggerFactory.class") == null, path);
                    continue;
                }
                String version = new String(jar.getInputStream(api).readAllBytes(), StandardCharsets.UTF_8).lines()
                        .filter(line -> line.startsWith("version=")).findFirst().orElseThrow().substring("version=".length());
                // SLF4J 1.x finds a StaticLoggerBinder class, 2.x a service provider.
                String binding = version.startsWith("1.") ? "org/slf4j/impl/StaticLoggerBinder.class"
                        : "META-INF/services/org.slf4j.spi.SLF4JServiceProvider";
                assertNotNull(jar.getEntry(binding), path + " has slf4j-api " + version + " and its binding " + binding);
            }
        }
    }

    /**
     * Each package's first function, created as Lambda creates it (its AWS clients built, so the
     * SDK's logging starts) in a fresh JVM with the package alone: no "SLF4J:" complaint on stderr,
     * and a warning logged through SLF4J is printed as the functions' JSON log line.
     */
    @Test
    void aHandlerStartsInAFreshJvmWithoutSlf4jWarningsAndItsWarningsArePrinted() throws Exception {
        Map<String, String> firstHandler = new TreeMap<>();
        template.functions().forEach(f -> firstHandler.putIfAbsent(f.codeUri(), f.handlerClass()));
        Path testClasses = Path.of(StartHandler.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        for (Map.Entry<String, String> handler : firstHandler.entrySet()) {
            ProcessBuilder jvm = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                    handler.getKey() + File.pathSeparator + testClasses, StartHandler.class.getName(), handler.getValue());
            jvm.environment().putAll(Map.of("KITEBRIDGE_TABLE", "kitebridge", "AWS_REGION", "us-east-1",
                    "KITEBRIDGE_DYNAMODB_ENDPOINT", "http://127.0.0.1:9", "KITEBRIDGE_SECRETSMANAGER_ENDPOINT", "http://127.0.0.1:9"));
            Path stdout = Files.createTempFile("kitebridge-handler", ".stdout");
            Path stderr = Files.createTempFile("kitebridge-handler", ".stderr");
            try {
                Process process = jvm.redirectOutput(stdout.toFile()).redirectError(stderr.toFile()).start();
                assertTrue(process.waitFor(2, TimeUnit.MINUTES), handler + " started and ended");
                String complaints = Files.readString(stderr);
                String printed = Files.readString(stdout);
                assertEquals(0, process.exitValue(), handler + ": " + complaints + printed);
                assertTrue(complaints.lines().noneMatch(line -> line.startsWith("SLF4J:")), handler + ": " + complaints);
                if (!handler.getKey().endsWith("health.jar")) { // the one package without the SDK, nor SLF4J
                    // On stdout, as every log line of a function: one JSON line (JsonLogFormatter).
                    assertTrue(printed.lines().anyMatch(line -> line.startsWith("{") && line.contains(StartHandler.WARNING)
                            && line.contains("\"level\":\"WARN\"")), handler + " prints the SDK's warnings: " + printed + complaints);
                }
            } finally {
                Files.delete(stdout);
                Files.delete(stderr);
            }
        }
    }

    /** Run by the test above in a JVM of its own, beside a package: creates the handler, then warns as the SDK would. */
    static final class StartHandler {
        static final String WARNING = "a warning through SLF4J, as the AWS SDK logs";

        public static void main(String[] args) throws Exception {
            Class.forName(args[0]).getConstructor().newInstance();
            try {
                Class.forName("org.slf4j.LoggerFactory");
            } catch (ClassNotFoundException none) {
                return; // the health package: no SDK, no SLF4J
            }
            org.slf4j.LoggerFactory.getLogger("software.amazon.awssdk").warn(WARNING);
        }
    }

    /** The event type a handler takes: RequestHandler's first type argument. */
    private static Class<?> eventType(Class<?> handler) {
        for (Type type : handler.getGenericInterfaces()) {
            if (type instanceof ParameterizedType parameterized && parameterized.getRawType() == RequestHandler.class) {
                return (Class<?>) parameterized.getActualTypeArguments()[0];
            }
        }
        throw new AssertionError(handler + " is no RequestHandler");
    }
}
