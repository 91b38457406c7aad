package dev.kitebridge.directory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;

import dev.kitebridge.access.BuildkiteAccess;
import dev.kitebridge.access.OrganizationRef;
import dev.kitebridge.access.Session;
import dev.kitebridge.buildkite.Page;
import dev.kitebridge.buildkite.PageRequest;
import dev.kitebridge.buildkite.WithJson;
import dev.kitebridge.buildkite.rest.Team;
import dev.kitebridge.buildkite.rest.TeamMember;
import dev.kitebridge.buildkite.rest.TeamPipeline;
import dev.kitebridge.contract.ApiError;
import dev.kitebridge.directory.model.UnifiedGroup;
import dev.kitebridge.directory.orgdata.OrganizationData;
import dev.kitebridge.directory.orgdata.OrganizationDataService;
import dev.kitebridge.directory.orgdata.OrganizationReader;
import dev.kitebridge.directory.orgdata.TeamRoster;

/**
 * Groups: the Buildkite teams the token's user can see, organization by organization. A page is
 * one live REST page of teams (100 a request); member counts and pipelines come from the
 * organization's cached rosters.
 */
public final class GroupsService {

    public static final String RESOURCE = "groups";
    public static final Set<String> FILTERS = Set.of("organization_id", "user_id", "privacy");
    static final int TEAM_PAGE = 100;

    static final Set<OrganizationData.Part> ROSTERS = EnumSet.of(OrganizationData.Part.ROSTERS);

    private final BuildkiteAccess access;
    private final OrganizationDataService data;
    private final Cursors cursors;

    public GroupsService(BuildkiteAccess access, OrganizationDataService data, Cursors cursors) {
        this.access = access;
        this.data = data;
        this.cursors = cursors;
    }

    public ListPage<UnifiedGroup> list(Session session, ListQuery query) {
        String userId = query.filters().get("user_id") == null ? null : ListQuery.requireUuid("user_id", query.filters().get("user_id"));
        String privacy = query.filters().get("privacy");
        if (privacy != null && !privacy.equals("visible") && !privacy.equals("secret")) {
            throw ApiError.invalidRequest("privacy must be visible or secret, not '" + privacy + "'");
        }
        Map<String, String> position = cursors.position(session, RESOURCE, query);
        OrganizationWalk walk;
        if (position.isEmpty()) {
            walk = new OrganizationWalk();
            walk.orgs = ListQuery.onlyOrganization(access.organizations(session), query.filters().get("organization_id"));
        } else {
            walk = OrganizationWalk.from(position);
        }
        List<UnifiedGroup> result = new ArrayList<>();
        Duration dataAge = null;
        boolean progressed = false;
        while (result.size() < query.limit() && walk.org < walk.orgs.size()) {
            if (progressed && session.timeLeft().compareTo(UsersService.ENOUGH_FOR_ANOTHER_PAGE) < 0) {
                break;
            }
            OrganizationRef current = walk.orgs.get(walk.org);
            OrganizationDataService.View view;
            try {
                view = access.call(session, () -> data.ensure(session, current.slug(), ROSTERS, query.maxAge(),
                        session.deadline().minus(UsersService.PAGE_RESERVE)));
            } catch (ApiError stopped) {
                if (!progressed || stopped.status() != 429) {
                    throw stopped;
                }
                break;
            }
            Duration age = view.age(session.now());
            dataAge = dataAge == null || age.compareTo(dataAge) > 0 ? age : dataAge;
            PageRequest request = new PageRequest(Map.of("page", Integer.toString(walk.page), "per_page", Integer.toString(TEAM_PAGE)));
            PageRequest filtered = userId == null ? request : request.with("user_id", userId);
            Page<Team> teams = access.call(session, buildkite -> buildkite.teams().list(current.slug(), filtered));
            List<String> ids = teams.items().stream().map(Team::id).toList();
            int i = walk.start(ids);
            for (; i < teams.items().size() && result.size() < query.limit(); i++) {
                Team team = teams.items().get(i);
                if (privacy == null || team.privacy() != null && privacy.equals(team.privacy().rest())) {
                    result.add(group(current, team, teams.raw().get(i), view.rosters(), query.includeRemoteData()));
                }
            }
            if (i < teams.items().size()) {
                walk.took(ids, i);
            } else if (teams.next().isPresent()) {
                walk.page++;
                walk.nextPage();
            } else {
                walk.nextOrganization();
            }
            progressed = true;
        }
        String next = walk.org < walk.orgs.size() ? cursors.issue(session, RESOURCE, query, walk.position()) : null;
        return new ListPage<>(result, next, dataAge);
    }

