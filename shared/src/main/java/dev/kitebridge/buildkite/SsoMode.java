package dev.kitebridge.buildkite;

import java.util.Locale;

/** Whether a member must sign in through the organization's SSO provider. REST spells it in lowercase, GraphQL in uppercase; both read. */
public enum SsoMode {
    OPTIONAL, REQUIRED;

    /** REST's spelling. */
    public String rest() {
        return name().toLowerCase(Locale.ROOT);
    }
}
