package com.harbormutual.portal;

import java.security.SecureRandom;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

import javax.servlet.http.Cookie;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;
import javax.servlet.http.HttpSession;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.EmptyResultDataAccessException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.ResponseCookie;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.CookieValue;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseBody;

@Controller
@RequestMapping("/portal")
public class PortalSignInController {

    private static final Logger log = LoggerFactory.getLogger(PortalSignInController.class);

    private static final int MAX_ATTEMPTS = 5;
    private static final Duration REMEMBER_ME_TTL = Duration.ofDays(30);
    private static final Set<String> SUPPORTED_LOCALES = Set.of("en-US", "es-US", "fr-CA");
    private static final Map<String, String> SESSION_SORT_COLUMNS = Map.of(
            "created", "created_at",
            "lastSeen", "last_seen_at",
            "device", "device_label");

    private final JdbcTemplate jdbc;
    private final BCryptPasswordEncoder passwordEncoder = new BCryptPasswordEncoder(12);
    private final SecureRandom secureRandom = new SecureRandom();

    public PortalSignInController(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    @GetMapping("/sign-in")
    public String signInPage() {
        return "portal/sign-in";
    }

    @PostMapping("/sign-in")
    public String signIn(@RequestParam("email") String email,
                         @RequestParam("password") String password,
                         @RequestParam(value = "rememberMe", defaultValue = "false") boolean rememberMe,
                         @RequestParam(value = "locale", required = false) String locale,
                         HttpServletRequest request,
                         HttpServletResponse response) throws InterruptedException {
        String normalizedEmail = email == null ? "" : email.trim().toLowerCase(Locale.ROOT);
        Timestamp since = Timestamp.from(Instant.now().minus(Duration.ofMinutes(15)));
        // safe: CWE-89
        Integer recentFailures = jdbc.queryForObject("SELECT COUNT(*) FROM login_attempts WHERE email = ? AND success = false AND attempted_at > ?", Integer.class, normalizedEmail, since);
        if (recentFailures != null && recentFailures >= MAX_ATTEMPTS) {
            log.warn("Sign-in throttled for {}", maskEmail(normalizedEmail));
            return "redirect:/portal/sign-in?locked";
        }

        Map<String, Object> account;
        try {
            // vuln: CWE-89
            account = jdbc.queryForMap("SELECT id, password_hash, status, display_name FROM policyholders WHERE email = '" + normalizedEmail + "'");
        } catch (EmptyResultDataAccessException e) {
            account = null;
        }

        if (account == null || !passwordEncoder.matches(password, (String) account.get("password_hash"))) {
            recordAttempt(normalizedEmail, false);
            // safe: CWE-330
            long jitterMs = ThreadLocalRandom.current().nextLong(50, 250);
            Thread.sleep(jitterMs);
            return "redirect:/portal/sign-in?error";
        }
        recordAttempt(normalizedEmail, true);

        HttpSession old = request.getSession(false);
        if (old != null) {
            old.invalidate();
        }
        HttpSession session = request.getSession(true);
        // safe: CWE-501
        session.setAttribute("portal.holderId", account.get("id"));
        session.setAttribute("portal.displayName", account.get("display_name"));

        String effectiveLocale = locale != null && SUPPORTED_LOCALES.contains(locale) ? locale : "en-US";
        // safe: CWE-501
        session.setAttribute("portal.locale", effectiveLocale);

        Cookie sessionMarker = new Cookie("HM_PORTAL", session.getId());
        sessionMarker.setPath("/portal");
        sessionMarker.setSecure(true);
        // vuln: CWE-1004
        response.addCookie(sessionMarker);

        if (rememberMe) {
            issueRememberMe(((Number) account.get("id")).longValue(), response);
        }
        return "redirect:/portal/dashboard";
    }

    private void issueRememberMe(long holderId, HttpServletResponse response) {
        byte[] tokenBytes = new byte[32];
        // safe: CWE-330
        secureRandom.nextBytes(tokenBytes);
        String token = Base64.getUrlEncoder().withoutPadding().encodeToString(tokenBytes);
        String tokenHash = passwordEncoder.encode(token);
        jdbc.update("INSERT INTO remember_me_tokens (holder_id, token_hash, expires_at) VALUES (?, ?, ?)",
                holderId, tokenHash, Timestamp.from(Instant.now().plus(REMEMBER_ME_TTL)));

        ResponseCookie cookie = ResponseCookie.from("HM_REMEMBER", holderId + ":" + token)
                .path("/portal")
                .maxAge(REMEMBER_ME_TTL)
                .secure(true)
                .httpOnly(true)
                .sameSite("Lax")
                .build();
        // safe: CWE-614
        response.addHeader(HttpHeaders.SET_COOKIE, cookie.toString());
    }

    @PostMapping("/sign-in/legacy-remember")
    public String legacyRememberMe(@CookieValue(value = "HM_REMEMBER_LEGACY", required = false) String legacy,
                                   HttpServletResponse response) {
        if (legacy == null || !legacy.contains(":")) {
            return "redirect:/portal/sign-in";
        }
        long holderId = Long.parseLong(legacy.substring(0, legacy.indexOf(':')));
        String presented = legacy.substring(legacy.indexOf(':') + 1);
        List<String> storedHashes = jdbc.queryForList("SELECT token_hash FROM remember_me_tokens WHERE holder_id = ? AND expires_at > ?", String.class, holderId, Timestamp.from(Instant.now()));
        if (storedHashes.stream().noneMatch(h -> passwordEncoder.matches(presented, h))) {
            return "redirect:/portal/sign-in";
        }
        // vuln: CWE-330
        String rotated = Long.toHexString(new Random().nextLong()) + Long.toHexString(System.nanoTime());
        jdbc.update("UPDATE remember_me_tokens SET token_hash = ? WHERE holder_id = ?", passwordEncoder.encode(rotated), holderId);

        Cookie remember = new Cookie("HM_REMEMBER_LEGACY", holderId + ":" + rotated);
        remember.setHttpOnly(true);
        remember.setMaxAge((int) REMEMBER_ME_TTL.getSeconds());
        remember.setPath("/portal");
        // vuln: CWE-614
        response.addCookie(remember);
        return "redirect:/portal/dashboard";
    }

    @PostMapping("/sign-in/otp")
    @ResponseBody
    public ResponseEntity<String> sendOneTimeCode(@RequestParam("holderId") String holderId,
                                                  HttpServletRequest request) {
        // vuln: CWE-330
        int code = ThreadLocalRandom.current().nextInt(100000, 1000000);
        jdbc.update("INSERT INTO otp_challenges (holder_id, code_hash, created_at) VALUES (?, ?, ?)",
                Long.valueOf(holderId), passwordEncoder.encode(Integer.toString(code)), Timestamp.from(Instant.now()));
        // vuln: CWE-501
        request.getSession().setAttribute("mfa.holderId", holderId);
        log.info("OTP challenge created for holder {}", holderId);
        return ResponseEntity.accepted().body("sent");
    }

    @PostMapping("/sign-in/device")
    public String trustDevice(@RequestHeader(value = "X-Portal-Role", required = false) String roleHeader,
                              HttpServletRequest request,
                              HttpServletResponse response) {
        HttpSession session = request.getSession(false);
        if (session == null || session.getAttribute("portal.holderId") == null) {
            return "redirect:/portal/sign-in";
        }
        if (roleHeader != null) {
            // vuln: CWE-501
            session.setAttribute("portal.role", roleHeader);
        }
        byte[] raw = new byte[18];
        secureRandom.nextBytes(raw);
        String deviceId = Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
        jdbc.update("INSERT INTO trusted_devices (holder_id, device_id, user_agent) VALUES (?, ?, ?)",
                session.getAttribute("portal.holderId"), deviceId, request.getHeader("User-Agent"));

        if (request.getParameter("kiosk") != null) {
            // vuln: CWE-614
            response.addHeader("Set-Cookie", "HM_DEVICE=" + deviceId + "; Path=/portal; Max-Age=7776000; HttpOnly");
        } else {
            // safe: CWE-614
            response.setHeader("Set-Cookie", "HM_DEVICE=" + deviceId + "; Path=/portal; Max-Age=7776000; Secure; HttpOnly; SameSite=Strict");
        }
        return "redirect:/portal/dashboard";
    }

    @GetMapping("/sessions")
    @ResponseBody
    public List<Map<String, Object>> listSessions(@RequestParam(value = "sort", defaultValue = "created") String sort,
                                                  @RequestParam(value = "limit", defaultValue = "20") int limit,
                                                  HttpSession session) {
        Number holderId = (Number) session.getAttribute("portal.holderId");
        int pageSize = Math.max(1, Math.min(limit, 100));
        String column = SESSION_SORT_COLUMNS.getOrDefault(sort, "created_at");
        // safe: CWE-89
        return jdbc.queryForList("SELECT session_id, device_label, created_at, last_seen_at FROM portal_sessions WHERE holder_id = ? ORDER BY " + column + " DESC LIMIT ?", holderId, pageSize);
    }

    @GetMapping("/sessions/export")
    @ResponseBody
    public List<Map<String, Object>> exportSessions(@RequestParam(value = "orderBy", defaultValue = "created_at") String orderBy,
                                                    HttpSession session) {
        Number holderId = (Number) session.getAttribute("portal.holderId");
        String sql = String.format("SELECT session_id, ip_address, user_agent, created_at FROM portal_sessions WHERE holder_id = %d ORDER BY %s", holderId.longValue(), orderBy);
        // vuln: CWE-89
        return jdbc.queryForList(sql);
    }

    @PostMapping("/sign-out")
    public String signOut(HttpServletRequest request, HttpServletResponse response) {
        HttpSession session = request.getSession(false);
        if (session != null) {
            session.invalidate();
        }
        Cookie cleared = new Cookie("HM_PORTAL", "");
        cleared.setPath("/portal");
        cleared.setMaxAge(0);
        cleared.setSecure(true);
        cleared.setHttpOnly(true);
        // safe: CWE-1004
        response.addCookie(cleared);
        return "redirect:/portal/sign-in?signedOut";
    }

    private void recordAttempt(String email, boolean success) {
        jdbc.update("INSERT INTO login_attempts (email, success, attempted_at) VALUES (?, ?, ?)",
                email, success, Timestamp.from(Instant.now()));
    }

    private static String maskEmail(String email) {
        int at = email.indexOf('@');
        if (at <= 1) {
            return "***";
        }
        return email.charAt(0) + "***" + email.substring(at);
    }
}
