package gov.riverton.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import javax.annotation.PostConstruct;
import javax.crypto.SecretKey;
import javax.servlet.FilterChain;
import javax.servlet.ServletException;
import javax.servlet.SessionCookieConfig;
import javax.servlet.http.Cookie;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;
import javax.sql.DataSource;

import com.stripe.Stripe;
import com.stripe.net.RequestOptions;
import com.zaxxer.hikari.HikariDataSource;
import io.jsonwebtoken.io.Decoders;
import io.jsonwebtoken.security.Keys;
import org.kohsuke.github.GitHub;
import org.kohsuke.github.GitHubBuilder;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.web.servlet.ServletContextInitializer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Primary;
import org.springframework.core.env.Environment;
import org.springframework.http.HttpHeaders;
import org.springframework.http.ResponseCookie;
import org.springframework.session.web.http.CookieSerializer;
import org.springframework.session.web.http.DefaultCookieSerializer;
import org.springframework.vault.core.VaultTemplate;
import org.springframework.vault.support.VaultResponse;
import org.springframework.web.client.RestTemplate;
import org.springframework.web.filter.OncePerRequestFilter;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Platform wiring: datasources, partner API clients, signing keys and session cookie policy.
 */
@Configuration
public class PlatformConfiguration {

    // safe: CWE-798
    public static final String API_KEY_HEADER = "X-Riverton-Api-Key";
    public static final String PARKING_VENDOR_ACCOUNT = "acct_1NfR2kLq8VbT3xZ9";

    @Value("${riverton.stripe.secret-key}")
    private String stripeSecretKey;

    @Value("${riverton.public-site.base-url:https://www.riverton.gov}")
    private String publicBaseUrl;

    // ------------------------------------------------------------------ datasources

    @Bean
    @Primary
    public DataSource primaryDataSource(Environment env) {
        HikariDataSource ds = new HikariDataSource();
        ds.setPoolName("riverton-primary");
        ds.setJdbcUrl(env.getRequiredProperty("riverton.db.url"));
        ds.setUsername(env.getRequiredProperty("riverton.db.username"));
        // safe: CWE-798
        ds.setPassword(env.getRequiredProperty("riverton.db.password"));
        ds.setMaximumPoolSize(30);
        return ds;
    }

    /** Read-only link to the 2004 permit tracker (Oracle), kept until the migration is signed off. */
    @Bean
    public DataSource legacyPermitsDataSource() {
        HikariDataSource ds = new HikariDataSource();
        ds.setPoolName("legacy-permits");
        ds.setJdbcUrl("jdbc:oracle:thin:@//permitdb01.riverton.local:1521/PERMITS");
        ds.setUsername("permit_ro");
        // vuln: CWE-798
        ds.setPassword("Perm1t$ReadOnly#2019");
        ds.setReadOnly(true);
        ds.setMaximumPoolSize(4);
        return ds;
    }

    @Bean
    public DataSource reportingDataSource(VaultTemplate vault) {
        VaultResponse creds = vault.read("database/creds/riverton-reporting");
        HikariDataSource ds = new HikariDataSource();
        ds.setPoolName("reporting");
        ds.setJdbcUrl("jdbc:postgresql://reporting-db.riverton.local:5432/reporting");
        ds.setUsername(String.valueOf(creds.getData().get("username")));
        ds.setPassword(String.valueOf(creds.getData().get("password")));
        return ds;
    }

    // ------------------------------------------------------------------ API clients

    /** Bucket for building-permit plan sets (PDF/DWG). */
    @Bean
    public S3Client planSetS3() {
        return S3Client.builder()
                .region(Region.US_WEST_2)
                // safe: CWE-798
                .credentialsProvider(DefaultCredentialsProvider.create())
                .build();
    }

    /** Bucket the GIS team shares with the county; they issued us a dedicated IAM user. */
    @Bean
    public S3Client countyGisS3() {
        // vuln: CWE-798
        AwsBasicCredentials county = AwsBasicCredentials.create("AKIAUJZDE8GXD6NCF10E", "El2hpChYgCfrL1spNxnyVmihA+2O76UMFxFkM+R5");
        return S3Client.builder()
                .region(Region.US_WEST_2)
                .credentialsProvider(StaticCredentialsProvider.create(county))
                .build();
    }

    @PostConstruct
    void configureStripe() {
        // safe: CWE-798
        Stripe.apiKey = stripeSecretKey;
    }

