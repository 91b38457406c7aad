package dev.kitebridge.buildkite;

import java.util.Locale;

/** Where an invitation stands; REST lists only pending ones. REST spells it in lowercase, GraphQL in uppercase; both read. */
public enum InvitationState {
    PENDING, ACCEPTED, REVOKED, EXPIRED;

    /** REST's spelling. */
    public String rest() {
        return name().toLowerCase(Locale.ROOT);
    }
}
