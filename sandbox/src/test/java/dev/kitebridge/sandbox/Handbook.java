package dev.kitebridge.sandbox;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import org.junit.jupiter.api.Assumptions;

/**
 * The team handbook's reference files (../shared/reference), which tests read in place. Outside
 * the team they are absent, and the tests that need them say so and skip; in CI they are present.
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
        Assumptions.assumeTrue(path.isPresent(), () -> "skipped: the handbook's reference/" + file
                + " is not here (a clone outside the team); set -Dkitebridge.handbook=<handbook dir> to run this test");
        return path.get();
    }
}
