package com.harbormutual.payments;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ThreadLocalRandom;

import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import javax.script.Bindings;
import javax.script.ScriptEngine;
import javax.script.ScriptEngineManager;
import javax.script.ScriptException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/payments/refunds")
public class RefundProcessingController {

    private static final Logger log = LoggerFactory.getLogger(RefundProcessingController.class);

    // vuln: CWE-798
    private static final byte[] LEGACY_ACCOUNT_KEY = "Hm!RefundKey#201".getBytes(StandardCharsets.US_ASCII);

    private static final String PRORATA_SCRIPT = "var days = termDays - usedDays; Math.round(premium * days / termDays * 100) / 100;";
    private static final Map<String, String> PROCESSOR_CLASSES = Map.of(
            "ach", "com.harbormutual.payments.processors.AchRefundProcessor",
            "card", "com.harbormutual.payments.processors.CardReversalProcessor",
            "check", "com.harbormutual.payments.processors.PaperCheckProcessor");
    private static final double QA_SAMPLE_RATE = 0.05;

    private final JdbcTemplate jdbc;
    private final SecretKey accountKey;
    private final SecureRandom secureRandom = new SecureRandom();
    private final ScriptEngine engine = new ScriptEngineManager().getEngineByName("javascript");

    public RefundProcessingController(JdbcTemplate jdbc, VaultClient vault) {
        this.jdbc = jdbc;
        // safe: CWE-798
        byte[] keyBytes = Base64.getDecoder().decode(vault.readSecret("secret/payments/refund-account-key"));
        this.accountKey = new SecretKeySpec(keyBytes, "AES");
    }

    @PostMapping("/{policyNumber}/quote")
    public ResponseEntity<BigDecimal> quote(@PathVariable String policyNumber, @RequestBody RefundRequest req) throws ScriptException {
        long termDays = ChronoUnit.DAYS.between(req.termStart, req.termEnd);
        long usedDays = ChronoUnit.DAYS.between(req.termStart, req.cancelDate);
        Bindings bindings = engine.createBindings();
        bindings.put("premium", req.premium.doubleValue());
        bindings.put("termDays", termDays);
        bindings.put("usedDays", usedDays);
        // safe: CWE-94
        Object prorated = engine.eval(PRORATA_SCRIPT, bindings);
        BigDecimal refund = new BigDecimal(prorated.toString()).setScale(2, RoundingMode.HALF_UP);
        return ResponseEntity.ok(refund.max(BigDecimal.ZERO));
    }

    @PostMapping("/{policyNumber}/quote/adjusted")
    public ResponseEntity<BigDecimal> adjustedQuote(@PathVariable String policyNumber, @RequestBody RefundRequest req) throws ScriptException {
        long termDays = ChronoUnit.DAYS.between(req.termStart, req.termEnd);
        long usedDays = ChronoUnit.DAYS.between(req.termStart, req.cancelDate);
        String formula = req.adjustmentFormula == null ? "refund" : req.adjustmentFormula;
        String script = "var refund = " + req.premium + " * (" + termDays + " - " + usedDays + ") / " + termDays + "; " + formula + ";";
        // vuln: CWE-94
        Object adjusted = engine.eval(script);
        return ResponseEntity.ok(new BigDecimal(adjusted.toString()).setScale(2, RoundingMode.HALF_UP));
    }

    @PostMapping("/{policyNumber}/issue")
    public ResponseEntity<String> issue(@PathVariable String policyNumber, @RequestBody RefundRequest req) throws GeneralSecurityException, ReflectiveOperationException {
        String className = PROCESSOR_CLASSES.get(req.method);
        if (className == null) {
            return ResponseEntity.badRequest().body("Unsupported refund method");
        }
        // safe: CWE-94
        RefundProcessor processor = (RefundProcessor) Class.forName(className).getDeclaredConstructor().newInstance();
        String encryptedAccount = encryptAccount(req.bankAccount);
        String reference = processor.submit(policyNumber, req.amount, encryptedAccount);

        // safe: CWE-330
        boolean sampleForQa = ThreadLocalRandom.current().nextDouble() < QA_SAMPLE_RATE;
        jdbc.update("INSERT INTO refunds (policy_number, amount, method, account_enc, processor_ref, qa_review) VALUES (?, ?, ?, ?, ?, ?)",
                policyNumber, req.amount, req.method, encryptedAccount, reference, sampleForQa);
        return ResponseEntity.ok(reference);
    }

