package dev.kitebridge.api;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

import dev.kitebridge.access.BuildkiteAccess;
import dev.kitebridge.access.Session;
import dev.kitebridge.contract.ApiError;
import dev.kitebridge.directory.Fetched;
import dev.kitebridge.directory.GroupsService;
import dev.kitebridge.directory.ListPage;
import dev.kitebridge.directory.ListQuery;
import dev.kitebridge.directory.MeService;
import dev.kitebridge.directory.OrganizationsService;
import dev.kitebridge.directory.RolesService;
import dev.kitebridge.directory.UserFilters;
import dev.kitebridge.directory.UsersService;

/**
 * The unified User Directory's read endpoints: each reads the request's parameters, opens the
 * tenant's integrated account, calls its service, and answers the envelope, the record or the
 * contract's error, with the {@code ratelimit-*}, {@code x-request-id} and
 * {@code x-kitebridge-data-age} headers.
 */
public final class DirectoryEndpoints {

    private static final Set<String> GET_PARAMETERS = Set.of("integrated_account_id", "include_remote_data", "max_age",
            "organization_id");

    private final BuildkiteAccess access;
    private final UsersService users;
    private final GroupsService groups;
    private final RolesService roles;
    private final OrganizationsService organizations;
    private final MeService me;

    public DirectoryEndpoints(BuildkiteAccess access, UsersService users, GroupsService groups, RolesService roles,
                              OrganizationsService organizations, MeService me) {
        this.access = access;
        this.users = users;
        this.groups = groups;
        this.roles = roles;
        this.organizations = organizations;
        this.me = me;
    }

    /** {@code GET /unified/user-directory/users} */
    public ApiResponse listUsers(ApiRequest request) {
        return respond(request, session -> list(users.list(session, ListQuery.parse(request.query(), UserFilters.NAMES))));
    }

    /** {@code GET /unified/user-directory/users/{id}} */
    public ApiResponse getUser(ApiRequest request) {
        return respond(request, session -> fetched(users.get(session, request.pathParameter("id"), request.query().get("organization_id"),
                includeRemoteData(request), maxAge(request))));
    }

    /** {@code GET /unified/user-directory/groups} */
    public ApiResponse listGroups(ApiRequest request) {
        return respond(request, session -> list(groups.list(session, ListQuery.parse(request.query(), GroupsService.FILTERS))));
    }

    /** {@code GET /unified/user-directory/groups/{id}} */
    public ApiResponse getGroup(ApiRequest request) {
        return respond(request, session -> fetched(groups.get(session, request.pathParameter("id"), request.query().get("organization_id"),
                includeRemoteData(request), maxAge(request))));
    }

    /** {@code GET /unified/user-directory/roles} */
    public ApiResponse listRoles(ApiRequest request) {
        return respond(request, session -> list(roles.list(session, ListQuery.parse(request.query(), Set.of()))));
    }

    /** {@code GET /unified/user-directory/roles/{id}} */
    public ApiResponse getRole(ApiRequest request) {
        return respond(request, session -> one(roles.get(request.pathParameter("id"))));
    }

    /** {@code GET /unified/user-directory/organizations} */
    public ApiResponse listOrganizations(ApiRequest request) {
        return respond(request, session -> list(organizations.list(session, ListQuery.parse(request.query(), Set.of()))));
    }

    /** {@code GET /unified/user-directory/organizations/{id}} */
    public ApiResponse getOrganization(ApiRequest request) {
        return respond(request, session -> one(organizations.get(session, request.pathParameter("id"), includeRemoteData(request))));
    }

    /** {@code GET /unified/user-directory/me} */
    public ApiResponse me(ApiRequest request) {
        return respond(request, session -> one(me.me(session, includeRemoteData(request))));
    }

    /** A body and how old the cached data behind it is. */
    private record Answer(Object body, Duration dataAge) {}

    private static Answer list(ListPage<?> page) {
        Map<String, Object> envelope = new LinkedHashMap<>();
        envelope.put("result", page.result());
        envelope.put("next_cursor", page.nextCursor());
        envelope.put("result_count", page.result().size());
        return new Answer(envelope, page.dataAge());
    }

    private static Answer one(Object record) {
        return new Answer(record, null);
    }

    private static Answer fetched(Fetched<?> fetched) {
        return new Answer(fetched.record(), fetched.dataAge());
    }

    /** Opens the account and answers the work's body; a get takes no query parameter it does not know. */
    private ApiResponse respond(ApiRequest request, Function<Session, Answer> work) {
        return ErrorFrame.answer(request, exchange -> {
            String accountId = Exchange.accountId(request);
            if (request.pathParameter("id") != null) {
                for (String name : request.query().keySet()) {
                    if (!GET_PARAMETERS.contains(name)) {
                        throw ApiError.invalidRequest("unknown query parameter " + name);
                    }
                }
            }
            Answer answer = work.apply(exchange.open(access, accountId));
            if (answer.dataAge() != null) {
                exchange.headers().put("x-kitebridge-data-age", Long.toString(Math.max(0, answer.dataAge().toSeconds())));
            }
            return exchange.json(200, answer.body());
        });
    }

    private static boolean includeRemoteData(ApiRequest request) {
        return ListQuery.bool(request.query(), "include_remote_data", true);
    }

    private static Duration maxAge(ApiRequest request) {
        return ListQuery.maxAge(request.query());
    }
}
