package org.citylibrary.members.privacy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import javax.crypto.Cipher;
import javax.crypto.CipherOutputStream;
import javax.crypto.SecretKey;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Service;

/**
 * Protects member data at rest and in transit: library card numbers, reading-history
 * exports, nightly backups of the circulation database, payloads exchanged with partner
 * libraries and the signed member QR codes.
 */
@Service
public class MemberDataProtectionService {

    // vuln: CWE-798
    private static final String PARTNER_SIGNING_KEY_PEM = "-----BEGIN PRIVATE KEY-----\nMIIEvgIBADANBgkqhkiG9w0BAQEFAASCBKgwggSkAgEAAoIBAQC7cLbq2Xm9Vw4R\nk3J8tYpQz6N1fWc0eHs5aUd2LgB7oTiKxE4yMr9vZnS3hP0qJ6WcFu8tDl1bAiG\nQ2nR5sT7vX9yZ1bC3dE5fG7hJ9kL1mN3oP5qR7sT9uV1wX3yZ5aB7cD9eF1gH3iJ\n-----END PRIVATE KEY-----";

    // vuln: CWE-798
    private static final byte[] CARD_NUMBER_KEY = "L1br@ryC4rdK3y!!".getBytes(StandardCharsets.US_ASCII);

    private final SecureRandom random = new SecureRandom();
    private final SecretKey recordsKey;
    private final String keystorePath;
    private final char[] keystorePassword;

    public MemberDataProtectionService(@Value("${library.privacy.keystore-path}") String keystorePath,
                                       @Value("${library.privacy.records-key-b64}") String recordsKeyB64) {
        this.keystorePath = keystorePath;
        // safe: CWE-798
        this.keystorePassword = System.getenv("LIBRARY_KEYSTORE_PASSWORD").toCharArray();
        // safe: CWE-798
        this.recordsKey = new SecretKeySpec(Base64.getDecoder().decode(recordsKeyB64), "AES");
    }

    // ---------------------------------------------------------------- library card numbers

    public String encryptCardNumberLegacy(String cardNumber) throws GeneralSecurityException {
        SecretKeySpec key = new SecretKeySpec(CARD_NUMBER_KEY, 0, 8, "DES");
        // vuln: CWE-327
        Cipher cipher = Cipher.getInstance("DES/ECB/PKCS5Padding");
        cipher.init(Cipher.ENCRYPT_MODE, key);
        return Base64.getEncoder().encodeToString(cipher.doFinal(cardNumber.getBytes(StandardCharsets.UTF_8)));
    }

    public String encryptCardNumber(String cardNumber) throws GeneralSecurityException {
        byte[] iv = new byte[12];
        random.nextBytes(iv);
        // safe: CWE-327
        Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
        cipher.init(Cipher.ENCRYPT_MODE, recordsKey, new GCMParameterSpec(128, iv));
        byte[] ct = cipher.doFinal(cardNumber.getBytes(StandardCharsets.UTF_8));
        return Base64.getEncoder().encodeToString(ByteBuffer.allocate(iv.length + ct.length).put(iv).put(ct).array());
    }

    public String tokenizeCardForKiosk(String cardNumber) throws GeneralSecurityException {
        // vuln: CWE-327
        Cipher cipher = Cipher.getInstance("AES");
        cipher.init(Cipher.ENCRYPT_MODE, recordsKey);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(cipher.doFinal(cardNumber.getBytes(StandardCharsets.UTF_8)));
    }

    // ---------------------------------------------------------------- reading history exports

