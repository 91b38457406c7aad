package dev.kitebridge.app;


import dev.kitebridge.access.AccountStore;
import dev.kitebridge.access.BuildkiteAccess;
import dev.kitebridge.access.TokenVault;
import dev.kitebridge.accounts.AccountsService;
import dev.kitebridge.api.AccountsEndpoints;
import dev.kitebridge.api.ConnectEndpoints;
import dev.kitebridge.api.ConnectPages;
import dev.kitebridge.api.DirectoryEndpoints;
import dev.kitebridge.api.Idempotency;
import dev.kitebridge.api.ProxyEndpoints;
import dev.kitebridge.api.Routes;
import dev.kitebridge.api.SyncEndpoints;
import dev.kitebridge.api.WebhookEndpoints;
import dev.kitebridge.api.WriteEndpoints;
import dev.kitebridge.buildkite.client.BuildkiteClient;
import dev.kitebridge.buildkite.ratelimit.InMemoryRateLimitGovernor;
import dev.kitebridge.buildkite.ratelimit.RateLimitGovernor;
import dev.kitebridge.connect.ConnectService;
import dev.kitebridge.directory.CursorStore;
import dev.kitebridge.directory.Cursors;
import dev.kitebridge.directory.GroupWrites;
import dev.kitebridge.directory.GroupsService;
import dev.kitebridge.directory.MeService;
import dev.kitebridge.directory.OrganizationsService;
import dev.kitebridge.directory.RolesService;
import dev.kitebridge.directory.UserWrites;
import dev.kitebridge.directory.UsersService;
import dev.kitebridge.directory.orgdata.OrganizationDataBuilder;
import dev.kitebridge.directory.orgdata.OrganizationReader;
import dev.kitebridge.directory.orgdata.OrganizationDataService;
import dev.kitebridge.directory.orgdata.OrganizationDataStore;
import dev.kitebridge.events.EventFeed;
import dev.kitebridge.proxy.ProxyService;
import dev.kitebridge.state.memory.InMemoryAccountStore;
import dev.kitebridge.state.memory.InMemoryApiKeyStore;
import dev.kitebridge.state.memory.InMemoryCursorStore;
import dev.kitebridge.state.memory.InMemoryIdempotencyStore;
import dev.kitebridge.state.memory.InMemoryOrganizationDataStore;
import dev.kitebridge.state.memory.InMemoryTokenVault;
import dev.kitebridge.sync.SyncLinks;
import dev.kitebridge.sync.AuditWatch;
import dev.kitebridge.sync.LightWatch;
import dev.kitebridge.sync.SyncRunner;
import dev.kitebridge.sync.SyncSchedule;
import dev.kitebridge.sync.SyncService;
import dev.kitebridge.tenants.ApiKeyStore;
import dev.kitebridge.tenants.ApiKeys;
import dev.kitebridge.tenants.IdempotencyStore;
import dev.kitebridge.time.TimeSource;
import dev.kitebridge.webhooks.WebhookDeliverer;
import dev.kitebridge.webhooks.WebhookRounds;
import dev.kitebridge.webhooks.WebhooksService;

/**
 * Kitebridge assembled: every endpoint over one set of state and one Buildkite, and the routes table that
 * reaches them; {@code time} is the clock it runs on, which the handlers' deadlines are computed on.
 */
