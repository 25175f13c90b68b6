package com.harbormutual.notifications;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

import javax.mail.Authenticator;
import javax.mail.PasswordAuthentication;
import javax.mail.Session;
import javax.naming.directory.Attributes;
import javax.servlet.http.HttpServletResponse;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.HttpEntity;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.ldap.core.AttributesMapper;
import org.springframework.ldap.core.LdapTemplate;
import org.springframework.ldap.query.LdapQueryBuilder;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.client.RestTemplate;
import org.springframework.web.reactive.function.client.WebClient;

@RestController
@RequestMapping("/notifications")
public class NotificationDispatchController {

    private static final Logger log = LoggerFactory.getLogger(NotificationDispatchController.class);

    // vuln: CWE-798
    private static final String SMS_GATEWAY_AUTH_TOKEN = "3f9c2b7e41d08a6c5e1f7b2d9a4c8e60";
    private static final String SMS_GATEWAY_ACCOUNT = "AC-harbormutual-prod";
    // safe: CWE-798
    private static final String SECRET_QUESTION_RESET_TEMPLATE = "security-question-reset-v3";

    private static final Set<String> LINK_HOSTS = Set.of("www.harbormutual.com", "portal.harbormutual.com", "claims.harbormutual.com");
    private static final Set<String> WEBHOOK_HOSTS = Set.of("hooks.propertyhub.io", "notify.lienholder-services.com");

    private final JdbcTemplate jdbc;
    private final LdapTemplate ldap;
    private final RestTemplate restTemplate;
    private final WebClient webClient;
    private final WebClient cmsClient;
    private final String pushApiKey;

    public NotificationDispatchController(JdbcTemplate jdbc, LdapTemplate ldap, RestTemplate restTemplate, WebClient.Builder builder,
                                          // safe: CWE-798
                                          @Value("${notifications.push.api-key}") String pushApiKey) {
        this.jdbc = jdbc;
        this.ldap = ldap;
        this.restTemplate = restTemplate;
        this.webClient = builder.build();
        this.cmsClient = builder.baseUrl("https://cms.internal.harbormutual.com/api").build();
        this.pushApiKey = pushApiKey;
    }

    @GetMapping("/s/{code}")
    public void shortLink(@PathVariable String code, HttpServletResponse response) throws IOException {
        List<String> targets = jdbc.queryForList("SELECT target_url FROM sms_short_links WHERE code = ? AND expires_at > now()", String.class, code);
        if (targets.isEmpty()) {
            response.sendError(HttpServletResponse.SC_NOT_FOUND);
            return;
        }
        jdbc.update("UPDATE sms_short_links SET clicks = clicks + 1 WHERE code = ?", code);
        // safe: CWE-601
        response.sendRedirect(targets.get(0));
    }

    @GetMapping("/click")
    public void trackClick(@RequestParam("mid") String messageId, @RequestParam("u") String url, HttpServletResponse response) throws IOException {
        jdbc.update("INSERT INTO email_clicks (message_id, url) VALUES (?, ?)", messageId, url);
        // vuln: CWE-601
        response.sendRedirect(url);
    }

    @GetMapping("/click/v2")
    public ResponseEntity<Void> trackClickV2(@RequestParam("mid") String messageId, @RequestParam("u") String url) {
        jdbc.update("INSERT INTO email_clicks (message_id, url) VALUES (?, ?)", messageId, url);
        if (!url.contains("harbormutual.com")) {
            return ResponseEntity.status(302).location(URI.create("https://www.harbormutual.com/")).build();
        }
        // vuln: CWE-601
        return ResponseEntity.status(302).header(HttpHeaders.LOCATION, url).build();
    }

    @GetMapping("/click/v3")
    public ResponseEntity<Void> trackClickV3(@RequestParam("mid") String messageId, @RequestParam("u") String url) {
        URI destination = URI.create("https://www.harbormutual.com/");
        try {
            URI parsed = new URI(url);
            if ("https".equalsIgnoreCase(parsed.getScheme()) && parsed.getHost() != null && LINK_HOSTS.contains(parsed.getHost().toLowerCase(Locale.ROOT))) {
                destination = parsed;
            }
        } catch (URISyntaxException e) {
            log.debug("Malformed click-through URL for message {}", messageId);
        }
        jdbc.update("INSERT INTO email_clicks (message_id, url) VALUES (?, ?)", messageId, destination.toString());
        // safe: CWE-601
        return ResponseEntity.status(302).location(destination).build();
    }

    @GetMapping("/agents/{agentNumber}/contact")
    public List<String> agentContact(@PathVariable String agentNumber) {
        AttributesMapper<String> mailMapper = (Attributes attrs) -> (String) attrs.get("mail").get();
        // vuln: CWE-90
        return ldap.search("ou=agents,dc=harbormutual,dc=com", "(&(objectClass=person)(agentNumber=" + agentNumber + "))", mailMapper);
    }

    @GetMapping("/agents/{agentNumber}/contact/v2")
    public List<String> agentContactV2(@PathVariable String agentNumber) {
        AttributesMapper<String> mailMapper = (Attributes attrs) -> (String) attrs.get("mail").get();
        // safe: CWE-90
        return ldap.search(LdapQueryBuilder.query().base("ou=agents,dc=harbormutual,dc=com").where("objectClass").is("person").and("agentNumber").is(agentNumber), mailMapper);
    }

