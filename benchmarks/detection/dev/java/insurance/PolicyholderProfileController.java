package com.harbormutual.portal;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.security.spec.InvalidKeySpecException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;
import javax.servlet.http.HttpSession;

import org.owasp.encoder.Encode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.util.HtmlUtils;

@RestController
@RequestMapping("/portal/profile")
public class PolicyholderProfileController {

    private static final Logger log = LoggerFactory.getLogger(PolicyholderProfileController.class);
    private static final Pattern EMAIL = Pattern.compile("^[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9.-]{1,180}\\.[A-Za-z]{2,24}$");
    private static final Pattern AVATAR_NAME = Pattern.compile("^[a-f0-9]{32}\\.(png|jpg)$");

    private final JdbcTemplate jdbc;
    private final Path avatarRoot;
    private final SecureRandom secureRandom = new SecureRandom();

    public PolicyholderProfileController(JdbcTemplate jdbc, @Value("${portal.avatars.dir}") String avatarDir) {
        this.jdbc = jdbc;
        this.avatarRoot = Paths.get(avatarDir).toAbsolutePath().normalize();
    }

    @PostMapping(value = "/preview", produces = MediaType.TEXT_HTML_VALUE)
    public void previewChanges(@RequestBody Map<String, String> form, HttpServletResponse response) throws IOException {
        response.setContentType("text/html;charset=UTF-8");
        PrintWriter out = response.getWriter();
        String preferredName = form.getOrDefault("preferredName", "").trim();
        String phone = form.getOrDefault("phone", "");
        out.write("<section class=\"profile-preview\">");
        // vuln: CWE-79
        out.write("<h2>Hello, " + preferredName + "</h2>");
        // safe: CWE-79
        out.write("<p class=\"phone\">Phone on file: " + HtmlUtils.htmlEscape(phone) + "</p>");
        out.write("</section>");
    }

    @GetMapping(value = "/address-card", produces = MediaType.TEXT_HTML_VALUE)
    public String addressCard(@RequestParam("line1") String line1,
                              @RequestParam(value = "line2", required = false) String line2,
                              @RequestParam("city") String city,
                              @RequestParam(value = "note", required = false) String note) {
        StringBuilder html = new StringBuilder("<div class=\"address\">");
        html.append("<span>").append(Encode.forHtml(line1)).append("</span>");
        if (line2 != null && !line2.isBlank()) {
            html.append("<span>").append(Encode.forHtml(line2)).append("</span>");
        }
        html.append("<span>").append(Encode.forHtml(city.toUpperCase(Locale.ROOT))).append("</span>");
        if (note != null) {
            String cleaned = note.replaceAll("(?i)<\\s*script[^>]*>", "").replaceAll("(?i)</\\s*script\\s*>", "");
            html.append("<em>").append(cleaned).append("</em>");
        }
        html.append("</div>");
        // vuln: CWE-79
        return html.toString();
    }

    @GetMapping(value = "/greeting", produces = MediaType.TEXT_HTML_VALUE)
    public String greeting(HttpSession session) {
        Object holderId = session.getAttribute("portal.holderId");
        String name = jdbc.queryForObject("SELECT display_name FROM policyholders WHERE id = ?", String.class, holderId);
        // safe: CWE-79
        return "<span class=\"greeting\">Welcome back, " + Encode.forHtml(name) + "</span>";
    }

    @GetMapping("/avatar/{fileName}")
    public ResponseEntity<byte[]> avatar(@PathVariable String fileName) throws IOException {
        String cleaned = fileName.replace("../", "").replace("..\\", "");
        // vuln: CWE-22
        byte[] bytes = Files.readAllBytes(avatarRoot.resolve(cleaned));
        return ResponseEntity.ok().contentType(MediaType.IMAGE_PNG).body(bytes);
    }

