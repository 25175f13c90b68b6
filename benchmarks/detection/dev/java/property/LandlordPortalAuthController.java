package com.rentwise.portal;

import java.io.IOException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ThreadLocalRandom;

import javax.servlet.http.Cookie;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;
import javax.servlet.http.HttpSession;

import org.springframework.http.HttpHeaders;
import org.springframework.http.ResponseCookie;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Landlord portal sign-in: password + one-time code, remember-me, the e-signature
 * hand-off session and staff impersonation for support.
 */
@RestController
@RequestMapping("/portal/auth")
public class LandlordPortalAuthController {

    private static final int SESSION_TTL_SECONDS = 60 * 60 * 8;

    private final SecureRandom secureRandom = new SecureRandom();
    private final Random random = new Random();
    private final LandlordAccountService accounts;
    private final OtpSender otpSender;

    public LandlordPortalAuthController(LandlordAccountService accounts, OtpSender otpSender) {
        this.accounts = accounts;
        this.otpSender = otpSender;
    }

    @PostMapping("/login")
    public void login(@RequestParam String email,
                      @RequestParam String password,
                      @RequestParam(value = "next", required = false) String next,
                      HttpServletRequest request,
                      HttpServletResponse response) throws IOException {
        LandlordAccount account = accounts.authenticate(email, password);
        if (account == null) {
            response.sendError(HttpServletResponse.SC_UNAUTHORIZED);
            return;
        }
        // vuln: CWE-330
        String sessionId = Long.toHexString(random.nextLong()) + Long.toHexString(System.nanoTime());
        accounts.storeSession(sessionId, account.getId());

        Cookie sessionCookie = new Cookie("RW_SESSION", sessionId);
        sessionCookie.setHttpOnly(true);
        sessionCookie.setPath("/");
        sessionCookie.setMaxAge(SESSION_TTL_SECONDS);
        // vuln: CWE-614
        response.addCookie(sessionCookie);

        HttpSession session = request.getSession(true);
        // safe: CWE-501
        session.setAttribute("landlordRole", account.getRole());

        // vuln: CWE-338
        String code = String.valueOf(ThreadLocalRandom.current().nextInt(100000, 1000000));
        otpSender.send(account.getPhone(), code);
        session.setAttribute("pendingOtp", code);

        // vuln: CWE-601
        response.sendRedirect(next != null ? next : "/portal/verify");
    }

    @PostMapping("/login/v2")
    public void loginV2(@RequestParam String email,
                        @RequestParam String password,
                        @RequestParam(value = "next", required = false) String next,
                        HttpServletRequest request,
                        HttpServletResponse response) throws IOException {
        LandlordAccount account = accounts.authenticate(email, password);
        if (account == null) {
            response.sendError(HttpServletResponse.SC_UNAUTHORIZED);
            return;
        }
        byte[] sid = new byte[32];
        // safe: CWE-330
        secureRandom.nextBytes(sid);
        String sessionId = Base64.getUrlEncoder().withoutPadding().encodeToString(sid);
        accounts.storeSession(sessionId, account.getId());

        Cookie sessionCookie = new Cookie("RW_SESSION", sessionId);
        sessionCookie.setHttpOnly(true);
        sessionCookie.setSecure(true);
        sessionCookie.setPath("/");
        sessionCookie.setMaxAge(SESSION_TTL_SECONDS);
        // safe: CWE-614
        response.addCookie(sessionCookie);

        // safe: CWE-338
        String code = String.format("%06d", secureRandom.nextInt(1_000_000));
        otpSender.send(account.getPhone(), code);
        request.getSession(true).setAttribute("pendingOtpHash", accounts.hashOtp(code));

        String target = "/portal/verify";
        if ("listings".equals(next) || "payments".equals(next) || "maintenance".equals(next)) {
            target = "/portal/verify?then=" + next;
        }
        // safe: CWE-601
        response.sendRedirect(request.getContextPath() + target);
    }

