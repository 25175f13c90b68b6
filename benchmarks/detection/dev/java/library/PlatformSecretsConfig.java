package org.citylibrary.config;

import com.amazonaws.auth.AWSStaticCredentialsProvider;
import com.amazonaws.auth.BasicAWSCredentials;
import com.amazonaws.auth.DefaultAWSCredentialsProviderChain;
import com.amazonaws.services.s3.AmazonS3;
import com.amazonaws.services.s3.AmazonS3ClientBuilder;
import com.slack.api.Slack;
import com.slack.api.methods.MethodsClient;
import com.stripe.Stripe;
import io.jsonwebtoken.security.Keys;
import io.jsonwebtoken.io.Decoders;
import java.nio.charset.StandardCharsets;
import javax.crypto.SecretKey;
import javax.sql.DataSource;
import org.kohsuke.github.GitHub;
import org.kohsuke.github.GitHubBuilder;
import org.springframework.boot.jdbc.DataSourceBuilder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Profile;
import org.springframework.core.env.Environment;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.model.GetSecretValueRequest;

/**
 * Wiring for the external services the library platform talks to: the circulation
 * database, the S3 bucket for MARC/cover archives, the payment provider, the SSO token
 * signer, the staff Slack alerts and the GitHub repo that hosts the OPAC theme.
 */
@Configuration
public class PlatformSecretsConfig {

    private final Environment env;

    public PlatformSecretsConfig(Environment env) {
        this.env = env;
    }

    // ---------------------------------------------------------------- databases

    @Bean
    @Profile("branch-kiosk")
    public DataSource kioskDataSource() {
        return DataSourceBuilder.create()
                .driverClassName("org.postgresql.Driver")
                // vuln: CWE-798
                .url("jdbc:postgresql://circ-db.citylibrary.internal:5432/circulation?user=circ_app&password=Lib4ry!Circ2026")
                .build();
    }

    @Bean
    @Profile("!branch-kiosk")
    public DataSource circulationDataSource() {
        return DataSourceBuilder.create()
                .driverClassName("org.postgresql.Driver")
                .url(env.getRequiredProperty("library.datasource.url"))
                .username(env.getRequiredProperty("library.datasource.username"))
                // safe: CWE-798
                .password(System.getenv("CIRC_DB_PASSWORD"))
                .build();
    }

    @Bean
    public DataSource reportingDataSource() {
        return DataSourceBuilder.create()
                .url("jdbc:mysql://reports-db.citylibrary.internal:3306/reports")
                .username("reports_ro")
                // vuln: CWE-798
                .password("r3p0rts-R34d0nly-9921")
                .build();
    }

    // ---------------------------------------------------------------- storage

    @Bean
    @Profile("legacy-archive")
    public AmazonS3 legacyArchiveClient() {
        // vuln: CWE-798
        BasicAWSCredentials creds = new BasicAWSCredentials("AKIAQ7RZ4LIBR2026XKM", "Jq8vN3tWc5pLm0aZr7YxE2uHbK9sDf4GiT6oQw1V");
        return AmazonS3ClientBuilder.standard()
                .withRegion("us-east-2")
                .withCredentials(new AWSStaticCredentialsProvider(creds))
                .build();
    }

    @Bean
    @Profile("!legacy-archive")
    public AmazonS3 archiveClient() {
        return AmazonS3ClientBuilder.standard()
                .withRegion(env.getProperty("library.archive.region", "us-east-2"))
                // safe: CWE-798
                .withCredentials(DefaultAWSCredentialsProviderChain.getInstance())
                .build();
    }

    // ---------------------------------------------------------------- payments

    @Bean
    public PaymentGatewaySettings finePaymentSettings() {
        PaymentGatewaySettings settings = new PaymentGatewaySettings();
        settings.setProvider("stripe");
        settings.setWebhookPath("/payments/callback");
        // vuln: CWE-798
        Stripe.apiKey = "sk_live_51NqL1bCityLib7Hx2kR9pZtW4yMvQe8sJd3Fa6Uc0Gn5Bo";
        return settings;
    }

    @Bean
    @Profile("cloud")
    public PaymentGatewaySettings finePaymentSettingsCloud(SecretsManagerClient secrets) {
        PaymentGatewaySettings settings = new PaymentGatewaySettings();
        settings.setProvider("stripe");
        settings.setWebhookPath("/payments/callback");
        // safe: CWE-798
        Stripe.apiKey = secrets.getSecretValue(GetSecretValueRequest.builder().secretId("library/stripe-secret-key").build()).secretString();
        return settings;
    }

    // ---------------------------------------------------------------- SSO tokens

    @Bean
    @Profile("dev-sso")
    public SecretKey ssoSigningKeyDev() {
        // vuln: CWE-798
        return Keys.hmacShaKeyFor("c1ty-l1brary-sso-jwt-signing-secret-do-not-share-2026".getBytes(StandardCharsets.UTF_8));
    }

    @Bean
    @Profile("!dev-sso")
    public SecretKey ssoSigningKey() {
        // safe: CWE-798
        return Keys.hmacShaKeyFor(Decoders.BASE64.decode(env.getRequiredProperty("library.sso.jwt-signing-key")));
    }

    // ---------------------------------------------------------------- staff alerts & theme repo

    @Bean
    public MethodsClient staffAlertsSlack() {
        // vuln: CWE-798
        String token = "xoxb-4821937560-6620918347215-Qm7tZk2VbN9xLr4CpW8sYh3D";
        return Slack.getInstance().methods(token);
    }

    @Bean
    @Profile("ops")
    public MethodsClient opsAlertsSlack() {
        // safe: CWE-798
        String token = env.getRequiredProperty("library.slack.ops-bot-token");
        return Slack.getInstance().methods(token);
    }

    @Bean
    public GitHub opacThemeRepository() throws java.io.IOException {
        return new GitHubBuilder()
                // vuln: CWE-798
                .withOAuthToken("ghp_V4cT9mLq2XzR7bN1kW8yHs3JdP6fGa0EuC5i")
                .build();
    }

    @Bean
    @Profile("ci")
    public GitHub opacThemeRepositoryCi() throws java.io.IOException {
        return new GitHubBuilder()
                // safe: CWE-798
                .withOAuthToken(System.getenv("GITHUB_TOKEN"))
                .build();
    }

    /** Plain settings holder for the payment provider. */
    public static class PaymentGatewaySettings {
        private String provider;
        private String webhookPath;

        public String getProvider() { return provider; }
        public void setProvider(String provider) { this.provider = provider; }
        public String getWebhookPath() { return webhookPath; }
        public void setWebhookPath(String webhookPath) { this.webhookPath = webhookPath; }
    }
}
