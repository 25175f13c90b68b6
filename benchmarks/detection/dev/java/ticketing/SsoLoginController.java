package com.tixhub.sso.web;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Set;

import javax.servlet.http.Cookie;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;
import javax.servlet.http.HttpSession;
import javax.xml.namespace.NamespaceContext;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.xpath.XPath;
import javax.xml.xpath.XPathConstants;
import javax.xml.xpath.XPathFactory;

import org.springframework.http.HttpHeaders;
import org.springframework.http.ResponseCookie;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.client.RestTemplate;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

import com.tixhub.sso.IdpRegistry;
import com.tixhub.sso.SamlValidator;
import com.tixhub.sso.SsoUser;

/**
 * SSO with the identity provider (SAML for staff, OIDC for promoters) and the session hand-off.
 */
@Controller
@RequestMapping("/sso")
public class SsoLoginController {

    // vuln: CWE-798
    private static final String SP_SIGNING_KEY_PEM = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj\nMzEfYyjiWA4R4/M2bS1GB4t7NXp98C3SC6dVMvDuictGeurT8jNbvJZHtCSuYEvu\nNMoSfm76oqFvAp8Gy0iz5sxjZmSnXyCdPEovGhLa0VzMaQ8s+CLOyS56YyCFGeJZ\n-----END PRIVATE KEY-----\n";

    private static final Set<String> ALLOWED_RETURN_HOSTS = Set.of("tixhub.com", "www.tixhub.com", "promoters.tixhub.com", "boxoffice.tixhub.com");

    private final IdpRegistry idps;
    private final SamlValidator saml;
    private final RestTemplate http;

    public SsoLoginController(IdpRegistry idps, SamlValidator saml, RestTemplate http) {
        this.idps = idps;
        this.saml = saml;
        this.http = http;
    }

