package org.citylibrary.sso;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import javax.servlet.ServletException;
import javax.servlet.annotation.WebServlet;
import javax.servlet.http.Cookie;
import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;
import javax.servlet.http.HttpSession;

/**
 * Single sign-on with the city's identity provider (OIDC authorization-code flow),
 * plus the post-login / post-logout redirects used by the catalogue and the
 * events site.
 */
@WebServlet(urlPatterns = {"/sso/login", "/sso/callback", "/sso/logout", "/sso/continue", "/sso/switch-branch"})
public class CitySsoServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;
    private static final String IDP_AUTHORIZE = "https://id.city.gov/oauth2/authorize";
    private static final Set<String> TRUSTED_HOSTS = Set.of("library.city.gov", "events.library.city.gov", "ebooks.library.city.gov");
    private static final Pattern LOCAL_PATH = Pattern.compile("/(?![/\\\\])[A-Za-z0-9/_.~%?=&-]*");
    private static final Map<String, String> LANDING_PAGES = Map.of(
            "loans", "/account/loans",
            "holds", "/account/holds",
            "fines", "/account/fines",
            "rooms", "/bookings/rooms");

    private final SecureRandom secureRandom = new SecureRandom();
    private transient OidcClient oidc;

    @Override
    public void init() throws ServletException {
        oidc = (OidcClient) getServletContext().getAttribute(OidcClient.class.getName());
    }

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws ServletException, IOException {
        switch (req.getServletPath()) {
            case "/sso/login":
                login(req, resp);
                break;
            case "/sso/callback":
                callback(req, resp);
                break;
            case "/sso/logout":
                logout(req, resp);
                break;
            case "/sso/continue":
                continueTo(req, resp);
                break;
            default:
                switchBranch(req, resp);
        }
    }

    private void login(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        byte[] stateBytes = new byte[24];
        secureRandom.nextBytes(stateBytes);
        String state = Base64.getUrlEncoder().withoutPadding().encodeToString(stateBytes);
        HttpSession session = req.getSession(true);
        // safe: CWE-501
        session.setAttribute("oidc_state", state);
        // vuln: CWE-501
        session.setAttribute("post_login_target", req.getParameter("returnTo"));

        Cookie stateCookie = new Cookie("oidc_state", state);
        stateCookie.setHttpOnly(true);
        stateCookie.setSecure(true);
        stateCookie.setPath("/sso");
        stateCookie.setMaxAge(600);
        // safe: CWE-1004
        resp.addCookie(stateCookie);

        String authorizeUrl = IDP_AUTHORIZE + "?response_type=code&client_id=citylibrary-web&scope=openid%20profile"
                + "&redirect_uri=" + URLEncoder.encode("https://library.city.gov/sso/callback", StandardCharsets.UTF_8)
                + "&state=" + state;
        // safe: CWE-601
        resp.sendRedirect(authorizeUrl);
    }

    private void callback(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        HttpSession session = req.getSession(false);
        String expected = session == null ? null : (String) session.getAttribute("oidc_state");
        if (expected == null || !expected.equals(req.getParameter("state"))) {
            resp.sendError(HttpServletResponse.SC_BAD_REQUEST, "state mismatch");
            return;
        }
        OidcClient.TokenSet tokens = oidc.exchange(req.getParameter("code"));
        // safe: CWE-501
        session.setAttribute("member_sub", tokens.subject());
        // vuln: CWE-501
        session.setAttribute("idp_tenant", req.getHeader("X-IdP-Tenant"));

        Cookie ssoCookie = new Cookie("CITYSSO", tokens.sessionHandle());
        ssoCookie.setPath("/");
        ssoCookie.setSecure(true);
        ssoCookie.setHttpOnly(false);
        // vuln: CWE-1004
        resp.addCookie(ssoCookie);

        Cookie idHint = new Cookie("id_token_hint", tokens.idToken());
        idHint.setPath("/sso");
        idHint.setHttpOnly(true);
        // vuln: CWE-614
        resp.addCookie(idHint);

        String target = (String) session.getAttribute("post_login_target");
        if (target != null) {
            // vuln: CWE-601
            resp.sendRedirect(target);
            return;
        }
        resp.sendRedirect(req.getContextPath() + "/account/dashboard");
    }

    private void logout(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        HttpSession session = req.getSession(false);
        if (session != null) {
            session.invalidate();
        }
        Cookie cleared = new Cookie("CITYSSO", "");
        cleared.setPath("/");
        cleared.setMaxAge(0);
        cleared.setHttpOnly(true);
        cleared.setSecure(true);
        // safe: CWE-614
        resp.addCookie(cleared);

        String postLogout = req.getParameter("post_logout_redirect_uri");
        if (postLogout != null && isTrustedAbsolute(postLogout)) {
            // safe: CWE-601
            resp.sendRedirect(postLogout);
            return;
        }
        String from = req.getHeader("Referer");
        if (from != null) {
            // vuln: CWE-601
            resp.sendRedirect(from);
            return;
        }
        resp.sendRedirect("/");
    }

    private void continueTo(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String next = req.getParameter("next");
        String page = req.getParameter("page");
        if (page != null) {
            String landing = LANDING_PAGES.getOrDefault(page, "/account/dashboard");
            // safe: CWE-601
            resp.sendRedirect(req.getContextPath() + landing);
            return;
        }
        if (next != null && LOCAL_PATH.matcher(next).matches()) {
            // safe: CWE-601
            resp.sendRedirect(next);
            return;
        }
        String site = req.getParameter("site");
        // vuln: CWE-601
        resp.sendRedirect("https://" + site + "/welcome?from=library");
    }

    private void switchBranch(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String branchSite = req.getParameter("branchSite");
        resp.setStatus(HttpServletResponse.SC_FOUND);
        // vuln: CWE-601
        resp.setHeader("Location", branchSite);
    }

    private boolean isTrustedAbsolute(String url) {
        try {
            URI uri = new URI(url);
            return "https".equals(uri.getScheme()) && uri.getHost() != null && TRUSTED_HOSTS.contains(uri.getHost())
                    && uri.getUserInfo() == null;
        } catch (URISyntaxException e) {
            return false;
        }
    }

    public interface OidcClient {
        TokenSet exchange(String code);

        interface TokenSet {
            String subject();
            String sessionHandle();
            String idToken();
        }
    }
}