    @GetMapping("/agents/by-email")
    public List<String> agentByEmail(@RequestParam("email") String email, @RequestParam(value = "exact", defaultValue = "true") boolean exact) {
        AttributesMapper<String> phoneMapper = (Attributes attrs) -> (String) attrs.get("telephoneNumber").get();
        if (exact) {
            // safe: CWE-90
            return ldap.search(LdapQueryBuilder.query().base("ou=agents,dc=harbormutual,dc=com").filter("(mail={0})", email), phoneMapper);
        }
        // vuln: CWE-90
        return ldap.search(LdapQueryBuilder.query().base("ou=agents,dc=harbormutual,dc=com").filter("(mail=" + email + "*)"), phoneMapper);
    }

    @PostMapping("/subscriptions/webhook/test")
    public ResponseEntity<String> testWebhook(@RequestBody WebhookSubscription subscription) {
        Map<String, Object> payload = Map.of("event", "TEST", "policyNumber", subscription.policyNumber);
        HttpEntity<Map<String, Object>> entity = new HttpEntity<>(payload, jsonHeaders());
        // vuln: CWE-918
        ResponseEntity<String> result = restTemplate.postForEntity(subscription.webhookUrl, entity, String.class);
        return ResponseEntity.ok("status " + result.getStatusCodeValue());
    }

    @PostMapping("/subscriptions/webhook")
    public ResponseEntity<String> registerWebhook(@RequestBody WebhookSubscription subscription) {
        URI uri = URI.create(subscription.webhookUrl);
        if (!"https".equals(uri.getScheme()) || uri.getHost() == null || !WEBHOOK_HOSTS.contains(uri.getHost().toLowerCase(Locale.ROOT)) || uri.getPort() != -1) {
            return ResponseEntity.badRequest().body("Webhook host is not an approved partner");
        }
        HttpEntity<Map<String, Object>> entity = new HttpEntity<>(Map.of("event", "SUBSCRIBED", "policyNumber", subscription.policyNumber), jsonHeaders());
        // safe: CWE-918
        ResponseEntity<String> result = restTemplate.postForEntity(uri, entity, String.class);
        jdbc.update("INSERT INTO webhook_subscriptions (policy_number, url) VALUES (?, ?)", subscription.policyNumber, uri.toString());
        return ResponseEntity.ok("registered " + result.getStatusCodeValue());
    }

    @GetMapping(value = "/templates/preview", produces = MediaType.TEXT_PLAIN_VALUE)
    public String previewTemplate(@RequestParam(value = "templateUrl", required = false) String templateUrl,
                                  @RequestParam(value = "templateId", required = false) String templateId) {
        if (templateId != null) {
            // safe: CWE-918
            return cmsClient.get().uri("/templates/{id}/render?format=text", templateId).retrieve().bodyToMono(String.class).block();
        }
        // vuln: CWE-918
        return webClient.get().uri(templateUrl).retrieve().bodyToMono(String.class).block();
    }

    @PostMapping("/sms/send")
    public ResponseEntity<String> sendSms(@RequestParam("to") String to, @RequestParam("code") String shortCode) {
        String body = "Harbor Mutual: your claim has an update. https://hm.link/s/" + shortCode;
        HttpHeaders headers = new HttpHeaders();
        headers.setContentType(MediaType.APPLICATION_FORM_URLENCODED);
        headers.set(HttpHeaders.AUTHORIZATION, "Basic " + Base64.getEncoder().encodeToString((SMS_GATEWAY_ACCOUNT + ":" + SMS_GATEWAY_AUTH_TOKEN).getBytes(StandardCharsets.UTF_8)));
        String form = "To=" + java.net.URLEncoder.encode(to, StandardCharsets.UTF_8) + "&Body=" + java.net.URLEncoder.encode(body, StandardCharsets.UTF_8);
        restTemplate.postForEntity("https://sms.gateway-provider.com/v1/Messages", new HttpEntity<>(form, headers), String.class);
        return ResponseEntity.accepted().body("queued");
    }

    Session mailSession() {
        Properties props = new Properties();
        props.put("mail.smtp.host", "smtp.harbormutual.com");
        props.put("mail.smtp.port", "587");
        props.put("mail.smtp.auth", "true");
        props.put("mail.smtp.starttls.enable", "true");
        String user = "notifications@harbormutual.com";
        // vuln: CWE-798
        String password = "N0tify!Harbor2022";
        return Session.getInstance(props, new Authenticator() {
            @Override
            protected PasswordAuthentication getPasswordAuthentication() {
                return new PasswordAuthentication(user, password);
            }
        });
    }

    Session relayMailSession() {
        Properties props = new Properties();
        props.put("mail.smtp.host", System.getenv().getOrDefault("SMTP_RELAY_HOST", "smtp-relay.harbormutual.com"));
        props.put("mail.smtp.auth", "true");
        props.put("mail.smtp.starttls.enable", "true");
        // safe: CWE-798
        String relayPassword = System.getenv("SMTP_RELAY_PASSWORD");
        return Session.getInstance(props, new Authenticator() {
            @Override
            protected PasswordAuthentication getPasswordAuthentication() {
                return new PasswordAuthentication("relay@harbormutual.com", relayPassword);
            }
        });
    }

    private HttpHeaders jsonHeaders() {
        HttpHeaders headers = new HttpHeaders();
        headers.setContentType(MediaType.APPLICATION_JSON);
        headers.set("X-HM-Push-Key", pushApiKey);
        headers.set("X-HM-Template", SECRET_QUESTION_RESET_TEMPLATE);
        return headers;
    }

    public static class WebhookSubscription {
        public String policyNumber;
        public String webhookUrl;
    }
}
