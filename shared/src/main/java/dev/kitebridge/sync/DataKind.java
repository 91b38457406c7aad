package dev.kitebridge.sync;

/**
 * The kinds of an account's data a sync run reads, each confirmed on its own (see {@link Confirmed}):
 * a full run reads them all; a run that reads only some confirms only those.
 */
public enum DataKind {
    /** The member list: who is a member, with their role and SSO (REST). */
    USERS,
    /** What only GraphQL has of a member: 2FA, bot, avatar, last seen. */
    PROFILES,
    /** Teams, their rosters (members and roles) and pipelines. */
    GROUPS,
    /** Pending invitations. */
    INVITATIONS
}
