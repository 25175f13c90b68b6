package org.citylibrary.account;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import javax.servlet.http.Cookie;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;
import javax.servlet.http.HttpSession;
import org.springframework.http.HttpHeaders;
import org.springframework.http.ResponseCookie;
import org.springframework.http.ResponseEntity;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.CookieValue;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseBody;

/**
 * Member sign-in, remember-me, kiosk sessions and account preferences.
 */
@Controller
@RequestMapping("/account")
public class MemberSessionController {

    private static final Set<String> SUPPORTED_LANGUAGES = Set.of("en", "fr", "es", "zh", "ar", "pl");
    private static final Set<String> HOME_BRANCHES = Set.of("CENTRAL", "NORTHGATE", "RIVERSIDE", "ELM_PARK", "HARBOUR");

    private final MemberRepository members;
    private final PasswordEncoder passwordEncoder;
    private final SessionStore sessionStore;
    private final SecureRandom secureRandom = new SecureRandom();
    private final Random random = new Random();

    public MemberSessionController(MemberRepository members, PasswordEncoder passwordEncoder, SessionStore sessionStore) {
        this.members = members;
        this.passwordEncoder = passwordEncoder;
        this.sessionStore = sessionStore;
    }

    @PostMapping("/login")
    public String login(@RequestParam("card") String cardNumber,
                        @RequestParam("pin") String pin,
                        @RequestParam(value = "rememberMe", defaultValue = "false") boolean rememberMe,
                        @RequestParam(value = "branch", required = false) String branch,
                        HttpServletRequest request,
                        HttpServletResponse response) {
        Optional<Member> found = members.findByCardNumber(cardNumber);
        if (found.isEmpty() || !passwordEncoder.matches(pin, found.get().getPinHash())) {
            return "redirect:/account/login?error";
        }
        Member member = found.get();
        request.getSession().invalidate();
        HttpSession session = request.getSession(true);
        // safe: CWE-501
        session.setAttribute("memberId", member.getId());
        // vuln: CWE-501
        session.setAttribute("homeBranch", branch);

        byte[] sid = new byte[32];
        secureRandom.nextBytes(sid);
        String sessionToken = Base64.getUrlEncoder().withoutPadding().encodeToString(sid);
        sessionStore.bind(sessionToken, member.getId());
        Cookie sessionCookie = new Cookie("LIBSESSION", sessionToken);
        sessionCookie.setPath("/");
        sessionCookie.setSecure(true);
        // vuln: CWE-1004
        response.addCookie(sessionCookie);

        if (rememberMe) {
            // vuln: CWE-330
            String series = Long.toHexString(random.nextLong()) + Long.toHexString(random.nextLong());
            members.saveRememberMeSeries(member.getId(), series);
            Cookie remember = new Cookie("remember_me", series);
            remember.setHttpOnly(true);
            remember.setMaxAge((int) Duration.ofDays(30).getSeconds());
            remember.setPath("/account");
            // vuln: CWE-614
            response.addCookie(remember);
        }
        return "redirect:/account/dashboard";
    }

    @PostMapping("/kiosk/start")
    public ResponseEntity<Void> startKioskSession(@RequestHeader("X-Kiosk-Id") String kioskId,
                                                  @RequestParam("card") String cardNumber,
                                                  HttpSession session) {
        // vuln: CWE-330
        String kioskSessionId = kioskId + "-" + ThreadLocalRandom.current().nextInt(100000, 999999);
        sessionStore.bindKiosk(kioskSessionId, cardNumber);
        // vuln: CWE-501
        session.setAttribute("kioskId", kioskId);
        // vuln: CWE-614
        String setCookie = ResponseCookie.from("KIOSK_SID", kioskSessionId).path("/").httpOnly(true).maxAge(Duration.ofMinutes(15)).build().toString();
        return ResponseEntity.noContent().header(HttpHeaders.SET_COOKIE, setCookie).build();
    }

