package dev.kitebridge.buildkite;

import java.util.Locale;

/** An organization member's role. REST spells it in lowercase, GraphQL in uppercase; both read. */
public enum OrganizationRole {
    ADMIN, MEMBER;

    /** REST's spelling. */
    public String rest() {
        return name().toLowerCase(Locale.ROOT);
    }
}
