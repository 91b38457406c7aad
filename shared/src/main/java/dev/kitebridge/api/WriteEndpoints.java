package dev.kitebridge.api;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

import dev.kitebridge.access.BuildkiteAccess;
import dev.kitebridge.access.Session;
import dev.kitebridge.buildkite.OrganizationRole;
import dev.kitebridge.buildkite.SsoMode;
import dev.kitebridge.buildkite.TeamPrivacy;
import dev.kitebridge.buildkite.TeamRole;
import dev.kitebridge.buildkite.rest.TeamChanges;
import dev.kitebridge.contract.ApiError;
import dev.kitebridge.directory.GroupWrites;
import dev.kitebridge.directory.Ids;
import dev.kitebridge.directory.ListQuery;
import dev.kitebridge.directory.UserWrites;
import dev.kitebridge.directory.model.UnifiedUser;

/**
 * The unified User Directory's writes: each checks its body (field by field, unknown fields
 * refused) and its ids before anything is sent, runs once per {@code Idempotency-Key}, and
 * answers the record written, or the contract's error.
 */
public final class WriteEndpoints {

    private static final int MAX_EMAILS = 50;
    private static final int MAX_TEXT = 255;

    /** Roles as the unified model names them, and as Buildkite does. */
    private static final Map<String, OrganizationRole> ORGANIZATION_ROLES = Map.of("organization:admin", OrganizationRole.ADMIN,
            "organization:member", OrganizationRole.MEMBER, "admin", OrganizationRole.ADMIN, "member", OrganizationRole.MEMBER);
    private static final Map<String, TeamRole> TEAM_ROLES = Map.of("team:maintainer", TeamRole.MAINTAINER, "team:member",
            TeamRole.MEMBER, "maintainer", TeamRole.MAINTAINER, "member", TeamRole.MEMBER);
    private static final Map<String, SsoMode> SSO_MODES = Map.of("required", SsoMode.REQUIRED, "optional", SsoMode.OPTIONAL);
    private static final Map<String, TeamPrivacy> PRIVACIES = Map.of("visible", TeamPrivacy.VISIBLE, "secret", TeamPrivacy.SECRET);

    private final BuildkiteAccess access;
    private final UserWrites users;
    private final GroupWrites groups;
    private final Idempotency idempotency;

    public WriteEndpoints(BuildkiteAccess access, UserWrites users, GroupWrites groups, Idempotency idempotency) {
        this.access = access;
        this.users = users;
        this.groups = groups;
        this.idempotency = idempotency;
    }

    /** {@code POST /unified/user-directory/users}: invites, answered as a list of the users invited. */
    public ApiResponse inviteUsers(ApiRequest request) {
        return write(request, 201, session -> {
            JsonBody body = JsonBody.parse(request.body(), Set.of("organization_id", "emails", "role", "sso_mode", "groups"));
            List<UserWrites.GroupAssignment> teams = body.objects("groups", Set.of("id", "role"), 50).stream()
                    .map(g -> new UserWrites.GroupAssignment(Ids.resolve(g.path("id"), g.string("id", MAX_TEXT), Ids.Kind.TEAM),
                            orDefault(g.oneOf("role", TEAM_ROLES), TeamRole.MEMBER)))
                    .toList();
            UserWrites.Invite invite = new UserWrites.Invite(body.requiredString("organization_id", MAX_TEXT),
                    body.strings("emails", MAX_EMAILS, MAX_TEXT), body.oneOf("role", ORGANIZATION_ROLES),
                    body.oneOf("sso_mode", SSO_MODES), teams);
            List<UnifiedUser> invited = users.invite(session, invite, includeRemoteData(request));
            Map<String, Object> envelope = new LinkedHashMap<>();
            envelope.put("result", invited);
            envelope.put("next_cursor", null);
            envelope.put("result_count", invited.size());
            return envelope;
        });
    }

    /** {@code PATCH /unified/user-directory/users/{id}}: the user's role in an organization. */
    public ApiResponse changeUserRole(ApiRequest request) {
        return write(request, 200, session -> {
            JsonBody body = JsonBody.parse(request.body(), Set.of("organization_id", "role"));
            OrganizationRole role = body.oneOf("role", ORGANIZATION_ROLES);
            if (role == null) {
                throw ApiError.invalidRequest("role is required: organization:admin or organization:member");
            }
            return users.changeRole(session, Ids.resolve("id", request.pathParameter("id"), Ids.Kind.USER),
                    body.requiredString("organization_id", MAX_TEXT), role, includeRemoteData(request));
        });
    }

