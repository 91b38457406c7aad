package dev.kitebridge.directory.orgdata;

import java.util.ArrayList;
import java.util.List;

import dev.kitebridge.buildkite.PipelineAccessLevel;
import dev.kitebridge.buildkite.TeamRole;

/** A team as the directory needs it beyond the team object: who is in it, and which pipelines it reaches. */
public record TeamRoster(String teamUuid, String slug, String name, List<Member> members, List<PipelineAccess> pipelines) {

    public record Member(String userUuid, TeamRole role) {}

    public record PipelineAccess(String pipelineUuid, String slug, PipelineAccessLevel accessLevel) {}

    public TeamRoster {
        members = List.copyOf(members);
        pipelines = List.copyOf(pipelines);
    }

    /** The roster with the user in it at {@code role} (added, or their role changed). */
    public TeamRoster withMember(String userUuid, TeamRole role) {
        List<Member> changed = new ArrayList<>(withoutMember(userUuid).members());
        changed.add(new Member(userUuid, role));
        return new TeamRoster(teamUuid, slug, name, changed, pipelines);
    }

    public TeamRoster withoutMember(String userUuid) {
        return new TeamRoster(teamUuid, slug, name, members.stream().filter(m -> !m.userUuid().equals(userUuid)).toList(), pipelines);
    }
}
