package dev.kitebridge.sandbox.graphql;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

import graphql.GraphqlErrorException;
import graphql.schema.Coercing;
import graphql.schema.CoercingParseLiteralException;
import graphql.schema.CoercingParseValueException;
import graphql.schema.DataFetcher;
import graphql.schema.DataFetchingEnvironment;
import graphql.schema.GraphQLScalarType;
import graphql.schema.GraphQLSchema;
import graphql.schema.idl.EnumValuesProvider;
import graphql.schema.idl.RuntimeWiring;
import graphql.schema.idl.SchemaGenerator;
import graphql.schema.idl.SchemaParser;
import graphql.schema.idl.TypeRuntimeWiring;
import graphql.language.StringValue;

import dev.kitebridge.sandbox.http.Json;
import dev.kitebridge.sandbox.model.ApiToken;
import dev.kitebridge.sandbox.model.AuditEvent;
import dev.kitebridge.sandbox.model.GraphqlIds;
import dev.kitebridge.sandbox.model.Invitation;
import dev.kitebridge.sandbox.model.Member;
import dev.kitebridge.sandbox.model.Organization;
import dev.kitebridge.sandbox.model.Pipeline;
import dev.kitebridge.sandbox.model.Team;
import dev.kitebridge.sandbox.model.TeamMember;
import dev.kitebridge.sandbox.model.TeamPipeline;
import dev.kitebridge.sandbox.model.UserAccount;
import dev.kitebridge.sandbox.model.World;

/**
 * The executable GraphQL schema: {@code schema.graphql} (a subset of Buildkite's) wired to the
 * world. Reads follow Buildkite's visibility rules: a token sees only the organizations it
 * reaches, and secret teams only where its user is an admin or a member.
 */
public final class SandboxSchema {

    public static final String RESOURCE = "/dev/kitebridge/sandbox/graphql/schema.graphql";

    private SandboxSchema() {}

    /** The sandbox's schema text, for tests that compare it with Buildkite's. */
    public static String sdl() {
        try (InputStream in = SandboxSchema.class.getResourceAsStream(RESOURCE)) {
            return new String(Objects.requireNonNull(in, RESOURCE).readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + RESOURCE, e);
        }
    }

    /** What every data fetcher needs: who is asking, and the world. */
    public record Caller(ApiToken token, World world) {

        static Caller of(DataFetchingEnvironment env) {
            return env.getGraphQlContext().get(Caller.class);
        }

        String userUuid() {
            return token.userUuid();
        }

        /** The organization if the token reaches it; Buildkite does not tell others apart from missing ones. */
        Optional<Organization> reachable(Organization org) {
            return world.reachableOrganizations(token).contains(org) ? Optional.of(org) : Optional.empty();
        }

        Organization reachableByUuid(String uuid) {
            return world.organizationByUuid(uuid).flatMap(this::reachable)
                    .orElseThrow(() -> error("No organization found"));
        }
    }

    /** The viewer object: the token's user. */
    record Viewer(ApiToken token) {}

    /** One team of an invitation. */
    record InvitationTeam(String invitationUuid, Invitation.InvitedTeam assignment) {}

