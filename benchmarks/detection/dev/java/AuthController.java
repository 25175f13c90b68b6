package com.example.shop.auth;

import java.io.IOException;
import java.net.URI;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;
import java.util.Set;
import javax.servlet.http.Cookie;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;
import javax.servlet.http.HttpSession;
import org.springframework.http.HttpHeaders;
import org.springframework.http.ResponseCookie;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.view.RedirectView;

/** Sign-in, consent redirects, remember-me cookies and session state. */
@Controller
public class AuthController {

    private static final Map<String, String> AFTER_LOGIN = Map.of("orders", "/orders", "billing", "/billing");
    private static final Set<String> THEMES = Set.of("light", "dark", "high-contrast");
    private static final SecureRandom RANDOM = new SecureRandom();

    private final AccountService accounts;

    public AuthController(AccountService accounts) {
        this.accounts = accounts;
    }

    private static String newToken() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    @PostMapping("/login")
    public void login(HttpServletRequest request, HttpServletResponse response) throws IOException {
        accounts.authenticate(request.getParameter("username"), request.getParameter("password"));
        String next = request.getParameter("next");
        // vuln: CWE-601
        response.sendRedirect(next);
    }

    @GetMapping("/logout")
    public String logout(@RequestParam(name = "returnTo", defaultValue = "/") String returnTo, HttpSession session) {
        session.invalidate();
        // vuln: CWE-601
        return "redirect:" + returnTo;
    }

    @GetMapping("/consent/continue")
    public RedirectView continueAfterConsent(HttpServletRequest request) {
        String target = request.getHeader("X-Post-Consent-Url");
        // vuln: CWE-601
        return new RedirectView(target);
    }

    @GetMapping("/sso/return")
    public void ssoReturn(HttpServletRequest request, HttpServletResponse response) {
        response.setStatus(HttpServletResponse.SC_FOUND);
        // vuln: CWE-601
        response.setHeader("Location", request.getParameter("RelayState"));
    }

    @PostMapping("/login/safe")
    public void loginSafe(HttpServletRequest request, HttpServletResponse response) throws IOException {
        accounts.authenticate(request.getParameter("username"), request.getParameter("password"));
        String next = request.getParameter("next");
        URI uri = URI.create(next == null ? "/" : next);
        if (uri.isAbsolute() || uri.getHost() != null || !next.startsWith("/") || next.startsWith("//")) {
            next = "/";
        }
        // safe: CWE-601
        response.sendRedirect(next);
    }

    @GetMapping("/after-login")
    public String afterLogin(@RequestParam(defaultValue = "orders") String page) {
        // safe: CWE-601
        return "redirect:" + AFTER_LOGIN.getOrDefault(page, "/dashboard");
    }

    @GetMapping("/orders/{id}/moved")
    public RedirectView orderMoved(@PathVariable long id) {
        // safe: CWE-601
        return new RedirectView("/orders/" + id);
    }

    @PostMapping("/devices/remember")
    public void rememberDevice(HttpServletResponse response) {
        Cookie cookie = new Cookie("device_token", newToken());
        cookie.setMaxAge(90 * 24 * 3600);
        cookie.setPath("/");
        // vuln: CWE-614
        response.addCookie(cookie);
    }

    @PostMapping("/api-token")
    public void storeApiToken(@RequestParam String token, HttpServletResponse response) {
        Cookie cookie = new Cookie("api_token", token);
        cookie.setSecure(true);
        cookie.setHttpOnly(false);
        // vuln: CWE-1004
        response.addCookie(cookie);
    }

    @GetMapping("/session/hint")
    public void sessionHint(HttpServletResponse response) {
        // vuln: CWE-614
        response.addHeader(HttpHeaders.SET_COOKIE, ResponseCookie.from("session_hint", newToken()).path("/").build().toString());
    }

    @PostMapping("/devices/remember/safe")
    public void rememberDeviceSafe(HttpServletResponse response) {
        Cookie cookie = new Cookie("device_token", newToken());
        cookie.setMaxAge(90 * 24 * 3600);
        cookie.setPath("/");
        cookie.setSecure(true);
        cookie.setHttpOnly(true);
        // safe: CWE-614
        response.addCookie(cookie);
    }

    @GetMapping("/theme/{theme}")
    public String theme(@PathVariable String theme, HttpServletResponse response) {
        Cookie cookie = new Cookie("theme", THEMES.contains(theme) ? theme : "light");
        cookie.setSecure(true);
        cookie.setHttpOnly(true);
        // safe: CWE-614
        response.addCookie(cookie);
        return "redirect:/settings";
    }

    @GetMapping("/session/hint/safe")
    public void sessionHintSafe(HttpServletResponse response) {
        // safe: CWE-614
        response.addHeader(HttpHeaders.SET_COOKIE, ResponseCookie.from("session_hint", newToken()).path("/").secure(true).httpOnly(true).sameSite("Strict").build().toString());
    }

    @GetMapping("/impersonate")
    public String impersonate(HttpServletRequest request) {
        // vuln: CWE-501
        request.getSession().setAttribute("actingAs", request.getParameter("user"));
        return "redirect:/dashboard";
    }

    @PostMapping("/role")
    public String role(HttpServletRequest request, HttpSession session) {
        String role = request.getHeader("X-Requested-Role");
        // vuln: CWE-501
        session.setAttribute("role", role);
        return "redirect:/dashboard";
    }

    @PostMapping("/team")
    public String switchTeam(@RequestParam("team") String team, HttpSession session) {
        // vuln: CWE-501
        session.setAttribute("teamId", team);
        return "redirect:/dashboard";
    }

    @PostMapping("/team/safe")
    public String switchTeamSafe(@RequestParam("team") long teamId, HttpSession session) {
        Long userId = (Long) session.getAttribute("userId");
        Team team = accounts.teamForMember(userId, teamId).orElseThrow(() -> new SecurityException("not a member"));
        // safe: CWE-501
        session.setAttribute("teamId", team.id());
        return "redirect:/dashboard";
    }

    @GetMapping("/theme/session/{theme}")
    public String themeSession(@PathVariable String theme, HttpSession session) {
        // safe: CWE-501
        session.setAttribute("theme", THEMES.contains(theme) ? theme : "light");
        return "redirect:/settings";
    }

    @PostMapping("/checkout/start")
    public String startCheckout(HttpSession session) {
        // safe: CWE-501
        session.setAttribute("checkoutStarted", System.currentTimeMillis());
        return "redirect:/checkout";
    }

    public record Team(long id, String name) {}

    public interface AccountService {
        void authenticate(String username, String password);

        java.util.Optional<Team> teamForMember(Long userId, long teamId);
    }
}
