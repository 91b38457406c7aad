package dev.kitebridge.buildkite;

import java.util.Locale;

/** What a team may do with a pipeline. REST spells it in lowercase, GraphQL in uppercase; both read. */
public enum PipelineAccessLevel {
    READ_ONLY, BUILD_AND_READ, MANAGE_BUILD_AND_READ;

    /** REST's spelling. */
    public String rest() {
        return name().toLowerCase(Locale.ROOT);
    }
}
