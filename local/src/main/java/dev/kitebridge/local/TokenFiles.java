package dev.kitebridge.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;

import dev.kitebridge.access.TokenVault;
import dev.kitebridge.buildkite.BuildkiteToken;
import dev.kitebridge.tenants.ApiKeyStore;

/**
 * The dev server's token vault when its state outlives it and no Secrets Manager stand-in is named:
 * a file per account in a folder only its owner may read, as the AWS CLI keeps credentials. Never
 * used in AWS, where tokens live in Secrets Manager.
 */
final class TokenFiles implements TokenVault {

    private final Path folder;

    TokenFiles(Path folder) {
        this.folder = folder;
        try {
            Files.createDirectories(folder);
            ownerOnly(folder, "rwx------");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot make the token folder " + folder, e);
        }
    }

    @Override
    public void put(String accountId, BuildkiteToken token) {
        Path file = fileOf(accountId);
        try {
            // Written whole, then moved into place: a reader never sees half a token.
            Path partial = Files.createTempFile(folder, "token", ".partial");
            try {
                ownerOnly(partial, "rw-------");
                Files.writeString(partial, token.reveal(), StandardCharsets.UTF_8);
                try {
                    Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                Files.deleteIfExists(partial); // gone after a move; a failed write leaves no token behind
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot keep the token of account " + accountId, e);
        }
    }

    @Override
    public Optional<BuildkiteToken> get(String accountId) {
        try {
            return Optional.of(BuildkiteToken.of(Files.readString(fileOf(accountId), StandardCharsets.UTF_8)));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the token of account " + accountId, e);
        }
    }

    @Override
    public void delete(String accountId) {
        try {
            Files.deleteIfExists(fileOf(accountId));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete the token of account " + accountId, e);
        }
    }

    /** Named by the id's hash: any id, however odd, is one file inside the folder. */
    private Path fileOf(String accountId) {
        return folder.resolve(ApiKeyStore.hash(accountId) + ".token");
    }

    private static void ownerOnly(Path path, String permissions) throws IOException {
        if (path.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString(permissions));
        }
    }
}