public record Application(Routes routes, DirectoryEndpoints directory, AccountsEndpoints accounts, ProxyEndpoints proxy, SyncEndpoints sync,
                          WebhookEndpoints webhooks, AccountsService accountsService, ApiKeys apiKeys, SyncService syncService,
                          SyncSchedule syncSchedule, SyncRunner syncRunner, WebhookRounds webhookRounds, ConnectEndpoints connectSessions, ConnectPages connect,
                          ConnectService connectService, TimeSource time) {

    /**
     * The state, the Buildkite endpoints and the clocks the application runs on. Made by {@link #builder()},
     * one named part at a time; a part not given is in memory (syncs queued nowhere, connect sessions and
     * webhooks to public targets in memory), on Buildkite itself, on the system clock.
     *
     * @param time   Buildkite's time: budgets, deadlines, sync runs (a sandbox's may run fast)
     * @param people people's time: API keys, idempotency leases and connect sessions keep real minutes even
     *               where Buildkite's clock is a sandbox's fast one
     */
    public record Wiring(AccountStore accounts, TokenVault tokens, CursorStore cursors, OrganizationDataStore organizationData,
                         ApiKeyStore apiKeys, IdempotencyStore idempotency, RateLimitGovernor governor,
                         BuildkiteAccess.Endpoints buildkite, TimeSource time, TimeSource people, SyncState sync, ConnectState connect) {

        public static Builder builder() {
            return new Builder();
        }

        /** A builder with these parts, to change some. */
        public Builder toBuilder() {
            return new Builder().accounts(accounts).tokens(tokens).cursors(cursors).organizationData(organizationData).apiKeys(apiKeys)
                    .idempotency(idempotency).governor(governor).buildkite(buildkite).time(time).people(people).sync(sync).connect(connect);
        }

        /** The parts by name; what is not given takes its default when built. */
        public static final class Builder {

            private AccountStore accounts;
            private TokenVault tokens;
            private CursorStore cursors;
            private OrganizationDataStore organizationData;
            private ApiKeyStore apiKeys;
            private IdempotencyStore idempotency;
            private RateLimitGovernor governor;
            private BuildkiteAccess.Endpoints buildkite;
            private TimeSource time;
            private TimeSource people;
            private SyncState sync;
            private ConnectState connect;

            private Builder() {}

            public Builder accounts(AccountStore accounts) {
                this.accounts = accounts;
                return this;
            }

            public Builder tokens(TokenVault tokens) {
                this.tokens = tokens;
                return this;
            }

            public Builder cursors(CursorStore cursors) {
                this.cursors = cursors;
                return this;
            }

            public Builder organizationData(OrganizationDataStore organizationData) {
                this.organizationData = organizationData;
                return this;
            }

            public Builder apiKeys(ApiKeyStore apiKeys) {
                this.apiKeys = apiKeys;
                return this;
            }

            public Builder idempotency(IdempotencyStore idempotency) {
                this.idempotency = idempotency;
                return this;
            }

            public Builder governor(RateLimitGovernor governor) {
                this.governor = governor;
                return this;
            }

            /** Where Buildkite's REST and GraphQL APIs are (default: Buildkite itself). */
            public Builder buildkite(BuildkiteAccess.Endpoints buildkite) {
                this.buildkite = buildkite;
                return this;
            }

            /** Buildkite's time (default: the system clock). */
            public Builder time(TimeSource time) {
                this.time = time;
                return this;
            }

            /** People's time: API keys, idempotency, connect sessions (default, and always in production: the system clock). */
            public Builder people(TimeSource people) {
                this.people = people;
                return this;
            }

            /** Syncs' and webhooks' state (default: in memory, the queue dropping runs, for what never syncs: tests, tools). */
            public Builder sync(SyncState sync) {
                this.sync = sync;
                return this;
            }

            /** Connect sessions' state (default: in memory, for what never makes any: tests, tools). */
            public Builder connect(ConnectState connect) {
                this.connect = connect;
                return this;
            }

            public Wiring build() {
                return new Wiring(
                        accounts != null ? accounts : new InMemoryAccountStore(),
                        tokens != null ? tokens : new InMemoryTokenVault(),
                        cursors != null ? cursors : new InMemoryCursorStore(),
                        organizationData != null ? organizationData : new InMemoryOrganizationDataStore(),
                        apiKeys != null ? apiKeys : new InMemoryApiKeyStore(),
                        idempotency != null ? idempotency : new InMemoryIdempotencyStore(),
                        governor != null ? governor : new InMemoryRateLimitGovernor(),
                        buildkite != null ? buildkite : new BuildkiteAccess.Endpoints(BuildkiteClient.BUILDKITE_REST, BuildkiteClient.BUILDKITE_GRAPHQL),
                        time != null ? time : TimeSource.SYSTEM,
                        people != null ? people : TimeSource.SYSTEM,
                        sync != null ? sync : SyncState.inMemory((runId, delay) -> { }),
                        connect != null ? connect : ConnectState.inMemory());
            }
        }
    }

    public static Application create(Wiring wiring) {
        // People's time, not Buildkite's: keys, idempotency leases and connect sessions keep real minutes on a sandbox's fast clock.
        TimeSource people = wiring.people();
        BuildkiteAccess access = new BuildkiteAccess(wiring.accounts(), wiring.tokens(), wiring.governor(), wiring.buildkite(), wiring.time());
        Cursors cursors = new Cursors(wiring.cursors());
        // One reader of organizations, with one pool of lane threads, for the directory's data and for syncs.
        OrganizationReader reader = new OrganizationReader(access, OrganizationReader.laneThreads());
        OrganizationDataService data = new OrganizationDataService(wiring.organizationData(), new OrganizationDataBuilder(reader), access);
        UserWrites userWrites = new UserWrites(access, data);
        WriteEndpoints writes = new WriteEndpoints(access, userWrites, new GroupWrites(access, data, userWrites),
                new Idempotency(wiring.idempotency(), people));
        DirectoryEndpoints directory = new DirectoryEndpoints(access, new UsersService(access, data, reader, cursors),
                new GroupsService(access, data, cursors), new RolesService(cursors), new OrganizationsService(access, cursors),
                new MeService(access));
        SyncState sync = wiring.sync();
        EventFeed feed = new EventFeed(sync.events(), sync.runs());
        SyncService syncService = new SyncService(wiring.accounts(), sync.runs(), sync.queue(), feed, wiring.cursors(), wiring.time());
        WebhookDeliverer deliverer = new WebhookDeliverer(sync.webhooks(), sync.deadLetters(), feed, sync.webhookTargets(),
                wiring.time(), WebhookDeliverer.Policy.DEFAULT);
        WebhookEndpoints webhooks = new WebhookEndpoints(new WebhooksService(sync.webhooks(), sync.deadLetters(), wiring.accounts(), feed,
                sync.webhookTargets(), wiring.time()), deliverer, wiring.time());
        SyncSchedule syncSchedule = new SyncSchedule(wiring.accounts(), sync.runs(), syncService,
                new AuditWatch(access, sync.snapshots(), wiring.time()), new LightWatch(access, data), sync.cadence(), wiring.time());
        SyncRunner syncRunner = new SyncRunner(access, reader, data, sync.runs(), sync.snapshots(), sync.events(), wiring.time(), sync.maxDeletionShare());
        AccountsService accountsService = new AccountsService(wiring.accounts(), wiring.tokens(), wiring.organizationData(), access,
                wiring.buildkite(), wiring.time(), new SyncLinks(sync.runs(), sync.events()));
        ConnectService connect = new ConnectService(wiring.connect().sessions(), wiring.connect().redirectOrigins(), accountsService, people);
        AccountsEndpoints accounts = new AccountsEndpoints(accountsService, syncService);
        ProxyEndpoints proxy = new ProxyEndpoints(access, new ProxyService(access, cursors));
        SyncEndpoints syncEndpoints = new SyncEndpoints(syncService);
        ConnectEndpoints connectSessions = new ConnectEndpoints(connect);
        ConnectPages pages = new ConnectPages(connect);
        Routes routes = new Routes(directory, writes, accounts, proxy, syncEndpoints, webhooks, connectSessions, pages);
        return new Application(routes, directory, accounts, proxy, syncEndpoints, webhooks, accountsService,
                new ApiKeys(wiring.apiKeys(), people), syncService, syncSchedule, syncRunner, new WebhookRounds(sync.runs(), deliverer),
                connectSessions, pages, connect, wiring.time());
    }
}
