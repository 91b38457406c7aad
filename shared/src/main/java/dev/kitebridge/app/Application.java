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
import dev.kitebridge.directory.orgdata.OrganizationDataService;
import dev.kitebridge.directory.orgdata.OrganizationDataStore;
import dev.kitebridge.events.EventFeed;
import dev.kitebridge.proxy.ProxyService;
import dev.kitebridge.sync.SyncLinks;
import dev.kitebridge.sync.SyncRunner;
import dev.kitebridge.sync.SyncService;
import dev.kitebridge.tenants.ApiKeyStore;
import dev.kitebridge.tenants.ApiKeys;
import dev.kitebridge.tenants.IdempotencyStore;
import dev.kitebridge.time.TimeSource;
import dev.kitebridge.webhooks.WebhookDeliverer;
import dev.kitebridge.webhooks.WebhookRounds;
import dev.kitebridge.webhooks.WebhooksService;

/** Kitebridge assembled: every endpoint over one set of state and one Buildkite, and the routes table that reaches them. */
public record Application(Routes routes, DirectoryEndpoints directory, AccountsEndpoints accounts, ProxyEndpoints proxy, SyncEndpoints sync,
                          WebhookEndpoints webhooks, AccountsService accountsService, ApiKeys apiKeys, SyncService syncService,
                          SyncRunner syncRunner, WebhookRounds webhookRounds, ConnectEndpoints connectSessions, ConnectPages connect,
                          ConnectService connectService) {

    /** The state and the Buildkite endpoints the application runs on. */
    public record Wiring(AccountStore accounts, TokenVault tokens, CursorStore cursors, OrganizationDataStore organizationData,
                         ApiKeyStore apiKeys, IdempotencyStore idempotency, RateLimitGovernor governor,
                         BuildkiteAccess.Endpoints buildkite, TimeSource time, SyncState sync, ConnectState connect) {

        /** With connect sessions in memory (for what never makes any: tests, tools). */
        public Wiring(AccountStore accounts, TokenVault tokens, CursorStore cursors, OrganizationDataStore organizationData,
                      ApiKeyStore apiKeys, IdempotencyStore idempotency, RateLimitGovernor governor,
                      BuildkiteAccess.Endpoints buildkite, TimeSource time, SyncState sync) {
            this(accounts, tokens, cursors, organizationData, apiKeys, idempotency, governor, buildkite, time, sync, ConnectState.inMemory());
        }

        /** Without sync state of its own: syncs in memory, their queue dropping runs (for what never syncs: tests, tools). */
        public Wiring(AccountStore accounts, TokenVault tokens, CursorStore cursors, OrganizationDataStore organizationData,
                      ApiKeyStore apiKeys, IdempotencyStore idempotency, RateLimitGovernor governor,
                      BuildkiteAccess.Endpoints buildkite, TimeSource time) {
            this(accounts, tokens, cursors, organizationData, apiKeys, idempotency, governor, buildkite, time,
                    SyncState.inMemory((runId, delay) -> { }));
        }
    }

    public static Application create(Wiring wiring) {
        // People's time, not Buildkite's: keys, idempotency leases and connect sessions keep real minutes on a sandbox's fast clock.
        TimeSource people = TimeSource.SYSTEM;
        BuildkiteAccess access = new BuildkiteAccess(wiring.accounts(), wiring.tokens(), wiring.governor(), wiring.buildkite(), wiring.time());
        Cursors cursors = new Cursors(wiring.cursors());
        OrganizationDataService data = new OrganizationDataService(wiring.organizationData(), new OrganizationDataBuilder(), access);
        UserWrites userWrites = new UserWrites(access, data);
        WriteEndpoints writes = new WriteEndpoints(access, userWrites, new GroupWrites(access, data, userWrites),
                new Idempotency(wiring.idempotency(), people));
        DirectoryEndpoints directory = new DirectoryEndpoints(access, new UsersService(access, data, cursors),
                new GroupsService(access, data, cursors), new RolesService(cursors), new OrganizationsService(access, cursors),
                new MeService(access));
        SyncState sync = wiring.sync();
        EventFeed feed = new EventFeed(sync.events(), sync.runs());
        SyncService syncService = new SyncService(wiring.accounts(), sync.runs(), sync.queue(), feed, wiring.time());
        WebhookDeliverer deliverer = new WebhookDeliverer(sync.webhooks(), sync.deadLetters(), feed, sync.webhookTargets(),
                wiring.time(), WebhookDeliverer.Policy.DEFAULT);
        WebhookEndpoints webhooks = new WebhookEndpoints(new WebhooksService(sync.webhooks(), sync.deadLetters(), wiring.accounts(), feed,
                sync.webhookTargets(), wiring.time()), deliverer);
        SyncRunner syncRunner = new SyncRunner(access, sync.runs(), sync.snapshots(), sync.events(), wiring.time(), sync.maxDeletionShare());
        AccountsService accountsService = new AccountsService(wiring.accounts(), wiring.tokens(), wiring.organizationData(), access,
                wiring.buildkite(), wiring.time(), new SyncLinks(sync.runs(), sync.events()));
        ConnectService connect = new ConnectService(wiring.connect().sessions(), wiring.connect().redirectOrigins(), accountsService, people);
        AccountsEndpoints accounts = new AccountsEndpoints(accountsService);
        ProxyEndpoints proxy = new ProxyEndpoints(access, new ProxyService(access, cursors));
        SyncEndpoints syncEndpoints = new SyncEndpoints(syncService);
        ConnectEndpoints connectSessions = new ConnectEndpoints(connect);
        ConnectPages pages = new ConnectPages(connect);
        Routes routes = new Routes(directory, writes, accounts, proxy, syncEndpoints, webhooks, connectSessions, pages);
        return new Application(routes, directory, accounts, proxy, syncEndpoints, webhooks, accountsService,
                new ApiKeys(wiring.apiKeys(), people), syncService, syncRunner, new WebhookRounds(sync.runs(), deliverer),
                connectSessions, pages, connect);
    }
}
