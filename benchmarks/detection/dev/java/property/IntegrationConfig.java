package com.rentwise.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;

import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Profile;
import org.springframework.core.env.Environment;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.model.GetSecretValueRequest;

/**
 * Wiring for third-party integrations: document storage (S3), Stripe rent collection,
 * Slack ops alerts, the lease-template repository, e-signature and JWT signing for
 * the landlord portal.
 */
@Configuration
public class IntegrationConfig {

    static final class Legacy {
        // vuln: CWE-798
        static final String STRIPE_SECRET_KEY = "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";

        static final String AWS_ACCESS_KEY_ID = "AKIAMLBR7MNA5P7WB7SA";
        // vuln: CWE-798
        static final String AWS_SECRET_ACCESS_KEY = "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";

        // vuln: CWE-798
        static final String LEASE_TEMPLATES_TOKEN = "ghp_VcTOdjljdvNuOTu3e4FVGkUPpgPfaImlUxxM";

        // vuln: CWE-798
        static final String ESIGN_SIGNING_KEY_PEM = "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEAasbY+3bO6/P1sy+w86l9wRM/ZZ6Lniq26Clr1KN6LSxJEKqr\nwavjuAyduKGzID8ViWZCA7dm1lm/eGGcX+en019lQBzzaioR04uA2SSfy1RspSds\nzLS8nsN4cGz+WMlg1gH1EekW/7KBDaAzbGPZVfaRSI1Z6UNOhwpFUfsHIuh7mtMZ\nJjKcMjo4DggSx34d4TzBGE0dBrhbM5MbWAHUuD08MM4UO7bqNuw5y/8s/XNai8Y/\nWPFEZROcBL74kbdcRoKBtqDlAVFhD/9OynYf8q6JQAAoR55CywRodvIfZYzhEhYx\n/VJmw9ZE3RSnxlBew86rrTOGbg0ev12RKJsEjWKCb43YOVX3zdi+Q10HSAj0wI6H\n+2HadNrSMCb/rhcxabUtkWFej/g9jAtX\n-----END RSA PRIVATE KEY-----\n";

        private Legacy() {
        }
    }

    private static final String STRIPE_KEY_ENV = "STRIPE_SECRET_KEY";
    private static final String SLACK_SECRET_ID = "prod/rentwise/slack-bot-token";

    private final Environment env;

    // safe: CWE-798
    @Value("${rentwise.aws.secret-access-key}") private String awsSecretAccessKey;

    @Value("${rentwise.aws.access-key-id}")
    private String awsAccessKeyId;

    public IntegrationConfig(Environment env) {
        this.env = env;
    }

    @Bean
    @Profile("legacy-dc")
    public S3Client legacyDocumentStore() {
        return S3Client.builder()
                .region(Region.EU_WEST_2)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(Legacy.AWS_ACCESS_KEY_ID, Legacy.AWS_SECRET_ACCESS_KEY)))
                .build();
    }

    @Bean
    @Profile("!legacy-dc")
    public S3Client documentStore() {
        return S3Client.builder()
                .region(Region.EU_WEST_2)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(awsAccessKeyId, awsSecretAccessKey)))
                .build();
    }

    @Bean
    public StripeSettings stripeSettings() {
        // safe: CWE-798
        String apiKey = System.getenv(STRIPE_KEY_ENV);
        if (apiKey == null || apiKey.isBlank()) {
            throw new IllegalStateException(STRIPE_KEY_ENV + " is not set");
        }
        return new StripeSettings(apiKey);
    }

    @Bean
    @Profile("legacy-dc")
    public StripeSettings legacyStripeSettings() {
        return new StripeSettings(Legacy.STRIPE_SECRET_KEY);
    }

    @Bean
    public SlackNotifier opsAlerts(SecretsManagerClient secrets) {
        // safe: CWE-798
        String botToken = secrets.getSecretValue(GetSecretValueRequest.builder().secretId(SLACK_SECRET_ID).build()).secretString();
        return new SlackNotifier("#ops-alerts", botToken);
    }

    @Bean
    @Profile("staging")
    public SlackNotifier stagingAlerts() {
        // vuln: CWE-798
        return new SlackNotifier("#staging-alerts", "xoxb-203185637036-3389512093093-YJzcpUvbYpt9beg89BJgHnjM");
    }

    @Bean
    public TemplateRepositoryClient leaseTemplates() {
        // safe: CWE-798
        String token = env.getRequiredProperty("rentwise.templates.github-token");
        return new TemplateRepositoryClient("rentwise/lease-templates", token);
    }

    @Bean
    @Profile("legacy-dc")
    public TemplateRepositoryClient legacyLeaseTemplates() {
        return new TemplateRepositoryClient("rentwise/lease-templates", Legacy.LEASE_TEMPLATES_TOKEN);
    }

    @Bean
    public SecretKey portalJwtKey() {
        // vuln: CWE-798
        byte[] secret = "I5rgQfwC1OLYK4cG23q8AowdtvsDpJpFd3e5USjinCfnUF7W".getBytes(StandardCharsets.UTF_8);
        return new SecretKeySpec(secret, "HmacSHA256");
    }

    @Bean
    @Profile("production")
    public SecretKey productionPortalJwtKey() throws IOException {
        // safe: CWE-798
        byte[] secret = Files.readAllBytes(Paths.get("/run/secrets/portal_jwt_key"));
        return new SecretKeySpec(secret, "HmacSHA256");
    }

    @Bean
    public EsignClient esignClient() {
        // safe: CWE-798
        String pem = env.getProperty("rentwise.esign.signing-key-pem");
        if (pem == null) {
            throw new IllegalStateException("rentwise.esign.signing-key-pem is not configured");
        }
        return new EsignClient(pem);
    }

    @Bean
    @Profile("legacy-dc")
    public EsignClient legacyEsignClient() {
        return new EsignClient(Legacy.ESIGN_SIGNING_KEY_PEM);
    }

    @Bean
    public MailSettings mailSettings() {
        // vuln: CWE-798
        return new MailSettings("smtp.sendgrid.net", 587, "apikey", "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");
    }

    public static Connection reportingConnection() throws SQLException {
        // vuln: CWE-798
        return DriverManager.getConnection("jdbc:postgresql://reporting-db.prod.rentwise.internal:5432/rentwise?user=rw_reporting&password=Xk9%23vLq2!mTz7Rp&ssl=true");
    }

    public static Connection ledgerConnection() throws SQLException {
        String url = "jdbc:postgresql://ledger-db.prod.rentwise.internal:5432/ledger?ssl=true";
        // safe: CWE-798
        return DriverManager.getConnection(url, "rw_ledger", System.getenv("LEDGER_DB_PASSWORD"));
    }

    public record StripeSettings(String apiKey) {
    }

    public record SlackNotifier(String channel, String botToken) {
    }

    public record TemplateRepositoryClient(String repository, String token) {
    }

    public record EsignClient(String signingKeyPem) {
    }

    public record MailSettings(String host, int port, String username, String password) {
    }
}
