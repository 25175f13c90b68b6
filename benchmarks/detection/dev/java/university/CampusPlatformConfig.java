package edu.uniplatform.config;

import com.amazonaws.auth.AWSStaticCredentialsProvider;
import com.amazonaws.auth.BasicAWSCredentials;
import com.amazonaws.services.s3.AmazonS3;
import com.amazonaws.services.s3.AmazonS3ClientBuilder;
import com.slack.api.Slack;
import com.slack.api.methods.MethodsClient;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import javax.servlet.ServletContext;
import javax.servlet.SessionCookieConfig;
import org.kohsuke.github.GitHub;
import org.kohsuke.github.GitHubBuilder;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.web.servlet.ServletContextInitializer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Profile;
import org.springframework.ldap.core.support.LdapContextSource;
import org.springframework.session.web.http.CookieSerializer;
import org.springframework.session.web.http.DefaultCookieSerializer;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.model.GetSecretValueRequest;

@Configuration
public class CampusPlatformConfig {

    // vuln: CWE-798
    private static final String SLACK_BOT_TOKEN = "xoxb-347301938676-0577118965435-DwIvpeBCqrY3AIMNvKkyqF89";

    // vuln: CWE-798
    private static final String LTI_SIGNING_KEY_PEM = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQDbotxmBfxlewdyoBUzmmvpuWkDiLJfduXydzC2OGbw4CWIKpR7wQtaYWFp3WDDqpJUMMHohkx2InIlsk6A2etFhWWgQx3xeaktvDwq3QSv952ZoLgWVI7gwfaWqbZifXp\n-----END PRIVATE KEY-----\n";

    // safe: CWE-798
    @Value("${directory.ldap.bind-password}") private String ldapBindPassword;

    @Bean
    @Profile("legacy-archive")
    public AmazonS3 transcriptArchiveClient() {
        // vuln: CWE-798
        BasicAWSCredentials credentials = new BasicAWSCredentials("AKIACZFHH2TRAR3ANUCW", "BJAHX8iZtNR2L+61j1600mW69bMH3Z5jgKlMRR3l");
        return AmazonS3ClientBuilder.standard().withRegion("eu-central-1").withCredentials(new AWSStaticCredentialsProvider(credentials)).build();
    }

    @Bean
    public S3Client uploadsClient() {
        // safe: CWE-798
        return S3Client.builder().region(Region.EU_CENTRAL_1).credentialsProvider(DefaultCredentialsProvider.create()).build();
    }

    @Bean
    public GitHub courseMaterialsRepo() throws java.io.IOException {
        // vuln: CWE-798
        return new GitHubBuilder().withOAuthToken("ghp_iuP4cbUy7z18pftn18Azn0xbPyWfjwV68Seu", "uniplatform-bot").build();
    }

    @Bean
    public MethodsClient slackNotifications() {
        return Slack.getInstance().methods(SLACK_BOT_TOKEN);
    }

    @Bean
    public PrivateKey ltiSigningKey() throws Exception {
        String base64 = LTI_SIGNING_KEY_PEM.replace("-----BEGIN PRIVATE KEY-----", "").replace("-----END PRIVATE KEY-----", "").replaceAll("\\s", "");
        return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(base64)));
    }

    @Bean
    public LdapContextSource directoryContextSource() {
        LdapContextSource source = new LdapContextSource();
        source.setUrl("ldaps://ldap.uniplatform.edu:636");
        source.setUserDn("cn=portal-reader,ou=services,dc=uniplatform,dc=edu");
        // safe: CWE-798
        source.setPassword(ldapBindPassword);
        return source;
    }

    @Bean
    @Profile("library-sync")
    public LdapContextSource libraryContextSource() {
        LdapContextSource source = new LdapContextSource();
        source.setUrl("ldaps://ldap.uniplatform.edu:636");
        source.setUserDn("cn=library-sync,ou=services,dc=uniplatform,dc=edu");
        // vuln: CWE-798
        source.setPassword("L1br@ry-Sync!2023#ldap");
        return source;
    }

    @Bean
    public String paymentsGatewaySecret(SecretsManagerClient secrets) {
        // safe: CWE-798
        return secrets.getSecretValue(GetSecretValueRequest.builder().secretId("prod/payments/gateway").build()).secretString();
    }

    @Bean
    public MethodsClient slackAlerts() {
        // safe: CWE-798
        String token = System.getenv("SLACK_ALERTS_BOT_TOKEN");
        return Slack.getInstance().methods(token);
    }

    @Bean
    public CookieSerializer portalCookieSerializer() {
        DefaultCookieSerializer serializer = new DefaultCookieSerializer();
        serializer.setCookieName("CAMPUS_PORTAL_SESSION");
        serializer.setCookiePath("/");
        // safe: CWE-614
        serializer.setUseSecureCookie(true);
        // vuln: CWE-1004
        serializer.setUseHttpOnlyCookie(false);
        serializer.setSameSite("Lax");
        return serializer;
    }

    @Bean
    @Profile("kiosk")
    public CookieSerializer kioskCookieSerializer() {
        DefaultCookieSerializer serializer = new DefaultCookieSerializer();
        serializer.setCookieName("CAMPUS_KIOSK_SESSION");
        // vuln: CWE-614
        serializer.setUseSecureCookie(false);
        // safe: CWE-1004
        serializer.setUseHttpOnlyCookie(true);
        return serializer;
    }

    @Bean
    public ServletContextInitializer sessionCookieHardening() {
        return (ServletContext servletContext) -> {
            SessionCookieConfig cookieConfig = servletContext.getSessionCookieConfig();
            cookieConfig.setName("JSESSIONID");
            // safe: CWE-1004
            cookieConfig.setHttpOnly(true);
            // safe: CWE-614
            cookieConfig.setSecure(true);
        };
    }
}
