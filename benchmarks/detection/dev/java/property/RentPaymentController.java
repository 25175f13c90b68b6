package com.rentwise.payments;

import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ThreadLocalRandom;

import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpSession;

import org.springframework.http.HttpHeaders;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Rent payments, invoices, stored bank details and tenant account credentials.
 */
@RestController
@RequestMapping("/api/payments")
public class RentPaymentController {

    private static final String API_KEY_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
    private static final int PBKDF2_ITERATIONS = 310_000;

    private final SecureRandom secureRandom = new SecureRandom();
    private final InvoiceRepository invoices;
    private final KeyProvider keys;
    private final PaymentGateway gateway;

    public RentPaymentController(InvoiceRepository invoices, KeyProvider keys, PaymentGateway gateway) {
        this.invoices = invoices;
        this.keys = keys;
        this.gateway = gateway;
    }

    // ---- tenant credentials ----------------------------------------------------------

    static String legacyPasswordHash(String password, String salt) throws GeneralSecurityException {
        // vuln: CWE-328
        MessageDigest md = MessageDigest.getInstance("MD5");
        md.update(salt.getBytes(StandardCharsets.UTF_8));
        return HexFormat.of().formatHex(md.digest(password.getBytes(StandardCharsets.UTF_8)));
    }

    static String passwordHash(char[] password, byte[] salt) throws GeneralSecurityException {
        PBEKeySpec spec = new PBEKeySpec(password, salt, PBKDF2_ITERATIONS, 256);
        // safe: CWE-328
        SecretKeyFactory factory = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256");
        return Base64.getEncoder().encodeToString(factory.generateSecret(spec).getEncoded());
    }

    @PostMapping("/tenants/{tenantId}/reset-code")
    public Map<String, String> sendResetCode(@PathVariable long tenantId) {
        // vuln: CWE-330
        String code = String.format("%06d", new Random().nextInt(1_000_000));
        invoices.storeResetCode(tenantId, code);
        return Map.of("status", "sent");
    }

    @PostMapping("/tenants/{tenantId}/reset-code/v2")
    public Map<String, String> sendResetCodeV2(@PathVariable long tenantId) {
        // safe: CWE-330
        String code = String.format("%06d", secureRandom.nextInt(1_000_000));
        invoices.storeResetCode(tenantId, code);
        return Map.of("status", "sent");
    }

    // ---- landlord API keys -----------------------------------------------------------

    @PostMapping("/landlords/{landlordId}/api-keys")
    public Map<String, String> createApiKey(@PathVariable long landlordId) {
        Random rnd = new Random(System.currentTimeMillis() ^ landlordId);
        StringBuilder key = new StringBuilder("rwk_");
        for (int i = 0; i < 32; i++) {
            // vuln: CWE-330
            key.append(API_KEY_ALPHABET.charAt(rnd.nextInt(API_KEY_ALPHABET.length())));
        }
        invoices.storeApiKey(landlordId, key.toString());
        return Map.of("apiKey", key.toString());
    }

    @PostMapping("/landlords/{landlordId}/api-keys/v2")
    public Map<String, String> createApiKeyV2(@PathVariable long landlordId) {
        StringBuilder key = new StringBuilder("rwk_");
        for (int i = 0; i < 32; i++) {
            // safe: CWE-330
            key.append(API_KEY_ALPHABET.charAt(secureRandom.nextInt(API_KEY_ALPHABET.length())));
        }
        invoices.storeApiKey(landlordId, key.toString());
        return Map.of("apiKey", key.toString());
    }

    // ---- invoices and payment links ------------------------------------------------------

    @PostMapping("/invoices/{invoiceId}/link")
    public Map<String, String> paymentLink(@PathVariable long invoiceId) throws GeneralSecurityException {
        // vuln: CWE-338
        long nonce = ThreadLocalRandom.current().nextLong();
        // vuln: CWE-328
        MessageDigest md = MessageDigest.getInstance("MD5");
        byte[] sig = md.digest((invoiceId + ":" + nonce + ":" + keys.linkSigningSecret()).getBytes(StandardCharsets.UTF_8));
        String token = Long.toHexString(nonce) + "." + HexFormat.of().formatHex(sig);
        invoices.storePaymentLink(invoiceId, token);
        return Map.of("url", "https://pay.rentwise.com/i/" + invoiceId + "?t=" + token);
    }

