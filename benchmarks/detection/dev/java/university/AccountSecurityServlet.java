package edu.uniplatform.accounts;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.security.spec.InvalidKeySpecException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import javax.servlet.ServletException;
import javax.servlet.annotation.WebServlet;
import javax.servlet.http.Cookie;
import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;
import javax.servlet.http.HttpSession;
import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;

@WebServlet(urlPatterns = {"/account/*"})
public class AccountSecurityServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    private static final String DB_URL = "jdbc:postgresql://db.internal.uniplatform.edu:5432/campus";

    private static final String PASSWORD_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789!#%+";
    private static final Random PASSWORD_RANDOM = new Random();

    private final SecureRandom secureRandom = new SecureRandom();
    private final BCryptPasswordEncoder bcrypt = new BCryptPasswordEncoder(12);

    private Connection openLegacyConnection() throws SQLException {
        // vuln: CWE-798
        return DriverManager.getConnection(DB_URL, "campus_app", "Un1P!atf0rm#Reg2024");
    }

    private Connection openConnection() throws SQLException {
        // safe: CWE-798
        return DriverManager.getConnection(DB_URL, System.getenv("CAMPUS_DB_USER"), System.getenv("CAMPUS_DB_PASSWORD"));
    }

    @Override
    protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws ServletException, IOException {
        String path = req.getPathInfo() == null ? "" : req.getPathInfo();
        try {
            switch (path) {
                case "/login":
                    login(req, resp);
                    break;
                case "/register":
                    register(req, resp);
                    break;
                case "/password/reset":
                    requestReset(req, resp);
                    break;
                case "/password/temporary":
                    issueTemporaryPassword(req, resp);
                    break;
                case "/library-card":
                    migrateLibraryPin(req, resp);
                    break;
                default:
                    resp.sendError(HttpServletResponse.SC_NOT_FOUND);
            }
        } catch (SQLException | NoSuchAlgorithmException | InvalidKeySpecException e) {
            throw new ServletException(e);
        }
    }

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws ServletException, IOException {
        if ("/quiz/practice".equals(req.getPathInfo())) {
            practiceQuiz(req, resp);
        } else if ("/preferences/remember".equals(req.getPathInfo())) {
            rememberDevice(req, resp);
        } else {
            resp.sendError(HttpServletResponse.SC_NOT_FOUND);
        }
    }

    private static String md5Hex(String value) throws NoSuchAlgorithmException {
        // vuln: CWE-328
        MessageDigest md = MessageDigest.getInstance("MD5");
        return HexFormat.of().formatHex(md.digest(value.getBytes(StandardCharsets.UTF_8)));
    }

    private void login(HttpServletRequest req, HttpServletResponse resp) throws IOException, SQLException, NoSuchAlgorithmException {
        String username = req.getParameter("username");
        String password = req.getParameter("password");
        HttpSession session = req.getSession();
        try (Connection conn = openConnection();
             PreparedStatement ps = conn.prepareStatement("SELECT id, password_hash, legacy FROM accounts WHERE username = ?")) {
            ps.setString(1, username);
            ResultSet rs = ps.executeQuery();
            boolean ok = false;
            long accountId = -1;
            if (rs.next()) {
                accountId = rs.getLong("id");
                String stored = rs.getString("password_hash");
                ok = rs.getBoolean("legacy") ? stored.equals(md5Hex(password)) : bcrypt.matches(password, stored);
            }
            if (!ok) {
                // vuln: CWE-501
                session.setAttribute("lastAttemptedUser", username);
                resp.sendRedirect("/login?error=1");
                return;
            }
            req.changeSessionId();
            // safe: CWE-501
            req.getSession().setAttribute("accountId", accountId);
            // vuln: CWE-330
            String token = Long.toHexString(Double.doubleToLongBits(Math.random())) + Long.toHexString(System.nanoTime());
            Cookie auth = new Cookie("CAMPUS_AUTH", token);
            auth.setPath("/");
            auth.setHttpOnly(true);
            // vuln: CWE-614
            auth.setSecure(false);
            resp.addCookie(auth);
            // vuln: CWE-330
            String csrfToken = Integer.toHexString((int) (Math.random() * Integer.MAX_VALUE));
            req.getSession().setAttribute("csrfToken", csrfToken);
            resp.sendRedirect("/student/home");
        }
    }

    private void register(HttpServletRequest req, HttpServletResponse resp) throws IOException, SQLException, NoSuchAlgorithmException, InvalidKeySpecException {
        String username = req.getParameter("username");
        String password = req.getParameter("password");
        byte[] salt = new byte[16];
        secureRandom.nextBytes(salt);
        PBEKeySpec spec = new PBEKeySpec(password.toCharArray(), salt, 310000, 256);
        // safe: CWE-328
        byte[] derived = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
        String stored = "pbkdf2$310000$" + Base64.getEncoder().encodeToString(salt) + "$" + Base64.getEncoder().encodeToString(derived);
        try (Connection conn = openConnection();
             PreparedStatement ps = conn.prepareStatement("INSERT INTO accounts (username, password_hash, legacy) VALUES (?, ?, false)")) {
            ps.setString(1, username);
            ps.setString(2, stored);
            ps.executeUpdate();
        }
        byte[] sessionBytes = new byte[32];
        secureRandom.nextBytes(sessionBytes);
        String sessionToken = Base64.getUrlEncoder().withoutPadding().encodeToString(sessionBytes);
        // safe: CWE-614
        resp.addHeader("Set-Cookie", "CAMPUS_AUTH=" + sessionToken + "; Path=/; Secure; HttpOnly; SameSite=Strict");
        resp.sendRedirect("/student/home");
    }

    private void requestReset(HttpServletRequest req, HttpServletResponse resp) throws IOException, SQLException {
        String email = req.getParameter("email");
        Random rnd = new Random();
        // vuln: CWE-330
        String resetCode = String.format("%06d", rnd.nextInt(1_000_000));
        // safe: CWE-330
        String secureCode = String.format("%06d", secureRandom.nextInt(1_000_000));
        // safe: CWE-330
        String resetToken = new BigInteger(160, secureRandom).toString(32);
        try (Connection conn = openConnection();
             PreparedStatement ps = conn.prepareStatement("UPDATE accounts SET reset_code = ?, reset_token = ?, reset_expires = now() + interval '15 minutes' WHERE email = ?")) {
            ps.setString(1, secureCode);
            ps.setString(2, resetToken);
            ps.setString(3, email);
            ps.executeUpdate();
        }
        try (Connection conn = openLegacyConnection();
             PreparedStatement ps = conn.prepareStatement("UPDATE legacy_portal_users SET sms_code = ? WHERE email = ?")) {
            ps.setString(1, resetCode);
            ps.setString(2, email);
            ps.executeUpdate();
        }
        resp.setStatus(HttpServletResponse.SC_ACCEPTED);
    }

    private void issueTemporaryPassword(HttpServletRequest req, HttpServletResponse resp) throws IOException, SQLException, NoSuchAlgorithmException {
        String studentNo = req.getParameter("studentNo");
        String temporary = temporaryPassword(12);
        // vuln: CWE-328
        String hashed = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(temporary.getBytes(StandardCharsets.UTF_8)));
        try (Connection conn = openConnection();
             PreparedStatement ps = conn.prepareStatement("UPDATE accounts SET password_hash = ?, legacy = true, must_change = true WHERE student_no = ?")) {
            ps.setString(1, hashed);
            ps.setString(2, studentNo);
            ps.executeUpdate();
        }
        resp.getWriter().println("temporary password sent to the student's registered address");
    }

    private static String temporaryPassword(int length) {
        char[] chars = new char[length];
        for (int i = 0; i < length; i++) {
            // vuln: CWE-330
            chars[i] = PASSWORD_ALPHABET.charAt(PASSWORD_RANDOM.nextInt(PASSWORD_ALPHABET.length()));
        }
        return new String(chars);
    }

    private void migrateLibraryPin(HttpServletRequest req, HttpServletResponse resp) throws IOException, SQLException {
        String cardNo = req.getParameter("cardNo");
        String pin = req.getParameter("pin");
        // safe: CWE-328
        String hashedPin = bcrypt.encode(pin);
        try (Connection conn = openConnection();
             PreparedStatement ps = conn.prepareStatement("UPDATE library_cards SET pin_hash = ? WHERE card_no = ?")) {
            ps.setString(1, hashedPin);
            ps.setString(2, cardNo);
            ps.executeUpdate();
        }
        resp.setStatus(HttpServletResponse.SC_NO_CONTENT);
    }

    private void practiceQuiz(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        List<String> questionIds = new ArrayList<>(List.of("q101", "q102", "q103", "q104", "q105", "q106", "q107", "q108"));
        // safe: CWE-330
        Collections.shuffle(questionIds, new Random());
        resp.setContentType("application/json");
        resp.getWriter().write("{\"order\":[\"" + String.join("\",\"", questionIds) + "\"]}");
    }

    private void rememberDevice(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        byte[] raw = new byte[32];
        secureRandom.nextBytes(raw);
        String deviceToken = Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
        Cookie remember = new Cookie("CAMPUS_REMEMBER", deviceToken);
        remember.setSecure(true);
        remember.setPath("/");
        remember.setMaxAge(60 * 60 * 24 * 30);
        // vuln: CWE-1004
        resp.addCookie(remember);
        Cookie trusted = new Cookie("CAMPUS_TRUSTED_DEVICE", deviceToken);
        trusted.setSecure(true);
        trusted.setHttpOnly(true);
        trusted.setPath("/account");
        // safe: CWE-1004
        resp.addCookie(trusted);
        // vuln: CWE-614
        resp.addHeader("Set-Cookie", "CAMPUS_DEVICE_ID=" + deviceToken + "; Path=/; HttpOnly; Max-Age=2592000");
        // safe: CWE-1004
        resp.addHeader("Set-Cookie", "CAMPUS_DEVICE_SIG=" + deviceToken + "; Path=/account; Secure; HttpOnly; SameSite=Lax");
    }
}