    /** {@code DELETE /unified/user-directory/users/{id}}: a member removed, or an invitation revoked. */
    public ApiResponse removeUser(ApiRequest request) {
        return write(request, 200, session -> {
            String userId = Ids.resolve("id", request.pathParameter("id"), Ids.Kind.USER_OR_INVITATION);
            users.remove(session, userId, request.query().get("organization_id"));
            return Map.of("id", userId);
        });
    }

    /** {@code POST /unified/user-directory/groups} */
    public ApiResponse createGroup(ApiRequest request) {
        return write(request, 201, session -> {
            JsonBody body = JsonBody.parse(request.body(), TEAM_FIELDS_AND_ORGANIZATION);
            TeamChanges team = teamChanges(body, body.requiredString("name", MAX_TEXT));
            return groups.create(session, body.requiredString("organization_id", MAX_TEXT), team, includeRemoteData(request));
        });
    }

    /** {@code PATCH /unified/user-directory/groups/{id}} */
    public ApiResponse updateGroup(ApiRequest request) {
        return write(request, 200, session -> {
            JsonBody body = JsonBody.parse(request.body(), TEAM_FIELDS_AND_ORGANIZATION);
            TeamChanges changes = teamChanges(body, body.string("name", MAX_TEXT));
            if (changes.restBody().isEmpty()) {
                throw ApiError.invalidRequest("a PATCH changes at least one of name, description, privacy, is_default, "
                        + "default_member_role");
            }
            return groups.update(session, Ids.resolve("id", request.pathParameter("id"), Ids.Kind.TEAM),
                    body.string("organization_id", MAX_TEXT), changes, includeRemoteData(request));
        });
    }

    /** {@code DELETE /unified/user-directory/groups/{id}} */
    public ApiResponse deleteGroup(ApiRequest request) {
        return write(request, 200, session -> {
            String groupId = Ids.resolve("id", request.pathParameter("id"), Ids.Kind.TEAM);
            groups.delete(session, groupId, request.query().get("organization_id"));
            return Map.of("id", groupId);
        });
    }

    /** {@code POST /unified/user-directory/groups/add-user} */
    public ApiResponse addUserToGroup(ApiRequest request) {
        return write(request, 200, session -> {
            JsonBody body = JsonBody.parse(request.body(), Set.of("group_id", "user_id", "role", "organization_id"));
            return groups.addUser(session, Ids.resolve("group_id", body.string("group_id", MAX_TEXT), Ids.Kind.TEAM),
                    Ids.resolve("user_id", body.string("user_id", MAX_TEXT), Ids.Kind.USER), body.oneOf("role", TEAM_ROLES),
                    body.string("organization_id", MAX_TEXT));
        });
    }

    /** {@code POST /unified/user-directory/groups/remove-user} */
    public ApiResponse removeUserFromGroup(ApiRequest request) {
        return write(request, 200, session -> {
            JsonBody body = JsonBody.parse(request.body(), Set.of("group_id", "user_id", "organization_id"));
            String groupId = Ids.resolve("group_id", body.string("group_id", MAX_TEXT), Ids.Kind.TEAM);
            String userId = Ids.resolve("user_id", body.string("user_id", MAX_TEXT), Ids.Kind.USER);
            groups.removeUser(session, groupId, userId, body.string("organization_id", MAX_TEXT));
            return Map.of("group_id", groupId, "user_id", userId);
        });
    }

    private static final Set<String> TEAM_FIELDS_AND_ORGANIZATION = Set.of("organization_id", "name", "description", "privacy",
            "is_default", "default_member_role");

    private static TeamChanges teamChanges(JsonBody body, String name) {
        if (name != null && name.isBlank()) {
            throw ApiError.invalidRequest("name must not be blank");
        }
        return new TeamChanges(name, body.string("description", 1_000), body.oneOf("privacy", PRIVACIES), body.bool("is_default"),
                body.oneOf("default_member_role", TEAM_ROLES), null, null, null, null, null);
    }

    /** Opens the account, runs the write once per Idempotency-Key, and answers its record with {@code status}. */
    private ApiResponse write(ApiRequest request, int status, Function<Session, Object> work) {
        // Before the key is looked up: the tenant is part of it.
        if (!ErrorFrame.hasTenant(request)) {
            return ErrorFrame.unauthorized(request);
        }
        return idempotency.run(request, attempt -> ErrorFrame.answer(request, exchange -> {
            try {
                Object written = work.apply(exchange.open(access, Exchange.accountId(request)));
                return exchange.json(status, written);
            } finally {
                if (exchange.session() != null && exchange.session().wroteToBuildkite()) {
                    attempt.wroteToBuildkite();
                }
            }
        }));
    }

    private static boolean includeRemoteData(ApiRequest request) {
        return ListQuery.bool(request.query(), "include_remote_data", true);
    }

    private static <T> T orDefault(T value, T fallback) {
        return value != null ? value : fallback;
    }
}
