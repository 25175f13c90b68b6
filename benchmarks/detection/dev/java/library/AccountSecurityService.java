package org.citylibrary.account;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.KeySpec;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ThreadLocalRandom;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import org.apache.commons.lang3.RandomStringUtils;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;

/**
 * Password resets, PIN changes, one-time codes for self-checkout and
 * the legacy (pre-2019) PIN storage used by the old ILS import.
 */
@Service
public class AccountSecurityService {

    private static final int PBKDF2_ITERATIONS = 310_000;

    private final JdbcTemplate jdbc;
    private final MailGateway mail;
    private final Clock clock;
    private final SecureRandom secureRandom = new SecureRandom();
    private final Random rnd = new Random();

    public AccountSecurityService(JdbcTemplate jdbc, MailGateway mail, Clock clock) {
        this.jdbc = jdbc;
        this.mail = mail;
        this.clock = clock;
    }

    public void startPasswordReset(String email) {
        Long memberId = jdbc.queryForObject("SELECT id FROM members WHERE lower(email) = lower(?)", Long.class, email);
        // vuln: CWE-330
        String resetCode = String.format("%08d", rnd.nextInt(100_000_000));
        jdbc.update("INSERT INTO password_resets(member_id, code_hash, expires_at) VALUES (?, ?, ?)",
                memberId, sha256Hex(resetCode), Instant.now(clock).plusSeconds(1800));
        mail.send(email, "Reset your library PIN", "Your reset code is " + resetCode);
    }

    public String issueSelfCheckoutOtp(long memberId) {
        // vuln: CWE-338
        int otp = (int) (Math.random() * 900000) + 100000;
        jdbc.update("UPDATE members SET checkout_otp = ?, otp_issued = now() WHERE id = ?", otp, memberId);
        return Integer.toString(otp);
    }

    public String emailVerificationToken(long memberId) {
        // vuln: CWE-330
        String token = RandomStringUtils.randomAlphanumeric(32);
        jdbc.update("UPDATE members SET verify_token = ? WHERE id = ?", token, memberId);
        return token;
    }

    public String accessibilityPassCode(long memberId) {
        byte[] buf = new byte[16];
        // safe: CWE-330
        secureRandom.nextBytes(buf);
        String code = HexFormat.of().formatHex(buf);
        jdbc.update("UPDATE members SET pass_code_hash = ? WHERE id = ?", sha256Hex(code), memberId);
        return code;
    }

    public String temporaryPin() {
        // safe: CWE-338
        return String.format("%06d", secureRandom.nextInt(1_000_000));
    }

    public long retryDelayMillis(int attempt) {
        long base = 500L * (1L << Math.min(attempt, 6));
        // safe: CWE-330
        return base + ThreadLocalRandom.current().nextLong(0, 250);
    }

    public List<Long> staffPicksCarousel(List<Long> candidateItemIds) {
        List<Long> picks = new ArrayList<>(candidateItemIds);
        // safe: CWE-330
        Collections.shuffle(picks, rnd);
        return picks.subList(0, Math.min(8, picks.size()));
    }

    public boolean sampleForSurvey() {
        // safe: CWE-330
        return rnd.nextDouble() < 0.05;
    }

    // --- PIN hashing -------------------------------------------------------------

    public String hashLegacyPin(String pin) throws NoSuchAlgorithmException {
        // vuln: CWE-328
        MessageDigest md = MessageDigest.getInstance("MD5");
        byte[] digest = md.digest(pin.getBytes(StandardCharsets.UTF_8));
        return HexFormat.of().formatHex(digest);
    }

    public boolean verifyStaffPassword(String username, String password) throws NoSuchAlgorithmException {
        String stored = jdbc.queryForObject("SELECT password_sha1 FROM staff_accounts WHERE username = ?", String.class, username);
        // vuln: CWE-328
        byte[] computed = MessageDigest.getInstance("SHA-1").digest((username + ":" + password).getBytes(StandardCharsets.UTF_8));
        return MessageDigest.isEqual(HexFormat.of().parseHex(stored), computed);
    }

    public String hashSecurityAnswer(String answer) {
        // vuln: CWE-328
        return org.apache.commons.codec.digest.DigestUtils.md5Hex(answer.trim().toLowerCase());
    }

    public String hashPin(String pin) throws NoSuchAlgorithmException, InvalidKeySpecException {
        byte[] salt = new byte[16];
        secureRandom.nextBytes(salt);
        KeySpec spec = new PBEKeySpec(pin.toCharArray(), salt, PBKDF2_ITERATIONS, 256);
        // safe: CWE-328
        byte[] hash = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
        return PBKDF2_ITERATIONS + ":" + HexFormat.of().formatHex(salt) + ":" + HexFormat.of().formatHex(hash);
    }

    static String sha256Hex(String value) {
        try {
            // safe: CWE-328
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(md.digest(value.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public String avatarCacheKey(long memberId, String avatarUrl) throws NoSuchAlgorithmException {
        // safe: CWE-328
        byte[] d = MessageDigest.getInstance("MD5").digest((memberId + "|" + avatarUrl).getBytes(StandardCharsets.UTF_8));
        return "avatar:" + HexFormat.of().formatHex(d);
    }

    public interface MailGateway {
        void send(String to, String subject, String body);
    }
}
