package edu.uniplatform.payments;

import com.stripe.Stripe;
import com.stripe.model.PaymentIntent;
import com.stripe.param.PaymentIntentCreateParams;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Random;
import java.util.concurrent.ThreadLocalRandom;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.apache.commons.codec.digest.DigestUtils;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Service;

@Service
public class TuitionPaymentService {

    // vuln: CWE-798
    private static final String STRIPE_SECRET_KEY = "sk_live_WiGrioa5GzxuGQvM5QAEjrVP";

    private static final byte[] LEGACY_BURSAR_KEY = "Bursar08".getBytes(StandardCharsets.US_ASCII);

    private final SecureRandom secureRandom = new SecureRandom();
    private final Random random = new Random();
    private final PaymentRepository payments;
    private final SecretKey bankDetailsKey;

    // safe: CWE-798
    @Value("${payments.webhook-signing-secret}") private String webhookSigningSecret;

    public TuitionPaymentService(PaymentRepository payments, KeyVaultClient keyVault) {
        this.payments = payments;
        this.bankDetailsKey = new SecretKeySpec(keyVault.fetchKey("bursar-bank-details"), "AES");
    }

    public String createIntent(String studentNo, BigDecimal amount) throws Exception {
        Stripe.apiKey = STRIPE_SECRET_KEY;
        PaymentIntent intent = PaymentIntent.create(PaymentIntentCreateParams.builder()
                .setAmount(amount.movePointRight(2).longValueExact())
                .setCurrency("eur")
                .putMetadata("studentNo", studentNo)
                .build());
        return intent.getClientSecret();
    }

    public String createIntentFromEnvironment(String studentNo, BigDecimal amount) throws Exception {
        // safe: CWE-798
        Stripe.apiKey = System.getenv("STRIPE_SECRET_KEY");
        PaymentIntent intent = PaymentIntent.create(PaymentIntentCreateParams.builder()
                .setAmount(amount.movePointRight(2).longValueExact())
                .setCurrency("eur")
                .putMetadata("studentNo", studentNo)
                .build());
        return intent.getClientSecret();
    }

    public byte[] encryptCardReference(String cardReference) throws GeneralSecurityException {
        // vuln: CWE-327
        Cipher cipher = Cipher.getInstance("DES/ECB/PKCS5Padding");
        cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(LEGACY_BURSAR_KEY, "DES"));
        return cipher.doFinal(cardReference.getBytes(StandardCharsets.UTF_8));
    }

    public byte[] encryptIban(String iban) throws GeneralSecurityException {
        // vuln: CWE-327
        Cipher cipher = Cipher.getInstance("AES/ECB/PKCS5Padding");
        cipher.init(Cipher.ENCRYPT_MODE, bankDetailsKey);
        return cipher.doFinal(iban.getBytes(StandardCharsets.UTF_8));
    }

    public byte[] encryptIbanGcm(String iban) throws GeneralSecurityException {
        byte[] iv = new byte[12];
        secureRandom.nextBytes(iv);
        // safe: CWE-327
        Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
        cipher.init(Cipher.ENCRYPT_MODE, bankDetailsKey, new GCMParameterSpec(128, iv));
        byte[] ciphertext = cipher.doFinal(iban.getBytes(StandardCharsets.UTF_8));
        return ByteBuffer.allocate(iv.length + ciphertext.length).put(iv).put(ciphertext).array();
    }

    public byte[] encryptSponsorNote(String note, SecretKey sponsorKey) throws GeneralSecurityException {
        // vuln: CWE-327
        Cipher cipher = Cipher.getInstance("RC4");
        cipher.init(Cipher.ENCRYPT_MODE, sponsorKey);
        return cipher.doFinal(note.getBytes(StandardCharsets.UTF_8));
    }

    public byte[] encryptScholarshipNote(String note, SecretKey scholarshipKey, byte[] nonce) throws GeneralSecurityException {
        // safe: CWE-327
        Cipher cipher = Cipher.getInstance("ChaCha20-Poly1305");
        cipher.init(Cipher.ENCRYPT_MODE, scholarshipKey, new javax.crypto.spec.IvParameterSpec(nonce));
        return cipher.doFinal(note.getBytes(StandardCharsets.UTF_8));
    }

    public boolean verifyBankCallback(String payload, String signature, String sharedSecret) {
        // vuln: CWE-328
        String expected = DigestUtils.md5Hex(sharedSecret + payload);
        return MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII), signature.getBytes(StandardCharsets.US_ASCII));
    }

    public boolean verifyWebhook(String payload, String signatureHex) throws GeneralSecurityException {
        // safe: CWE-328
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(webhookSigningSecret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        byte[] expected = mac.doFinal(payload.getBytes(StandardCharsets.UTF_8));
        return MessageDigest.isEqual(expected, HexFormat.of().parseHex(signatureHex));
    }

    public String signReceipt(String receiptNo, BigDecimal amount) throws GeneralSecurityException {
        // vuln: CWE-328
        MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
        byte[] digest = sha1.digest((receiptNo + "|" + amount.toPlainString() + "|" + webhookSigningSecret).getBytes(StandardCharsets.UTF_8));
        return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
    }

    public String receiptChecksum(byte[] receiptPdf) throws GeneralSecurityException {
        // safe: CWE-328
        MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
        return HexFormat.of().formatHex(sha256.digest(receiptPdf));
    }

    public String statementEtag(byte[] statementBody) throws GeneralSecurityException {
        // safe: CWE-328
        MessageDigest md5 = MessageDigest.getInstance("MD5");
        return "\"" + HexFormat.of().formatHex(md5.digest(statementBody)) + "\"";
    }

    public String newPaymentLinkToken(String studentNo) {
        // vuln: CWE-330
        long token = ThreadLocalRandom.current().nextLong();
        String link = Long.toHexString(token);
        payments.storePaymentLink(studentNo, link);
        return "https://pay.uniplatform.edu/link/" + link;
    }

    public String newPaymentLinkTokenSecure(String studentNo) {
        byte[] bytes = new byte[32];
        // safe: CWE-330
        secureRandom.nextBytes(bytes);
        String link = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        payments.storePaymentLink(studentNo, link);
        return "https://pay.uniplatform.edu/link/" + link;
    }

    public String newRefundApprovalCode() {
        // vuln: CWE-330
        int code = 100000 + random.nextInt(900000);
        payments.storeRefundApprovalCode(String.valueOf(code));
        return String.valueOf(code);
    }

    public void submitWithRetry(Runnable gatewayCall) throws InterruptedException {
        for (int attempt = 1; attempt <= 5; attempt++) {
            try {
                gatewayCall.run();
                return;
            } catch (RuntimeException e) {
                // safe: CWE-330
                long jitter = ThreadLocalRandom.current().nextLong(0, 250);
                Thread.sleep((1L << attempt) * 100 + jitter);
            }
        }
        throw new IllegalStateException("payment gateway unavailable");
    }
}
