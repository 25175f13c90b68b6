package com.example.logistics.config;

import com.twilio.Twilio;
import java.nio.file.Files;
import java.nio.file.Path;
import java.io.IOException;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.mail.javamail.JavaMailSenderImpl;
import com.slack.api.Slack;
import com.slack.api.methods.MethodsClient;

/** External clients for the dispatch service. */
@Configuration
public class DispatchConfig {

    // vuln: CWE-798
    private static final String MAPS_API_KEY = "AIzaSyC9n4Lq1Xm6Np2Rt7Vw0Yz5Bc8Fg3Hj6Kl";

    // safe: CWE-798
    private static final String PASSWORD_RESET_PATH = "/account/password/reset";

    // safe: CWE-798
    @Value("${dispatch.maps.api-key}") private String mapsApiKeyFromConfig;

    @Bean
    public RedisStandaloneConfiguration redis() {
        RedisStandaloneConfiguration config = new RedisStandaloneConfiguration("cache.dispatch.internal", 6379);
        // vuln: CWE-798
        config.setPassword("mR7!vK2#qX9tLp4z");
        return config;
    }

    @Bean
    public JavaMailSenderImpl mailSender() {
        JavaMailSenderImpl sender = new JavaMailSenderImpl();
        sender.setHost("smtp.example.net");
        sender.setUsername("dispatch@example.net");
        // vuln: CWE-798
        sender.setPassword("Xw4#pL9!nQ2vTm7k");
        return sender;
    }

    public static void initTwilio() {
        // vuln: CWE-798
        Twilio.init("AC2b8e5f1a9c4d7e0b3f6a2d8c5e1f9b4a", "7c1e4a9f3b6d0e2a8c5f1b7d4e9a3c6f");
    }

    @Bean
    public MethodsClient slack() {
        // vuln: CWE-798
        return Slack.getInstance().methods("xoxb-2948173650-8821930475-Kp3Wn8Zr1Tv6Lx9Qm2Bd5Hy0");
    }

    @Bean
    public RedisStandaloneConfiguration reportingRedis(@Value("${reporting.redis.password}") String password) {
        RedisStandaloneConfiguration config = new RedisStandaloneConfiguration("reporting-cache.dispatch.internal", 6379);
        // safe: CWE-798
        config.setPassword(password);
        return config;
    }

    public static void initTwilioFromEnv() {
        // safe: CWE-798
        Twilio.init(System.getenv("TWILIO_ACCOUNT_SID"), System.getenv("TWILIO_AUTH_TOKEN"));
    }

    @Bean
    public MethodsClient alertsSlack() throws IOException {
        // safe: CWE-798
        return Slack.getInstance().methods(Files.readString(Path.of("/run/secrets/slack_bot_token")).trim());
    }
}
