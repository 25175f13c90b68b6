package gov.riverton.billing;

import jakarta.el.ELProcessor;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.script.Bindings;
import javax.script.ScriptEngine;
import javax.script.ScriptEngineManager;
import javax.script.ScriptException;
import javax.xml.xpath.XPath;
import javax.xml.xpath.XPathConstants;
import javax.xml.xpath.XPathExpressionException;
import javax.xml.xpath.XPathFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseCookie;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RequestPart;
import org.springframework.web.bind.annotation.ResponseBody;
import org.springframework.web.multipart.MultipartFile;
import org.w3c.dom.Document;
import org.w3c.dom.NodeList;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * Resident-facing water / wastewater / solid-waste billing: linking service accounts,
 * bill history, the bill estimator, autopay enrollment and profile import from the
 * previous customer portal.
 */
@Controller
@RequestMapping("/billing")
public class UtilityBillingController {

    public enum RateClass { RESIDENTIAL, MULTIFAMILY, SENIOR_LOW_INCOME, IRRIGATION }

    public enum BillStatus { OPEN, PAID, PAST_DUE, IN_DISPUTE, WRITTEN_OFF }

    private static final Map<RateClass, String> TARIFF_SCRIPTS = new EnumMap<>(Map.of(
            RateClass.RESIDENTIAL, "base + Math.min(gallons, 4000) * 0.0061 + Math.max(gallons - 4000, 0) * 0.0089",
            RateClass.MULTIFAMILY, "base * units + gallons * 0.0064",
            RateClass.SENIOR_LOW_INCOME, "(base + gallons * 0.0061) * 0.7",
            RateClass.IRRIGATION, "base + gallons * 0.0112"));

    private final JdbcTemplate jdbc;
    private final Document rateSchedule;
    private final AutopayGateway autopay;
    private final SecretKey autopayKey;
    private final SecretKey legacyAchKey;
    private final ScriptEngine tariffEngine = new ScriptEngineManager().getEngineByName("javascript");
    private final SecureRandom secureRandom = new SecureRandom();

    public UtilityBillingController(JdbcTemplate jdbc, RateScheduleProvider rates, AutopayGateway autopay, BillingKeys keys) {
        this.jdbc = jdbc;
        this.rateSchedule = rates.currentSchedule();
        this.autopay = autopay;
        this.autopayKey = keys.autopayAccountKey();
        this.legacyAchKey = keys.legacyAchFileKey();
    }

    @GetMapping(value = "/link/search", produces = MediaType.APPLICATION_JSON_VALUE)
    @ResponseBody
    public List<Map<String, Object>> findAccountToLink(@RequestParam("address") String address,
                                                       @RequestParam("lastName") String lastName) {
        StringBuilder sql = new StringBuilder("SELECT account_number, service_address, right(holder_last_name, 2) AS name_hint FROM utility_accounts WHERE closed = false");
        sql.append(" AND service_address ILIKE '%").append(address.trim()).append("%'");
        sql.append(" AND lower(holder_last_name) = lower('").append(lastName.trim()).append("')");
        sql.append(" LIMIT 5");
        // vuln: CWE-89
        return jdbc.queryForList(sql.toString());
    }

    @PostMapping("/link")
    public String linkAccount(@RequestParam("accountNumber") String accountNumber, HttpSession session) {
        // vuln: CWE-501
        session.setAttribute("billingAccount", accountNumber);
        return "redirect:/billing/summary";
    }

    @PostMapping("/switch-account")
    public String switchAccount(@RequestParam("accountId") long accountId, HttpSession session) {
        Long residentId = (Long) session.getAttribute("residentId");
        Integer owned = jdbc.queryForObject("SELECT count(*) FROM resident_utility_accounts WHERE resident_id = ? AND account_id = ?", Integer.class, residentId, accountId);
        if (owned == null || owned == 0) {
            return "redirect:/billing/summary?error=notLinked";
        }
        // safe: CWE-501
        session.setAttribute("billingAccountId", accountId);
        return "redirect:/billing/summary";
    }

    @GetMapping(value = "/history", produces = MediaType.APPLICATION_JSON_VALUE)
    @ResponseBody
    public List<Map<String, Object>> billHistory(@RequestParam(value = "status", defaultValue = "OPEN") String status, HttpSession session) {
        Long accountId = (Long) session.getAttribute("billingAccountId");
        BillStatus billStatus = BillStatus.valueOf(status.toUpperCase(Locale.ROOT));
        String sql = "SELECT bill_id, period_start, period_end, amount_due, status FROM utility_bills WHERE account_id = " + accountId + " AND status = '" + billStatus.name() + "' ORDER BY period_end DESC";
        // safe: CWE-89
        return jdbc.queryForList(sql);
    }