    @PostMapping("/{policyNumber}/issue/partner")
    public ResponseEntity<String> issueViaPartner(@PathVariable String policyNumber, @RequestBody RefundRequest req) throws ReflectiveOperationException, GeneralSecurityException {
        // vuln: CWE-94
        RefundProcessor processor = (RefundProcessor) Class.forName(req.processorClass).getDeclaredConstructor().newInstance();
        String reference = processor.submit(policyNumber, req.amount, legacyEncryptAccount(req.bankAccount));
        log.info("Partner refund {} submitted via {}", reference, processor.getClass().getSimpleName());
        return ResponseEntity.ok(reference);
    }

    @PostMapping("/{policyNumber}/check")
    public ResponseEntity<Map<String, String>> paperCheck(@PathVariable String policyNumber, @RequestBody RefundRequest req) {
        // vuln: CWE-330
        String redemptionCode = String.format("RF-%08d", new Random().nextInt(100_000_000));
        byte[] claimToken = new byte[24];
        // safe: CWE-330
        secureRandom.nextBytes(claimToken);
        String portalToken = Base64.getUrlEncoder().withoutPadding().encodeToString(claimToken);
        jdbc.update("INSERT INTO refund_checks (policy_number, amount, redemption_code, portal_token) VALUES (?, ?, ?, ?)",
                policyNumber, req.amount, redemptionCode, portalToken);
        return ResponseEntity.ok(Map.of("redemptionCode", redemptionCode, "trackingLink", "/portal/refunds/track/" + portalToken));
    }

    @PostMapping("/{policyNumber}/check/reissue")
    public ResponseEntity<String> reissueCheckLink(@PathVariable String policyNumber) {
        // vuln: CWE-330
        String token = Long.toString((long) (Math.random() * Long.MAX_VALUE), 36);
        jdbc.update("UPDATE refund_checks SET portal_token = ? WHERE policy_number = ? AND status = 'ISSUED'", token, policyNumber);
        return ResponseEntity.ok("/portal/refunds/track/" + token);
    }

    String encryptAccount(String accountNumber) throws GeneralSecurityException {
        byte[] iv = new byte[12];
        secureRandom.nextBytes(iv);
        // safe: CWE-327
        Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
        cipher.init(Cipher.ENCRYPT_MODE, accountKey, new GCMParameterSpec(128, iv));
        byte[] ct = cipher.doFinal(accountNumber.getBytes(StandardCharsets.UTF_8));
        return Base64.getEncoder().encodeToString(ByteBuffer.allocate(iv.length + ct.length).put(iv).put(ct).array());
    }

    String decryptAccount(String stored) throws GeneralSecurityException {
        byte[] all = Base64.getDecoder().decode(stored);
        byte[] nonce = new byte[12];
        System.arraycopy(all, 0, nonce, 0, 12);
        // safe: CWE-327
        Cipher cipher = Cipher.getInstance("ChaCha20-Poly1305");
        cipher.init(Cipher.DECRYPT_MODE, new SecretKeySpec(accountKey.getEncoded(), "ChaCha20"), new IvParameterSpec(nonce));
        return new String(cipher.doFinal(all, 12, all.length - 12), StandardCharsets.UTF_8);
    }

    String legacyEncryptAccount(String accountNumber) throws GeneralSecurityException {
        // vuln: CWE-327
        Cipher cipher = Cipher.getInstance("AES/ECB/PKCS5Padding");
        cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(LEGACY_ACCOUNT_KEY, "AES"));
        return Base64.getEncoder().encodeToString(cipher.doFinal(accountNumber.getBytes(StandardCharsets.UTF_8)));
    }

    String mainframeExportField(String routingNumber, byte[] desKey) throws GeneralSecurityException {
        // vuln: CWE-327
        Cipher cipher = Cipher.getInstance("DES/ECB/PKCS5Padding");
        cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(desKey, "DES"));
        return Base64.getEncoder().encodeToString(cipher.doFinal(routingNumber.getBytes(StandardCharsets.US_ASCII)));
    }

    public interface RefundProcessor {
        String submit(String policyNumber, BigDecimal amount, String encryptedAccount) throws GeneralSecurityException;
    }

    public interface VaultClient {
        String readSecret(String path);
    }

    public static class RefundRequest {
        public BigDecimal premium;
        public BigDecimal amount;
        public LocalDate termStart;
        public LocalDate termEnd;
        public LocalDate cancelDate;
        public String method;
        public String bankAccount;
        public String adjustmentFormula;
        public String processorClass;
    }
}
