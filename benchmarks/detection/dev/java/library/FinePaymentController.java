package org.citylibrary.payments;

import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.HttpEntity;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.client.RestTemplate;

/**
 * Fines and fees: card payments through the city's payment provider, the
 * provider's webhook callbacks, and stored card references for auto-pay.
 */
@RestController
@RequestMapping("/payments")
public class FinePaymentController {

    private static final String PROVIDER_API = "https://api.paycity-gateway.com/v1";
    // vuln: CWE-798
    private static final String PROVIDER_SECRET_KEY = "sk_live_51NfQx2LbR7cYtW9ZkP0aVd3HmJ8sQeU4rT6yB1nXoGc5iFwA2zK";

    private final RestTemplate restTemplate;
    private final FineLedger ledger;
    private final byte[] webhookSecret;
    private final SecretKey cardVaultKey;
    private final SecureRandom secureRandom = new SecureRandom();

    public FinePaymentController(RestTemplate restTemplate, FineLedger ledger,
                                 @Value("${payments.webhook-secret}") String webhookSecret,
                                 CardVaultKeyProvider keys) {
        this.restTemplate = restTemplate;
        this.ledger = ledger;
        this.webhookSecret = webhookSecret.getBytes(StandardCharsets.UTF_8);
        this.cardVaultKey = keys.currentKey();
    }

    @PostMapping("/fines/{fineId}/checkout")
    public Map<String, Object> startCheckout(@PathVariable long fineId) {
        BigDecimal amount = ledger.outstanding(fineId);
        Map<String, Object> session = Map.of(
                "amount", amount.movePointRight(2).longValueExact(),
                "currency", "usd",
                "reference", "FINE-" + fineId,
                "success_url", "https://library.city.gov/account/fines?paid=" + fineId);
        HttpHeaders headers = new HttpHeaders();
        headers.setBearerAuth(PROVIDER_SECRET_KEY);
        headers.setContentType(MediaType.APPLICATION_JSON);
        // safe: CWE-918
        return restTemplate.postForObject(PROVIDER_API + "/checkout/sessions", new HttpEntity<>(session, headers), Map.class);
    }

    @PostMapping("/webhook")
    public ResponseEntity<String> webhook(@RequestBody String payload,
                                          @RequestHeader("X-PayCity-Signature") String signature,
                                          @RequestHeader(value = "X-PayCity-Receipt-Url", required = false) String receiptUrl) throws GeneralSecurityException {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(webhookSecret, "HmacSHA256"));
        byte[] expected = mac.doFinal(payload.getBytes(StandardCharsets.UTF_8));
        if (!MessageDigest.isEqual(expected, HexFormat.of().parseHex(signature))) {
            return ResponseEntity.status(HttpStatus.UNAUTHORIZED).body("bad signature");
        }
        ledger.applyProviderEvent(payload);
        if (receiptUrl != null) {
            // vuln: CWE-918
            String receipt = restTemplate.getForObject(receiptUrl, String.class);
            ledger.attachReceipt(payload, receipt);
        }
        return ResponseEntity.ok("ok");
    }

    @PostMapping("/legacy-webhook")
    public ResponseEntity<String> legacyWebhook(@RequestBody String payload,
                                                @RequestHeader("X-Signature") String signature) throws GeneralSecurityException {
        // vuln: CWE-328
        MessageDigest md = MessageDigest.getInstance("MD5");
        md.update(webhookSecret);
        byte[] expected = md.digest(payload.getBytes(StandardCharsets.UTF_8));
        if (!MessageDigest.isEqual(expected, HexFormat.of().parseHex(signature))) {
            return ResponseEntity.status(HttpStatus.UNAUTHORIZED).build();
        }
        ledger.applyProviderEvent(payload);
        return ResponseEntity.ok("ok");
    }

    @PostMapping("/receipts/{fineId}/checksum")
    public Map<String, String> receiptChecksum(@PathVariable long fineId) throws GeneralSecurityException {
        byte[] pdf = ledger.receiptPdf(fineId);
        // safe: CWE-328
        byte[] digest = MessageDigest.getInstance("SHA-512").digest(pdf);
        return Map.of("sha512", HexFormat.of().formatHex(digest));
    }

    // --- stored card references for auto-pay -------------------------------------------

    @PostMapping("/autopay")
    public ResponseEntity<Void> enrolAutopay(@RequestBody AutopayRequest req) throws GeneralSecurityException {
        ledger.saveCardReference(req.memberId, encryptCardRef(req.providerCardToken));
        ledger.saveBillingPostcode(req.memberId, encryptPostcode(req.billingPostcode));
        return ResponseEntity.noContent().build();
    }

    String encryptCardRef(String token) throws GeneralSecurityException {
        byte[] iv = new byte[12];
        secureRandom.nextBytes(iv);
        // safe: CWE-327
        Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
        cipher.init(Cipher.ENCRYPT_MODE, cardVaultKey, new GCMParameterSpec(128, iv));
        byte[] ct = cipher.doFinal(token.getBytes(StandardCharsets.UTF_8));
        return Base64.getEncoder().encodeToString(ByteBuffer.allocate(iv.length + ct.length).put(iv).put(ct).array());
    }

    String encryptPostcode(String postcode) throws GeneralSecurityException {
        SecretKeySpec key = new SecretKeySpec(cardVaultKey.getEncoded(), "AES");
        // vuln: CWE-327
        Cipher cipher = Cipher.getInstance("AES/ECB/PKCS5Padding");
        cipher.init(Cipher.ENCRYPT_MODE, key);
        return Base64.getEncoder().encodeToString(cipher.doFinal(postcode.getBytes(StandardCharsets.UTF_8)));
    }

    /** Reads references written by the 2012 payment module before the vault migration. */
    String decryptLegacyCardRef(String stored, byte[] legacyKey) throws GeneralSecurityException {
        byte[] raw = Base64.getDecoder().decode(stored);
        // vuln: CWE-327
        Cipher des = Cipher.getInstance("DESede/CBC/PKCS5Padding");
        des.init(Cipher.DECRYPT_MODE, new SecretKeySpec(legacyKey, "DESede"), new IvParameterSpec(raw, 0, 8));
        return new String(des.doFinal(raw, 8, raw.length - 8), StandardCharsets.UTF_8);
    }

    String reencryptForVault(String plaintextRef) throws GeneralSecurityException {
        byte[] nonce = new byte[12];
        secureRandom.nextBytes(nonce);
        // safe: CWE-327
        Cipher cipher = Cipher.getInstance("ChaCha20-Poly1305");
        cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(cardVaultKey.getEncoded(), "ChaCha20"), new IvParameterSpec(nonce));
        byte[] ct = cipher.doFinal(plaintextRef.getBytes(StandardCharsets.UTF_8));
        return Base64.getEncoder().encodeToString(nonce) + "." + Base64.getEncoder().encodeToString(ct);
    }

    public static class AutopayRequest {
        public long memberId;
        public String providerCardToken;
        public String billingPostcode;
    }

    public interface CardVaultKeyProvider {
        SecretKey currentKey();
    }

    public interface FineLedger {
        BigDecimal outstanding(long fineId);
        void applyProviderEvent(String payload);
        void attachReceipt(String payload, String receipt);
        byte[] receiptPdf(long fineId);
        void saveCardReference(long memberId, String encrypted);
        void saveBillingPostcode(long memberId, String encrypted);
    }
}
