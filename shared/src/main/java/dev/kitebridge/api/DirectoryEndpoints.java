package dev.kitebridge.api;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

import dev.kitebridge.directory.BuildkiteAccess;
import dev.kitebridge.directory.DirectoryException;
import dev.kitebridge.directory.Fetched;
import dev.kitebridge.directory.GroupsService;
import dev.kitebridge.directory.ListPage;
import dev.kitebridge.directory.ListQuery;
import dev.kitebridge.directory.MeService;
import dev.kitebridge.directory.OrganizationsService;
import dev.kitebridge.directory.RolesService;
import dev.kitebridge.directory.Session;
import dev.kitebridge.directory.UserFilters;
import dev.kitebridge.directory.UsersService;

/**
 * The unified User Directory's read endpoints: each reads the request's parameters, opens the
 * tenant's integrated account, calls its service, and answers the envelope, the record or the
 * contract's error, with the {@code ratelimit-*}, {@code x-request-id} and
 * {@code x-kitebridge-data-age} headers.
 */
public final class DirectoryEndpoints {

    /** How long one request may spend on Buildkite: well inside API Gateway's 30 seconds. */
    public static final Duration REQUEST_BUDGET = Duration.ofSeconds(8);

    private static final Set<String> GET_PARAMETERS = Set.of("integrated_account_id", "include_remote_data", "max_age",
            "organization_id");

    private final BuildkiteAccess access;
    private final UsersService users;
    private final GroupsService groups;
    private final RolesService roles;
    private final OrganizationsService organizations;
    private final MeService me;
    private final WriteEndpoints writes;

    public DirectoryEndpoints(BuildkiteAccess access, UsersService users, GroupsService groups, RolesService roles,
                              OrganizationsService organizations, MeService me, WriteEndpoints writes) {
        this.access = access;
        this.users = users;
        this.groups = groups;
        this.roles = roles;
        this.organizations = organizations;
        this.me = me;
        this.writes = writes;
    }

    /** {@code GET /unified/user-directory/users[/{id}]}; other methods are {@link WriteEndpoints#users writes}. */
    public ApiResponse users(ApiRequest request) {
        if (!request.method().equals("GET")) {
            return writes.users(request);
        }
        String id = request.pathParameter("id");
        if (id == null) {
            return respond(request, session -> list(users.list(session, ListQuery.parse(request.query(), UserFilters.NAMES))));
        }
        return respond(request, session -> fetched(users.get(session, id, request.query().get("organization_id"),
                includeRemoteData(request), maxAge(request))));
    }

    /** {@code GET /unified/user-directory/groups[/{id}]}; other methods are {@link WriteEndpoints#groups writes}. */
    public ApiResponse groups(ApiRequest request) {
        if (!request.method().equals("GET")) {
            return writes.groups(request);
        }
        String id = request.pathParameter("id");
        if (id == null) {
            return respond(request, session -> list(groups.list(session, ListQuery.parse(request.query(), GroupsService.FILTERS))));
        }
        return respond(request, session -> fetched(groups.get(session, id, request.query().get("organization_id"),
                includeRemoteData(request), maxAge(request))));
    }

    /** {@code GET /unified/user-directory/roles[/{id}]} */
    public ApiResponse roles(ApiRequest request) {
        String id = request.pathParameter("id");
        if (id == null) {
            return respond(request, session -> list(roles.list(session, ListQuery.parse(request.query(), Set.of()))));
        }
        return respond(request, session -> one(roles.get(id)));
    }

    /** {@code GET /unified/user-directory/organizations[/{id}]} */
    public ApiResponse organizations(ApiRequest request) {
        String id = request.pathParameter("id");
        if (id == null) {
            return respond(request, session -> list(organizations.list(session, ListQuery.parse(request.query(), Set.of()))));
        }
        return respond(request, session -> one(organizations.get(session, id, includeRemoteData(request))));
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

    private ApiResponse respond(ApiRequest request, Function<Session, Answer> work) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("x-request-id", request.requestId());
        Session session = null;
        try {
            if (request.tenantId() == null) {
                return Responses.error(401, "unauthorized", "missing or unknown API key", request, headers, Map.of());
            }
            String accountId = request.query().get("integrated_account_id");
            if (accountId == null || accountId.isBlank()) {
                throw DirectoryException.invalidRequest("integrated_account_id is required");
            }
            if (request.pathParameter("id") != null) {
                for (String name : request.query().keySet()) {
                    if (!GET_PARAMETERS.contains(name)) {
                        throw DirectoryException.invalidRequest("unknown query parameter " + name);
                    }
                }
            }
            session = access.open(request.tenantId(), accountId, REQUEST_BUDGET);
            Answer answer = work.apply(session);
            if (answer.dataAge() != null) {
                headers.put("x-kitebridge-data-age", Long.toString(Math.max(0, answer.dataAge().toSeconds())));
            }
            Responses.budgetHeaders(session, headers);
            return ApiResponse.json(200, answer.body(), headers);
        } catch (DirectoryException e) {
            return Responses.failure(e, session, request, headers);
        } catch (RuntimeException e) {
            return Responses.internalError(request, headers, e);
        }
    }

    private static boolean includeRemoteData(ApiRequest request) {
        return ListQuery.bool(request.query(), "include_remote_data", true);
    }

    private static Duration maxAge(ApiRequest request) {
        return ListQuery.maxAge(request.query());
    }
}
