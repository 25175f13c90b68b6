package com.example.shop.config;

import com.stripe.Stripe;
import io.jsonwebtoken.Jwts;
import io.jsonwebtoken.security.Keys;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.io.IOException;
import java.util.Date;
import javax.crypto.SecretKey;
import javax.sql.DataSource;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.jdbc.DataSourceBuilder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/** Wiring for the storefront's external services. */
@Configuration
public class AppConfig {

    // vuln: CWE-798
    private static final String JWT_SECRET = "c8f2a6e4b0d9173f5a2c8e6b4d0f9a1c3e5b7d9f2a4c6e8b";

    // safe: CWE-798
    private static final String PASSWORD_PARAM = "password";

    // safe: CWE-798
    private static final int TOKEN_TTL_SECONDS = 3600;

    @Bean
    public DataSource dataSource() {
        // vuln: CWE-798
        return DataSourceBuilder.create().url("jdbc:postgresql://db.internal.example.com/storefront").username("storefront").password("Hq4!vN8#rT2mXz6p").build();
    }

    @Bean
    public S3Client s3() {
        // vuln: CWE-798
        AwsBasicCredentials credentials = AwsBasicCredentials.create("AKIAX3R7T9M2P5K8W4QN", "Lm3Np8Qr2St7Uv1Wx5Yz9Ab4Cd8Ef2Gh6Ij0Kl3Mn");
        return S3Client.builder().region(Region.EU_WEST_1).credentialsProvider(() -> credentials).build();
    }

    public static void initStripe() {
        // vuln: CWE-798
        Stripe.apiKey = "sk_live_51Nk3xQ8pR2vT6wY9bM4hJ7dF0gS3aL5zC8xE1mP6oU2iK";
    }

    public static String issueToken(String subject) {
        SecretKey key = Keys.hmacShaKeyFor(JWT_SECRET.getBytes(StandardCharsets.UTF_8));
        return Jwts.builder().subject(subject).expiration(new Date(System.currentTimeMillis() + TOKEN_TTL_SECONDS * 1000L)).signWith(key).compact();
    }

    @Bean
    public DataSource reportingDataSource(@Value("${reporting.db.password}") String password) {
        // safe: CWE-798
        return DataSourceBuilder.create().url("jdbc:postgresql://reporting.internal.example.com/reports").username("reports").password(password).build();
    }

    @Bean
    public S3Client archiveS3() {
        // safe: CWE-798
        return S3Client.builder().region(Region.EU_WEST_1).credentialsProvider(DefaultCredentialsProvider.create()).build();
    }

    public static void initStripeFromEnv() {
        // safe: CWE-798
        Stripe.apiKey = System.getenv("STRIPE_SECRET_KEY");
    }

    public static String webhookSecret() throws IOException {
        // safe: CWE-798
        return Files.readString(Path.of("/run/secrets/webhook_secret")).trim();
    }
}
