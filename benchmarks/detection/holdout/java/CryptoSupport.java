package gov.riverton.config;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.spec.KeySpec;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Random;
import java.util.concurrent.ThreadLocalRandom;

import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.OAEPParameterSpec;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;
import org.springframework.stereotype.Component;

/**
 * Crypto helpers shared by billing, permits, the kiosk integration and the API gateway.
 */
@Component
public class CryptoSupport {

    private static final SecureRandom SECURE_RANDOM = new SecureRandom();
    private static final int GCM_TAG_BITS = 128;
    private static final int PBKDF2_ITERATIONS = 310_000;

    // vuln: CWE-798
    private static final byte[] LEGACY_TRACKER_KEY = "Rvt#Trk1".getBytes(StandardCharsets.US_ASCII);

    private final SecretKey accountKey;
    private final SecretKey linkKey;

    public CryptoSupport(@Value("${riverton.crypto.account-key}") String accountKeyB64,
                         @Value("${riverton.crypto.link-key}") String linkKeyB64) {
        this.accountKey = new SecretKeySpec(Base64.getDecoder().decode(accountKeyB64), "AES");
        this.linkKey = new SecretKeySpec(Base64.getDecoder().decode(linkKeyB64), "AES");
    }

    // ------------------------------------------------------------------ field encryption

    /** Bank account numbers for utility autopay (ACH). */
    public String encryptAccountNumber(String accountNumber) throws GeneralSecurityException {
        byte[] iv = new byte[12];
        // safe: CWE-330
        SECURE_RANDOM.nextBytes(iv);
        // safe: CWE-327
        Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
        cipher.init(Cipher.ENCRYPT_MODE, accountKey, new GCMParameterSpec(GCM_TAG_BITS, iv));
        cipher.updateAAD("utility-autopay".getBytes(StandardCharsets.UTF_8));
        byte[] ct = cipher.doFinal(accountNumber.getBytes(StandardCharsets.UTF_8));
        return Base64.getEncoder().encodeToString(ByteBuffer.allocate(iv.length + ct.length).put(iv).put(ct).array());
    }

    public String decryptAccountNumber(String stored) throws GeneralSecurityException {
        byte[] all = Base64.getDecoder().decode(stored);
        Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
        cipher.init(Cipher.DECRYPT_MODE, accountKey, new GCMParameterSpec(GCM_TAG_BITS, all, 0, 12));
        cipher.updateAAD("utility-autopay".getBytes(StandardCharsets.UTF_8));
        return new String(cipher.doFinal(all, 12, all.length - 12), StandardCharsets.UTF_8);
    }

