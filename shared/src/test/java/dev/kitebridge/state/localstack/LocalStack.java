package dev.kitebridge.state.localstack;

import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.localstack.LocalStackContainer;
import org.testcontainers.utility.DockerImageName;

import dev.kitebridge.state.aws.AwsConfig;

/**
 * LocalStack, the last image without an auth token, started once for every suite that runs the
 * adapters against it. Where no Docker engine runs, those suites are skipped: the dynalite and
 * moto suites cover the same contracts.
 */
final class LocalStack {

    private static LocalStackContainer container;
    private static int tables;

    private LocalStack() {}

    /** For {@code @EnabledIf}: whether a Docker engine answers. */
    static boolean dockerAvailable() {
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException noDocker) {
            return false;
        }
    }

    /** A configuration pointing at LocalStack, with a table name of its own. */
    static synchronized AwsConfig config() {
        if (container == null) {
            container = new LocalStackContainer(DockerImageName.parse("localstack/localstack:4.14.0"))
                    .withServices(LocalStackContainer.Service.DYNAMODB, LocalStackContainer.Service.SECRETSMANAGER);
            container.start();
        }
        return new AwsConfig(container.getRegion(), "kitebridge-ls-" + (++tables), "kitebridge/accounts/",
                container.getEndpoint(), container.getEndpoint());
    }
}
