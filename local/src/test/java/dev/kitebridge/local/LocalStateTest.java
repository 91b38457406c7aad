package dev.kitebridge.local;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.api.Test;

/** The dev server's published key and the developer's token never go to real AWS state. */
class LocalStateTest {

    @Test
    void realAwsStateIsRefused() {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> LocalRuntime.localStandIns(Map.of("KITEBRIDGE_TABLE", "kitebridge-prod")));
        assertTrue(refused.getMessage().contains("KITEBRIDGE_DYNAMODB_ENDPOINT"), refused.getMessage());
        assertThrows(IllegalArgumentException.class, () -> LocalRuntime.localStandIns(Map.of("KITEBRIDGE_TABLE", "kitebridge-prod",
                "KITEBRIDGE_DYNAMODB_ENDPOINT", "http://localhost:4567")), "real Secrets Manager is refused too");
    }

    @Test
    void inMemoryOrStandInsAreFine() {
        assertTrue(LocalRuntime.localStandIns(Map.of()).isEmpty());
        assertTrue(LocalRuntime.localStandIns(Map.of("KITEBRIDGE_TABLE", "local", "KITEBRIDGE_DYNAMODB_ENDPOINT", "http://localhost:4567",
                "KITEBRIDGE_SECRETSMANAGER_ENDPOINT", "http://localhost:4566")).isPresent());
    }
}
