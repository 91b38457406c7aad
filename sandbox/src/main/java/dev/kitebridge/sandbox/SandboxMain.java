package dev.kitebridge.sandbox;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

import dev.kitebridge.sandbox.limits.RateLimits;
import dev.kitebridge.sandbox.model.Population;

/**
 * {@code java -jar kitebridge-sandbox.jar --members 2000 --teams 50}: starts a sandbox and prints
 * its URLs and a ready token.
 */
public final class SandboxMain {

    private static final String USAGE = """
            usage: java -jar kitebridge-sandbox.jar [options]
              --members N          members per organization (default 200)
              --teams T            teams per organization (default 10)
              --organizations K    organizations (default 1)
              --seed S             data seed (default 42)
              --enterprise K       the first K organizations on the Enterprise plan (audit log; default 0)
              --port P             port on 127.0.0.1 (default 8787; 0 takes a free one)
              --time-scale X       Buildkite seconds per real second (default 1)
              --rest-user-limit L  REST requests per user per window (default 50)
              --no-user-limits     answer as before April 2026, without per-user limits
            """;

    private SandboxMain() {}

    public static void main(String[] args) throws InterruptedException {
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.err.print(USAGE);
            System.exit(2);
            return;
        }
        if (options.help) {
            System.out.print(USAGE);
            return;
        }
        Population population = Population.of(options.members, options.teams)
                .withSeed(options.seed)
                .withOrganizations(options.organizations, options.organizations > 2 ? 1 : 0)
                .withEnterprise(Math.min(options.enterprise, options.organizations));
        RateLimits limits = RateLimits.BUILDKITE.withRest(RateLimits.BUILDKITE.restPerOrganization(), options.restUserLimit)
                .withPerUserLimits(options.userLimits);
        Sandbox sandbox = Sandbox.builder().population(population).limits(limits)
                .timeScale(options.timeScale).port(options.port).start();
        Runtime.getRuntime().addShutdownHook(new Thread(sandbox::close));
        System.out.println("Buildkite sandbox is up.");
        System.out.println("  REST v2:  " + sandbox.restUrl() + "/v2");
        System.out.println("  GraphQL:  " + sandbox.graphqlUrl());
        System.out.println("  Token:    " + sandbox.token());
        System.out.println("  Try:      curl -i -H \"Authorization: Bearer " + sandbox.token() + "\" "
                + sandbox.restUrl() + "/v2/organizations");
        System.out.println("Ctrl-C stops it.");
        new CountDownLatch(1).await();
    }

    private static final class Options {
        int members = 200;
        int teams = 10;
        int organizations = 1;
        long seed = 42;
        int enterprise;
        int port = 8787;
        double timeScale = 1;
        int restUserLimit = RateLimits.BUILDKITE.restPerUser();
        boolean userLimits = true;
        boolean help;

        static Options parse(String[] args) {
            Options o = new Options();
            List<String> rest = new ArrayList<>(List.of(args));
            while (!rest.isEmpty()) {
                String flag = rest.remove(0);
                switch (flag) {
                    case "--members" -> o.members = positive(flag, value(flag, rest));
                    case "--teams" -> o.teams = (int) number(flag, value(flag, rest));
                    case "--organizations" -> o.organizations = positive(flag, value(flag, rest));
                    case "--seed" -> o.seed = number(flag, value(flag, rest));
                    case "--enterprise" -> o.enterprise = (int) number(flag, value(flag, rest));
                    case "--port" -> o.port = (int) number(flag, value(flag, rest));
                    case "--time-scale" -> o.timeScale = Double.parseDouble(value(flag, rest));
                    case "--rest-user-limit" -> o.restUserLimit = positive(flag, value(flag, rest));
                    case "--no-user-limits" -> o.userLimits = false;
                    case "--help", "-h" -> o.help = true;
                    default -> throw new IllegalArgumentException("unknown option " + flag);
                }
            }
            return o;
        }

        private static String value(String flag, List<String> rest) {
            if (rest.isEmpty()) {
                throw new IllegalArgumentException(flag + " needs a value");
            }
            return rest.remove(0);
        }

        private static long number(String flag, String value) {
            try {
                return Long.parseLong(value);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(flag + " takes a whole number, not " + value);
            }
        }

        private static int positive(String flag, String value) {
            long n = number(flag, value);
            if (n < 1) {
                throw new IllegalArgumentException(flag + " must be at least 1");
            }
            return (int) n;
        }
    }
}
