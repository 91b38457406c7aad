package dev.kitebridge.directory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;

import dev.kitebridge.access.BuildkiteAccess;
import dev.kitebridge.access.OrganizationRef;
import dev.kitebridge.access.Session;
import dev.kitebridge.buildkite.InvitationState;
import dev.kitebridge.buildkite.Page;
import dev.kitebridge.buildkite.PageRequest;
import dev.kitebridge.buildkite.WithJson;
import dev.kitebridge.buildkite.graphql.Connection;
import dev.kitebridge.buildkite.graphql.Nodes.InvitationNode;
import dev.kitebridge.buildkite.graphql.Nodes.MemberNode;
import dev.kitebridge.buildkite.rest.OrganizationMember;
import dev.kitebridge.contract.ApiError;
import dev.kitebridge.directory.model.UnifiedUser;
import dev.kitebridge.directory.orgdata.OrganizationData;
import dev.kitebridge.directory.orgdata.OrganizationDataService;
import dev.kitebridge.directory.orgdata.OrganizationReader;

/**
 * Users: every organization membership the token reaches, then every pending invitation,
 * organization by organization.
 *
 * <p>How a page is built, and what it costs: the members come from one live REST page (100
 * members a request); what only GraphQL tells (2FA, last seen, joined, bots, avatars) and each
 * member's teams come from the organization's cached data (see {@link OrganizationDataService}).
 * Invitations come live from GraphQL. A walk with {@code limit=100} therefore costs one REST
 * request per page once the organization's data is cached.
 */
public final class UsersService {

    public static final String RESOURCE = "users";
    /** REST's largest page, and the page the walk reads, whatever the limit. */
    static final int MEMBER_PAGE = 100;
    /** Time kept back from building data for reading the page itself. */
    static final Duration PAGE_RESERVE = Duration.ofMillis(1_500);
    /** Below this much time left, a page with records goes back as it is. */
    static final Duration ENOUGH_FOR_ANOTHER_PAGE = Duration.ofSeconds(2);
    /** At most this many members who joined after their organization's data was read are looked up one by one. */
    static final int LATE_JOINERS_PER_PAGE = 20;

    static final Set<OrganizationData.Part> ALL_PARTS = EnumSet.allOf(OrganizationData.Part.class);

    private final BuildkiteAccess access;
    private final OrganizationDataService data;
    private final OrganizationReader reader;
    private final Cursors cursors;

    public UsersService(BuildkiteAccess access, OrganizationDataService data, OrganizationReader reader, Cursors cursors) {
        this.access = access;
        this.data = data;
        this.reader = reader;
        this.cursors = cursors;
    }

    public ListPage<UnifiedUser> list(Session session, ListQuery query) {
        UserFilters filters = UserFilters.of(query.filters());
        Map<String, String> position = cursors.position(session, RESOURCE, query);
        OrganizationWalk walk;
        if (position.isEmpty()) {
            walk = new OrganizationWalk();
            walk.orgs = ListQuery.onlyOrganization(access.organizations(session),
                    filters.organizationId());
        } else {
            walk = OrganizationWalk.from(position);
        }
        List<UnifiedUser> result = new ArrayList<>();
        Duration dataAge = null;
        boolean progressed = false;
        while (result.size() < query.limit() && walk.org < walk.orgs.size()) {
            // A page goes back with what it has once time runs short, records or not; its cursor goes on from there.
            if (progressed && session.timeLeft().compareTo(ENOUGH_FOR_ANOTHER_PAGE) < 0) {
                break;
            }
            OrganizationRef org = walk.orgs.get(walk.org);
            try {
                if (!walk.invitations) {
                    if (!filters.wantsMembers()) {
                        walk.invitations = true;
                        continue;
                    }
                    OrganizationDataService.View view = access.call(session, () -> data.ensure(session, org.slug(), ALL_PARTS,
                            query.maxAge(), session.deadline().minus(PAGE_RESERVE)));
                    Duration age = view.age(session.now());
                    dataAge = dataAge == null || age.compareTo(dataAge) > 0 ? age : dataAge;
                    readMembers(session, query, filters, walk, org, view, result);
                } else {
                    if (!filters.wantsInvitations()) {
                        walk.nextOrganization();
                        continue;
                    }
                    readInvitations(session, query, filters, walk, org, result);
                }
                progressed = true;
            } catch (ApiError stopped) {
                // A request that moved the walk on answers with what it has; the walk resumes from its cursor.
                if (!progressed || stopped.status() != 429) {
                    throw stopped;
                }
                break;
            }
        }
        String next = walk.org < walk.orgs.size() ? cursors.issue(session, RESOURCE, query, walk.position()) : null;
        return new ListPage<>(result, next, dataAge);
    }

