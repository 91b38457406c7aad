package dev.kitebridge.bench;

import java.time.Duration;
import java.util.List;

import dev.kitebridge.sandbox.model.Invitation;
import dev.kitebridge.sandbox.model.Organization;
import dev.kitebridge.sandbox.model.Team;
import dev.kitebridge.sandbox.model.World;

/**
 * A sandbox organization in Buildkite's units, for the benchmarks' floors: its pages of 100 on
 * REST, and its GraphQL-only fields in points (the member, its security, its user, the user's
 * avatar: 4 a member, and 4 a query; a pending invitation with SSO and up to five teams: 14).
 */
record OrganizationWork(int members, int teams, long teamMemberPages, long teamPipelinePages, long pendingInvitations) {

    static final int PAGE = 100;
    static final int POINTS_PER_MEMBER = 4;
    static final int POINTS_PER_INVITATION = 14;
    static final int QUERY_OVERHEAD = 4;

    static OrganizationWork of(World world) {
        Organization org = world.organizations().get(0);
        List<Team> teams = world.teams(org.uuid());
        return new OrganizationWork(world.members(org.uuid()).size(), teams.size(),
                teams.stream().mapToLong(t -> Math.max(1, ceil(world.teamMembers(org.uuid(), t.uuid()).size(), PAGE))).sum(),
                teams.stream().mapToLong(t -> Math.max(1, ceil(world.teamPipelines(org.uuid(), t.uuid()).size(), PAGE))).sum(),
                world.invitations(org.uuid()).stream().filter(i -> i.state() == Invitation.State.PENDING).count());
    }

    long memberPages() {
        return ceil(members, PAGE);
    }

    long teamPages() {
        return Math.max(1, ceil(teams, PAGE));
    }

    /** What the members' GraphQL-only fields cost, their queries' overhead included. */
    long memberPoints() {
        return (long) members * POINTS_PER_MEMBER + QUERY_OVERHEAD * memberPages();
    }

    /** Seconds to spend {@code work} at {@code perWindow} a window: windows open on first use, so (ceil(X/L) - 1) * W. */
    static double seconds(long work, long perWindow, Duration window) {
        return (ceil(work, perWindow) - 1) * (double) window.toSeconds();
    }

    static long ceil(long value, long unit) {
        return (value + unit - 1) / unit;
    }
}
