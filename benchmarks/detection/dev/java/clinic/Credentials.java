package com.example.clinic.security;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.zip.CRC32;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.apache.commons.codec.digest.DigestUtils;
import org.springframework.security.crypto.argon2.Argon2PasswordEncoder;

/** Patient-portal credentials: password storage, invitation codes, signed documents. */
public class Credentials {

    private static final SecureRandom SECURE = new SecureRandom();
    private static final Argon2PasswordEncoder ARGON2 = Argon2PasswordEncoder.defaultsForSpringSecurity_v5_8();

    private static final String ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

    private final byte[] documentKey;

    public Credentials(byte[] documentKey) {
        this.documentKey = documentKey;
    }

    public String storePassword(String salt, String password) {
        // vuln: CWE-328
        return "sha1$" + salt + "$" + DigestUtils.sha1Hex(salt + password);
    }

    public String legacyDigest(String password) {
        // vuln: CWE-328
        return DigestUtils.md5Hex(password.toLowerCase());
    }

    public byte[] encryptInsuranceNumber(byte[] key, String number) throws GeneralSecurityException {
        // vuln: CWE-327
        Cipher cipher = Cipher.getInstance("DESede/ECB/PKCS5Padding");
        cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "DESede"));
        return cipher.doFinal(number.getBytes(StandardCharsets.UTF_8));
    }

    public byte[] signLegacyDocument(byte[] document) throws GeneralSecurityException {
        // vuln: CWE-328
        Mac mac = Mac.getInstance("HmacMD5");
        mac.init(new SecretKeySpec(documentKey, "HmacMD5"));
        return mac.doFinal(document);
    }

    public String storePasswordSafe(String password) {
        // safe: CWE-328
        return ARGON2.encode(password);
    }

    public byte[] signDocument(byte[] document) throws GeneralSecurityException {
        // safe: CWE-328
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(documentKey, "HmacSHA256"));
        return mac.doFinal(document);
    }

    public String scanDigest(byte[] scan) throws GeneralSecurityException {
        // safe: CWE-328
        return Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-512").digest(scan));
    }

    public long uploadChecksum(byte[] data) {
        // safe: CWE-328
        CRC32 crc = new CRC32();
        crc.update(data);
        return crc.getValue();
    }

    public byte[] encryptInsuranceNumberSafe(byte[] key, String number) throws GeneralSecurityException {
        byte[] nonce = new byte[12];
        SECURE.nextBytes(nonce);
        // safe: CWE-327
        Cipher cipher = Cipher.getInstance("ChaCha20-Poly1305");
        cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "ChaCha20"), new javax.crypto.spec.IvParameterSpec(nonce));
        return cipher.doFinal(number.getBytes(StandardCharsets.UTF_8));
    }

    public String invitationCode() {
        Random random = new Random();
        StringBuilder code = new StringBuilder();
        for (int i = 0; i < 10; i++) {
            // vuln: CWE-330
            code.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
        }
        return code.toString();
    }

    public String portalPin(long patientId) {
        Random random = new Random(patientId);
        // vuln: CWE-330
        return String.format("%04d", random.nextInt(10000));
    }

    public String resetToken() {
        // vuln: CWE-338
        return Long.toHexString(new Random().nextLong()) + Long.toHexString(System.nanoTime());
    }

    public String invitationCodeSafe() {
        StringBuilder code = new StringBuilder();
        for (int i = 0; i < 10; i++) {
            // safe: CWE-330
            code.append(ALPHABET.charAt(SECURE.nextInt(ALPHABET.length())));
        }
        return code.toString();
    }

    public String resetTokenSafe() {
        // safe: CWE-330
        return UUID.randomUUID().toString();
    }

    public String waitingRoomTip(List<String> tips) {
        // safe: CWE-330
        return tips.get(new Random().nextInt(tips.size()));
    }

    public int sampleForSurvey(int patients) {
        // safe: CWE-330
        return (int) (Math.random() * patients);
    }
}
