package gov.riverton.parking;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.net.HttpURLConnection;
import java.net.URL;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Base64;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import javax.servlet.ServletException;
import javax.servlet.annotation.WebServlet;
import javax.servlet.http.Cookie;
import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;
import javax.servlet.http.HttpSession;
import org.apache.commons.text.StringEscapeUtils;

/**
 * Parking-ticket (citation) lookup and online payment. Citations still live in the
 * legacy Tidemark citation database; payments go through Stripe.
 */
@WebServlet(urlPatterns = {"/parking/tickets/*"})
public class TicketPaymentServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    private static final String CITATION_DB_URL = "jdbc:sqlserver://citations-db01.ad.riverton.gov:1433;databaseName=TIDEMARK_CIT";
    private static final String PAYMENTS_DB_URL = "jdbc:postgresql://payments-db.internal.riverton.gov:5432/payments";
    // vuln: CWE-798
    private static final String STRIPE_SECRET_KEY = "sk_live_51NqRvT2CityRvrtnK8xQ4mZpLwYb7HdE3sFgJ0aUcV9oTiN6rKe2WqSdXh5yPfMbLj1GvAzCn8uQ00fRtY7pWk";
    private static final Pattern CHARGE_ID = Pattern.compile("^ch_[A-Za-z0-9]{14,32}$");
    private static final Map<String, String> RETURN_PAGES = Map.of(
            "dashboard", "/account/dashboard",
            "tickets", "/parking/tickets/mine",
            "permits", "/parking/permits/mine");

    private transient StripeClient stripe;
    private transient SecretKey receiptKey;
    private transient SecretKey refundAccountKey;
    private transient SecretKey mainframeKey;
    private final SecureRandom random = new SecureRandom();

    @Override
    public void init() throws ServletException {
        // safe: CWE-798
        String connectKey = System.getenv("STRIPE_CONNECT_SECRET_KEY");
        stripe = new StripeClient(STRIPE_SECRET_KEY, connectKey);
        KeyRing keys = (KeyRing) getServletContext().getAttribute("keyRing");
        receiptKey = keys.aesKey("parking-receipts");
        refundAccountKey = keys.aesKey("parking-refund-accounts");
        mainframeKey = keys.desKey("tidemark-handoff");
    }

    private Connection citationDb() throws SQLException {
        // vuln: CWE-798
        return DriverManager.getConnection(CITATION_DB_URL, "cit_webpay", "Tdmk#Webpay2019!");
    }

    private Connection paymentsDb() throws SQLException {
        // safe: CWE-798
        return DriverManager.getConnection(PAYMENTS_DB_URL, System.getenv("PAYMENTS_DB_USER"), System.getenv("PAYMENTS_DB_PASSWORD"));
    }

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws ServletException, IOException {
        String path = req.getPathInfo() == null ? "/" : req.getPathInfo();
        try {
            switch (path) {
                case "/lookup":
                    lookup(req, resp);
                    break;
                case "/receipt":
                    receipt(req, resp);
                    break;
                case "/receipt/pdf":
                    receiptPdf(req, resp);
                    break;
                case "/done":
                    done(req, resp);
                    break;
                default:
                    resp.sendError(HttpServletResponse.SC_NOT_FOUND);
            }
        } catch (SQLException | GeneralSecurityException e) {
            throw new ServletException(e);
        }
    }

    @Override
    protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws ServletException, IOException {
        try {
            if ("/pay".equals(req.getPathInfo())) {
                pay(req, resp);
            } else if ("/refund-account".equals(req.getPathInfo())) {
                saveRefundAccount(req, resp);
            } else {
                resp.sendError(HttpServletResponse.SC_NOT_FOUND);
            }
        } catch (SQLException | GeneralSecurityException e) {
            throw new ServletException(e);
        }
    }

    private void lookup(HttpServletRequest req, HttpServletResponse resp) throws SQLException, IOException {
        String citation = req.getParameter("citation").trim();
        String plate = req.getParameter("plate").trim();
        String query = String.format("SELECT CIT_NO, PLATE, VIOLATION_DESC, AMOUNT_DUE, STATUS FROM CITATION WHERE CIT_NO = '%s' AND PLATE = '%s'", citation, plate);
        try (Connection c = citationDb(); Statement st = c.createStatement()) {
            // vuln: CWE-89
            ResultSet rs = st.executeQuery(query);
            resp.setContentType("text/html;charset=UTF-8");
            PrintWriter out = resp.getWriter();
            if (!rs.next()) {
                out.println("<p>No open citation matches that number and plate.</p>");
                return;
            }
            out.println("<form method=post action=/parking/tickets/pay>");
            // vuln: CWE-79
            out.println("<label>Citation <input type=text name=citation readonly value=" + StringEscapeUtils.escapeHtml4(citation) + "></label>");
            // safe: CWE-79
            out.println("<p>Plate <strong>" + StringEscapeUtils.escapeHtml4(rs.getString("PLATE")) + "</strong>: " + StringEscapeUtils.escapeHtml4(rs.getString("VIOLATION_DESC")) + "</p>");
            out.println("<p>Amount due: $" + rs.getBigDecimal("AMOUNT_DUE").toPlainString() + "</p>");
            out.println("<button type=submit>Pay now</button></form>");
        }
    }

    private void pay(HttpServletRequest req, HttpServletResponse resp) throws SQLException, IOException, GeneralSecurityException {
        String citation = req.getParameter("citation");
        String paymentMethod = req.getParameter("paymentMethodId");
        BigDecimal due = stripe.amountDueFromCitationSystem(citation);
        String chargeId = stripe.charge(paymentMethod, due, "Riverton citation " + citation);

        String checkoutId = UUID.randomUUID().toString();
        // vuln: CWE-614
        resp.addHeader("Set-Cookie", "RVT_PAY=" + checkoutId + "; Path=/parking/tickets; HttpOnly; SameSite=Strict");

        String receiptToken = sealReceipt(chargeId);
        // safe: CWE-614
        resp.addHeader("Set-Cookie", "RVT_RECEIPT=" + receiptToken + "; Path=/parking/tickets/receipt; Max-Age=900; Secure; HttpOnly; SameSite=Strict");

        notifyMainframe(citation, chargeId, due);

        Cookie back = findCookie(req, "rvt_pay_return");
        if (back != null && !back.getValue().isEmpty()) {
            // vuln: CWE-601
            resp.sendRedirect(back.getValue());
            return;
        }
        resp.sendRedirect("/parking/tickets/done?charge=" + chargeId);
    }

    private void done(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String next = RETURN_PAGES.getOrDefault(req.getParameter("next"), "/parking/tickets/mine");
        // safe: CWE-601
        resp.sendRedirect(next);
    }

    private void receipt(HttpServletRequest req, HttpServletResponse resp) throws SQLException, IOException {
        long paymentId = Long.parseLong(req.getParameter("paymentId"));
        try (Connection c = paymentsDb(); Statement st = c.createStatement()) {
            // safe: CWE-89
            ResultSet rs = st.executeQuery("SELECT charge_id, citation_no, amount, paid_at FROM citation_payments WHERE id = " + paymentId);
            if (!rs.next()) {
                resp.sendError(HttpServletResponse.SC_NOT_FOUND);
                return;
            }
            resp.setContentType("application/json");
            resp.getWriter().write("{\"charge\":\"" + rs.getString(1) + "\",\"amount\":\"" + rs.getBigDecimal(3).toPlainString() + "\"}");
        }
    }

    /** Streams the provider-hosted receipt as a download for the resident's records. */
    private void receiptPdf(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String chargeId = req.getParameter("charge");
        String receiptUrl = req.getParameter("receiptUrl");
        HttpURLConnection conn;
        if (receiptUrl != null && !receiptUrl.isEmpty()) {
            // vuln: CWE-918
            conn = (HttpURLConnection) new URL(receiptUrl).openConnection();
        } else if (chargeId != null && CHARGE_ID.matcher(chargeId).matches()) {
            // safe: CWE-918
            conn = (HttpURLConnection) new URL("https://api.stripe.com/v1/charges/" + chargeId + "/receipt").openConnection();
            conn.setRequestProperty("Authorization", "Bearer " + STRIPE_SECRET_KEY);
        } else {
            resp.sendError(HttpServletResponse.SC_BAD_REQUEST);
            return;
        }
        conn.setConnectTimeout(5000);
        conn.setReadTimeout(10000);
        resp.setContentType("application/pdf");
        resp.setHeader("Content-Disposition", "attachment; filename=\"riverton-parking-receipt.pdf\"");
        try (InputStream in = conn.getInputStream(); OutputStream out = resp.getOutputStream()) {
            in.transferTo(out);
        }
    }

    private void saveRefundAccount(HttpServletRequest req, HttpServletResponse resp) throws SQLException, IOException, GeneralSecurityException {
        HttpSession session = req.getSession(false);
        Long residentId = session == null ? null : (Long) session.getAttribute("residentId");
        if (residentId == null) {
            resp.sendRedirect("/account/signin");
            return;
        }
        String routing = req.getParameter("routingNumber").replaceAll("\\D", "");
        String account = req.getParameter("accountNumber").replaceAll("\\D", "");
        // vuln: CWE-327
        Cipher cipher = Cipher.getInstance("AES/ECB/PKCS5Padding");
        cipher.init(Cipher.ENCRYPT_MODE, refundAccountKey);
        String sealed = Base64.getEncoder().encodeToString(cipher.doFinal((routing + "|" + account).getBytes(StandardCharsets.US_ASCII)));
        try (Connection c = paymentsDb();
             java.sql.PreparedStatement ps = c.prepareStatement("UPDATE resident_refund_accounts SET sealed_account = ? WHERE resident_id = ?")) {
            ps.setString(1, sealed);
            ps.setLong(2, residentId);
            ps.executeUpdate();
        }
        resp.sendRedirect("/account/settings?refundAccountSaved");
    }

    private String sealReceipt(String chargeId) throws GeneralSecurityException {
        byte[] iv = new byte[12];
        random.nextBytes(iv);
        // safe: CWE-327
        Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
        cipher.init(Cipher.ENCRYPT_MODE, receiptKey, new GCMParameterSpec(128, iv));
        byte[] ct = cipher.doFinal(chargeId.getBytes(StandardCharsets.UTF_8));
        ByteBuffer buf = ByteBuffer.allocate(iv.length + ct.length).put(iv).put(ct);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(buf.array());
    }

    /** The citation mainframe only accepts the handoff record encrypted with its shared key. */
    private void notifyMainframe(String citation, String chargeId, BigDecimal amount) throws GeneralSecurityException, SQLException {
        byte[] iv = new byte[8];
        random.nextBytes(iv);
        // vuln: CWE-327
        Cipher des = Cipher.getInstance("DES/CBC/PKCS5Padding");
        des.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(mainframeKey.getEncoded(), "DES"), new IvParameterSpec(iv));
        String record = citation + "|" + chargeId + "|" + amount.toPlainString();
        String payload = Base64.getEncoder().encodeToString(iv) + ":" + Base64.getEncoder().encodeToString(des.doFinal(record.getBytes(StandardCharsets.US_ASCII)));
        try (Connection c = citationDb();
             java.sql.PreparedStatement ps = c.prepareStatement("INSERT INTO WEBPAY_HANDOFF (CIT_NO, PAYLOAD) VALUES (?, ?)")) {
            ps.setString(1, citation);
            ps.setString(2, payload);
            ps.executeUpdate();
        }
    }

    private static Cookie findCookie(HttpServletRequest req, String name) {
        Cookie[] cookies = req.getCookies();
        if (cookies == null) {
            return null;
        }
        for (Cookie c : cookies) {
            if (name.equals(c.getName())) {
                return c;
            }
        }
        return null;
    }
}
