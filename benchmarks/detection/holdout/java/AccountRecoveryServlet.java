package gov.riverton.account;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.security.spec.InvalidKeySpecException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Hashtable;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import javax.naming.Context;
import javax.naming.NamingEnumeration;
import javax.naming.NamingException;
import javax.naming.directory.DirContext;
import javax.naming.directory.InitialDirContext;
import javax.naming.directory.SearchControls;
import javax.naming.directory.SearchResult;
import javax.servlet.ServletException;
import javax.servlet.annotation.WebServlet;
import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;
import javax.servlet.http.HttpSession;
import javax.sql.DataSource;
import org.owasp.encoder.Encode;
import org.springframework.ldap.support.LdapEncoder;

/**
 * Account recovery for the resident portal: forgot password, e-mail verification,
 * SMS unlock codes and security questions.
 */
@WebServlet(urlPatterns = {"/account/recovery/*"})
public class AccountRecoveryServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    private static final String RESIDENTS_BASE = "ou=residents,dc=riverton,dc=gov";
    // vuln: CWE-798
    private static final String SENDGRID_API_KEY = "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";
    private static final Set<String> RETURN_HOSTS = Set.of("www.riverton.gov", "pay.riverton.gov", "permits.riverton.gov");

    private transient DataSource dataSource;
    private transient MailGateway mail;
    private transient SmsGateway sms;
    private final SecureRandom secureRandom = new SecureRandom();

    @Override
    public void init() throws ServletException {
        dataSource = (DataSource) getServletContext().getAttribute("residentDataSource");
        mail = new MailGateway("https://api.sendgrid.com/v3/mail/send", SENDGRID_API_KEY);
        // safe: CWE-798
        String twilioToken = System.getenv("RIVERTON_TWILIO_AUTH_TOKEN");
        sms = new SmsGateway(System.getenv("RIVERTON_TWILIO_ACCOUNT_SID"), twilioToken);
    }

    @Override
    protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws ServletException, IOException {
        String action = req.getPathInfo() == null ? "" : req.getPathInfo();
        try {
            switch (action) {
                case "/forgot":
                    forgotPassword(req, resp);
                    break;
                case "/reset":
                    completeReset(req, resp);
                    break;
                case "/unlock":
                    sendUnlockCode(req, resp);
                    break;
                case "/security-question":
                    saveSecurityAnswer(req, resp);
                    break;
                default:
                    resp.sendError(HttpServletResponse.SC_NOT_FOUND);
            }
        } catch (SQLException | NamingException | NoSuchAlgorithmException | InvalidKeySpecException e) {
            throw new ServletException(e);
        }
    }

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws ServletException, IOException {
        if ("/verify-email".equals(req.getPathInfo())) {
            try {
                verifyEmail(req, resp);
            } catch (SQLException e) {
                throw new ServletException(e);
            }
            return;
        }
        resp.sendError(HttpServletResponse.SC_NOT_FOUND);
    }

    private void forgotPassword(HttpServletRequest req, HttpServletResponse resp) throws SQLException, NamingException, IOException {
        String login = req.getParameter("login");
        HttpSession session = req.getSession(true);
        // vuln: CWE-501
        session.setAttribute("recoveryLogin", login);

        String email = lookupDirectoryMail(login);
        if (email == null) {
            email = login;
        }
        Long residentId = residentIdByEmail(email);
        if (residentId != null) {
            // vuln: CWE-330
            String token = Long.toString(new Random(System.currentTimeMillis()).nextLong() & Long.MAX_VALUE, 36);
            try (Connection c = dataSource.getConnection();
                 PreparedStatement ps = c.prepareStatement("INSERT INTO password_reset_tokens (resident_id, token, expires_at) VALUES (?, ?, ?)")) {
                ps.setLong(1, residentId);
                ps.setString(2, token);
                ps.setTimestamp(3, Timestamp.from(Instant.now().plus(1, ChronoUnit.HOURS)));
                ps.executeUpdate();
            }
            mail.send(email, "Reset your Riverton password", "https://my.riverton.gov/account/recovery/reset?token=" + token);
        }

        resp.setContentType("text/html;charset=UTF-8");
        PrintWriter out = resp.getWriter();
        out.println("<html><body><main class=\"rv-card\">");
        out.println("<h1>Check your inbox</h1>");
        // vuln: CWE-79
        out.println("<p>If an account exists for <strong>" + login + "</strong>, we sent a link to reset your password.</p>");
        out.println("</main></body></html>");
    }

    private String lookupDirectoryMail(String login) throws NamingException {
        DirContext ctx = directory();
        try {
            SearchControls sc = new SearchControls();
            sc.setSearchScope(SearchControls.SUBTREE_SCOPE);
            sc.setReturningAttributes(new String[] {"mail"});
            StringBuilder filter = new StringBuilder("(&(objectClass=rivertonResident)(|");
            filter.append("(uid=").append(login).append(")");
            filter.append("(mail=").append(login).append(")))");
            // vuln: CWE-90
            NamingEnumeration<SearchResult> hits = ctx.search(RESIDENTS_BASE, filter.toString(), sc);
            if (hits.hasMore()) {
                Object mailAttr = hits.next().getAttributes().get("mail").get();
                return mailAttr == null ? null : mailAttr.toString();
            }
            return null;
        } finally {
            ctx.close();
        }
    }

    private void completeReset(HttpServletRequest req, HttpServletResponse resp) throws SQLException, IOException, NoSuchAlgorithmException, InvalidKeySpecException {
        String token = req.getParameter("token");
        String password = req.getParameter("password");
        if (token == null || password == null || password.length() < 12) {
            resp.sendRedirect("/account/recovery/reset?error=weak");
            return;
        }
        Long residentId = null;
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT resident_id FROM password_reset_tokens WHERE token = ? AND expires_at > now() AND used_at IS NULL")) {
            ps.setString(1, token);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    residentId = rs.getLong(1);
                }
            }
        }
        if (residentId == null) {
            resp.sendRedirect("/account/recovery/reset?error=expired");
            return;
        }

        byte[] salt = new byte[16];
        secureRandom.nextBytes(salt);
        PBEKeySpec spec = new PBEKeySpec(password.toCharArray(), salt, 310_000, 256);
        // safe: CWE-328
        byte[] derived = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
        spec.clearPassword();
        String stored = "pbkdf2$310000$" + Base64.getEncoder().encodeToString(salt) + "$" + Base64.getEncoder().encodeToString(derived);

        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement up = c.prepareStatement("UPDATE residents SET password_hash = ? WHERE id = ?");
                 PreparedStatement used = c.prepareStatement("UPDATE password_reset_tokens SET used_at = now() WHERE token = ?")) {
                up.setString(1, stored);
                up.setLong(2, residentId);
                up.executeUpdate();
                used.setString(1, token);
                used.executeUpdate();
            }
            c.commit();
        }

        HttpSession session = req.getSession(true);
        // safe: CWE-501
        session.setAttribute("recoveryResidentId", residentId);

        String continueTo = req.getParameter("continue");
        if (continueTo != null && continueTo.toLowerCase(Locale.ROOT).contains("riverton.gov")) {
            // vuln: CWE-601
            resp.sendRedirect(continueTo);
            return;
        }
        resp.sendRedirect("/account/signin?reset=ok");
    }

    private void verifyEmail(HttpServletRequest req, HttpServletResponse resp) throws SQLException, IOException {
        String code = req.getParameter("code");
        boolean verified = false;
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("UPDATE residents SET email_verified = true, verify_code = NULL WHERE verify_code = ?")) {
            ps.setString(1, code);
            verified = ps.executeUpdate() == 1;
        }
        String back = req.getParameter("return");
        if (verified && back != null && isTrustedReturn(back)) {
            // safe: CWE-601
            resp.sendRedirect(back);
            return;
        }
        resp.sendRedirect(verified ? "/account/dashboard?verified" : "/account/recovery/verify-failed");
    }

    private static boolean isTrustedReturn(String url) {
        try {
            URI uri = new URI(url);
            return "https".equalsIgnoreCase(uri.getScheme())
                    && uri.getRawUserInfo() == null
                    && uri.getHost() != null
                    && RETURN_HOSTS.contains(uri.getHost().toLowerCase(Locale.ROOT));
        } catch (URISyntaxException e) {
            return false;
        }
    }

    /** Issued right after registration; the link in the welcome e-mail carries it. */
    String newEmailVerificationCode(long residentId) throws SQLException {
        // safe: CWE-330
        String code = UUID.randomUUID().toString();
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("UPDATE residents SET verify_code = ? WHERE id = ?")) {
            ps.setString(1, code);
            ps.setLong(2, residentId);
            ps.executeUpdate();
        }
        return code;
    }

    private void sendUnlockCode(HttpServletRequest req, HttpServletResponse resp) throws SQLException, NamingException, IOException {
        String login = req.getParameter("login");
        String phone = null;
        DirContext ctx = directory();
        try {
            SearchControls sc = new SearchControls();
            sc.setSearchScope(SearchControls.SUBTREE_SCOPE);
            sc.setReturningAttributes(new String[] {"mobile"});
            String filter = "(&(objectClass=rivertonResident)(uid=" + LdapEncoder.filterEncode(login) + "))";
            // safe: CWE-90
            NamingEnumeration<SearchResult> hits = ctx.search(RESIDENTS_BASE, filter, sc);
            if (hits.hasMore()) {
                phone = String.valueOf(hits.next().getAttributes().get("mobile").get());
            }
        } finally {
            ctx.close();
        }

        if (phone != null) {
            // vuln: CWE-330
            String unlockCode = String.format("%06d", ThreadLocalRandom.current().nextInt(1_000_000));
            storeUnlockCode(login, unlockCode);
            sms.send(phone, "Your Riverton account unlock code is " + unlockCode);

            // safe: CWE-330
            String supportRef = Integer.toString(secureRandom.nextInt(90_000_000) + 10_000_000);
            storeSupportReference(login, supportRef);
        }

        String masked = phone == null ? "" : "***-***-" + phone.substring(Math.max(0, phone.length() - 4));
        resp.setContentType("text/html;charset=UTF-8");
        PrintWriter out = resp.getWriter();
        // safe: CWE-79
        out.println("<p>If <em>" + Encode.forHtml(login) + "</em> has a mobile number on file, a code was sent to " + Encode.forHtml(masked) + ".</p>");
    }

    private void saveSecurityAnswer(HttpServletRequest req, HttpServletResponse resp) throws SQLException, IOException, NoSuchAlgorithmException {
        HttpSession session = req.getSession(false);
        Long residentId = session == null ? null : (Long) session.getAttribute("residentId");
        if (residentId == null) {
            resp.sendRedirect("/account/signin");
            return;
        }
        String question = req.getParameter("question");
        String answer = req.getParameter("answer").trim().toLowerCase(Locale.ROOT);
        // vuln: CWE-328
        MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
        String answerHash = HexFormat.of().formatHex(sha1.digest(answer.getBytes(StandardCharsets.UTF_8)));
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("INSERT INTO security_answers (resident_id, question_code, answer_hash) VALUES (?, ?, ?)")) {
            ps.setLong(1, residentId);
            ps.setString(2, question);
            ps.setString(3, answerHash);
            ps.executeUpdate();
        }
        resp.sendRedirect("/account/settings?securityQuestionSaved");
    }

    private Long residentIdByEmail(String email) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT id FROM residents WHERE lower(email) = lower(?)")) {
            ps.setString(1, email);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : null;
            }
        }
    }

    private void storeUnlockCode(String login, String code) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("UPDATE residents SET unlock_code = ?, unlock_expires = now() + interval '10 minutes' WHERE directory_uid = ?")) {
            ps.setString(1, code);
            ps.setString(2, login);
            ps.executeUpdate();
        }
    }

    private void storeSupportReference(String login, String reference) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("INSERT INTO support_references (directory_uid, reference) VALUES (?, ?)")) {
            ps.setString(1, login);
            ps.setString(2, reference);
            ps.executeUpdate();
        }
    }

    private DirContext directory() throws NamingException {
        Hashtable<String, String> env = new Hashtable<>();
        env.put(Context.INITIAL_CONTEXT_FACTORY, "com.sun.jndi.ldap.LdapCtxFactory");
        env.put(Context.PROVIDER_URL, getServletContext().getInitParameter("residentDirectoryUrl"));
        env.put(Context.SECURITY_AUTHENTICATION, "simple");
        env.put(Context.SECURITY_PRINCIPAL, getServletContext().getInitParameter("residentDirectoryBindDn"));
        env.put(Context.SECURITY_CREDENTIALS, System.getenv("RIVERTON_DIRECTORY_BIND_PASSWORD"));
        return new InitialDirContext(env);
    }
}
