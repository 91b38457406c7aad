package dev.kitebridge.sandbox.model;

/**
 * What the data generator builds. One seed always gives the same world.
 *
 * @param organizations how many organizations; the token owner is an admin of each
 * @param membersPerOrganization exact member count of each organization, the token owner included
 * @param teamsPerOrganization exact team count of each organization
 * @param teamsPerMember the mean number of teams a member belongs to (team sizes are skewed)
 * @param secretTeamShare share of teams that are secret
 * @param adminShare share of members who are admins
 * @param botsPerOrganization members that are Buildkite bots
 * @param machineUsersPerOrganization members that are machine users
 * @param sharedMemberShare share of each later organization's members who also belong to the first
 * @param pendingInvitationsPerOrganization pending invitations (a few accepted and revoked ones are added too)
 * @param nonAsciiShare share of people whose names are not plain ASCII
 * @param legacyOrganizations how many organizations (the last ones) answer REST members without the
 *     2026 fields {@code role} and {@code sso_mode}
 * @param enterpriseOrganizations how many organizations (the first ones) are on the Enterprise plan,
 *     which alone has the audit log; none unless asked ({@link #withEnterprise(int)})
 */
public record Population(
        long seed,
        int organizations,
        int membersPerOrganization,
        int teamsPerOrganization,
        double teamsPerMember,
        double secretTeamShare,
        double adminShare,
        int botsPerOrganization,
        int machineUsersPerOrganization,
        double sharedMemberShare,
        int pendingInvitationsPerOrganization,
        double nonAsciiShare,
        int legacyOrganizations,
        int enterpriseOrganizations) {

    /** A population with no organization on the Enterprise plan. */
    public Population(long seed, int organizations, int membersPerOrganization, int teamsPerOrganization,
                      double teamsPerMember, double secretTeamShare, double adminShare, int botsPerOrganization,
                      int machineUsersPerOrganization, double sharedMemberShare, int pendingInvitationsPerOrganization,
                      double nonAsciiShare, int legacyOrganizations) {
        this(seed, organizations, membersPerOrganization, teamsPerOrganization, teamsPerMember, secretTeamShare,
                adminShare, botsPerOrganization, machineUsersPerOrganization, sharedMemberShare,
                pendingInvitationsPerOrganization, nonAsciiShare, legacyOrganizations, 0);
    }

    public Population {
        if (enterpriseOrganizations < 0 || enterpriseOrganizations > organizations) {
            throw new IllegalArgumentException("enterprise organizations must be 0.." + organizations);
        }
        if (organizations < 1) {
            throw new IllegalArgumentException("at least one organization is needed");
        }
        if (membersPerOrganization < 1) {
            throw new IllegalArgumentException("an organization needs at least its token owner as a member");
        }
        if (teamsPerOrganization < 0 || teamsPerOrganization > World.MAX_TEAMS) {
            throw new IllegalArgumentException("teams per organization must be 0.." + World.MAX_TEAMS);
        }
        if (legacyOrganizations < 0 || legacyOrganizations > organizations) {
            throw new IllegalArgumentException("legacy organizations must be 0.." + organizations);
        }
    }

    /** One organization of the given size, with the usual mix of people and teams. */
    public static Population of(int members, int teams) {
        return new Population(42, 1, members, teams, 3.0, 0.1, 0.05,
                Math.min(2, members / 50), Math.min(3, members / 40), 0.2,
                Math.max(1, members / 100), 0.1, 0);
    }

    /**
     * The demo: two organizations of 200 members and 10 teams (seed 42). The local dev server and
     * the sample events in {@code events/} use it, so the ids in those events exist.
     */
    public static Population demo() {
        return of(200, 10).withOrganizations(2, 0);
    }

    public Population withSeed(long newSeed) {
        return new Population(newSeed, organizations, membersPerOrganization, teamsPerOrganization, teamsPerMember,
                secretTeamShare, adminShare, botsPerOrganization, machineUsersPerOrganization, sharedMemberShare,
                pendingInvitationsPerOrganization, nonAsciiShare, legacyOrganizations, enterpriseOrganizations);
    }

    public Population withOrganizations(int count, int legacy) {
        return new Population(seed, count, membersPerOrganization, teamsPerOrganization, teamsPerMember,
                secretTeamShare, adminShare, botsPerOrganization, machineUsersPerOrganization, sharedMemberShare,
                pendingInvitationsPerOrganization, nonAsciiShare, legacy, Math.min(enterpriseOrganizations, count));
    }

    public Population withTeamsPerMember(double mean) {
        return new Population(seed, organizations, membersPerOrganization, teamsPerOrganization, mean,
                secretTeamShare, adminShare, botsPerOrganization, machineUsersPerOrganization, sharedMemberShare,
                pendingInvitationsPerOrganization, nonAsciiShare, legacyOrganizations, enterpriseOrganizations);
    }

    public Population withPendingInvitations(int count) {
        return new Population(seed, organizations, membersPerOrganization, teamsPerOrganization, teamsPerMember,
                secretTeamShare, adminShare, botsPerOrganization, machineUsersPerOrganization, sharedMemberShare,
                count, nonAsciiShare, legacyOrganizations, enterpriseOrganizations);
    }

    /** The first {@code count} organizations on the Enterprise plan (audit log on). */
    public Population withEnterprise(int count) {
        return new Population(seed, organizations, membersPerOrganization, teamsPerOrganization, teamsPerMember,
                secretTeamShare, adminShare, botsPerOrganization, machineUsersPerOrganization, sharedMemberShare,
                pendingInvitationsPerOrganization, nonAsciiShare, legacyOrganizations, count);
    }
}