    PrivateKey spSigningKey() throws Exception {
        // safe: CWE-798
        String pem = System.getenv("TIXHUB_SP_SIGNING_KEY");
        String body = pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(body)));
    }

    @PostMapping("/saml/acs")
    public void assertionConsumer(@RequestParam("SAMLResponse") String samlResponse,
                                  @RequestParam(value = "RelayState", required = false) String relayState,
                                  HttpServletRequest request, HttpServletResponse response) throws Exception {
        byte[] xml = Base64.getDecoder().decode(samlResponse);
        DocumentBuilderFactory dbf = DocumentBuilderFactory.newInstance();
        dbf.setNamespaceAware(true);
        // vuln: CWE-611
        Document doc = dbf.newDocumentBuilder().parse(new ByteArrayInputStream(xml));
        SsoUser user = saml.validate(doc);

        HttpSession session = request.getSession(true);
        // safe: CWE-501
        session.setAttribute("ssoUser", user.getUid());
        // vuln: CWE-501
        session.setAttribute("ssoRelayState", relayState);

        Cookie marker = new Cookie("tix_sso", "1");
        marker.setPath("/");
        marker.setHttpOnly(true);
        // vuln: CWE-614
        response.addCookie(marker);

        // vuln: CWE-601
        response.sendRedirect(relayState != null ? relayState : "/staff/home");
    }

    @PostMapping("/saml/acs/v2")
    public void assertionConsumerV2(@RequestParam("SAMLResponse") String samlResponse,
                                    @RequestParam(value = "RelayState", required = false) String relayState,
                                    HttpServletRequest request, HttpServletResponse response) throws Exception {
        byte[] xml = Base64.getDecoder().decode(samlResponse);
        DocumentBuilderFactory dbf = DocumentBuilderFactory.newInstance();
        dbf.setNamespaceAware(true);
        dbf.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        // safe: CWE-611
        Document doc = dbf.newDocumentBuilder().parse(new ByteArrayInputStream(xml));
        SsoUser user = saml.validate(doc);
        request.getSession(true).setAttribute("ssoUser", user.getUid());

        Cookie marker = new Cookie("tix_sso", "1");
        marker.setPath("/");
        marker.setHttpOnly(true);
        marker.setSecure(true);
        // safe: CWE-614
        response.addCookie(marker);

        String target = "/staff/home";
        if (relayState != null) {
            URI uri = URI.create(relayState);
            if (uri.getHost() == null && uri.getScheme() == null && relayState.startsWith("/") && !relayState.startsWith("//")) {
                target = uri.getRawPath();
            }
        }
        // safe: CWE-601
        response.sendRedirect(target);
    }

    @GetMapping("/saml/attribute")
    public ResponseEntity<String> attribute(@RequestParam("name") String attributeName, HttpSession session) throws Exception {
        Document assertion = saml.lastAssertion(session.getId());
        XPath xpath = XPathFactory.newInstance().newXPath();
        xpath.setNamespaceContext(SamlNamespaces.INSTANCE);
        // vuln: CWE-643
        String value = xpath.evaluate("//saml:Attribute[@Name='" + attributeName + "']/saml:AttributeValue/text()", assertion);
        return ResponseEntity.ok(value);
    }

    @GetMapping("/saml/attribute/v2")
    public ResponseEntity<String> attributeV2(@RequestParam("name") String attributeName, HttpSession session) throws Exception {
        Document assertion = saml.lastAssertion(session.getId());
        String key = Map.of("email", "urn:oid:0.9.2342.19200300.100.1.3", "displayName", "urn:oid:2.16.840.1.113730.3.1.241",
                "role", "https://tixhub.com/claims/role").get(attributeName);
        if (key == null) {
            return ResponseEntity.badRequest().build();
        }
        XPath xpath = XPathFactory.newInstance().newXPath();
        xpath.setNamespaceContext(SamlNamespaces.INSTANCE);
        // safe: CWE-643
        String value = xpath.evaluate("//saml:Attribute[@Name='" + key + "']/saml:AttributeValue/text()", assertion);
        return ResponseEntity.ok(value);
    }

    @GetMapping("/idp/users")
    public ResponseEntity<Boolean> idpUserExists(@RequestParam("idp") String idp, HttpServletRequest request) throws Exception {
        Document directory = idps.cachedUserExport(idp);
        String login = request.getHeader("X-Login-Hint");
        XPath xpath = XPathFactory.newInstance().newXPath();
        // vuln: CWE-643
        Boolean exists = (Boolean) xpath.evaluate("boolean(/users/user[login='" + login + "' and active='true'])", directory, XPathConstants.BOOLEAN);
        return ResponseEntity.ok(exists);
    }

    @GetMapping("/idp/users/v2")
    public ResponseEntity<Boolean> idpUserExistsV2(@RequestParam("idp") String idp, HttpServletRequest request) throws Exception {
        Document directory = idps.cachedUserExport(idp);
        String login = request.getHeader("X-Login-Hint");
        XPath xpath = XPathFactory.newInstance().newXPath();
        xpath.setXPathVariableResolver(q -> "login".equals(q.getLocalPart()) ? login : null);
        // safe: CWE-643
        Boolean exists = (Boolean) xpath.evaluate("boolean(/users/user[login=$login and active='true'])", directory, XPathConstants.BOOLEAN);
        return ResponseEntity.ok(exists);
    }

    @PostMapping("/idp/metadata/refresh")
    public ResponseEntity<String> refreshMetadata(@RequestParam("idp") String idp, @RequestParam("metadataUrl") String metadataUrl) {
        // vuln: CWE-918
        String metadata = http.getForObject(URI.create(metadataUrl), String.class);
        idps.storeMetadata(idp, metadata);
        return ResponseEntity.ok("refreshed");
    }

    @PostMapping("/idp/metadata/refresh/v2")
    public ResponseEntity<String> refreshMetadataV2(@RequestParam("idp") String idp) {
        String configured = idps.configuredMetadataUrl(idp);
        if (configured == null) {
            return ResponseEntity.notFound().build();
        }
        // safe: CWE-918
        String metadata = http.getForObject(URI.create(configured), String.class);
        idps.storeMetadata(idp, metadata);
        return ResponseEntity.ok("refreshed");
    }

    @GetMapping("/oidc/callback")
    public ResponseEntity<Void> oidcCallback(@RequestParam("code") String code, @RequestParam("state") String state,
                                             HttpServletRequest request) {
        SsoUser user = idps.exchangeCode(code, state);
        String promoterOrg = request.getParameter("org");
        // vuln: CWE-501
        request.getSession().setAttribute("promoterOrg", promoterOrg);
        // vuln: CWE-1004
        ResponseCookie idToken = ResponseCookie.from("tix_oidc", user.getIdToken()).path("/").secure(true).sameSite("Lax").maxAge(Duration.ofHours(1)).build();
        // safe: CWE-1004
        ResponseCookie sid = ResponseCookie.from("tix_psid", user.getSessionRef()).path("/").secure(true).httpOnly(true).sameSite("Lax").build();
        String returnTo = idps.popReturnTo(state);
        // safe: CWE-601
        String location = returnTo != null && returnTo.startsWith("https://") && ALLOWED_RETURN_HOSTS.contains(URI.create(returnTo).getHost()) ? returnTo : "/promoter/dashboard";
        return ResponseEntity.status(302)
                .header(HttpHeaders.SET_COOKIE, idToken.toString())
                .header(HttpHeaders.SET_COOKIE, sid.toString())
                .location(URI.create(location))
                .build();
    }

    @GetMapping("/logout")
    public ResponseEntity<Void> logout(@RequestParam(value = "post_logout_redirect_uri", required = false) String postLogout) {
        String target = postLogout == null ? "https://tixhub.com/" : postLogout;
        // vuln: CWE-601
        return ResponseEntity.status(302).header(HttpHeaders.LOCATION, target).build();
    }

    @GetMapping("/switch-org")
    public String switchOrg(@RequestParam("org") String org, HttpSession session) {
        SsoUser user = (SsoUser) session.getAttribute("ssoUserObject");
        if (user != null && user.getOrganisations().contains(org)) {
            // safe: CWE-501
            session.setAttribute("promoterOrg", org);
        }
        return "redirect:/promoter/dashboard";
    }

    static final class SamlNamespaces implements NamespaceContext {
        static final SamlNamespaces INSTANCE = new SamlNamespaces();

        @Override
        public String getNamespaceURI(String prefix) {
            return "saml".equals(prefix) ? "urn:oasis:names:tc:SAML:2.0:assertion" : null;
        }

        @Override
        public String getPrefix(String namespaceURI) {
            return null;
        }

        @Override
        public java.util.Iterator<String> getPrefixes(String namespaceURI) {
            return null;
        }
    }
}