    /** Reads one REST page of members from the walk's position, adding those that match until the limit. */
    private void readMembers(Session session, ListQuery query, UserFilters filters, OrganizationWalk walk, OrganizationRef org,
                             OrganizationDataService.View view, List<UnifiedUser> result) {
        PageRequest request = new PageRequest(Map.of("page", Integer.toString(walk.page), "per_page", Integer.toString(MEMBER_PAGE)));
        Page<OrganizationMember> page = access.call(session, buildkite -> buildkite.organizations().members(org.slug(), request));
        List<String> ids = page.items().stream().map(OrganizationMember::id).toList();
        int lookups = 0;
        int i = walk.start(ids);
        for (; i < page.items().size() && result.size() < query.limit(); i++) {
            OrganizationMember member = page.items().get(i);
            if (view.profiles().profile(member.id()).isEmpty() && lookups++ < LATE_JOINERS_PER_PAGE) {
                lookUpLateJoiner(session, org, member, view.profiles());
            }
            UnifiedUser user = UserMapping.member(org, member, page.raw().get(i), view.profiles().profile(member.id()),
                    view.rosters().teamsOf(member.id()), query.includeRemoteData());
            if (filters.matches(user)) {
                result.add(user);
            }
        }
        if (i < page.items().size()) {
            walk.took(ids, i);
        } else if (page.next().isPresent()) {
            walk.page++;
            walk.nextPage();
        } else {
            walk.invitations = true;
            walk.nextPage();
        }
    }

    /** A member who joined after the profiles were read gets theirs now, by one GraphQL query. */
    private void lookUpLateJoiner(Session session, OrganizationRef org, OrganizationMember member, OrganizationData profiles) {
        Optional<Connection<MemberNode>> found = access.call(session,
                buildkite -> buildkite.graphql().members().byEmail(org.slug(), member.email()));
        found.ifPresent(connection -> profiles.addProfile(
                OrganizationReader.profileOf(connection.nodes().get(0), connection.raw().get(0))));
    }

    private void readInvitations(Session session, ListQuery query, UserFilters filters, OrganizationWalk walk, OrganizationRef org,
                                 List<UnifiedUser> result) {
        Connection<InvitationNode> page = access.call(session, buildkite -> buildkite.graphql().invitations()
                .list(org.slug(), MEMBER_PAGE, walk.after, List.of(InvitationState.PENDING)));
        List<String> ids = page.nodes().stream().map(InvitationNode::uuid).toList();
        int i = walk.start(ids);
        for (; i < page.nodes().size() && result.size() < query.limit(); i++) {
            UnifiedUser user = UserMapping.invitation(org, page.nodes().get(i), page.raw().get(i), query.includeRemoteData());
            if (filters.matches(user)) {
                result.add(user);
            }
        }
        if (i < page.nodes().size()) {
            walk.took(ids, i);
        } else if (page.next().isPresent()) {
            walk.after = page.next().get();
            walk.nextPage();
        } else {
            walk.nextOrganization();
        }
    }

    /**
     * One user by id: a member (by user UUID) or a pending invitation (by its UUID), in the given
     * organization or the first reachable one that has it.
     */
    public Fetched<UnifiedUser> get(Session session, String id, String organizationId, boolean includeRemoteData, Duration maxAge) {
        String userId = ListQuery.requireUuid("id", id);
        List<OrganizationRef> orgs = ListQuery.onlyOrganization(
                access.organizations(session), organizationId);
        for (OrganizationRef org : orgs) {
            Optional<Fetched<UnifiedUser>> member = member(session, org, userId, includeRemoteData, maxAge);
            if (member.isPresent()) {
                return member.get();
            }
        }
        for (OrganizationRef org : orgs) {
            Optional<UnifiedUser> invited = invitation(session, org, userId, includeRemoteData);
            if (invited.isPresent()) {
                return new Fetched<>(invited.get(), null); // read live
            }
        }
        throw ApiError.notFound("no user or pending invitation " + userId + " in the organizations this account reaches");
    }

    private Optional<Fetched<UnifiedUser>> member(Session session, OrganizationRef org, String userId, boolean includeRemoteData,
                                                  Duration maxAge) {
        Optional<WithJson<OrganizationMember>> found = access.find(session,
                buildkite -> buildkite.organizations().memberWithJson(org.slug(), userId));
        if (found.isEmpty()) {
            return Optional.empty(); // not a member of this organization
        }
        OrganizationMember member = found.get().value();
        JsonNode raw = found.get().json();
        if (!data.usable(session, org.slug(), ALL_PARTS, maxAge)) {
            // Nothing kept for the organization that is young enough: one user is read alone, not the whole organization first.
            OrganizationReader.OneMember live = reader.member(session, org.slug(), member, session.deadline());
            return Optional.of(new Fetched<>(UserMapping.member(org, member, raw, live.profile(), live.teams(), includeRemoteData),
                    null));
        }
        OrganizationDataService.View view = access.call(session, () -> data.ensure(session, org.slug(), ALL_PARTS, maxAge,
                session.deadline().minus(PAGE_RESERVE)));
        if (view.profiles().profile(member.id()).isEmpty()) {
            lookUpLateJoiner(session, org, member, view.profiles());
        }
        return Optional.of(new Fetched<>(UserMapping.member(org, member, raw, view.profiles().profile(member.id()),
                view.rosters().teamsOf(member.id()), includeRemoteData), view.age(session.now())));
    }

    private Optional<UnifiedUser> invitation(Session session, OrganizationRef org, String invitationId, boolean includeRemoteData) {
        String after = null;
        do {
            String cursor = after;
            Connection<InvitationNode> page = access.call(session, buildkite -> buildkite.graphql().invitations()
                    .list(org.slug(), MEMBER_PAGE, cursor, List.of(InvitationState.PENDING)));
            for (int i = 0; i < page.nodes().size(); i++) {
                if (page.nodes().get(i).uuid().equals(invitationId)) {
                    return Optional.of(UserMapping.invitation(org, page.nodes().get(i), page.raw().get(i), includeRemoteData));
                }
            }
            after = page.next().orElse(null);
        } while (after != null);
        return Optional.empty();
    }
}