    @GetMapping("/avatar/v2/{fileName}")
    public ResponseEntity<byte[]> avatarV2(@PathVariable String fileName) throws IOException {
        Path candidate = avatarRoot.resolve(fileName).normalize();
        if (!candidate.startsWith(avatarRoot) || !AVATAR_NAME.matcher(candidate.getFileName().toString()).matches()) {
            return ResponseEntity.badRequest().build();
        }
        // safe: CWE-22
        byte[] bytes = Files.readAllBytes(candidate);
        MediaType type = candidate.toString().endsWith(".png") ? MediaType.IMAGE_PNG : MediaType.IMAGE_JPEG;
        return ResponseEntity.ok().contentType(type).body(bytes);
    }

    @PostMapping("/email/start-change")
    public ResponseEntity<String> startEmailChange(HttpServletRequest request) {
        HttpSession session = request.getSession(false);
        if (session == null) {
            return ResponseEntity.status(401).build();
        }
        String requested = requireValidEmail(request.getParameter("newEmail"));
        // safe: CWE-501
        session.setAttribute("profile.pendingEmail", requested);
        log.info("Email change started for holder {}", session.getAttribute("portal.holderId"));
        return ResponseEntity.accepted().body("verification-sent");
    }

    @PostMapping("/mailing-preferences")
    public ResponseEntity<String> mailingPreferences(HttpServletRequest request) {
        HttpSession session = request.getSession();
        String channel = request.getParameter("channel");
        String paperless = request.getParameter("paperless");
        // vuln: CWE-501
        session.setAttribute("profile.deliveryChannel", channel);
        jdbc.update("UPDATE policyholder_preferences SET paperless = ? WHERE holder_id = ?",
                Boolean.parseBoolean(paperless), session.getAttribute("portal.holderId"));
        return ResponseEntity.ok("saved");
    }

    @PostMapping("/security-question")
    public ResponseEntity<String> saveSecurityQuestion(@RequestBody Map<String, String> body, HttpSession session)
            throws NoSuchAlgorithmException {
        String questionId = body.get("questionId");
        String answer = normalizeAnswer(body.get("answer"));
        // vuln: CWE-328
        MessageDigest md = MessageDigest.getInstance("MD5");
        String answerHash = HexFormat.of().formatHex(md.digest(answer.getBytes(StandardCharsets.UTF_8)));
        jdbc.update("INSERT INTO security_answers (holder_id, question_id, answer_hash) VALUES (?, ?, ?)",
                session.getAttribute("portal.holderId"), questionId, answerHash);
        return ResponseEntity.ok("saved");
    }

    @PostMapping("/security-question/v2")
    public ResponseEntity<String> saveSecurityQuestionV2(@RequestBody Map<String, String> body, HttpSession session)
            throws NoSuchAlgorithmException, InvalidKeySpecException {
        String answer = normalizeAnswer(body.get("answer"));
        byte[] salt = new byte[16];
        secureRandom.nextBytes(salt);
        PBEKeySpec spec = new PBEKeySpec(answer.toCharArray(), salt, 210_000, 256);
        // safe: CWE-328
        SecretKeyFactory factory = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256");
        byte[] derived = factory.generateSecret(spec).getEncoded();
        spec.clearPassword();
        jdbc.update("INSERT INTO security_answers (holder_id, question_id, answer_salt, answer_hash) VALUES (?, ?, ?, ?)",
                session.getAttribute("portal.holderId"), body.get("questionId"),
                HexFormat.of().formatHex(salt), HexFormat.of().formatHex(derived));
        return ResponseEntity.ok("saved");
    }

    private static String requireValidEmail(String raw) {
        if (raw == null) {
            throw new IllegalArgumentException("newEmail is required");
        }
        String trimmed = raw.trim().toLowerCase(Locale.ROOT);
        if (trimmed.length() > 254 || !EMAIL.matcher(trimmed).matches()) {
            throw new IllegalArgumentException("newEmail is not a valid address");
        }
        return trimmed;
    }

    private static String normalizeAnswer(String answer) {
        if (answer == null || answer.isBlank()) {
            throw new IllegalArgumentException("answer is required");
        }
        return answer.trim().toLowerCase(Locale.ROOT).replaceAll("\\s+", " ");
    }
}
