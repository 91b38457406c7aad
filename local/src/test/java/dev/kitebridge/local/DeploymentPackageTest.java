package dev.kitebridge.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.zip.ZipFile;

import org.junit.jupiter.api.Test;

/**
 * The deployment package template.yaml names (every function runs from it): its size, printed by
 * every build, and no AWS SDK module a function does not use.
 */
class DeploymentPackageTest {

    private static final Path PACKAGE = Path.of("functions/target/kitebridge-functions.jar");

    @Test
    void thePackageCarriesOnlyTheSdkModulesTheFunctionsUse() throws IOException {
        assertTrue(Files.isRegularFile(PACKAGE), PACKAGE + " is built before these tests (the functions module packages it)");
        Set<String> services = new TreeSet<>();
        Set<String> httpClients = new TreeSet<>();
        int functions = Template.load(Path.of("template.yaml")).functions().size();
        try (ZipFile jar = new ZipFile(PACKAGE.toFile())) {
            jar.stream().map(e -> e.getName().split("/")).forEach(parts -> {
                if (parts.length > 4 && parts[0].equals("software") && parts[2].equals("awssdk") && parts[3].equals("services")) {
                    services.add(parts[4]);
                }
                if (parts.length > 5 && parts[0].equals("software") && parts[2].equals("awssdk") && parts[3].equals("http")
                        && !parts[4].equals("auth") && !parts[4].endsWith(".class")) {
                    httpClients.add(parts[4]);
                }
            });
            System.out.printf(Locale.ROOT, "deployment package %s: %.1f MB, %d entries, for all %d functions%n", PACKAGE,
                    Files.size(PACKAGE) / 1_048_576.0, jar.size(), functions);
        }
        assertEquals(Set.of("dynamodb", "secretsmanager"), services, "the state's two services, no other");
        assertTrue(httpClients.contains("urlconnection"), httpClients.toString());
        assertTrue(httpClients.stream().noneMatch(Set.of("apache", "apache5", "nio", "crt")::contains),
                "one HTTP client, URL-connection's; Apache, Netty and CRT left out: " + httpClients);
    }
}