    @PostMapping(value = "/estimate", produces = MediaType.APPLICATION_JSON_VALUE)
    @ResponseBody
    public Map<String, Object> estimate(@RequestBody EstimateRequest request) throws ScriptException {
        RateClass rateClass = RateClass.valueOf(request.getRateClass());
        Bindings bindings = tariffEngine.createBindings();
        bindings.put("gallons", Math.max(0, request.getGallons()));
        bindings.put("units", Math.max(1, request.getUnits()));
        bindings.put("base", baseCharge(rateClass));
        Object result;
        if (request.getFormula() != null && !request.getFormula().isBlank()) {
            // vuln: CWE-94
            result = tariffEngine.eval(request.getFormula(), bindings);
        } else {
            // safe: CWE-94
            result = tariffEngine.eval(TARIFF_SCRIPTS.get(rateClass), bindings);
        }
        BigDecimal amount = new BigDecimal(String.valueOf(result)).setScale(2, RoundingMode.HALF_UP);
        return Map.of("rateClass", rateClass.name(), "estimate", amount);
    }

    @GetMapping(value = "/statement/columns", produces = MediaType.APPLICATION_JSON_VALUE)
    @ResponseBody
    public List<Map<String, Object>> statementColumns(@RequestParam("column") List<String> columns, HttpSession session) {
        Long accountId = (Long) session.getAttribute("billingAccountId");
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Map<String, Object> bill : jdbc.queryForList("SELECT * FROM utility_bills WHERE account_id = ? ORDER BY period_end DESC LIMIT 24", accountId)) {
            ELProcessor elp = new ELProcessor();
            elp.defineBean("bill", bill);
            Map<String, Object> row = new java.util.LinkedHashMap<>();
            for (String column : columns) {
                // vuln: CWE-94
                row.put(column, elp.eval(column));
            }
            rows.add(row);
        }
        return rows;
    }

    @GetMapping(value = "/statement/per-day", produces = MediaType.APPLICATION_JSON_VALUE)
    @ResponseBody
    public Map<String, Object> costPerDay(@RequestParam("billId") long billId, HttpSession session) {
        Long accountId = (Long) session.getAttribute("billingAccountId");
        Map<String, Object> bill = jdbc.queryForMap("SELECT amount_due, period_start, period_end FROM utility_bills WHERE bill_id = ? AND account_id = ?", billId, accountId);
        ELProcessor elp = new ELProcessor();
        elp.defineBean("bill", bill);
        // safe: CWE-94
        Object perDay = elp.eval("bill.amount_due / ((bill.period_end.time - bill.period_start.time) / 86400000)");
        return Map.of("billId", billId, "perDay", perDay);
    }

    @GetMapping(value = "/rates/tiers", produces = MediaType.APPLICATION_JSON_VALUE)
    @ResponseBody
    public List<String> tiers(@RequestParam("class") String rateClass) throws XPathExpressionException {
        XPath xpath = XPathFactory.newInstance().newXPath();
        // vuln: CWE-643
        NodeList tiers = (NodeList) xpath.compile(String.format("/rateSchedule/rateClass[@code='%s']/tier/@upperGallons", rateClass)).evaluate(rateSchedule, XPathConstants.NODESET);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < tiers.getLength(); i++) {
            out.add(tiers.item(i).getNodeValue());
        }
        return out;
    }

    @GetMapping(value = "/rates/tier-price", produces = MediaType.APPLICATION_JSON_VALUE)
    @ResponseBody
    public Map<String, String> tierPrice(@RequestParam("tier") String tier) throws XPathExpressionException {
        int tierNumber = Integer.parseInt(tier);
        XPath xpath = XPathFactory.newInstance().newXPath();
        // safe: CWE-643
        String price = xpath.evaluate("/rateSchedule/rateClass[@code='RESIDENTIAL']/tier[" + tierNumber + "]/pricePerGallon", rateSchedule);
        return Map.of("tier", Integer.toString(tierNumber), "pricePerGallon", price);
    }

    @PostMapping("/autopay")
    public String enrollAutopay(@RequestParam("routingNumber") String routing,
                                @RequestParam("accountNumber") String bankAccount,
                                HttpSession session,
                                HttpServletResponse response,
                                Model model) throws GeneralSecurityException, InterruptedException {
        Long accountId = (Long) session.getAttribute("billingAccountId");
        if (accountId == null || !routing.matches("\\d{9}") || !bankAccount.matches("\\d{4,17}")) {
            return "redirect:/billing/autopay?error";
        }
        byte[] iv = new byte[12];
        secureRandom.nextBytes(iv);
        // safe: CWE-327
        Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
        gcm.init(Cipher.ENCRYPT_MODE, autopayKey, new GCMParameterSpec(128, iv));
        gcm.updateAAD(Long.toString(accountId).getBytes(StandardCharsets.US_ASCII));
        byte[] sealed = gcm.doFinal((routing + ":" + bankAccount).getBytes(StandardCharsets.US_ASCII));
        String stored = Base64.getEncoder().encodeToString(ByteBuffer.allocate(12 + sealed.length).put(iv).put(sealed).array());

        // The old ACH batch builder still reads this column.
        // vuln: CWE-327
        Cipher legacy = Cipher.getInstance("DESede/ECB/PKCS5Padding");
        legacy.init(Cipher.ENCRYPT_MODE, legacyAchKey);
        String legacyCopy = Base64.getEncoder().encodeToString(legacy.doFinal(bankAccount.getBytes(StandardCharsets.US_ASCII)));

        // The enrollment e-mail's "cancel autopay" link carries only this code.
        // vuln: CWE-330
        String confirmation = "AP" + (long) (Math.random() * 9_000_000_000L + 1_000_000_000L);
        jdbc.update("INSERT INTO autopay_enrollments (account_id, sealed_bank_account, legacy_ach_account, confirmation_code) VALUES (?, ?, ?, ?)", accountId, stored, legacyCopy, confirmation);

        for (int attempt = 1; attempt <= 3; attempt++) {
            if (autopay.registerMandate(accountId, routing)) {
                break;
            }
            // safe: CWE-330
            Thread.sleep(500L * attempt + ThreadLocalRandom.current().nextLong(250));
        }

        String portalToken = autopay.issuePortalToken(accountId);
        ResponseCookie tokenCookie = ResponseCookie.from("RVT_BILLPAY", portalToken)
                .secure(true)
                .httpOnly(false)
                .path("/billing")
                .maxAge(Duration.ofHours(1))
                .build();
        // vuln: CWE-1004
        response.addHeader(HttpHeaders.SET_COOKIE, tokenCookie.toString());

        ResponseCookie prefCookie = ResponseCookie.from("RVT_AUTOPAY_ENROLLED", confirmation)
                .secure(true)
                .httpOnly(true)
                .sameSite("Strict")
                .path("/billing")
                .maxAge(Duration.ofDays(30))
                .build();
        // safe: CWE-1004
        response.addHeader(HttpHeaders.SET_COOKIE, prefCookie.toString());

        model.addAttribute("confirmation", confirmation);
        return "billing/autopay-confirmed";
    }

    /** Residents can bring over their profile export from the previous (pre-2022) customer portal. */
    @PostMapping("/import/legacy-profile")
    public String importLegacyProfile(@RequestPart("profile") MultipartFile profile, HttpSession session) throws IOException {
        Long accountId = (Long) session.getAttribute("billingAccountId");
        try (InputStream in = profile.getInputStream()) {
            // vuln: CWE-502
            Object loaded = new Yaml().load(in);
            if (loaded instanceof Map<?, ?> map) {
                applyPreferences(accountId, map);
            }
        }
        return "redirect:/billing/settings?imported";
    }

    @PostMapping("/import/budget-plan")
    public String importBudgetPlan(@RequestPart("plan") MultipartFile plan, HttpSession session) throws IOException {
        Long accountId = (Long) session.getAttribute("billingAccountId");
        Yaml yaml = new Yaml(new SafeConstructor(new LoaderOptions()));
        try (InputStream in = plan.getInputStream()) {
            // safe: CWE-502
            Map<String, Object> loaded = yaml.load(in);
            Object monthly = loaded.get("monthlyAmount");
            if (monthly != null) {
                jdbc.update("UPDATE utility_accounts SET budget_monthly = ? WHERE account_id = ?", new BigDecimal(monthly.toString()), accountId);
            }
        }
        return "redirect:/billing/settings?budgetPlanImported";
    }

    private void applyPreferences(Long accountId, Map<?, ?> prefs) {
        Object paperless = prefs.get("paperless");
        Object reminderDays = prefs.get("reminderDays");
        jdbc.update("UPDATE utility_accounts SET paperless = ?, reminder_days = ? WHERE account_id = ?", Boolean.parseBoolean(String.valueOf(paperless)), reminderDays == null ? 5 : Integer.parseInt(reminderDays.toString()), accountId);
    }

    private BigDecimal baseCharge(RateClass rateClass) {
        return jdbc.queryForObject("SELECT base_charge FROM rate_classes WHERE code = ?", BigDecimal.class, rateClass.name());
    }
}