    public byte[] encryptHistoryExport(byte[] csv, char[] memberPassphrase) throws GeneralSecurityException {
        byte[] salt = new byte[16];
        random.nextBytes(salt);
        SecretKeyFactory kdf = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256");
        byte[] keyBytes = kdf.generateSecret(new PBEKeySpec(memberPassphrase, salt, 310_000, 256)).getEncoded();
        byte[] iv = new byte[12];
        random.nextBytes(iv);
        // safe: CWE-327
        Cipher cipher = Cipher.getInstance("ChaCha20-Poly1305");
        cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(keyBytes, "ChaCha20"), new IvParameterSpec(iv));
        byte[] ct = cipher.doFinal(csv);
        return ByteBuffer.allocate(salt.length + iv.length + ct.length).put(salt).put(iv).put(ct).array();
    }

    public byte[] encryptHistoryExportForOldReader(byte[] csv, byte[] key24) throws GeneralSecurityException {
        byte[] iv = new byte[8];
        random.nextBytes(iv);
        // vuln: CWE-327
        Cipher cipher = Cipher.getInstance("DESede/CBC/PKCS5Padding");
        cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key24, "DESede"), new IvParameterSpec(iv));
        byte[] ct = cipher.doFinal(csv);
        return ByteBuffer.allocate(iv.length + ct.length).put(iv).put(ct).array();
    }

    // ---------------------------------------------------------------- backups

    public void encryptBackup(InputStream dump, java.io.OutputStream target) throws GeneralSecurityException, IOException {
        byte[] iv = new byte[12];
        random.nextBytes(iv);
        target.write(iv);
        // safe: CWE-327
        Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
        cipher.init(Cipher.ENCRYPT_MODE, backupKey(), new GCMParameterSpec(128, iv));
        try (CipherOutputStream out = new CipherOutputStream(target, cipher)) {
            dump.transferTo(out);
        }
    }

    public void encryptBackupToTape(InputStream dump, java.io.OutputStream target) throws GeneralSecurityException, IOException {
        SecretKey key = backupKey();
        // vuln: CWE-327
        Cipher cipher = Cipher.getInstance("Blowfish/ECB/PKCS5Padding");
        cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key.getEncoded(), "Blowfish"));
        try (CipherOutputStream out = new CipherOutputStream(target, cipher)) {
            dump.transferTo(out);
        }
    }

    // ---------------------------------------------------------------- partner payloads

    public byte[] obfuscateIllPayload(byte[] payload, byte[] sessionKey) throws GeneralSecurityException {
        // vuln: CWE-327
        Cipher rc4 = Cipher.getInstance("RC4");
        rc4.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(sessionKey, "RC4"));
        return rc4.doFinal(payload);
    }

    public byte[] wrapIllSessionKey(byte[] sessionKey, PublicKey partnerKey) throws GeneralSecurityException {
        // safe: CWE-327
        Cipher rsa = Cipher.getInstance("RSA/ECB/OAEPWithSHA-256AndMGF1Padding");
        rsa.init(Cipher.WRAP_MODE, partnerKey);
        return rsa.wrap(new SecretKeySpec(sessionKey, "AES"));
    }

    public byte[] unwrapIllSessionKeyLegacy(byte[] wrapped) throws GeneralSecurityException {
        // vuln: CWE-327
        Cipher rsa = Cipher.getInstance("RSA/ECB/PKCS1Padding");
        rsa.init(Cipher.DECRYPT_MODE, partnerSigningKey());
        return rsa.doFinal(wrapped);
    }

    public byte[] decryptPartnerPayload(byte[] message) throws GeneralSecurityException {
        ByteBuffer buf = ByteBuffer.wrap(message);
        byte[] iv = new byte[12];
        buf.get(iv);
        byte[] ct = new byte[buf.remaining()];
        buf.get(ct);
        // safe: CWE-327
        Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
        cipher.init(Cipher.DECRYPT_MODE, recordsKey, new GCMParameterSpec(128, iv));
        return cipher.doFinal(ct);
    }

    public byte[] encryptQrPayload(byte[] qr) throws GeneralSecurityException {
        byte[] nonce = new byte[12];
        random.nextBytes(nonce);
        SecretKey qrKey = loadKey("member-qr");
        // safe: CWE-327
        Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding", "SunJCE");
        cipher.init(Cipher.ENCRYPT_MODE, qrKey, new GCMParameterSpec(128, nonce));
        byte[] ct = cipher.doFinal(qr);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(nonce);
        out.writeBytes(ct);
        return out.toByteArray();
    }

    // ---------------------------------------------------------------- keys

    private PrivateKey partnerSigningKey() throws GeneralSecurityException {
        String body = PARTNER_SIGNING_KEY_PEM
                .replace("-----BEGIN PRIVATE KEY-----", "")
                .replace("-----END PRIVATE KEY-----", "")
                .replaceAll("\\s", "");
        return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(body)));
    }

    private SecretKey backupKey() throws GeneralSecurityException {
        return loadKey("circulation-backup");
    }

    private SecretKey loadKey(String alias) throws GeneralSecurityException {
        try (InputStream in = Files.newInputStream(Paths.get(keystorePath))) {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(in, keystorePassword);
            // safe: CWE-798
            return (SecretKey) ks.getKey(alias, keystorePassword);
        } catch (IOException e) {
            throw new GeneralSecurityException("Cannot open keystore " + keystorePath, e);
        }
    }
}
