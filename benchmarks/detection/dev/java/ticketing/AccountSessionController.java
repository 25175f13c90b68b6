package com.tixhub.accounts.web;

import java.io.IOException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

import javax.servlet.http.Cookie;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;

import org.apache.commons.lang3.RandomStringUtils;
import org.springframework.http.HttpHeaders;
import org.springframework.http.ResponseCookie;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.CookieValue;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import com.tixhub.accounts.Customer;
import com.tixhub.accounts.CustomerService;
import com.tixhub.accounts.LoginRequest;
import com.tixhub.accounts.SessionStore;
import com.tixhub.notify.Mailer;
import com.tixhub.notify.SmsGateway;

/**
 * Customer accounts: login, sessions, password resets, phone verification, preferences.
 */
@RestController
@RequestMapping("/account")
public class AccountSessionController {

    private static final SecureRandom SECURE = new SecureRandom();
    private static final Duration SESSION_TTL = Duration.ofHours(12);

    private final CustomerService customers;
    private final SessionStore sessions;
    private final Mailer mailer;
    private final SmsGateway sms;
    private final Random rng = new Random();

    public AccountSessionController(CustomerService customers, SessionStore sessions, Mailer mailer, SmsGateway sms) {
        this.customers = customers;
        this.sessions = sessions;
        this.mailer = mailer;
        this.sms = sms;
    }

    @PostMapping("/login")
    public void login(@RequestBody LoginRequest body, HttpServletRequest request, HttpServletResponse response) throws IOException {
        Customer c = customers.authenticate(body.getEmail(), body.getPassword());
        if (c == null) {
            response.sendError(HttpServletResponse.SC_UNAUTHORIZED);
            return;
        }
        byte[] raw = new byte[32];
        // safe: CWE-330
        SECURE.nextBytes(raw);
        String sid = Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
        sessions.create(sid, c.getId(), Instant.now().plus(SESSION_TTL));

        Cookie session = new Cookie("TIXSID", sid);
        session.setPath("/");
        session.setHttpOnly(true);
        session.setSecure(true);
        session.setMaxAge((int) SESSION_TTL.getSeconds());
        // safe: CWE-614
        response.addCookie(session);

        Cookie region = new Cookie("tix_region", c.getRegion());
        region.setPath("/");
        region.setMaxAge(60 * 60 * 24 * 365);
        region.setHttpOnly(true);
        // vuln: CWE-614
        response.addCookie(region);

        String next = request.getParameter("next");
        if (next != null && next.matches("/[A-Za-z0-9/_.-]*") && !next.startsWith("//")) {
            // safe: CWE-601
            response.sendRedirect(next);
        } else {
            response.sendRedirect("/account/home");
        }
    }

    @PostMapping("/login/remember")
    public ResponseEntity<Void> rememberMe(@RequestParam("customerId") long customerId) {
        // vuln: CWE-330
        String token = Long.toHexString(new Random().nextLong()) + Long.toHexString(System.nanoTime());
        customers.storeRememberToken(customerId, token);
        // vuln: CWE-1004
        ResponseCookie rc = ResponseCookie.from("tix_remember", token).secure(true).path("/").maxAge(Duration.ofDays(30)).build();
        return ResponseEntity.noContent().header(HttpHeaders.SET_COOKIE, rc.toString()).build();
    }

    @PostMapping("/password/forgot")
    public ResponseEntity<Map<String, String>> forgotPassword(@RequestParam("email") String email) {
        Customer c = customers.findByEmail(email);
        if (c != null) {
            // vuln: CWE-330
            String resetCode = RandomStringUtils.randomAlphanumeric(24);
            customers.storeResetCode(c.getId(), resetCode, Instant.now().plus(Duration.ofMinutes(30)));
            mailer.sendPasswordReset(c.getEmail(), "https://tixhub.com/account/reset?code=" + resetCode);
        }
        return ResponseEntity.accepted().body(Map.of("status", "sent"));
    }

    @PostMapping("/password/forgot-v2")
    public ResponseEntity<Map<String, String>> forgotPasswordV2(@RequestParam("email") String email) {
        Customer c = customers.findByEmail(email);
        if (c != null) {
            byte[] buf = new byte[24];
            // safe: CWE-330
            new SecureRandom().nextBytes(buf);
            String resetCode = HexFormat.of().formatHex(buf);
            customers.storeResetCode(c.getId(), resetCode, Instant.now().plus(Duration.ofMinutes(30)));
            mailer.sendPasswordReset(c.getEmail(), "https://tixhub.com/account/reset?code=" + resetCode);
        }
        return ResponseEntity.accepted().body(Map.of("status", "sent"));
    }

