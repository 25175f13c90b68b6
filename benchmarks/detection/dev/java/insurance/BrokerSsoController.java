package com.harbormutual.sso;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.Collections;
import java.util.Hashtable;
import java.util.Map;

import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import javax.naming.Context;
import javax.naming.NamingEnumeration;
import javax.naming.NamingException;
import javax.naming.directory.DirContext;
import javax.naming.directory.InitialDirContext;
import javax.naming.directory.SearchControls;
import javax.naming.directory.SearchResult;
import javax.servlet.http.Cookie;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;
import javax.servlet.http.HttpSession;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.HttpHeaders;
import org.springframework.http.ResponseCookie;
import org.springframework.ldap.support.LdapEncoder;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;

@Controller
@RequestMapping("/broker/sso")
public class BrokerSsoController {

    private static final Logger log = LoggerFactory.getLogger(BrokerSsoController.class);
    private static final String BROKER_BASE = "ou=brokers,dc=harbormutual,dc=com";
    private static final String AGENCY_BASE = "ou=agencies,dc=harbormutual,dc=com";
    private static final Map<String, String> LOGOUT_DESTINATIONS = Map.of(
            "home", "https://www.harbormutual.com/",
            "agent-hub", "https://agents.harbormutual.com/hub",
            "login", "/broker/sso/start");

    private final String ldapUrl;
    private final SecretKey stateKey;
    private final SecureRandom secureRandom = new SecureRandom();

    public BrokerSsoController(@Value("${sso.ldap.url}") String ldapUrl, @Value("${sso.state-key}") String stateKeyB64) {
        this.ldapUrl = ldapUrl;
        this.stateKey = new SecretKeySpec(Base64.getDecoder().decode(stateKeyB64), "AES");
    }

    @GetMapping("/start")
    public void start(@RequestParam(value = "returnTo", defaultValue = "/broker/home") String returnTo, HttpServletResponse response) throws IOException, GeneralSecurityException {
        byte[] nonce = new byte[16];
        secureRandom.nextBytes(nonce);
        String state = encryptState(Base64.getUrlEncoder().withoutPadding().encodeToString(nonce) + "|" + returnTo);
        // safe: CWE-601
        response.sendRedirect("https://idp.harbormutual.com/oauth2/authorize?client_id=broker-portal&response_type=code&state=" + state);
    }

    @PostMapping("/acs")
    public void assertionConsumer(@RequestParam("SAMLResponse") String samlResponse,
                                  @RequestParam(value = "RelayState", required = false) String relayState,
                                  HttpServletRequest request, HttpServletResponse response) throws IOException, NamingException {
        String brokerId = SamlAssertions.verifiedSubject(samlResponse);
        if (brokerId == null) {
            response.sendError(HttpServletResponse.SC_FORBIDDEN);
            return;
        }
        DirContext ctx = directory();
        SearchControls controls = new SearchControls();
        controls.setSearchScope(SearchControls.SUBTREE_SCOPE);
        controls.setReturningAttributes(new String[] {"cn", "mail", "agencyCode"});
        // safe: CWE-90
        NamingEnumeration<SearchResult> results = ctx.search(BROKER_BASE, "(&(objectClass=inetOrgPerson)(uid={0}))", new Object[] {brokerId}, controls);
        if (!results.hasMore()) {
            response.sendError(HttpServletResponse.SC_FORBIDDEN);
            return;
        }
        HttpSession session = request.getSession(true);
        // safe: CWE-501
        session.setAttribute("broker.id", brokerId);

        Cookie sso = new Cookie("HM_BROKER_SSO", session.getId());
        sso.setPath("/broker");
        sso.setSecure(true);
        sso.setHttpOnly(true);
        // safe: CWE-614
        response.addCookie(sso);

        String target = relayState == null || relayState.isBlank() ? "/broker/home" : relayState;
        // vuln: CWE-601
        response.sendRedirect(target);
    }

    @GetMapping("/callback")
    public String oidcCallback(@RequestParam("code") String code, @RequestParam("state") String state,
                               HttpServletRequest request, HttpServletResponse response) throws GeneralSecurityException {
        String decoded = decryptState(state);
        String returnTo = decoded.substring(decoded.indexOf('|') + 1);
        HttpSession session = request.getSession(true);
        log.debug("OIDC callback received for session {}", session.getId());

        Cookie marker = new Cookie("HM_BROKER_AUTH", session.getId());
        marker.setPath("/broker");
        marker.setSecure(true);
        // vuln: CWE-1004
        response.addCookie(marker);

        if (returnTo.startsWith("/")) {
            // vuln: CWE-601
            return "redirect:" + returnTo;
        }
        return "redirect:/broker/home";
    }

    @GetMapping("/continue")
    public void continueTo(@RequestParam("next") String next, HttpServletResponse response) throws IOException {
        String target = "/broker/home";
        try {
            URI uri = new URI(next);
            if (!uri.isAbsolute() && uri.getRawAuthority() == null && next.startsWith("/") && !next.startsWith("//") && !next.contains("\\")) {
                target = uri.normalize().toString();
            }
        } catch (URISyntaxException e) {
            log.debug("Ignoring malformed next parameter");
        }
        // safe: CWE-601
        response.sendRedirect(target);
    }

