package dev.kitebridge.bench.cold;

import java.util.Map;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;

import dev.kitebridge.buildkite.BuildkiteToken;
import dev.kitebridge.functions.Dependencies;
import dev.kitebridge.functions.users.UsersHandler;

/**
 * One cold Lambda process of the users function, run from the deployment package: the JVM starts,
 * the handler is created as Lambda creates it, and one users list is answered from the sandbox.
 * The account is linked first (two Buildkite calls), since this process has no state from before.
 * Runs with only its deployment package, this class and, when measured, another SDK HTTP client on its classpath.
 */
public final class UsersProbe {

    private UsersProbe() {}

    public static void main(String[] args) {
        String account = Dependencies.application().accountsService()
                .link("tenant-cold", BuildkiteToken.of(System.getenv("PROBE_BUILDKITE_TOKEN")), "cold start").account().id();
        UsersHandler handler = new UsersHandler();
        APIGatewayV2HTTPResponse response = handler.handleRequest(APIGatewayV2HTTPEvent.builder()
                .withRouteKey("GET /unified/user-directory/users")
                .withRawPath("/unified/user-directory/users")
                .withQueryStringParameters(Map.of("integrated_account_id", account, "limit", "100"))
                .withRequestContext(APIGatewayV2HTTPEvent.RequestContext.builder()
                        .withRequestId("cold-start")
                        .withHttp(APIGatewayV2HTTPEvent.RequestContext.Http.builder().withMethod("GET").build())
                        .withAuthorizer(APIGatewayV2HTTPEvent.RequestContext.Authorizer.builder()
                                .withLambda(Map.of("tenant_id", "tenant-cold")).build())
                        .build())
                .build(), null);
        if (response.getStatusCode() != 200) {
            System.err.println("the users list answered " + response.getStatusCode());
            System.exit(1);
        }
    }
}
