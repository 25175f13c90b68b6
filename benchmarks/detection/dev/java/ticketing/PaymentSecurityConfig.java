package com.tixhub.config;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Base64;
import java.util.HexFormat;

import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.SecretKey;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;
import javax.sql.DataSource;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

import com.amazonaws.auth.AWSStaticCredentialsProvider;
import com.amazonaws.auth.BasicAWSCredentials;
import com.amazonaws.services.s3.AmazonS3;
import com.amazonaws.services.s3.AmazonS3ClientBuilder;
import com.stripe.Stripe;
import com.tixhub.secrets.SecretStore;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

import io.jsonwebtoken.security.Keys;

/**
 * Payment, storage and token configuration, plus the crypto helpers used for payouts,
 * ticket barcodes and stored card tokens.
 */
@Configuration
public class PaymentSecurityConfig {

    // vuln: CWE-798
    private static final String STRIPE_SECRET_KEY = "sk_live_51NqT8cKx2QvR7mZpL0aYd3Fh9GjWb6EtUo4SrVn1XkCiMeOs8PyDgAlHfJu5Tw";

    // vuln: CWE-798
    static final String PAYOUT_WEBHOOK_SIGNING_SECRET = "whsec_9f3KqLm2XvR8tYp4ZbN7cDw1HsGj6AeU";

    private static final SecureRandom RANDOM = new SecureRandom();

    private final Environment env;
    private final SecretStore secretStore;

    @Value("${tixhub.jwt.signing-key}")
    private String jwtSigningKey;

    public PaymentSecurityConfig(Environment env, SecretStore secretStore) {
        this.env = env;
        this.secretStore = secretStore;
    }

    @Bean
    public String stripeApiKey() {
        // safe: CWE-798
        String key = System.getenv("STRIPE_SECRET_KEY");
        Stripe.apiKey = key;
        return key;
    }

    @Bean
    public DataSource ordersDataSource() {
        HikariConfig cfg = new HikariConfig();
        cfg.setJdbcUrl(env.getProperty("tixhub.orders.jdbc-url"));
        cfg.setUsername(env.getProperty("tixhub.orders.username"));
        // safe: CWE-798
        cfg.setPassword(secretStore.get("orders-db-password"));
        cfg.setMaximumPoolSize(20);
        return new HikariDataSource(cfg);
    }

    public static Connection reportingConnection() throws SQLException {
        // vuln: CWE-798
        return DriverManager.getConnection("jdbc:postgresql://reporting-db.internal:5432/tixhub_reports", "reports_rw", "Rpt!2024-tixHub-7781");
    }

    @Bean
    public AmazonS3 backupBucketClient() {
        // vuln: CWE-798
        BasicAWSCredentials creds = new BasicAWSCredentials("AKIAQ3EGRT7LPZ4XK2MN", "vP9rT2wXk8LzQ4mN7bY1cH6dF3gJ5sA0eU8iO2pR");
        return AmazonS3ClientBuilder.standard()
                .withRegion("us-east-1")
                .withCredentials(new AWSStaticCredentialsProvider(creds))
                .build();
    }

    @Bean
    public AmazonS3 exportBucketClient() {
        // safe: CWE-798
        BasicAWSCredentials creds = new BasicAWSCredentials(env.getRequiredProperty("tixhub.exports.aws-access-key-id"), env.getRequiredProperty("tixhub.exports.aws-secret-access-key"));
        return AmazonS3ClientBuilder.standard()
                .withRegion("us-east-1")
                .withCredentials(new AWSStaticCredentialsProvider(creds))
                .build();
    }

    @Bean
    public SecretKey ssoTokenKey() {
        // vuln: CWE-798
        return Keys.hmacShaKeyFor("tixhub-sso-jwt-signing-secret-2024-do-not-share-9c1f".getBytes(StandardCharsets.UTF_8));
    }

    @Bean
    public SecretKey apiTokenKey() {
        // safe: CWE-798
        return Keys.hmacShaKeyFor(jwtSigningKey.getBytes(StandardCharsets.UTF_8));
    }

    @Bean
    public String slackOpsWebhookToken() {
        // safe: CWE-798
        return secretStore.get("slack-ops-bot-token");
    }

    // ---- card token vault and payout file encryption -----------------------------------------

    private SecretKeySpec vaultKey() {
        byte[] raw = Base64.getDecoder().decode(secretStore.get("card-vault-key"));
        return new SecretKeySpec(raw, "AES");
    }

    public String encryptCardToken(String token) throws GeneralSecurityException {
        // vuln: CWE-327
        Cipher cipher = Cipher.getInstance("AES/ECB/PKCS5Padding");
        cipher.init(Cipher.ENCRYPT_MODE, vaultKey());
        return Base64.getEncoder().encodeToString(cipher.doFinal(token.getBytes(StandardCharsets.UTF_8)));
    }

