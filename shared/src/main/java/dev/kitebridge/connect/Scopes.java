package dev.kitebridge.connect;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.kitebridge.accounts.AccountsService;

/**
 * The Buildkite scopes Kitebridge uses, as the connect page teaches them: what to tick on
 * Buildkite's new-token page, and what the customer loses without each.
 */
public final class Scopes {

    /** One scope: its name, its label on Buildkite's page, and what does not work without it. */
    public record Scope(String name, String buildkiteLabel, String withoutIt) {}

    private static final Map<String, Scope> CATALOG = new LinkedHashMap<>();

    static {
        add("read_user", "Read User (REST API scopes)",
                "the token's own user cannot be read: \"me\" (who connected) will not work");
        add("read_organizations", "Read Organizations (REST API scopes)",
                "organizations and their members cannot be read: users, organizations and syncs will not work");
        add("read_teams", "Read Teams (REST API scopes)",
                "teams cannot be read: groups, people's teams and team roles, and syncs will not work");
        add("graphql", "Enable GraphQL API access (GraphQL API)",
                "2FA status, last seen, bot and service-account types, avatars and pending invitations cannot be read: "
                        + "user lists and syncs need them");
        add("write_teams", "Write Teams (REST API scopes)",
                "groups cannot be created, changed or deleted, and people cannot be added to or removed from them");
        add("write_organizations", "Write Organizations (REST API scopes)",
                "members' roles cannot be changed, and members cannot be removed (deprovisioning)");
        add("write_organization_invitations", "Write Organization Invitations (REST API scopes)",
                "people cannot be invited to the organization");
    }

    /** What a session asks for when the tenant names nothing: what the directory's reads need. */
    public static final List<String> DEFAULT_REQUIRED = AccountsService.READ_SCOPES;

    private Scopes() {}

    private static void add(String name, String label, String withoutIt) {
        CATALOG.put(name, new Scope(name, label, withoutIt));
    }

    /** Every scope Kitebridge uses, reads first. */
    public static List<Scope> all() {
        return List.copyOf(CATALOG.values());
    }

    public static boolean known(String name) {
        return CATALOG.containsKey(name);
    }

    /** The scopes of Kitebridge's that a token lacks, in the catalog's order. */
    public static List<Scope> missing(List<String> granted) {
        List<Scope> missing = new ArrayList<>();
        for (Scope scope : CATALOG.values()) {
            if (!granted.contains(scope.name())) {
                missing.add(scope);
            }
        }
        return missing;
    }
}