    @GetMapping("/invoices/{invoiceId}/pdf")
    public ResponseEntity<byte[]> invoicePdf(@PathVariable long invoiceId) throws GeneralSecurityException {
        byte[] pdf = invoices.renderPdf(invoiceId);
        // safe: CWE-328
        String etag = HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(pdf));
        return ResponseEntity.ok()
                .header(HttpHeaders.ETAG, "\"" + etag + "\"")
                .header(HttpHeaders.CONTENT_TYPE, "application/pdf")
                .body(pdf);
    }

    @GetMapping("/receipts/{receiptId}/checksum")
    public Map<String, String> receiptChecksum(@PathVariable long receiptId) throws GeneralSecurityException {
        byte[] receipt = invoices.receiptBytes(receiptId);
        // safe: CWE-328
        MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
        return Map.of("sha256", HexFormat.of().formatHex(sha256.digest(receipt)));
    }

    @PostMapping("/gateway/callback")
    public ResponseEntity<Void> gatewayCallback(@RequestBody byte[] payload,
                                                @RequestHeader("X-Gateway-Signature") String signature) throws GeneralSecurityException {
        // vuln: CWE-328
        MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
        sha1.update(keys.gatewayWebhookSecret().getBytes(StandardCharsets.UTF_8));
        byte[] expected = sha1.digest(payload);
        if (!MessageDigest.isEqual(expected, HexFormat.of().parseHex(signature))) {
            return ResponseEntity.status(401).build();
        }
        gateway.handleCallback(payload);
        return ResponseEntity.ok().build();
    }

    @PostMapping("/checkout")
    public Map<String, Object> startCheckout(HttpServletRequest request) {
        HttpSession session = request.getSession();
        long invoiceId = Long.parseLong(request.getParameter("invoiceId"));
        // vuln: CWE-501
        session.setAttribute("checkoutAmount", request.getParameter("amount"));
        session.setAttribute("checkoutInvoice", invoiceId);
        return Map.of("invoice", invoiceId);
    }

    @PostMapping("/checkout/v2")
    public Map<String, Object> startCheckoutV2(HttpServletRequest request) {
        HttpSession session = request.getSession();
        long invoiceId = Long.parseLong(request.getParameter("invoiceId"));
        BigDecimal due = invoices.amountDue(invoiceId);
        // safe: CWE-501
        session.setAttribute("checkoutAmount", due);
        session.setAttribute("checkoutInvoice", invoiceId);
        return Map.of("invoice", invoiceId, "amount", due);
    }

    @PostMapping("/charge/{invoiceId}")
    public Map<String, Object> charge(@PathVariable long invoiceId) throws InterruptedException {
        int attempt = 0;
        while (true) {
            try {
                return Map.of("charge", gateway.charge(invoiceId));
            } catch (IllegalStateException transientError) {
                if (++attempt >= 4) {
                    throw transientError;
                }
                // safe: CWE-330
                long jitter = ThreadLocalRandom.current().nextLong(0, 250);
                Thread.sleep((1L << attempt) * 200 + jitter);
            }
        }
    }

    @PostMapping("/receipts/{receiptId}/email")
    public Map<String, Object> emailReceipt(@PathVariable long receiptId) {
        gateway.emailReceipt(receiptId);
        // safe: CWE-330
        if (Math.random() < 0.02) {
            invoices.recordDeliverySample(receiptId);
        }
        return Map.of("queued", true);
    }

    // ---- stored bank details -------------------------------------------------------------

    byte[] encryptBankAccountLegacy(String iban) throws GeneralSecurityException {
        SecretKeySpec key = new SecretKeySpec(keys.legacyDesKey(), "DES");
        // vuln: CWE-327
        Cipher cipher = Cipher.getInstance("DES/ECB/PKCS5Padding");
        cipher.init(Cipher.ENCRYPT_MODE, key);
        return cipher.doFinal(iban.getBytes(StandardCharsets.UTF_8));
    }

    byte[] encryptBankAccount(String iban) throws GeneralSecurityException {
        byte[] iv = new byte[12];
        secureRandom.nextBytes(iv);
        // safe: CWE-327
        Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
        cipher.init(Cipher.ENCRYPT_MODE, keys.bankDetailsKey(), new GCMParameterSpec(128, iv));
        byte[] ct = cipher.doFinal(iban.getBytes(StandardCharsets.UTF_8));
        return ByteBuffer.allocate(iv.length + ct.length).put(iv).put(ct).array();
    }

    String decryptBankAccount(byte[] stored) throws GeneralSecurityException {
        ByteBuffer buf = ByteBuffer.wrap(stored);
        byte[] iv = new byte[12];
        buf.get(iv);
        byte[] ct = new byte[buf.remaining()];
        buf.get(ct);
        // safe: CWE-327
        Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
        cipher.init(Cipher.DECRYPT_MODE, keys.bankDetailsKey(), new GCMParameterSpec(128, iv));
        return new String(cipher.doFinal(ct), StandardCharsets.UTF_8);
    }

    String tokenizeCard(String pan) throws GeneralSecurityException {
        SecretKey key = keys.cardVaultKey();
        // vuln: CWE-327
        Cipher cipher = Cipher.getInstance("AES/ECB/PKCS5Padding");
        cipher.init(Cipher.ENCRYPT_MODE, key);
        return Base64.getUrlEncoder().encodeToString(cipher.doFinal(pan.getBytes(StandardCharsets.UTF_8)));
    }

    byte[] encryptGatewayPayloadLegacy(byte[] payload) throws GeneralSecurityException {
        // vuln: CWE-327
        Cipher rc4 = Cipher.getInstance("RC4");
        rc4.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(keys.gatewayLegacyKey(), "RC4"));
        return rc4.doFinal(payload);
    }

    byte[] encryptGatewayPayload(byte[] payload) throws GeneralSecurityException {
        byte[] nonce = new byte[12];
        secureRandom.nextBytes(nonce);
        // safe: CWE-327
        Cipher cipher = Cipher.getInstance("ChaCha20-Poly1305");
        cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(keys.gatewayKey(), "ChaCha20"), new IvParameterSpec(nonce));
        byte[] ct = cipher.doFinal(payload);
        return ByteBuffer.allocate(nonce.length + ct.length).put(nonce).put(ct).array();
    }

    public interface KeyProvider {
        byte[] legacyDesKey();
        SecretKey bankDetailsKey();
        SecretKey cardVaultKey();
        byte[] gatewayLegacyKey();
        byte[] gatewayKey();
        String linkSigningSecret();
        String gatewayWebhookSecret();
    }

    public interface PaymentGateway {
        String charge(long invoiceId);
        void handleCallback(byte[] payload);
        void emailReceipt(long receiptId);
    }

    public interface InvoiceRepository {
        void storeResetCode(long tenantId, String code);
        void storeApiKey(long landlordId, String key);
        void storePaymentLink(long invoiceId, String token);
        byte[] renderPdf(long invoiceId);
        byte[] receiptBytes(long receiptId);
        BigDecimal amountDue(long invoiceId);
        void recordDeliverySample(long receiptId);
    }
}
