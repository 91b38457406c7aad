package dev.kitebridge.sync;

/**
 * What a pass of changes re-reads of an organization, named by whatever noticed the change (an
 * audit event, a light pass): one member, one team, the pending invitations, or the member list. A
 * subject covers snapshot items: a pass replaces exactly the items its subjects cover, and leaves
 * every other one as the account's snapshot has it.
 *
 * @param organizationId the organization's UUID
 * @param id the member's user UUID, the team's or the invitation's UUID; null for the invitations and the member list
 */
public record Subject(String organizationId, Kind kind, String id) {

    /**
     * USER: the member's own items (REST member, GraphQL profile) and their memberships, with each
     * membership's entry in its team's index ({@link TeamIndex}); GROUP: the team's items (the team,
     * its roster's count, its pipelines), every membership in it and its index; ROSTER: a team's
     * roster alone (its count, every membership in it and its index), what a member joining,
     * leaving or changing role in a team changes of it: not the team itself nor its pipelines;
     * INVITATIONS: every pending invitation of the organization; INVITATION: one invitation (an
     * audit event names it), read alone for a few points where the list costs some 5 an invitation;
     * MEMBERS: the organization's member list, read over REST to find who joined, left or changed
     * (see {@link MemberListReader}). It covers no item: what it finds are USER subjects added to the
     * pass, which cover their members'. COUNT: what a ROSTER covers, read as a team's member count (one
     * GraphQL query, with the team's UUID) and, of its memberships, those the pass's members' reads found otherwise
     * (up to a few), each asked alone (see {@link SubjectReader}): a membership named with its member (a USER subject), where the
     * roster's REST pages (one a hundred members) and the team's whole index to compare them with cost
     * a pass at 10,000 members a dozen requests and some 60 read units for one member's move. Read with
     * a ROSTER or GROUP of the team.
     */
    public enum Kind { USER, GROUP, ROSTER, INVITATIONS, INVITATION, MEMBERS, COUNT }

    public Subject {
        if (organizationId == null || kind == null || (kind == Kind.INVITATIONS || kind == Kind.MEMBERS) != (id == null)) {
            throw new IllegalArgumentException("a subject names an organization and, but for invitations and the member list, one member, team or invitation");
        }
    }

    public static Subject user(String organizationId, String userUuid) {
        return new Subject(organizationId, Kind.USER, userUuid);
    }

    public static Subject group(String organizationId, String teamUuid) {
        return new Subject(organizationId, Kind.GROUP, teamUuid);
    }

    /** A team's roster alone: a membership in it changed, the team did not. */
    public static Subject roster(String organizationId, String teamUuid) {
        return new Subject(organizationId, Kind.ROSTER, teamUuid);
    }

    /** A team's member count alone: a membership in it changed, named with its member (see {@link Kind#COUNT}). */
    public static Subject count(String organizationId, String teamUuid) {
        return new Subject(organizationId, Kind.COUNT, teamUuid);
    }

    public static Subject invitations(String organizationId) {
        return new Subject(organizationId, Kind.INVITATIONS, null);
    }

    public static Subject invitation(String organizationId, String invitationUuid) {
        return new Subject(organizationId, Kind.INVITATION, invitationUuid);
    }

    public static Subject members(String organizationId) {
        return new Subject(organizationId, Kind.MEMBERS, null);
    }

    /**
     * Whether this is a team's roster that the subjects also read whole (GROUP), or its count, which they read with its
     * roster (GROUP or ROSTER): it is read with them, nothing of its own.
     */
    public boolean readWith(java.util.Collection<Subject> subjects) {
        return kind == Kind.ROSTER && subjects.contains(group(organizationId, id))
                || kind == Kind.COUNT && (subjects.contains(group(organizationId, id)) || subjects.contains(roster(organizationId, id)));
    }

    /** Whether a snapshot item is one this subject's re-read replaces. */
    public boolean covers(String itemKey) {
        return switch (kind) {
            case USER -> itemKey.equals(SnapshotKeys.user(organizationId, id)) || itemKey.startsWith(SnapshotKeys.user(organizationId, id) + "/")
                    || itemKey.startsWith(SnapshotKeys.organization(organizationId) + "t/") && itemKey.endsWith("/" + id);
            case GROUP -> itemKey.equals(SnapshotKeys.group(organizationId, id)) || itemKey.startsWith(SnapshotKeys.group(organizationId, id) + "/")
                    || itemKey.startsWith(SnapshotKeys.organization(organizationId) + "u/") && itemKey.endsWith("/t/" + id)
                    || itemKey.startsWith(SnapshotKeys.roster(organizationId, id));
            case ROSTER, COUNT -> itemKey.equals(SnapshotKeys.group(organizationId, id) + "/r")
                    || itemKey.startsWith(SnapshotKeys.organization(organizationId) + "u/") && itemKey.endsWith("/t/" + id)
                    || itemKey.startsWith(SnapshotKeys.roster(organizationId, id));
            case INVITATIONS -> itemKey.startsWith(SnapshotKeys.organization(organizationId) + "i/");
            case INVITATION -> itemKey.equals(SnapshotKeys.invitation(organizationId, id));
            case MEMBERS -> false; // the members it finds changed are subjects of their own
        };
    }
}
