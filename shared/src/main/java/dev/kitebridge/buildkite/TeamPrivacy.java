package dev.kitebridge.buildkite;

import java.util.Locale;

/** Secret teams are seen only by organization admins and their own members. REST spells it in lowercase, GraphQL in uppercase; both read. */
public enum TeamPrivacy {
    VISIBLE, SECRET;

    /** REST's spelling. */
    public String rest() {
        return name().toLowerCase(Locale.ROOT);
    }
}
