package dev.kitebridge.local;

/** What stops the dev server from starting, said in one line. */
final class StartFailed extends Exception {

    StartFailed(String message) {
        super(message, null, false, false);
    }
}