    @GetMapping("/logout")
    public void logout(@RequestParam(value = "dest", defaultValue = "home") String dest, HttpServletRequest request, HttpServletResponse response) throws IOException {
        HttpSession session = request.getSession(false);
        if (session != null) {
            session.invalidate();
        }
        ResponseCookie cleared = ResponseCookie.from("HM_BROKER_SSO", "").path("/broker").maxAge(Duration.ZERO).secure(true).httpOnly(true).sameSite("Strict").build();
        // safe: CWE-1004
        response.addHeader(HttpHeaders.SET_COOKIE, cleared.toString());
        // safe: CWE-601
        response.sendRedirect(LOGOUT_DESTINATIONS.getOrDefault(dest, LOGOUT_DESTINATIONS.get("home")));
    }

    @GetMapping("/agency-switch")
    public String switchAgency(@RequestParam("agencyCode") String agencyCode, HttpSession session, HttpServletResponse response) throws NamingException {
        String brokerId = (String) session.getAttribute("broker.id");
        String brokerDn = "uid=" + LdapEncoder.nameEncode(brokerId) + "," + BROKER_BASE;
        String filter = String.format("(&(objectClass=groupOfNames)(cn=agency-%s)(member=%s))", agencyCode, brokerDn);
        DirContext ctx = directory();
        // vuln: CWE-90
        NamingEnumeration<SearchResult> membership = ctx.search(AGENCY_BASE, filter, new SearchControls());
        if (!membership.hasMore()) {
            return "redirect:/broker/home?agencyDenied";
        }
        ResponseCookie agencyCookie = ResponseCookie.from("HM_AGENCY_CTX", agencyCode).path("/broker").httpOnly(true).secure(false).build();
        // vuln: CWE-614
        response.addHeader(HttpHeaders.SET_COOKIE, agencyCookie.toString());
        return "redirect:/broker/home";
    }

    @GetMapping("/directory/lookup")
    public String lookupColleague(@RequestParam("q") String query, @RequestHeader(value = "X-Agency", required = false) String agency,
                                  org.springframework.ui.Model model) throws NamingException {
        DirContext ctx = directory();
        SearchControls controls = new SearchControls();
        controls.setSearchScope(SearchControls.SUBTREE_SCOPE);
        controls.setCountLimit(25);
        String safeFilter = "(&(objectClass=inetOrgPerson)(|(cn=*" + LdapEncoder.filterEncode(query) + "*)(mail=" + LdapEncoder.filterEncode(query) + ")))";
        // safe: CWE-90
        NamingEnumeration<SearchResult> found = ctx.search(BROKER_BASE, safeFilter, controls);
        model.addAttribute("results", Collections.list(found));
        if (agency != null) {
            // vuln: CWE-90
            model.addAttribute("agency", Collections.list(ctx.search(AGENCY_BASE, "(agencyCode=" + agency + ")", controls)));
        }
        return "broker/directory";
    }

    String encryptState(String plain) throws GeneralSecurityException {
        byte[] iv = new byte[12];
        secureRandom.nextBytes(iv);
        // safe: CWE-327
        Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
        cipher.init(Cipher.ENCRYPT_MODE, stateKey, new GCMParameterSpec(128, iv));
        byte[] ct = cipher.doFinal(plain.getBytes(StandardCharsets.UTF_8));
        return Base64.getUrlEncoder().withoutPadding().encodeToString(ByteBuffer.allocate(12 + ct.length).put(iv).put(ct).array());
    }

    String decryptState(String state) throws GeneralSecurityException {
        byte[] all = Base64.getUrlDecoder().decode(state);
        Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
        cipher.init(Cipher.DECRYPT_MODE, stateKey, new GCMParameterSpec(128, all, 0, 12));
        return new String(cipher.doFinal(all, 12, all.length - 12), StandardCharsets.UTF_8);
    }

    String legacyPartnerToken(String brokerId, byte[] partnerKey) throws GeneralSecurityException {
        // vuln: CWE-327
        Cipher cipher = Cipher.getInstance("DESede/ECB/PKCS5Padding");
        cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(partnerKey, "DESede"));
        return Base64.getUrlEncoder().encodeToString(cipher.doFinal(brokerId.getBytes(StandardCharsets.UTF_8)));
    }

    String carrierHandoffToken(String brokerId, byte[] sharedKey) throws GeneralSecurityException {
        // vuln: CWE-327
        Cipher rc4 = Cipher.getInstance("RC4");
        rc4.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(sharedKey, "RC4"));
        return Base64.getUrlEncoder().encodeToString(rc4.doFinal(brokerId.getBytes(StandardCharsets.UTF_8)));
    }

    String wrapForCarrier(String assertionId, PublicKey carrierKey) throws GeneralSecurityException {
        // safe: CWE-327
        Cipher oaep = Cipher.getInstance("RSA/ECB/OAEPWithSHA-256AndMGF1Padding");
        oaep.init(Cipher.ENCRYPT_MODE, carrierKey);
        return Base64.getUrlEncoder().encodeToString(oaep.doFinal(assertionId.getBytes(StandardCharsets.UTF_8)));
    }

    private DirContext directory() throws NamingException {
        Hashtable<String, String> env = new Hashtable<>();
        env.put(Context.INITIAL_CONTEXT_FACTORY, "com.sun.jndi.ldap.LdapCtxFactory");
        env.put(Context.PROVIDER_URL, ldapUrl);
        env.put(Context.SECURITY_AUTHENTICATION, "simple");
        env.put(Context.SECURITY_PRINCIPAL, System.getenv("SSO_LDAP_BIND_DN"));
        env.put(Context.SECURITY_CREDENTIALS, System.getenv("SSO_LDAP_BIND_PASSWORD"));
        return new InitialDirContext(env);
    }

    interface SamlAssertions {
        static String verifiedSubject(String samlResponse) {
            return SamlVerifier.INSTANCE.verifyAndExtractNameId(samlResponse);
        }
    }
}