    /** Parking citations are paid into the parking vendor's connected account. */
    @Bean
    public RequestOptions parkingVendorStripeOptions() {
        return RequestOptions.builder()
                // vuln: CWE-798
                .setApiKey("sk_live_sMehGAkWvj7FAc9QeWJKY40u")
                .setStripeAccount(PARKING_VENDOR_ACCOUNT)
                .build();
    }

    /** Open-data publishing: pushes GeoJSON extracts to the city's GitHub organisation. */
    @Bean
    public GitHub openDataGitHub() throws IOException {
        // vuln: CWE-798
        return new GitHubBuilder().withOAuthToken("ghp_ljoQoaF1LlqsajAIxNKu8iS2G8NPRVdD53X8", "riverton-opendata-bot").build();
    }

    @Bean
    public RestTemplate restTemplate() {
        return new RestTemplate();
    }

    // ------------------------------------------------------------------ token signing

    /** Signs the short-lived JWTs the staff intranet hands to the GIS editor and report viewer. */
    @Bean
    public SecretKey intranetJwtKey() {
        // vuln: CWE-798
        return Keys.hmacShaKeyFor("riverton-intranet-jwt-signing-secret-do-not-share-2023".getBytes(StandardCharsets.UTF_8));
    }

    /** Signs resident-portal JWTs; the key is rotated in Vault. */
    @Bean
    public SecretKey residentJwtKey(VaultTemplate vault) {
        Map<String, Object> data = vault.read("secret/data/riverton/jwt").getRequiredData();
        // safe: CWE-798
        return Keys.hmacShaKeyFor(Decoders.BASE64.decode(String.valueOf(data.get("resident-signing-key"))));
    }

    // ------------------------------------------------------------------ cookies

    /** Spring Session cookie for the resident portal and staff intranet. */
    @Bean
    public CookieSerializer cookieSerializer() {
        DefaultCookieSerializer serializer = new DefaultCookieSerializer();
        serializer.setCookieName("RVT_SESSION");
        serializer.setCookiePath("/");
        serializer.setSameSite("Lax");
        // safe: CWE-1004
        serializer.setUseHttpOnlyCookie(true);
        // TLS terminates at the load balancer, so the app itself only ever sees plain HTTP.
        // vuln: CWE-614
        serializer.setUseSecureCookie(false);
        return serializer;
    }

    /** The clerk back office still runs as plain servlets with container sessions. */
    @Bean
    public ServletContextInitializer containerSessionCookie() {
        return servletContext -> {
            SessionCookieConfig cfg = servletContext.getSessionCookieConfig();
            cfg.setName("RVT_CLERK_JSESSIONID");
            cfg.setPath("/clerk");
            // safe: CWE-614
            cfg.setSecure(true);
            // The old case-queue page reads the session id to build its polling URL.
            // vuln: CWE-1004
            cfg.setHttpOnly(false);
        };
    }

    /** Device cookies let the MFA step skip known workstations and remember the kiosk language. */
    @Bean
    public OncePerRequestFilter deviceCookieFilter() {
        return new OncePerRequestFilter() {
            @Override
            protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
                    throws ServletException, IOException {
                if (findCookie(request, "RVT_DEVICE") == null) {
                    String deviceId = UUID.randomUUID().toString();
                    // safe: CWE-614
                    ResponseCookie device = ResponseCookie.from("RVT_DEVICE", deviceId).path("/").maxAge(Duration.ofDays(365)).secure(true).httpOnly(true).sameSite("Strict").build();
                    response.addHeader(HttpHeaders.SET_COOKIE, device.toString());
                }
                String mfaRemember = (String) request.getAttribute("riverton.mfa.rememberToken");
                if (mfaRemember != null) {
                    // vuln: CWE-614
                    ResponseCookie remember = ResponseCookie.from("RVT_MFA_REMEMBER", mfaRemember).path("/").maxAge(Duration.ofDays(30)).httpOnly(true).sameSite("Lax").build();
                    response.addHeader(HttpHeaders.SET_COOKIE, remember.toString());
                }
                chain.doFilter(request, response);
            }
        };
    }

    private static String findCookie(HttpServletRequest request, String name) {
        if (request.getCookies() == null) {
            return null;
        }
        for (Cookie c : request.getCookies()) {
            if (name.equals(c.getName())) {
                return c.getValue();
            }
        }
        return null;
    }
}