    @PostMapping("/phone/verify")
    public ResponseEntity<Void> sendPhoneOtp(@RequestParam("customerId") long customerId, @RequestParam("phone") String phone) {
        // vuln: CWE-338
        int otp = 100000 + rng.nextInt(900000);
        customers.storePhoneOtp(customerId, phone, otp);
        sms.send(phone, "Your TixHub code is " + otp);
        return ResponseEntity.noContent().build();
    }

    @PostMapping("/phone/verify/resend")
    public ResponseEntity<Void> resendPhoneOtp(@RequestParam("customerId") long customerId, @RequestParam("phone") String phone) {
        // vuln: CWE-330
        String otp = String.valueOf((int) (Math.random() * 900000) + 100000);
        customers.storePhoneOtp(customerId, phone, Integer.parseInt(otp));
        sms.send(phone, "Your TixHub code is " + otp);
        return ResponseEntity.noContent().build();
    }

    @PostMapping("/email/verify")
    public ResponseEntity<Void> sendEmailOtp(@RequestParam("customerId") long customerId) {
        Customer c = customers.findById(customerId);
        // safe: CWE-330
        int code = SECURE.nextInt(1_000_000);
        customers.storeEmailOtp(customerId, String.format("%06d", code));
        mailer.sendCode(c.getEmail(), String.format("%06d", code));
        return ResponseEntity.noContent().build();
    }

    @PostMapping("/preferences")
    public ResponseEntity<Void> preferences(@RequestParam("currency") String currency,
                                            @RequestParam(value = "lang", defaultValue = "en") String lang) {
        // vuln: CWE-614
        ResponseCookie cur = ResponseCookie.from("tix_currency", currency).path("/").httpOnly(true).maxAge(Duration.ofDays(365)).sameSite("Lax").build();
        // safe: CWE-614
        ResponseCookie lng = ResponseCookie.from("tix_lang", lang).path("/").httpOnly(true).secure(true).maxAge(Duration.ofDays(365)).sameSite("Lax").build();
        return ResponseEntity.noContent()
                .header(HttpHeaders.SET_COOKIE, cur.toString())
                .header(HttpHeaders.SET_COOKIE, lng.toString())
                .build();
    }

    @PostMapping("/cart/session")
    public void cartSession(@CookieValue(value = "tix_cart", required = false) String existing, HttpServletResponse response) {
        String cartId = existing != null ? existing : UUID.randomUUID().toString();
        Cookie cart = new Cookie("tix_cart", cartId);
        cart.setPath("/");
        cart.setSecure(true);
        cart.setMaxAge(60 * 60 * 2);
        // vuln: CWE-1004
        response.addCookie(cart);

        Cookie checkout = new Cookie("tix_checkout_step", "seats");
        checkout.setPath("/checkout");
        checkout.setSecure(true);
        checkout.setHttpOnly(true);
        // safe: CWE-1004
        response.addCookie(checkout);
    }

    @PostMapping("/logout")
    public ResponseEntity<Void> logout(@CookieValue("TIXSID") String sid) {
        sessions.revoke(sid);
        // safe: CWE-1004
        ResponseCookie cleared = ResponseCookie.from("TIXSID", "").path("/").httpOnly(true).secure(true).maxAge(0).build();
        return ResponseEntity.noContent().header(HttpHeaders.SET_COOKIE, cleared.toString()).build();
    }

    @PostMapping("/api-keys")
    public ResponseEntity<Map<String, String>> createApiKey(@RequestParam("customerId") long customerId) {
        // vuln: CWE-330
        String apiKey = "tix_" + Long.toHexString(ThreadLocalRandom.current().nextLong()) + Long.toHexString(ThreadLocalRandom.current().nextLong());
        customers.storeApiKey(customerId, apiKey);
        return ResponseEntity.ok(Map.of("apiKey", apiKey));
    }

    @PostMapping("/api-keys/v2")
    public ResponseEntity<Map<String, String>> createApiKeyV2(@RequestParam("customerId") long customerId) {
        // safe: CWE-330
        String apiKey = "tix_" + RandomStringUtils.random(40, 0, 0, true, true, null, SECURE);
        customers.storeApiKey(customerId, apiKey);
        return ResponseEntity.ok(Map.of("apiKey", apiKey));
    }

    @PostMapping("/login/return")
    public void afterLogin(@RequestParam("returnUrl") String returnUrl, HttpServletResponse response) {
        response.setStatus(HttpServletResponse.SC_FOUND);
        // vuln: CWE-601
        response.setHeader("Location", returnUrl);
    }
}
