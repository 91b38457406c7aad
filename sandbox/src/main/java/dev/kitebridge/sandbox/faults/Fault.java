package dev.kitebridge.sandbox.faults;

/** The fault injected into one request. */
public enum Fault {
    NONE, SERVER_ERROR, RESET, TRUNCATED, RATE_LIMIT_BURST;

    public String journalName() {
        return this == NONE ? null : name().toLowerCase(java.util.Locale.ROOT);
    }
}
