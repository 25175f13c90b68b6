package com.example.clinic.portal;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;
import javax.servlet.annotation.WebServlet;
import javax.servlet.http.Cookie;
import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;
import javax.servlet.http.HttpSession;

/** Patient portal sign-in, return URLs, cookies and session state (plain Servlet). */
@WebServlet("/portal/*")
public class PortalSessionServlet extends HttpServlet {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Set<String> LOCALES = Set.of("en", "fr", "de");
    private static final Map<String, String> SECTIONS = Map.of("results", "/portal/results", "bills", "/portal/billing");

    private PatientAccounts accounts;

    private static String token() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    void signIn(HttpServletRequest request, HttpServletResponse response) throws IOException {
        long patientId = accounts.authenticate(request.getParameter("email"), request.getParameter("password"));
        request.getSession(true).setAttribute("patientId", patientId);
        String returnUrl = request.getParameter("returnUrl");
        // vuln: CWE-601
        response.sendRedirect(returnUrl != null ? returnUrl : "/portal/home");
    }

    void signOut(HttpServletRequest request, HttpServletResponse response) throws IOException {
        request.getSession().invalidate();
        // vuln: CWE-601
        response.sendRedirect(request.getHeader("X-After-Logout"));
    }

    void samlReturn(HttpServletRequest request, HttpServletResponse response) {
        String relayState = request.getParameter("RelayState");
        response.setStatus(303);
        // vuln: CWE-601
        response.addHeader("Location", relayState);
    }

    void signInSafe(HttpServletRequest request, HttpServletResponse response) throws IOException, URISyntaxException {
        long patientId = accounts.authenticate(request.getParameter("email"), request.getParameter("password"));
        request.getSession(true).setAttribute("patientId", patientId);
        String returnUrl = request.getParameter("returnUrl");
        URI uri = new URI(returnUrl == null ? "/portal/home" : returnUrl);
        String target = uri.getScheme() == null && uri.getRawAuthority() == null && uri.getRawPath() != null && uri.getRawPath().startsWith("/") && !uri.getRawPath().startsWith("//") ? uri.getRawPath() : "/portal/home";
        // safe: CWE-601
        response.sendRedirect(request.getContextPath() + target);
    }

    void section(HttpServletRequest request, HttpServletResponse response) throws IOException {
        // safe: CWE-601
        response.sendRedirect(SECTIONS.getOrDefault(request.getParameter("section"), "/portal/home"));
    }

    void oldAppointment(HttpServletRequest request, HttpServletResponse response) throws IOException {
        long id = Long.parseLong(request.getParameter("id"));
        // safe: CWE-601
        response.sendRedirect("/portal/appointments/" + id);
    }

    void remember(HttpServletResponse response) {
        Cookie remember = new Cookie("remember", token());
        remember.setHttpOnly(true);
        remember.setMaxAge(30 * 86400);
        // vuln: CWE-614
        response.addCookie(remember);
    }

    void shareToken(HttpServletResponse response) {
        Cookie cookie = new Cookie("share_token", token());
        cookie.setSecure(true);
        // vuln: CWE-1004
        response.addCookie(cookie);
    }

    void kioskSession(HttpServletResponse response) {
        // vuln: CWE-614
        response.setHeader("Set-Cookie", "kiosk_session=" + token() + "; Path=/portal; HttpOnly");
    }

    void rememberSafe(HttpServletResponse response) {
        Cookie remember = new Cookie("remember", token());
        remember.setHttpOnly(true);
        remember.setSecure(true);
        remember.setMaxAge(30 * 86400);
        // safe: CWE-614
        response.addCookie(remember);
    }

    void locale(HttpServletRequest request, HttpServletResponse response) {
        String locale = request.getParameter("locale");
        Cookie cookie = new Cookie("locale", LOCALES.contains(locale) ? locale : "en");
        cookie.setSecure(true);
        cookie.setHttpOnly(true);
        // safe: CWE-614
        response.addCookie(cookie);
    }

    void kioskSessionSafe(HttpServletResponse response) {
        // safe: CWE-614
        response.setHeader("Set-Cookie", "kiosk_session=" + token() + "; Path=/portal; Secure; HttpOnly; SameSite=Strict");
    }

    void chooseClinic(HttpServletRequest request) {
        // vuln: CWE-501
        request.getSession().setAttribute("clinicId", request.getParameter("clinicId"));
    }

    void proxyAccess(HttpServletRequest request) {
        HttpSession session = request.getSession();
        String guardianFor = request.getHeader("X-Guardian-For");
        // vuln: CWE-501
        session.setAttribute("guardianFor", guardianFor);
    }

    void preferences(HttpServletRequest request) {
        HttpSession session = request.getSession();
        for (Map.Entry<String, String[]> entry : request.getParameterMap().entrySet()) {
            // vuln: CWE-501
            session.setAttribute(entry.getKey(), entry.getValue()[0]);
        }
    }

    void chooseClinicSafe(HttpServletRequest request) {
        long clinicId = Long.parseLong(request.getParameter("clinicId"));
        Clinic clinic = accounts.activeClinic(clinicId).orElseThrow();
        // safe: CWE-501
        request.getSession().setAttribute("clinicId", clinic.id());
    }

    void localeInSession(HttpServletRequest request) {
        String locale = request.getParameter("locale");
        // safe: CWE-501
        request.getSession().setAttribute("locale", LOCALES.contains(locale) ? locale : "en");
    }

    void markConsent(HttpServletRequest request) {
        // safe: CWE-501
        request.getSession().setAttribute("consentShownAt", System.currentTimeMillis());
    }

    record Clinic(long id, String name) {}

    interface PatientAccounts {
        long authenticate(String email, String password);

        java.util.Optional<Clinic> activeClinic(long id);
    }
}