    /** One group by its team UUID, in the given organization or the first reachable one that has it. */
    public Fetched<UnifiedGroup> get(Session session, String id, String organizationId, boolean includeRemoteData, Duration maxAge) {
        String teamId = ListQuery.requireUuid("id", id);
        List<OrganizationRef> orgs = ListQuery.onlyOrganization(
                access.organizations(session), organizationId);
        for (OrganizationRef org : orgs) {
            Optional<WithJson<Team>> found = access.find(session, buildkite -> buildkite.teams().getWithJson(org.slug(), teamId));
            if (found.isEmpty()) {
                continue; // in another organization
            }
            Team team = found.get().value();
            JsonNode raw = found.get().json();
            if (!data.usable(session, org.slug(), ROSTERS, maxAge)) {
                // Nothing kept for the organization that is young enough: this team's roster is read alone, not every team's first.
                return new Fetched<>(group(org, team, raw, Optional.of(liveRoster(session, org, team)), includeRemoteData), null);
            }
            OrganizationDataService.View view = access.call(session, () -> data.ensure(session, org.slug(), ROSTERS, maxAge,
                    session.deadline().minus(UsersService.PAGE_RESERVE)));
            return new Fetched<>(group(org, team, raw, view.rosters(), includeRemoteData), view.age(session.now()));
        }
        throw ApiError.notFound("no group " + teamId + " in the organizations this account reaches");
    }

    /** One team's members and pipelines, page by page. */
    private TeamRoster liveRoster(Session session, OrganizationRef org, Team team) {
        List<TeamRoster.Member> members = new ArrayList<>();
        Optional<PageRequest> next = Optional.of(PageRequest.first(PageRequest.MAX_PER_PAGE));
        while (next.isPresent()) {
            PageRequest request = next.get();
            Page<TeamMember> page = access.call(session, buildkite -> buildkite.teams().members(org.slug(), team.id(), request));
            page.items().forEach(m -> members.add(new TeamRoster.Member(m.userId(), m.role())));
            next = page.next();
        }
        List<TeamRoster.PipelineAccess> pipelines = new ArrayList<>();
        next = Optional.of(PageRequest.first(PageRequest.MAX_PER_PAGE));
        while (next.isPresent()) {
            PageRequest request = next.get();
            Page<TeamPipeline> page = access.call(session, buildkite -> buildkite.teams().pipelines(org.slug(), team.id(), request));
            page.items().forEach(p -> pipelines.add(OrganizationReader.pipelineAccessOf(p)));
            next = page.next();
        }
        return new TeamRoster(team.id(), team.slug(), team.name(), members, pipelines);
    }

    static UnifiedGroup group(OrganizationRef org, Team team, JsonNode raw, OrganizationData rosters, boolean includeRemoteData) {
        return group(org, team, raw, rosters.roster(team.id()), includeRemoteData);
    }

    /** A team in the unified shape; without its roster, members_count is null and pipelines empty. */
    static UnifiedGroup group(OrganizationRef org, Team team, JsonNode raw, Optional<TeamRoster> roster, boolean includeRemoteData) {
        List<UnifiedGroup.Pipeline> pipelines = roster.map(r -> r.pipelines().stream()
                .map(p -> new UnifiedGroup.Pipeline(p.pipelineUuid(), p.slug(), lower(p.accessLevel()))).toList())
                .orElse(List.of());
        return new UnifiedGroup(team.id(), team.name(), team.slug(), team.description(), org.id(), UnifiedGroup.TEAM,
                lower(team.privacy()), team.isDefault(), lower(team.defaultMemberRole()),
                roster.map(r -> r.members().size()).orElse(null), pipelines, team.createdAt(),
                includeRemoteData ? raw : null);
    }

    private static String lower(Enum<?> value) {
        return value == null ? null : value.name().toLowerCase(Locale.ROOT);
    }
}
