package dev.kitebridge.buildkite.graphql;

/**
 * Buildkite's GraphQL API by resource, as REST's is, over one executor:
 * {@code buildkite.graphql().members().list("acme", MemberQuery.page(100, null))}.
 */
public final class GraphqlApi {

    private final GraphqlExecutor executor;
    private final ViewerQueries viewer;
    private final MembersQueries members;
    private final TeamsQueries teams;
    private final InvitationsQueries invitations;
    private final AuditEventsQueries auditEvents;
    private final SignalsQueries signals;

    public GraphqlApi(GraphqlExecutor executor) {
        this.executor = executor;
        this.viewer = new ViewerQueries(executor);
        this.members = new MembersQueries(executor);
        this.teams = new TeamsQueries(executor);
        this.invitations = new InvitationsQueries(executor);
        this.auditEvents = new AuditEventsQueries(executor);
        this.signals = new SignalsQueries(executor);
    }

    /** Documents as they are, and the proxy's requests passed through. */
    public GraphqlExecutor executor() {
        return executor;
    }

    public ViewerQueries viewer() {
        return viewer;
    }

    public MembersQueries members() {
        return members;
    }

    public TeamsQueries teams() {
        return teams;
    }

    public InvitationsQueries invitations() {
        return invitations;
    }

    public AuditEventsQueries auditEvents() {
        return auditEvents;
    }

    public SignalsQueries signals() {
        return signals;
    }
}