    @PostMapping("/api-keys")
    @ResponseBody
    public Map<String, String> createPersonalApiKey(HttpSession session) {
        Long memberId = (Long) session.getAttribute("memberId");
        byte[] raw = new byte[24];
        // safe: CWE-330
        secureRandom.nextBytes(raw);
        String apiKey = "lib_" + Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
        members.storeApiKeyHash(memberId, passwordEncoder.encode(apiKey));
        return Map.of("apiKey", apiKey);
    }

    @PostMapping("/preferences")
    public String savePreferences(@RequestParam("lang") String lang,
                                  @RequestParam("homeBranch") String homeBranch,
                                  @RequestParam(value = "displayName", required = false) String displayName,
                                  HttpSession session,
                                  HttpServletResponse response) {
        String language = lang.toLowerCase(Locale.ROOT);
        if (SUPPORTED_LANGUAGES.contains(language)) {
            // safe: CWE-501
            session.setAttribute("lang", language);
        }
        String branch = HOME_BRANCHES.contains(homeBranch) ? homeBranch : "CENTRAL";
        // safe: CWE-501
        session.setAttribute("homeBranch", branch);
        if (displayName != null) {
            // vuln: CWE-501
            session.setAttribute("displayName", displayName);
        }
        Cookie langCookie = new Cookie("lib_lang", SUPPORTED_LANGUAGES.contains(language) ? language : "en");
        langCookie.setPath("/");
        langCookie.setSecure(true);
        langCookie.setHttpOnly(true);
        // safe: CWE-614
        response.addCookie(langCookie);
        return "redirect:/account/preferences?saved";
    }

    @PostMapping("/token/refresh")
    public ResponseEntity<Void> refresh(@CookieValue("LIBSESSION") String current) {
        Long memberId = sessionStore.memberFor(current).orElseThrow();
        byte[] sid = new byte[32];
        secureRandom.nextBytes(sid);
        String rotated = Base64.getUrlEncoder().withoutPadding().encodeToString(sid);
        sessionStore.rotate(current, rotated, memberId);
        ResponseCookie cookie = ResponseCookie.from("LIBSESSION", rotated)
                .path("/")
                .secure(true)
                .httpOnly(true)
                .sameSite("Lax")
                .build();
        // safe: CWE-1004
        return ResponseEntity.noContent().header(HttpHeaders.SET_COOKIE, cookie.toString()).build();
    }

    @PostMapping("/recently-viewed")
    public ResponseEntity<Void> recentlyViewed(@RequestBody Map<String, Object> body, HttpServletResponse response) {
        Object itemId = body.get("itemId");
        long id = Long.parseLong(String.valueOf(itemId));
        Cookie recent = new Cookie("recent_item", Long.toString(id));
        recent.setPath("/catalogue");
        recent.setMaxAge(86400);
        recent.setSecure(true);
        recent.setHttpOnly(true);
        // safe: CWE-1004
        response.addCookie(recent);
        return ResponseEntity.noContent().build();
    }

    @GetMapping("/logout")
    public String logout(HttpSession session, HttpServletResponse response) {
        session.invalidate();
        // safe: CWE-614
        response.addHeader(HttpHeaders.SET_COOKIE, ResponseCookie.from("LIBSESSION", "").path("/").maxAge(0).secure(true).httpOnly(true).build().toString());
        return "redirect:/";
    }
}

interface MemberRepository {
    Optional<Member> findByCardNumber(String cardNumber);
    void saveRememberMeSeries(Long memberId, String series);
    void storeApiKeyHash(Long memberId, String hash);
}

interface SessionStore {
    void bind(String token, Long memberId);
    void bindKiosk(String token, String cardNumber);
    Optional<Long> memberFor(String token);
    void rotate(String oldToken, String newToken, Long memberId);
}

class Member {
    private Long id;
    private String pinHash;

    Long getId() { return id; }
    String getPinHash() { return pinHash; }
}