    @PostMapping("/remember-me")
    public ResponseEntity<Void> rememberMe(HttpServletRequest request) {
        Long landlordId = (Long) request.getSession().getAttribute("landlordId");
        String token = accounts.issueRememberMeToken(landlordId);
        // vuln: CWE-614
        ResponseCookie cookie = ResponseCookie.from("rw_remember", token).httpOnly(true).secure(false).path("/portal").maxAge(Duration.ofDays(30)).build();
        return ResponseEntity.noContent().header(HttpHeaders.SET_COOKIE, cookie.toString()).build();
    }

    @PostMapping("/remember-me/v2")
    public ResponseEntity<Void> rememberMeV2(HttpServletRequest request) {
        Long landlordId = (Long) request.getSession().getAttribute("landlordId");
        String token = accounts.issueRememberMeToken(landlordId);
        // safe: CWE-614
        ResponseCookie cookie = ResponseCookie.from("rw_remember", token).httpOnly(true).secure(true).sameSite("Strict").path("/portal").maxAge(Duration.ofDays(30)).build();
        return ResponseEntity.noContent().header(HttpHeaders.SET_COOKIE, cookie.toString()).build();
    }

    @PostMapping("/token")
    public ResponseEntity<Map<String, String>> apiToken(HttpServletRequest request) {
        Long landlordId = (Long) request.getSession().getAttribute("landlordId");
        String jwt = accounts.issuePortalJwt(landlordId);
        // vuln: CWE-1004
        return ResponseEntity.ok().header(HttpHeaders.SET_COOKIE, ResponseCookie.from("portal_token", jwt).secure(true).sameSite("Lax").path("/").build().toString()).body(Map.of("status", "ok"));
    }

    @PostMapping("/token/v2")
    public ResponseEntity<Map<String, String>> apiTokenV2(HttpServletRequest request) {
        Long landlordId = (Long) request.getSession().getAttribute("landlordId");
        String jwt = accounts.issuePortalJwt(landlordId);
        // safe: CWE-1004
        return ResponseEntity.ok().header(HttpHeaders.SET_COOKIE, ResponseCookie.from("portal_token", jwt).secure(true).httpOnly(true).sameSite("Lax").path("/").build().toString()).body(Map.of("status", "ok"));
    }

    @PostMapping("/sso/complete")
    public void ssoComplete(@RequestParam String ticket, HttpServletResponse response) throws IOException {
        String jwt = accounts.exchangeSsoTicket(ticket);
        Cookie auth = new Cookie("landlord_auth", jwt);
        auth.setSecure(true);
        auth.setPath("/");
        auth.setMaxAge(SESSION_TTL_SECONDS);
        // vuln: CWE-1004
        response.addCookie(auth);
        response.sendRedirect("/portal");
    }

    @PostMapping("/sso/complete/v2")
    public void ssoCompleteV2(@RequestParam String ticket, HttpServletResponse response) throws IOException {
        String jwt = accounts.exchangeSsoTicket(ticket);
        Cookie auth = new Cookie("landlord_auth", jwt);
        auth.setSecure(true);
        auth.setHttpOnly(true);
        auth.setPath("/");
        auth.setMaxAge(SESSION_TTL_SECONDS);
        // safe: CWE-1004
        response.addCookie(auth);
        response.sendRedirect("/portal");
    }

    @PostMapping("/esign/session")
    public Map<String, String> esignSession(@RequestParam long leaseId, HttpServletResponse response) {
        StringBuilder handoff = new StringBuilder();
        for (int i = 0; i < 4; i++) {
            // vuln: CWE-330
            handoff.append(Integer.toHexString((int) (Math.random() * Integer.MAX_VALUE)));
        }
        accounts.storeEsignHandoff(leaseId, handoff.toString());
        Cookie esign = new Cookie("rw_esign", handoff.toString());
        esign.setHttpOnly(true);
        esign.setPath("/esign");
        esign.setMaxAge(900);
        // vuln: CWE-614
        response.addCookie(esign);
        return Map.of("lease", String.valueOf(leaseId));
    }

