package dev.kitebridge.buildkite;

import java.util.Locale;

/** A team member's role; maintainers manage the team's pipelines and members. REST spells it in lowercase, GraphQL in uppercase; both read. */
public enum TeamRole {
    MAINTAINER, MEMBER;

    /** REST's spelling. */
    public String rest() {
        return name().toLowerCase(Locale.ROOT);
    }
}
