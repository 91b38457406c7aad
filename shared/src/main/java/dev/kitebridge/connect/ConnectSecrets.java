package dev.kitebridge.connect;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.regex.Pattern;

import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

import dev.kitebridge.buildkite.BuildkiteToken;
import dev.kitebridge.tenants.ApiKeyStore;

/**
 * The secrets of a connect session, all from the one secret in its URL ({@code kbcs_} and 256
 * random bits), which is never kept: its hash finds the session; an HMAC of it is the form's CSRF
 * token (bound to the session, and of no use for another); another HMAC of it is the key that seals
 * the token waiting for confirmation (AES-256-GCM, the session's hash as associated data), so the
 * table holds a ciphertext that only the page's URL can open.
 */
public final class ConnectSecrets {

    public static final String PREFIX = "kbcs_";
    private static final Pattern SHAPE = Pattern.compile("kbcs_[A-Za-z0-9_-]{43}");
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String SEAL_VERSION = "v1.";

    private ConnectSecrets() {}

    /** A new session's secret: {@code kbcs_} and 43 base64url characters (256 random bits). */
    public static String newSecret() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** A session's public name: {@code cs_} and 24 hex digits, random (not derived from the secret). */
    static String newId() {
        byte[] bytes = new byte[12];
        RANDOM.nextBytes(bytes);
        return "cs_" + HexFormat.of().formatHex(bytes);
    }

    /** Whether a path segment could be a session's secret at all (anything else is unknown without a lookup). */
    public static boolean wellFormed(String secret) {
        return secret != null && SHAPE.matcher(secret).matches();
    }

    public static String hash(String secret) {
        return ApiKeyStore.hash(secret);
    }

    /** The form's CSRF token: an HMAC of the session's secret, so it is the same on every page of the session and no other's. */
    public static String csrfToken(String secret) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(hmac(secret, "kitebridge connect csrf v1"));
    }

    /** Whether a form's CSRF token is the session's (in constant time). */
    public static boolean csrfMatches(String secret, String offered) {
        return offered != null && MessageDigest.isEqual(csrfToken(secret).getBytes(StandardCharsets.UTF_8),
                offered.getBytes(StandardCharsets.UTF_8));
    }

    /** The token encrypted for the session: {@code v1.} and base64url(IV ‖ ciphertext ‖ tag). */
    static String seal(String secret, BuildkiteToken token) {
        try {
            byte[] iv = new byte[12];
            RANDOM.nextBytes(iv);
            Cipher cipher = cipher(Cipher.ENCRYPT_MODE, secret, iv);
            byte[] sealed = cipher.doFinal(token.reveal().getBytes(StandardCharsets.UTF_8));
            return SEAL_VERSION + Base64.getUrlEncoder().withoutPadding()
                    .encodeToString(ByteBuffer.allocate(iv.length + sealed.length).put(iv).put(sealed).array());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot seal a token: " + e.getClass().getSimpleName());
        }
    }

    /** The sealed token, opened with the URL's secret; refuses a ciphertext changed or sealed for another session. */
    static BuildkiteToken open(String secret, String sealed) {
        try {
            if (!sealed.startsWith(SEAL_VERSION)) {
                throw new IllegalStateException("a sealed token of an unknown version");
            }
            byte[] bytes = Base64.getUrlDecoder().decode(sealed.substring(SEAL_VERSION.length()));
            Cipher cipher = cipher(Cipher.DECRYPT_MODE, secret, java.util.Arrays.copyOfRange(bytes, 0, 12));
            return BuildkiteToken.of(new String(cipher.doFinal(bytes, 12, bytes.length - 12), StandardCharsets.UTF_8));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            // Never the exception's message: it is about the ciphertext, and nothing of it belongs in a log line.
            throw new IllegalStateException("the session's sealed token cannot be opened (" + e.getClass().getSimpleName() + ")");
        }
    }

    private static Cipher cipher(int mode, String secret, byte[] iv) throws GeneralSecurityException {
        Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
        cipher.init(mode, new SecretKeySpec(hmac(secret, "kitebridge connect token seal v1"), "AES"), new GCMParameterSpec(128, iv));
        cipher.updateAAD(hash(secret).getBytes(StandardCharsets.UTF_8));
        return cipher;
    }

    private static byte[] hmac(String secret, String purpose) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return mac.doFinal(purpose.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is missing from this JVM", e);
        }
    }
}
