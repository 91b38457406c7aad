package dev.kitebridge.buildkite.graphql;

import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import dev.kitebridge.buildkite.BuildkiteJson;
import dev.kitebridge.buildkite.graphql.Nodes.OrganizationNode;
import dev.kitebridge.buildkite.graphql.Nodes.UserNode;
import dev.kitebridge.buildkite.graphql.Nodes.Viewer;

/** The token's own user and the organizations it reaches. */
public final class ViewerQueries {

    private final GraphqlExecutor graphql;

    public ViewerQueries(GraphqlExecutor graphql) {
        this.graphql = graphql;
    }

    public Viewer get() {
        JsonNode viewer = graphql.execute(GraphqlDocument.VIEWER, Map.of(), null, 0).data().path("viewer");
        return new Viewer(viewer.path("id").asText(), BuildkiteJson.read(viewer.path("user"), UserNode.class),
                Connection.from(viewer.path("organizations"), OrganizationNode.class));
    }
}