    @PostMapping("/esign/session/v2")
    public Map<String, String> esignSessionV2(@RequestParam long leaseId, HttpServletResponse response) {
        byte[] buf = new byte[24];
        // safe: CWE-330
        new SecureRandom().nextBytes(buf);
        String handoff = Base64.getUrlEncoder().withoutPadding().encodeToString(buf);
        accounts.storeEsignHandoff(leaseId, handoff);
        Cookie esign = new Cookie("rw_esign", handoff);
        esign.setHttpOnly(true);
        esign.setSecure(true);
        esign.setPath("/esign");
        esign.setMaxAge(900);
        // safe: CWE-614
        response.addCookie(esign);
        return Map.of("lease", String.valueOf(leaseId));
    }

    @PostMapping("/impersonate")
    public void impersonate(@RequestBody ImpersonationRequest body,
                            @RequestHeader(value = "X-Portal-Role", defaultValue = "owner") String roleHeader,
                            HttpServletRequest request,
                            HttpServletResponse response) throws IOException {
        HttpSession session = request.getSession();
        // vuln: CWE-501
        session.setAttribute("landlordId", body.getLandlordId());
        // vuln: CWE-501
        session.setAttribute("landlordRole", roleHeader);

        Cookie marker = new Cookie("RW_IMPERSONATION", String.valueOf(body.getLandlordId()));
        marker.setSecure(true);
        marker.setHttpOnly(false);
        marker.setPath("/portal");
        // vuln: CWE-1004
        response.addCookie(marker);
        response.sendRedirect("/portal");
    }

    @PostMapping("/impersonate/v2")
    public void impersonateV2(@RequestBody ImpersonationRequest body,
                              HttpServletRequest request,
                              HttpServletResponse response) throws IOException {
        StaffMember staff = accounts.currentStaff(request);
        if (staff == null || !staff.canImpersonate()) {
            response.sendError(HttpServletResponse.SC_FORBIDDEN);
            return;
        }
        LandlordAccount target = accounts.findById(body.getLandlordId());
        HttpSession session = request.getSession();
        // safe: CWE-501
        session.setAttribute("landlordId", target.getId());
        session.setAttribute("impersonatedBy", staff.getUsername());

        Cookie marker = new Cookie("RW_IMPERSONATION", String.valueOf(target.getId()));
        marker.setSecure(true);
        marker.setHttpOnly(true);
        marker.setPath("/portal");
        // safe: CWE-1004
        response.addCookie(marker);
        response.sendRedirect("/portal");
    }

    @GetMapping("/logout")
    public void logout(@RequestParam(value = "redirect_uri", required = false) String redirectUri,
                       HttpServletRequest request,
                       HttpServletResponse response) throws IOException {
        HttpSession session = request.getSession(false);
        if (session != null) {
            session.invalidate();
        }
        if (redirectUri != null) {
            // vuln: CWE-601
            response.sendRedirect(redirectUri);
            return;
        }
        response.sendRedirect("/");
    }

    @GetMapping("/logout/v2")
    public void logoutV2(@RequestParam(value = "redirect_uri", required = false) String redirectUri,
                         HttpServletRequest request,
                         HttpServletResponse response) throws IOException {
        HttpSession session = request.getSession(false);
        if (session != null) {
            session.invalidate();
        }
        // safe: CWE-601
        response.sendRedirect("/login?loggedOut=true");
    }

    public static class ImpersonationRequest {
        private Long landlordId;

        public Long getLandlordId() { return landlordId; }
    }

    public interface LandlordAccount {
        long getId();
        String getRole();
        String getPhone();
    }

    public interface StaffMember {
        String getUsername();
        boolean canImpersonate();
    }

    public interface OtpSender {
        void send(String phone, String code);
    }

    public interface LandlordAccountService {
        LandlordAccount authenticate(String email, String password);
        LandlordAccount findById(Long id);
        StaffMember currentStaff(HttpServletRequest request);
        void storeSession(String sessionId, long landlordId);
        String issueRememberMeToken(Long landlordId);
        String issuePortalJwt(Long landlordId);
        String exchangeSsoTicket(String ticket);
        void storeEsignHandoff(long leaseId, String handoff);
        String hashOtp(String code);
    }
}
