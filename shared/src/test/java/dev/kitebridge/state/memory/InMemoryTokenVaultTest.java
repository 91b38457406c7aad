package dev.kitebridge.state.memory;

import dev.kitebridge.access.TokenVault;
import dev.kitebridge.state.TokenVaultContract;

class InMemoryTokenVaultTest extends TokenVaultContract {

    private final InMemoryTokenVault vault = new InMemoryTokenVault();

    @Override
    protected TokenVault vault() {
        return vault;
    }
}
