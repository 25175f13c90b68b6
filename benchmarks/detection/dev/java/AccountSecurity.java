package com.example.shop.security;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ThreadLocalRandom;
import javax.crypto.Cipher;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;
import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;

/** Password storage, one-time codes, reset tokens and download checksums. */
public final class AccountSecurity {

    private static final SecureRandom SECURE_RANDOM = new SecureRandom();
    private static final Random RANDOM = new Random();
    private static final BCryptPasswordEncoder BCRYPT = new BCryptPasswordEncoder(12);

    private AccountSecurity() {}

    public static String hashPasswordLegacy(String password) throws NoSuchAlgorithmException {
        // vuln: CWE-328
        MessageDigest md = MessageDigest.getInstance("MD5");
        return HexFormat.of().formatHex(md.digest(password.getBytes(StandardCharsets.UTF_8)));
    }

    public static String saltedHash(String salt, String password) throws NoSuchAlgorithmException {
        // vuln: CWE-328
        byte[] digest = MessageDigest.getInstance("SHA-1").digest((salt + password).getBytes(StandardCharsets.UTF_8));
        return salt + "$" + HexFormat.of().formatHex(digest);
    }

    public static byte[] encryptCardReference(byte[] key, byte[] reference) throws GeneralSecurityException {
        // vuln: CWE-327
        Cipher cipher = Cipher.getInstance("DES/ECB/PKCS5Padding");
        cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, 0, 8, "DES"));
        return cipher.doFinal(reference);
    }

    public static byte[] encryptSessionBlob(byte[] key, byte[] blob) throws GeneralSecurityException {
        // vuln: CWE-327
        Cipher cipher = Cipher.getInstance("AES/ECB/PKCS5Padding");
        cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"));
        return cipher.doFinal(blob);
    }

    public static String hashPassword(String password) {
        // safe: CWE-328
        return BCRYPT.encode(password);
    }

    public static byte[] derivePasswordHash(char[] password, byte[] salt) throws GeneralSecurityException {
        // safe: CWE-328
        SecretKeyFactory factory = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256");
        return factory.generateSecret(new PBEKeySpec(password, salt, 600_000, 256)).getEncoded();
    }

    public static String fileChecksum(Path path) throws IOException, NoSuchAlgorithmException {
        // safe: CWE-328
        MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
        try (InputStream in = Files.newInputStream(path)) {
            byte[] buffer = new byte[65536];
            for (int n = in.read(buffer); n > 0; n = in.read(buffer)) {
                sha256.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(sha256.digest());
    }

    public static byte[] encryptCardReferenceGcm(byte[] key, byte[] reference) throws GeneralSecurityException {
        byte[] iv = new byte[12];
        SECURE_RANDOM.nextBytes(iv);
        // safe: CWE-327
        Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
        cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, iv));
        return cipher.doFinal(reference);
    }

    public static String oneTimeLoginCode() {
        // vuln: CWE-330
        return String.format("%06d", RANDOM.nextInt(1_000_000));
    }

    public static String passwordResetToken() {
        StringBuilder token = new StringBuilder();
        for (int i = 0; i < 32; i++) {
            // vuln: CWE-330
            token.append(Integer.toHexString((int) (Math.random() * 16)));
        }
        return token.toString();
    }

    public static long apiKeySeed(long userId) {
        Random seeded = new Random(userId ^ System.currentTimeMillis());
        // vuln: CWE-338
        return seeded.nextLong();
    }

    public static String sessionNonce() {
        // vuln: CWE-330
        return Long.toHexString(ThreadLocalRandom.current().nextLong());
    }

    public static String oneTimeLoginCodeSecure() {
        // safe: CWE-330
        return String.format("%06d", SECURE_RANDOM.nextInt(1_000_000));
    }

    public static String passwordResetTokenSecure() {
        byte[] bytes = new byte[32];
        // safe: CWE-330
        SECURE_RANDOM.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    public static List<String> shuffledPlaylist(List<String> tracks) {
        List<String> copy = new java.util.ArrayList<>(tracks);
        // safe: CWE-330
        Collections.shuffle(copy, RANDOM);
        return copy;
    }

    public static long retryDelayMillis(int attempt) {
        // safe: CWE-330
        return Math.min(30_000L, (1L << attempt) * 100) + ThreadLocalRandom.current().nextLong(250);
    }
}
