package dev.kitebridge.sandbox;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import org.junit.jupiter.api.Assumptions;

/**
 * The team handbook's reference files (../shared/reference), which tests read in place. Outside
 * the team they are absent, and the tests that need them say so and skip. In CI (the {@code CI}
 * environment variable set) they must be there, so a missing file fails instead of skipping.
 */
public final class Handbook {

    private Handbook() {}

    public static Optional<Path> reference(String file) {
        String root = System.getProperty("kitebridge.handbook", "../../shared");
        Path path = Path.of(root, "reference", file).toAbsolutePath().normalize();
        return Files.isRegularFile(path) ? Optional.of(path) : Optional.empty();
    }

    /** The reference file, or the test is skipped with a message naming what is missing. */
    public static Path require(String file) {
        Optional<Path> path = reference(file);
        String missing = "the handbook's reference/" + file + " is not at " + System.getProperty("kitebridge.handbook")
                + "/reference; set -Dkitebridge.handbook=<handbook dir> to run this test";
        if (path.isEmpty() && System.getenv("CI") != null) {
            throw new AssertionError("CI must have the handbook: " + missing);
        }
        Assumptions.assumeTrue(path.isPresent(), () -> "skipped: " + missing + " (a clone outside the team)");
        return path.get();
    }
}
