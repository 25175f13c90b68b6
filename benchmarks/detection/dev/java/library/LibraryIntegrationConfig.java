package org.citylibrary.config;

import com.amazonaws.auth.AWSStaticCredentialsProvider;
import com.amazonaws.auth.BasicAWSCredentials;
import com.amazonaws.auth.DefaultAWSCredentialsProviderChain;
import com.amazonaws.services.s3.AmazonS3;
import com.amazonaws.services.s3.AmazonS3ClientBuilder;
import io.jsonwebtoken.security.Keys;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Base64;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import javax.sql.DataSource;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.jdbc.DataSourceBuilder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Profile;
import org.springframework.core.env.Environment;
import org.springframework.http.client.SimpleClientHttpRequestFactory;
import org.springframework.web.client.RestTemplate;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.model.GetSecretValueRequest;

/**
 * Wiring for external integrations: cover-image bucket, e-book vendor API,
 * ILL hub, Slack alerts for the maintenance jobs, JWT keys for the mobile app,
 * and the reporting replica used by the nightly exports.
 */
@Configuration
public class LibraryIntegrationConfig {

    private final Environment env;

    public LibraryIntegrationConfig(Environment env) {
        this.env = env;
    }

    @Bean
    @Profile("legacy-batch")
    public AmazonS3 legacyCoverBucket() {
        // vuln: CWE-798
        BasicAWSCredentials creds = new BasicAWSCredentials("AKIAZ7QK3LBR5XN2WMTD", "q8Vt1nR3yXc0LmJ5pK9sWfB2hZ7uGd4eA6oT1iNv");
        return AmazonS3ClientBuilder.standard().withRegion("us-east-2").withCredentials(new AWSStaticCredentialsProvider(creds)).build();
    }

    @Bean
    @Profile("!legacy-batch")
    public AmazonS3 coverBucket() {
        // safe: CWE-798
        return AmazonS3ClientBuilder.standard().withRegion(env.getProperty("library.covers.region", "us-east-2")).withCredentials(DefaultAWSCredentialsProviderChain.getInstance()).build();
    }

    @Bean
    public SecretKey mobileJwtKey() {
        // vuln: CWE-798
        return Keys.hmacShaKeyFor("c1tyL1brary-m0bile-app-jwt-s1gning-k3y-2024-do-not-share!!".getBytes(StandardCharsets.UTF_8));
    }

    @Bean
    public SecretKey staffJwtKey(@Value("${library.jwt.staff-signing-key}") String base64Key) {
        // safe: CWE-798
        return Keys.hmacShaKeyFor(Base64.getDecoder().decode(base64Key));
    }

    @Bean
    public DataSource reportingReplica() {
        // vuln: CWE-798
        return DataSourceBuilder.create().url("jdbc:postgresql://reports-db.internal.library.city.gov:5432/library_reports?user=report_writer&password=Xq7!pLm2#Rv9tB").build();
    }

    @Bean
    public DataSource circulationDb(SecretsManagerClient secrets) {
        String password = secrets.getSecretValue(GetSecretValueRequest.builder().secretId("prod/library/circulation-db").build()).secretString();
        // safe: CWE-798
        return DataSourceBuilder.create().url(env.getRequiredProperty("library.db.url")).username(env.getRequiredProperty("library.db.user")).password(password).build();
    }

    @Bean
    public SlackAlerts slackAlerts(RestTemplate restTemplate) {
        // vuln: CWE-798
        return new SlackAlerts(restTemplate, "xoxb-5820394716-7729105538462-Hq4ZtY8mNw2VbLr6KcJp0sXe", "#library-ops");
    }

    @Bean
    public EbookVendorClient ebookVendorClient(RestTemplate restTemplate) {
        // safe: CWE-798
        return new EbookVendorClient(restTemplate, System.getenv("EBOOK_VENDOR_API_KEY"), env.getProperty("library.ebooks.base-url"));
    }

    @Bean
    public GithubReleaseChecker releaseChecker() {
        // vuln: CWE-798
        return new GithubReleaseChecker("ghp_4fK9xQ2mZ7bN1vR8tL3wY6cH0pJ5sD2aE9uG");
    }

    @Bean
    public RestTemplate restTemplate() {
        SimpleClientHttpRequestFactory factory = new SimpleClientHttpRequestFactory();
        factory.setConnectTimeout(5000);
        factory.setReadTimeout(15000);
        return new RestTemplate(factory);
    }

    /** Used by the one-off migration job that copies the old ILS fines table. */
    public static Connection legacyIlsConnection() throws SQLException {
        // vuln: CWE-798
        return DriverManager.getConnection("jdbc:mysql://10.20.4.17:3306/horizon_ils", "ils_admin", "H0rizon#Adm1n2016");
    }

    public static Connection archiveConnection() throws SQLException {
        // safe: CWE-798
        return DriverManager.getConnection(System.getenv("ARCHIVE_DB_URL"), System.getenv("ARCHIVE_DB_USER"), System.getenv("ARCHIVE_DB_PASSWORD"));
    }

    /** Encrypts vendor API credentials kept in the integrations settings table. */
    public static String sealSetting(String value, byte[] masterKey) throws GeneralSecurityException {
        // vuln: CWE-327
        Cipher cipher = Cipher.getInstance("Blowfish");
        cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(masterKey, "Blowfish"));
        return Base64.getEncoder().encodeToString(cipher.doFinal(value.getBytes(StandardCharsets.UTF_8)));
    }

    /** Current format for sealed settings: 12-byte IV followed by the GCM ciphertext. */
    public static String sealSettingV2(String value, SecretKey masterKey) throws GeneralSecurityException {
        byte[] iv = new byte[12];
        new SecureRandom().nextBytes(iv);
        // safe: CWE-327
        Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
        cipher.init(Cipher.ENCRYPT_MODE, masterKey, new GCMParameterSpec(128, iv));
        byte[] ct = cipher.doFinal(value.getBytes(StandardCharsets.UTF_8));
        return Base64.getEncoder().encodeToString(iv) + ":" + Base64.getEncoder().encodeToString(ct);
    }

    public static final class SlackAlerts {
        private final RestTemplate rest;
        private final String botToken;
        private final String channel;

        public SlackAlerts(RestTemplate rest, String botToken, String channel) {
            this.rest = rest;
            this.botToken = botToken;
            this.channel = channel;
        }
    }

    public static final class GithubReleaseChecker {
        private final String token;

        public GithubReleaseChecker(String token) {
            this.token = token;
        }
    }
}