    public static GraphQLSchema build() {
        try (Reader sdl = new InputStreamReader(
                Objects.requireNonNull(SandboxSchema.class.getResourceAsStream(RESOURCE)), StandardCharsets.UTF_8)) {
            return new SchemaGenerator().makeExecutableSchema(new SchemaParser().parse(sdl), wiring());
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + RESOURCE, e);
        }
    }

    private static RuntimeWiring wiring() {
        return RuntimeWiring.newRuntimeWiring()
                .scalar(DATE_TIME)
                .scalar(JSON)
                .scalar(stringScalar("TeamSelector"))
                .scalar(stringScalar("UserSelector"))
                .type(enumType("OrganizationMemberRole", Member.Role::valueOf))
                .type(enumType("OrganizationMemberSSOModeEnum", Member.SsoMode::valueOf))
                .type(enumType("TeamPrivacy", Team.Privacy::valueOf))
                .type(enumType("TeamMemberRole", TeamMember.Role::valueOf))
                .type(enumType("PipelineAccessLevels", TeamPipeline.AccessLevel::valueOf))
                .type(enumType("OrganizationInvitationStates", Invitation.State::valueOf))
                .type(TypeRuntimeWiring.newTypeWiring("Node").typeResolver(env -> env.getSchema().getObjectType(typeOf(env.getObject()))))
                .type(TypeRuntimeWiring.newTypeWiring("Connection").typeResolver(env -> {
                    throw new IllegalStateException("connections are returned as concrete types");
                }))
                .type(TypeRuntimeWiring.newTypeWiring("Query")
                        .dataFetcher("viewer", env -> new Viewer(Caller.of(env).token()))
                        .dataFetcher("organization", SandboxSchema::organization)
                        .dataFetcher("team", SandboxSchema::team)
                        .dataFetcher("node", SandboxSchema::node))
                .type(TypeRuntimeWiring.newTypeWiring("Viewer")
                        .dataFetcher("id", env -> GraphqlIds.of("Viewer", ((Viewer) env.getSource()).token().userUuid()))
                        .dataFetcher("user", env -> Caller.of(env).world().user(((Viewer) env.getSource()).token().userUuid()).orElse(null))
                        .dataFetcher("organizations", env -> {
                            Caller caller = Caller.of(env);
                            return Connection.of(caller.world().reachableOrganizations(caller.token()), env);
                        }))
                .type(TypeRuntimeWiring.newTypeWiring("User")
                        .dataFetcher("id", source(UserAccount::graphqlId))
                        .dataFetcher("avatar", source((UserAccount u) -> Map.of("url", u.avatarUrl()))))
                .type(TypeRuntimeWiring.newTypeWiring("Organization")
                        .dataFetcher("id", source(Organization::graphqlId))
                        .dataFetcher("isTeamsEnabled", source(Organization::teamsEnabled))
                        .dataFetcher("members", SandboxSchema::members)
                        .dataFetcher("teams", SandboxSchema::teams)
                        .dataFetcher("invitations", SandboxSchema::invitations)
                        .dataFetcher("auditEvents", SandboxSchema::auditEvents)
                        .dataFetcher("permissions", SandboxSchema::organizationPermissions))
                .type(TypeRuntimeWiring.newTypeWiring("AuditEvent")
                        .dataFetcher("id", source(AuditEvent::graphqlId)))
                .type(TypeRuntimeWiring.newTypeWiring("AuditActor")
                        .dataFetcher("id", source(AuditEvent.Actor::graphqlId)))
                .type(TypeRuntimeWiring.newTypeWiring("AuditSubject")
                        .dataFetcher("id", source(AuditEvent.Subject::graphqlId)))
                .type(TypeRuntimeWiring.newTypeWiring("AuditContext").typeResolver(env -> env.getSchema().getObjectType(
                        ((AuditEvent.Context) env.getObject()).kind() == AuditEvent.Context.Kind.API
                                ? "AuditAPIContext" : "AuditWebContext")))
                .type(TypeRuntimeWiring.newTypeWiring("OrganizationMember")
                        .dataFetcher("id", source(Member::graphqlId))
                        .dataFetcher("sso", source((Member m) -> Map.of("mode", m.ssoMode())))
                        .dataFetcher("security", env -> {
                            UserAccount user = userOf(env, ((Member) env.getSource()).userUuid());
                            return Map.of("twoFactorEnabled", user.twoFactorEnabled(),
                                    "passwordProtected", user.passwordProtected());
                        })
                        .dataFetcher("user", env -> userOf(env, ((Member) env.getSource()).userUuid()))
                        .dataFetcher("organization", env -> organizationOf(env, ((Member) env.getSource()).organizationUuid()))
                        .dataFetcher("teams", SandboxSchema::memberTeams))
                .type(TypeRuntimeWiring.newTypeWiring("Team")
                        .dataFetcher("id", source(Team::graphqlId))
                        .dataFetcher("isDefaultTeam", source(Team::isDefault))
                        .dataFetcher("createdBy", env -> Caller.of(env).world().user(((Team) env.getSource()).createdByUserUuid()).orElse(null))
                        .dataFetcher("membersCanCreatePipelines", source((Team t) -> t.memberPermissions().createPipelines()))
                        .dataFetcher("membersCanCreateSuites", source((Team t) -> t.memberPermissions().createSuites()))
                        .dataFetcher("membersCanCreateRegistries", source((Team t) -> t.memberPermissions().createRegistries()))
                        .dataFetcher("membersCanDestroyRegistries", source((Team t) -> t.memberPermissions().destroyRegistries()))
                        .dataFetcher("membersCanDestroyPackages", source((Team t) -> t.memberPermissions().destroyPackages()))
                        .dataFetcher("organization", env -> organizationOf(env, ((Team) env.getSource()).organizationUuid()))
                        .dataFetcher("members", SandboxSchema::teamMembers)
                        .dataFetcher("pipelines", env -> {
                            Team team = env.getSource();
                            return Connection.of(Caller.of(env).world().teamPipelines(team.organizationUuid(), team.uuid()), env);
                        }))
                .type(TypeRuntimeWiring.newTypeWiring("TeamMember")
                        .dataFetcher("id", source(TeamMember::graphqlId))
                        .dataFetcher("user", env -> userOf(env, ((TeamMember) env.getSource()).userUuid()))
                        .dataFetcher("team", env -> Caller.of(env).world().team(((TeamMember) env.getSource()).teamUuid()).orElse(null))
                        .dataFetcher("organizationMember", env -> {
                            TeamMember tm = env.getSource();
                            World world = Caller.of(env).world();
                            return world.team(tm.teamUuid())
                                    .flatMap(team -> world.member(team.organizationUuid(), tm.userUuid())).orElse(null);
                        }))
                .type(TypeRuntimeWiring.newTypeWiring("TeamPipeline")
                        .dataFetcher("id", source(TeamPipeline::graphqlId))
                        .dataFetcher("team", env -> Caller.of(env).world().team(((TeamPipeline) env.getSource()).teamUuid()).orElse(null))
                        .dataFetcher("pipeline", env -> {
                            TeamPipeline access = env.getSource();
                            World world = Caller.of(env).world();
                            return world.team(access.teamUuid())
                                    .flatMap(team -> world.pipeline(team.organizationUuid(), access.pipelineUuid())).orElse(null);
                        }))
                .type(TypeRuntimeWiring.newTypeWiring("Pipeline")
                        .dataFetcher("id", source(Pipeline::graphqlId))
                        .dataFetcher("organization", env -> organizationOf(env, ((Pipeline) env.getSource()).organizationUuid()))
                        .dataFetcher("url", env -> {
                            Pipeline pipeline = env.getSource();
                            Organization org = organizationOf(env, pipeline.organizationUuid());
                            return "https://buildkite.com/" + org.slug() + "/" + pipeline.slug();
                        }))
                .type(TypeRuntimeWiring.newTypeWiring("OrganizationInvitation")
                        .dataFetcher("id", source(Invitation::graphqlId))
                        .dataFetcher("slug", env -> {
                            Invitation invitation = env.getSource();
                            return organizationOf(env, invitation.organizationUuid()).slug() + "/" + invitation.uuid();
                        })
                        .dataFetcher("sso", source((Invitation i) -> Map.of("mode", i.ssoMode())))
                        .dataFetcher("createdBy", env -> userOrNull(env, ((Invitation) env.getSource()).createdByUserUuid()))
                        .dataFetcher("acceptedBy", env -> userOrNull(env, ((Invitation) env.getSource()).acceptedByUserUuid()))
                        .dataFetcher("revokedBy", env -> userOrNull(env, ((Invitation) env.getSource()).revokedByUserUuid()))
                        .dataFetcher("organization", env -> organizationOf(env, ((Invitation) env.getSource()).organizationUuid()))
                        .dataFetcher("teams", env -> {
                            Invitation invitation = env.getSource();
                            return Connection.of(invitation.teams().stream()
                                    .map(t -> new InvitationTeam(invitation.uuid(), t)).toList(), env);
                        }))
                .type(TypeRuntimeWiring.newTypeWiring("OrganizationInvitationTeamAssignment")
                        .dataFetcher("id", source((InvitationTeam t) -> GraphqlIds.of("OrganizationInvitationTeamAssignment",
                                t.invitationUuid() + "/" + t.assignment().teamUuid())))
                        .dataFetcher("role", source((InvitationTeam t) -> t.assignment().role()))
                        .dataFetcher("team", env -> Caller.of(env).world()
                                .team(((InvitationTeam) env.getSource()).assignment().teamUuid()).orElse(null)))
                .type(Mutations.wiring())
                .build();
    }

    // ---------------------------------------------------------------- root fields

    private static Object organization(DataFetchingEnvironment env) {
        Caller caller = Caller.of(env);
        String slug = env.getArgument("slug");
        String uuid = env.getArgument("uuid");
        Optional<Organization> org = slug != null ? caller.world().organizationBySlug(slug)
                : uuid != null ? caller.world().organizationByUuid(uuid) : Optional.empty();
        return org.flatMap(caller::reachable).orElseThrow(() -> error("No organization found"));
    }

    /** {@code team(slug: "org-slug/team-slug")}. */
    private static Object team(DataFetchingEnvironment env) {
        Caller caller = Caller.of(env);
        String slug = env.getArgument("slug");
        int slash = slug.indexOf('/');
        if (slash < 0) {
            throw error("No team found");
        }
        String teamSlug = slug.substring(slash + 1);
        return caller.world().organizationBySlug(slug.substring(0, slash))
                .flatMap(caller::reachable)
                .flatMap(org -> caller.world().visibleTeams(org.uuid(), caller.userUuid()).stream()
                        .filter(t -> t.slug().equals(teamSlug)).findFirst())
                .orElseThrow(() -> error("No team found"));
    }

    private static Object node(DataFetchingEnvironment env) {
        Caller caller = Caller.of(env);
        World world = caller.world();
        String id = env.getArgument("id");
        Optional<?> found = GraphqlIds.uuidOf("User", id).flatMap(world::user)
                .filter(u -> world.reachableOrganizations(caller.token()).stream()
                        .anyMatch(o -> world.member(o.uuid(), u.uuid()).isPresent()))
                .map(Object.class::cast)
                .or(() -> GraphqlIds.uuidOf("Organization", id).flatMap(world::organizationByUuid).flatMap(caller::reachable))
                .or(() -> GraphqlIds.uuidOf("OrganizationMember", id).flatMap(world::memberByUuid)
                        .filter(m -> reachableOrg(caller, m.organizationUuid())))
                .or(() -> GraphqlIds.uuidOf("Team", id).flatMap(world::team)
                        .filter(t -> reachableOrg(caller, t.organizationUuid()) && world.canSee(t, caller.userUuid())))
                .or(() -> GraphqlIds.uuidOf("OrganizationInvitation", id).flatMap(world::invitation)
                        .filter(i -> reachableOrg(caller, i.organizationUuid())))
                .or(() -> GraphqlIds.uuidOf("TeamMember", id).flatMap(world::teamMemberByUuid)
                        .filter(tm -> world.team(tm.teamUuid()).filter(t -> reachableOrg(caller, t.organizationUuid())
                                && world.canSee(t, caller.userUuid())).isPresent()));
        return found.orElse(null);
    }

    private static boolean reachableOrg(Caller caller, String organizationUuid) {
        return caller.world().organizationByUuid(organizationUuid).flatMap(caller::reachable).isPresent();
    }

    // ---------------------------------------------------------------- lists and their filters

    private static Object members(DataFetchingEnvironment env) {
        Organization org = env.getSource();
        World world = Caller.of(env).world();
        List<Member> members = world.members(org.uuid());
        String email = env.getArgument("email");
        List<Member.Role> roles = env.getArgument("role");
        String search = lower(env.getArgument("search"));
        Map<String, Object> security = env.getArgument("security");
        Map<String, Object> sso = env.getArgument("sso");
        Instant inactiveSince = env.getArgument("inactiveSince");
        String team = env.getArgument("team");
        Optional<Team> teamFilter = team == null ? Optional.empty() : Optional.of(findTeam(world, org, team));
        List<Member> matching = members.stream()
                .filter(m -> roles == null || roles.contains(m.role()))
                .filter(m -> sso == null || sso.get("mode") == m.ssoMode())
                .filter(m -> inactiveSince == null || m.lastSeenAt() == null || m.lastSeenAt().isBefore(inactiveSince))
                .filter(m -> teamFilter.isEmpty() || world.teamMember(org.uuid(), teamFilter.get().uuid(), m.userUuid()).isPresent())
                .filter(m -> {
                    if (email == null && search == null && security == null) {
                        return true;
                    }
                    UserAccount user = world.requireUser(m.userUuid());
                    return (email == null || user.email().equalsIgnoreCase(email))
                            && (search == null || lower(user.name()).contains(search) || lower(user.email()).contains(search))
                            && (security == null || matchesSecurity(user, security));
                })
                .sorted(memberOrder(env.getArgument("order"), world))
                .toList();
        return Connection.of(matching, env);
    }

    private static boolean matchesSecurity(UserAccount user, Map<String, Object> security) {
        Object twoFactor = security.get("twoFactorEnabled");
        Object password = security.get("passwordProtected");
        return (twoFactor == null || twoFactor.equals(user.twoFactorEnabled()))
                && (password == null || password.equals(user.passwordProtected()));
    }

    private static Comparator<Member> memberOrder(String order, World world) {
        if ("NAME".equals(order) || "RELEVANCE".equals(order)) {
            return Comparator.comparing((Member m) -> lower(world.requireUser(m.userUuid()).name())).thenComparing(Member::uuid);
        }
        return Comparator.comparing(Member::createdAt).reversed().thenComparing(Member::uuid);
    }

    private static Object memberTeams(DataFetchingEnvironment env) {
        Member member = env.getSource();
        Caller caller = Caller.of(env);
        World world = caller.world();
        List<TeamMember> memberships = world.teamMembershipsOf(member.organizationUuid(), member.userUuid()).stream()
                .filter(tm -> world.team(member.organizationUuid(), tm.teamUuid())
                        .filter(team -> world.canSee(team, caller.userUuid())).isPresent())
                .sorted(teamMemberOrder(env.getArgument("order"), world))
                .toList();
        return Connection.of(memberships, env);
    }

    private static Object teams(DataFetchingEnvironment env) {
        Organization org = env.getSource();
        Caller caller = Caller.of(env);
        World world = caller.world();
        List<Team.Privacy> privacy = env.getArgument("privacy");
        String search = lower(env.getArgument("search"));
        String user = env.getArgument("user");
        String userUuid = user == null ? null : GraphqlIds.uuidOf("User", user).orElse(user);
        Comparator<Team> order = "RECENTLY_CREATED".equals(env.getArgument("order"))
                ? Comparator.comparing(Team::createdAt).reversed()
                : Comparator.comparing((Team t) -> lower(t.name()));
        List<Team> teams = world.visibleTeams(org.uuid(), caller.userUuid()).stream()
                .filter(t -> privacy == null || privacy.contains(t.privacy()))
                .filter(t -> search == null || lower(t.name()).contains(search))
                .filter(t -> userUuid == null || world.teamMember(org.uuid(), t.uuid(), userUuid).isPresent())
                .sorted(order.thenComparing(Team::uuid))
                .toList();
        return Connection.of(teams, env);
    }

    private static Object teamMembers(DataFetchingEnvironment env) {
        Team team = env.getSource();
        World world = Caller.of(env).world();
        List<TeamMember.Role> roles = env.getArgument("role");
        String search = lower(env.getArgument("search"));
        List<TeamMember> members = world.teamMembers(team.organizationUuid(), team.uuid()).stream()
                .filter(tm -> roles == null || roles.contains(tm.role()))
                .filter(tm -> {
                    if (search == null) {
                        return true;
                    }
                    UserAccount user = world.requireUser(tm.userUuid());
                    return lower(user.name()).contains(search) || lower(user.email()).contains(search);
                })
                .sorted(teamMemberOrder(env.getArgument("order"), world))
                .toList();
        return Connection.of(members, env);
    }

    private static Comparator<TeamMember> teamMemberOrder(String order, World world) {
        if ("NAME".equals(order) || "RELEVANCE".equals(order)) {
            return Comparator.comparing((TeamMember tm) -> lower(world.requireUser(tm.userUuid()).name())).thenComparing(TeamMember::uuid);
        }
        return Comparator.comparing(TeamMember::createdAt).reversed().thenComparing(TeamMember::uuid);
    }

    private static Object invitations(DataFetchingEnvironment env) {
        Organization org = env.getSource();
        World world = Caller.of(env).world();
        List<Invitation.State> states = env.getArgument("state");
        Comparator<Invitation> order = "EMAIL".equals(env.getArgument("order"))
                ? Comparator.comparing((Invitation i) -> lower(i.email()))
                : Comparator.comparing(Invitation::createdAt).reversed();
        List<Invitation> invitations = world.invitations(org.uuid()).stream()
                .filter(i -> states == null || states.contains(i.state()))
                .sorted(order.thenComparing(Invitation::uuid))
                .toList();
        return Connection.of(invitations, env);
    }

    // ---------------------------------------------------------------- the audit log

    /**
     * {@code Organization.auditEvents}: most recent first, with the filters applied
     * ({@code occurredAtFrom} and {@code occurredAtTo} inclusive: UNVERIFIED, the reading that
     * loses nothing for a poller that deduplicates by uuid). Not Enterprise, or not an administrator:
     * an error in {@code errors} and the field null (Buildkite's message is UNVERIFIED; so is whether it
     * refuses rather than answering an empty list: the refusal is the reading a client must survive,
     * and {@code permissions.auditEventsView} tells the same beforehand).
     */
    private static Object auditEvents(DataFetchingEnvironment env) {
        Organization org = env.getSource();
        Caller caller = Caller.of(env);
        World world = caller.world();
        switch (world.auditAccess(org.uuid(), caller.userUuid())) {
            case NOT_ENTERPRISE -> throw error("Audit events are only available to organizations on the Enterprise plan");
            case NOT_ADMIN -> throw error("You don't have permission to view audit events for this organization");
            default -> { }
        }
        Instant from = env.getArgument("occurredAtFrom");
        Instant to = env.getArgument("occurredAtTo");
        List<String> types = env.getArgument("type");
        List<String> subjectTypes = env.getArgument("subjectType");
        List<String> subjectUuids = env.getArgument("subjectUUID");
        List<String> subjectIds = env.getArgument("subject");
        List<String> actorIds = env.getArgument("actor");
        List<String> actorTypes = env.getArgument("actorType");
        List<AuditEvent> events = world.auditEvents(org.uuid()).stream()
                .filter(e -> from == null || !e.occurredAt().isBefore(from))
                .filter(e -> to == null || !e.occurredAt().isAfter(to))
                .filter(e -> types == null || types.contains(e.type()))
                .filter(e -> subjectTypes == null || subjectTypes.contains(e.subject().type()))
                .filter(e -> subjectUuids == null || subjectUuids.contains(e.subject().uuid()))
                .filter(e -> subjectIds == null || subjectIds.contains(e.subject().graphqlId()))
                .filter(e -> actorIds == null || actorIds.contains(e.actor().graphqlId()))
                .filter(e -> actorTypes == null || actorTypes.contains(e.actor().type()))
                .toList();
        return Connection.of(events, env);
    }

    /** {@code Organization.permissions}: of Buildkite's many, the audit log's (codes UNVERIFIED). */
    private static Object organizationPermissions(DataFetchingEnvironment env) {
        Organization org = env.getSource();
        Caller caller = Caller.of(env);
        Map<String, Object> auditEventsView = new java.util.LinkedHashMap<>();
        switch (caller.world().auditAccess(org.uuid(), caller.userUuid())) {
            case ALLOWED -> auditEventsView.put("allowed", true);
            case NOT_ENTERPRISE -> {
                auditEventsView.put("allowed", false);
                auditEventsView.put("code", "not_enterprise");
                auditEventsView.put("message", "Audit events are only available on the Enterprise plan");
            }
            case NOT_ADMIN -> {
                auditEventsView.put("allowed", false);
                auditEventsView.put("code", "not_admin");
                auditEventsView.put("message", "Only organization administrators can view audit events");
            }
        }
        return Map.of("auditEventsView", auditEventsView);
    }

    /** A TeamSelector names a team by its uuid, its GraphQL id or its slug. */
    private static Team findTeam(World world, Organization org, String selector) {
        String uuid = GraphqlIds.uuidOf("Team", selector).orElse(selector);
        return world.teams(org.uuid()).stream()
                .filter(t -> t.uuid().equals(uuid) || t.slug().equals(selector))
                .findFirst()
                .orElseThrow(() -> error("No team found"));
    }

    // ---------------------------------------------------------------- helpers

    static GraphqlErrorException error(String message) {
        return GraphqlErrorException.newErrorException().message(message).build();
    }

    private static UserAccount userOf(DataFetchingEnvironment env, String uuid) {
        return Caller.of(env).world().requireUser(uuid);
    }

    private static UserAccount userOrNull(DataFetchingEnvironment env, String uuid) {
        return uuid == null ? null : Caller.of(env).world().user(uuid).orElse(null);
    }

    private static Organization organizationOf(DataFetchingEnvironment env, String uuid) {
        return Caller.of(env).world().organizationByUuid(uuid).orElseThrow();
    }

    private static String lower(String s) {
        return s == null ? null : s.toLowerCase(Locale.ROOT);
    }

    @SuppressWarnings("unchecked")
    private static <S> DataFetcher<Object> source(Function<S, Object> read) {
        return env -> read.apply((S) env.getSource());
    }

    private static String typeOf(Object node) {
        if (node instanceof UserAccount) return "User";
        if (node instanceof Organization) return "Organization";
        if (node instanceof Member) return "OrganizationMember";
        if (node instanceof Team) return "Team";
        if (node instanceof TeamMember) return "TeamMember";
        if (node instanceof TeamPipeline) return "TeamPipeline";
        if (node instanceof Pipeline) return "Pipeline";
        if (node instanceof Invitation) return "OrganizationInvitation";
        if (node instanceof Viewer) return "Viewer";
        if (node instanceof AuditEvent) return "AuditEvent";
        throw new IllegalStateException("no GraphQL type for " + node.getClass());
    }

    private static TypeRuntimeWiring enumType(String name, Function<String, Object> valueOf) {
        EnumValuesProvider provider = valueOf::apply;
        return TypeRuntimeWiring.newTypeWiring(name).enumValues(provider).build();
    }

    private static GraphQLScalarType stringScalar(String name) {
        return GraphQLScalarType.newScalar().name(name).coercing(new Coercing<String, String>() {
            @Override
            public String serialize(Object value) {
                return value.toString();
            }

            @Override
            public String parseValue(Object input) {
                return input.toString();
            }

            @Override
            public String parseLiteral(Object input) {
                if (input instanceof StringValue s) {
                    return s.getValue();
                }
                throw new CoercingParseLiteralException(name + " must be a string");
            }

            @Override
            public graphql.language.Value<?> valueToLiteral(Object input, graphql.GraphQLContext context, java.util.Locale locale) {
                return StringValue.of(input.toString());
            }
        }).build();
    }

    /** Buildkite's JSON scalar: the value as it is (the sandbox's audit data are maps). */
    private static final GraphQLScalarType JSON = GraphQLScalarType.newScalar().name("JSON")
            .coercing(new Coercing<Object, Object>() {
                @Override
                public Object serialize(Object value) {
                    return value;
                }

                @Override
                public Object parseValue(Object input) {
                    return input;
                }

                @Override
                public Object parseLiteral(Object input) {
                    if (input instanceof StringValue s) {
                        return s.getValue();
                    }
                    throw new CoercingParseLiteralException("JSON must be given as a string");
                }
            }).build();

    /** Buildkite's DateTime: ISO-8601 UTC with milliseconds. */
    private static final GraphQLScalarType DATE_TIME = GraphQLScalarType.newScalar().name("DateTime")
            .coercing(new Coercing<Instant, String>() {
                @Override
                public String serialize(Object value) {
                    return Json.timestamp((Instant) value);
                }

                @Override
                public Instant parseValue(Object input) {
                    try {
                        return Instant.parse(input.toString());
                    } catch (RuntimeException e) {
                        throw new CoercingParseValueException("DateTime must be ISO-8601, was " + input);
                    }
                }

                @Override
                public Instant parseLiteral(Object input) {
                    if (input instanceof StringValue s) {
                        return parseValue(s.getValue());
                    }
                    throw new CoercingParseLiteralException("DateTime must be a string");
                }

                @Override
                public graphql.language.Value<?> valueToLiteral(Object input, graphql.GraphQLContext context, java.util.Locale locale) {
                    return StringValue.of(input instanceof Instant instant ? Json.timestamp(instant) : input.toString());
                }
            }).build();
}