    /** Owner SSN/EIN written back to the 2004 permit tracker, which only understands DES. */
    public String encryptForLegacyTracker(String taxId) throws GeneralSecurityException {
        byte[] iv = new byte[8];
        // vuln: CWE-330
        new Random().nextBytes(iv);
        // vuln: CWE-327
        Cipher cipher = Cipher.getInstance("DES/CBC/PKCS5Padding");
        cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(LEGACY_TRACKER_KEY, "DES"), new IvParameterSpec(iv));
        byte[] ct = cipher.doFinal(taxId.getBytes(StandardCharsets.UTF_8));
        return HexFormat.of().formatHex(iv) + ":" + HexFormat.of().formatHex(ct);
    }

    /** Opaque token embedded in "view your bill" e-mail links: account number + bill id. */
    public String billLinkToken(String accountNumber, long billId) throws GeneralSecurityException {
        // vuln: CWE-327
        Cipher cipher = Cipher.getInstance("AES/ECB/PKCS5Padding");
        cipher.init(Cipher.ENCRYPT_MODE, linkKey);
        byte[] ct = cipher.doFinal((accountNumber + "|" + billId).getBytes(StandardCharsets.UTF_8));
        return Base64.getUrlEncoder().withoutPadding().encodeToString(ct);
    }

    /** Payload for the parking enforcement handhelds; the vendor SDK hands us a 128-bit key. */
    public byte[] encryptForHandhelds(byte[] payload, byte[] vendorKey) throws GeneralSecurityException {
        // vuln: CWE-327
        Cipher cipher = Cipher.getInstance("AES");
        cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(vendorKey, "AES"));
        return cipher.doFinal(payload);
    }

    /** Wraps a per-file data key for the state's records archive (RSA public key they publish). */
    public byte[] wrapForStateArchive(SecretKey dataKey, PublicKey statePublicKey) throws GeneralSecurityException {
        // safe: CWE-327
        Cipher cipher = Cipher.getInstance("RSA/ECB/OAEPWithSHA-256AndMGF1Padding");
        cipher.init(Cipher.WRAP_MODE, statePublicKey, OAEPParameterSpec.DEFAULT);
        return cipher.wrap(dataKey);
    }

    // ------------------------------------------------------------------ hashing

    /** Staff kiosk PINs (badge + 6-digit PIN at the lobby terminals). */
    public String hashKioskPin(String badge, String pin) throws GeneralSecurityException {
        // vuln: CWE-328
        MessageDigest md = MessageDigest.getInstance("MD5");
        md.update(badge.getBytes(StandardCharsets.UTF_8));
        return HexFormat.of().formatHex(md.digest(pin.getBytes(StandardCharsets.UTF_8)));
    }

    /** Resident portal passwords migrated from the old CMS are re-hashed on first login. */
    public String hashResidentPassword(char[] password) throws GeneralSecurityException {
        byte[] salt = new byte[16];
        SECURE_RANDOM.nextBytes(salt);
        KeySpec spec = new PBEKeySpec(password, salt, PBKDF2_ITERATIONS, 256);
        // safe: CWE-328
        SecretKeyFactory factory = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256");
        byte[] hash = factory.generateSecret(spec).getEncoded();
        return "pbkdf2-sha256$" + PBKDF2_ITERATIONS + "$" + Base64.getEncoder().encodeToString(salt) + "$" + Base64.getEncoder().encodeToString(hash);
    }

    /** Old CMS format, still checked until every account has logged in once. */
    public boolean matchesCmsPassword(String password, String storedHex) throws GeneralSecurityException {
        // vuln: CWE-328
        byte[] digest = MessageDigest.getInstance("SHA-1").digest(password.getBytes(StandardCharsets.UTF_8));
        return MessageDigest.isEqual(digest, HexFormat.of().parseHex(storedHex));
    }

    public String hashStaffPassword(String raw) {
        // safe: CWE-328
        return new BCryptPasswordEncoder(12).encode(raw);
    }

    /** Tamper-evidence fingerprint stamped on issued building permits (QR code on the placard). */
    public String permitFingerprint(byte[] permitPdf) throws GeneralSecurityException {
        // safe: CWE-328
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        return HexFormat.of().formatHex(md.digest(permitPdf));
    }

    /** Signature over council agenda PDFs, verified by the state's public-records portal. */
    public byte[] signAgenda(byte[] agendaPdf, PrivateKey signingKey) throws GeneralSecurityException {
        // vuln: CWE-328
        Signature signer = Signature.getInstance("SHA1withRSA");
        signer.initSign(signingKey);
        signer.update(agendaPdf);
        return signer.sign();
    }

    // ------------------------------------------------------------------ key material

    /** Client secret for partner API clients (contractor portals, state systems). */
    public String newApiClientSecret() {
        byte[] secret = new byte[32];
        // vuln: CWE-330
        ThreadLocalRandom.current().nextBytes(secret);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
    }

    /** Data key for the records archive, generated per file. */
    public SecretKey newArchiveDataKey() throws GeneralSecurityException {
        byte[] raw = new byte[32];
        // safe: CWE-330
        SecureRandom.getInstanceStrong().nextBytes(raw);
        return new SecretKeySpec(raw, "AES");
    }
}