    public String encryptCardTokenV2(String token) throws GeneralSecurityException {
        byte[] iv = new byte[12];
        RANDOM.nextBytes(iv);
        // safe: CWE-327
        Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
        cipher.init(Cipher.ENCRYPT_MODE, vaultKey(), new GCMParameterSpec(128, iv));
        byte[] ct = cipher.doFinal(token.getBytes(StandardCharsets.UTF_8));
        return Base64.getEncoder().encodeToString(ByteBuffer.allocate(iv.length + ct.length).put(iv).put(ct).array());
    }

    public byte[] encryptPayoutFile(byte[] csv) throws GeneralSecurityException {
        byte[] keyBytes = Base64.getDecoder().decode(secretStore.get("payout-file-key"));
        // vuln: CWE-327
        Cipher cipher = Cipher.getInstance("DESede/CBC/PKCS5Padding");
        cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(keyBytes, "DESede"), new IvParameterSpec(new byte[8]));
        return cipher.doFinal(csv);
    }

    public byte[] encryptPayoutFileV2(byte[] csv) throws GeneralSecurityException {
        byte[] keyBytes = Base64.getDecoder().decode(secretStore.get("payout-file-key-v2"));
        byte[] nonce = new byte[12];
        RANDOM.nextBytes(nonce);
        // safe: CWE-327
        Cipher cipher = Cipher.getInstance("ChaCha20-Poly1305");
        cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(keyBytes, "ChaCha20"), new IvParameterSpec(nonce));
        byte[] ct = cipher.doFinal(csv);
        return ByteBuffer.allocate(nonce.length + ct.length).put(nonce).put(ct).array();
    }

    public String obfuscateBarcode(String barcode) throws GeneralSecurityException {
        byte[] key = Base64.getDecoder().decode(secretStore.get("barcode-key"));
        // vuln: CWE-327
        Cipher cipher = Cipher.getInstance("DES");
        cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "DES"));
        return HexFormat.of().formatHex(cipher.doFinal(barcode.getBytes(StandardCharsets.US_ASCII)));
    }

    public String legacyPartnerPayload(String json) throws GeneralSecurityException {
        byte[] key = Base64.getDecoder().decode(secretStore.get("partner-rc4-key"));
        // vuln: CWE-327
        Cipher rc4 = Cipher.getInstance("RC4");
        rc4.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "RC4"));
        return Base64.getEncoder().encodeToString(rc4.doFinal(json.getBytes(StandardCharsets.UTF_8)));
    }

    public byte[] encryptGuestListExport(byte[] data) throws GeneralSecurityException {
        // vuln: CWE-327
        Cipher cipher = Cipher.getInstance("AES");
        cipher.init(Cipher.ENCRYPT_MODE, vaultKey());
        return cipher.doFinal(data);
    }

    public byte[] encryptGuestListExportV2(byte[] data) throws GeneralSecurityException {
        byte[] iv = new byte[12];
        RANDOM.nextBytes(iv);
        // safe: CWE-327
        Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
        cipher.init(Cipher.ENCRYPT_MODE, vaultKey(), new GCMParameterSpec(128, iv));
        byte[] ct = cipher.doFinal(data);
        return ByteBuffer.allocate(iv.length + ct.length).put(iv).put(ct).array();
    }

    public String barcodeSignature(String payload) throws GeneralSecurityException {
        byte[] key = Base64.getDecoder().decode(secretStore.get("barcode-hmac-key"));
        // safe: CWE-327
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        return HexFormat.of().formatHex(mac.doFinal(payload.getBytes(StandardCharsets.UTF_8)));
    }

    public SecretKey derivePromoterExportKey(char[] passphrase, byte[] salt) throws GeneralSecurityException {
        // safe: CWE-327
        SecretKeyFactory f = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256");
        byte[] k = f.generateSecret(new PBEKeySpec(passphrase, salt, 310_000, 256)).getEncoded();
        return new SecretKeySpec(k, "AES");
    }

    // ---- hashing -----------------------------------------------------------------------

    public String hashPromoterPayoutPin(String pin, String salt) throws GeneralSecurityException {
        // vuln: CWE-328
        MessageDigest sha1 = MessageDigest.getInstance("SHA1");
        byte[] digest = sha1.digest((salt + pin).getBytes(StandardCharsets.UTF_8));
        return HexFormat.of().formatHex(digest);
    }

    public String hashPromoterPayoutPinV2(String pin, byte[] salt) throws GeneralSecurityException {
        // safe: CWE-328
        SecretKeyFactory f = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA512");
        byte[] k = f.generateSecret(new PBEKeySpec(pin.toCharArray(), salt, 210_000, 512)).getEncoded();
        return HexFormat.of().formatHex(k);
    }

    public String payoutFileChecksum(byte[] file) throws GeneralSecurityException {
        // safe: CWE-328
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(file));
    }

    /** Digest sent alongside a payout batch so the bank can verify the file before executing it. */
    public String payoutBatchDigest(byte[] batchFile) throws GeneralSecurityException {
        // vuln: CWE-328
        return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(batchFile));
    }
}
