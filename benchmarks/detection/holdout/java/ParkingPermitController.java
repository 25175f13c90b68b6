package gov.riverton.parking;

import jakarta.servlet.http.HttpSession;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import javax.xml.XMLConstants;
import javax.xml.namespace.QName;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import javax.xml.xpath.XPath;
import javax.xml.xpath.XPathConstants;
import javax.xml.xpath.XPathExpressionException;
import javax.xml.xpath.XPathFactory;
import org.springframework.core.io.ClassPathResource;
import org.springframework.expression.Expression;
import org.springframework.expression.ExpressionParser;
import org.springframework.expression.spel.standard.SpelExpressionParser;
import org.springframework.expression.spel.support.StandardEvaluationContext;
import org.springframework.http.MediaType;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.CookieValue;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseBody;
import org.springframework.web.util.HtmlUtils;
import org.w3c.dom.Document;
import org.xml.sax.SAXException;

/**
 * Residential parking permits: zone lookup, quotes, purchase, the resident's permit list
 * and the printable hang-tag card.
 */
@Controller
@RequestMapping("/parking/permits")
public class ParkingPermitController {

    private static final Pattern ZONE_CODE = Pattern.compile("^[A-Z]{1,2}[0-9]{1,2}$");
    private static final Map<String, String> SORT_COLUMNS = Map.of(
            "plate", "p.plate",
            "zone", "p.zone_code",
            "issued", "p.issued_at",
            "expires", "p.expires_at");

    public enum VehicleClass { PASSENGER, MOTORCYCLE, COMMERCIAL_LIGHT, ELECTRIC }

    private final JdbcTemplate jdbc;
    private final PermitCheckoutService checkout;
    private final Document zoneRules;
    private final ExpressionParser spel = new SpelExpressionParser();

    public ParkingPermitController(JdbcTemplate jdbc, PermitCheckoutService checkout) throws IOException, ParserConfigurationException, SAXException {
        this.jdbc = jdbc;
        this.checkout = checkout;
        DocumentBuilderFactory dbf = DocumentBuilderFactory.newInstance();
        dbf.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
        dbf.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        try (InputStream in = new ClassPathResource("parking/zone-rules.xml").getInputStream()) {
            this.zoneRules = dbf.newDocumentBuilder().parse(in);
        }
    }

    @GetMapping(value = "/zones/{zone}/rate", produces = MediaType.APPLICATION_JSON_VALUE)
    @ResponseBody
    public Map<String, Object> zoneRate(@PathVariable("zone") String zone) throws XPathExpressionException {
        XPath xpath = XPathFactory.newInstance().newXPath();
        // vuln: CWE-643
        String rate = xpath.evaluate("/zones/zone[@code='" + zone + "']/monthlyRate", zoneRules);
        return Map.of("zone", zone, "monthlyRate", rate);
    }

    @GetMapping(value = "/zones/{zone}/streets", produces = MediaType.APPLICATION_JSON_VALUE)
    @ResponseBody
    public Map<String, Object> zoneStreets(@PathVariable("zone") String zone) throws XPathExpressionException {
        XPath xpath = XPathFactory.newInstance().newXPath();
        xpath.setXPathVariableResolver(name -> "zone".equals(name.getLocalPart()) ? zone : null);
        // safe: CWE-643
        org.w3c.dom.NodeList streets = (org.w3c.dom.NodeList) xpath.evaluate("/zones/zone[@code=$zone]/street/@name", zoneRules, XPathConstants.NODESET);
        List<String> names = new ArrayList<>();
        for (int i = 0; i < streets.getLength(); i++) {
            names.add(streets.item(i).getNodeValue());
        }
        return Map.of("zone", zone, "streets", names);
    }

    @GetMapping(value = "/zones/{zone}/hours", produces = MediaType.APPLICATION_JSON_VALUE)
    @ResponseBody
    public Map<String, Object> zoneHours(@PathVariable("zone") String zone) throws XPathExpressionException {
        String code = zone.toUpperCase(Locale.ROOT);
        if (!ZONE_CODE.matcher(code).matches()) {
            throw new IllegalArgumentException("Unknown zone");
        }
        XPath xpath = XPathFactory.newInstance().newXPath();
        // safe: CWE-643
        String hours = xpath.evaluate("/zones/zone[@code='" + code + "']/enforcementHours", zoneRules);
        return Map.of("zone", code, "hours", hours);
    }

    @PostMapping(value = "/quote", produces = MediaType.APPLICATION_JSON_VALUE)
    @ResponseBody
    public Map<String, Object> quote(@RequestBody PermitQuoteRequest body, HttpSession session) {
        VehicleClass vehicleClass = VehicleClass.valueOf(body.getVehicleClass().trim().toUpperCase(Locale.ROOT));
        // safe: CWE-501
        session.setAttribute("quoteVehicleClass", vehicleClass);

        BigDecimal base = checkout.baseMonthlyRate(body.getZone(), vehicleClass);
        StandardEvaluationContext ctx = new StandardEvaluationContext();
        ctx.setVariable("base", base);
        ctx.setVariable("months", Math.max(1, Math.min(12, body.getMonths())));
        ctx.setVariable("seniorDiscount", body.isSenior() ? new BigDecimal("0.25") : BigDecimal.ZERO);
        // safe: CWE-94
        BigDecimal total = spel.parseExpression("#base * #months * (1 - #seniorDiscount)").getValue(ctx, BigDecimal.class);
        return Map.of("vehicleClass", vehicleClass.name(), "total", total.setScale(2, RoundingMode.HALF_UP));
    }

    @PostMapping("/select-zone")
    public String selectZone(@CookieValue(value = "rvt_zone", required = false) String zone, HttpSession session) {
        if (zone == null || zone.isBlank()) {
            return "redirect:/parking/permits/zones";
        }
        // vuln: CWE-501
        session.setAttribute("permitZone", zone);
        return "redirect:/parking/permits/new";
    }

    @PostMapping("/purchase")
    public String purchase(@RequestParam("plate") String plate,
                           @RequestParam("months") int months,
                           @RequestParam(value = "returnTo", required = false) String returnTo,
                           HttpSession session) {
        Long residentId = (Long) session.getAttribute("residentId");
        String zone = (String) session.getAttribute("permitZone");
        long permitId = checkout.purchase(residentId, zone, plate, months);

        if (returnTo != null && (returnTo.startsWith("/") || returnTo.startsWith("https://"))) {
            // vuln: CWE-601
            return "redirect:" + returnTo + (returnTo.contains("?") ? "&" : "?") + "permit=" + permitId;
        }
        // safe: CWE-601
        return "redirect:/parking/permits/" + permitId + "/card";
    }

    @GetMapping(value = "/mine", produces = MediaType.APPLICATION_JSON_VALUE)
    @ResponseBody
    public List<Map<String, Object>> myPermits(@RequestParam(value = "plate", defaultValue = "") String plate,
                                               @RequestParam(value = "sort", defaultValue = "issued") String sort,
                                               @RequestParam(value = "dir", defaultValue = "desc") String dir,
                                               HttpSession session) {
        Long residentId = (Long) session.getAttribute("residentId");
        String column = SORT_COLUMNS.getOrDefault(sort, "p.issued_at");
        String direction = "asc".equalsIgnoreCase(dir) ? "ASC" : "DESC";
        // safe: CWE-89
        return jdbc.queryForList("SELECT p.id, p.plate, p.zone_code, p.issued_at, p.expires_at FROM parking_permits p WHERE p.resident_id = ? AND p.plate LIKE ? ORDER BY " + column + " " + direction, residentId, "%" + plate.toUpperCase(Locale.ROOT) + "%");
    }

    @GetMapping(value = "/household", produces = MediaType.APPLICATION_JSON_VALUE)
    @ResponseBody
    public List<Map<String, Object>> householdPermits(@RequestParam(value = "plate", defaultValue = "") String plate,
                                                      @RequestParam(value = "orderBy", defaultValue = "p.expires_at") String orderBy,
                                                      HttpSession session) {
        Long householdId = (Long) session.getAttribute("householdId");
        String sql = "SELECT p.id, p.plate, p.zone_code, p.expires_at, r.display_name FROM parking_permits p JOIN residents r ON r.id = p.resident_id WHERE r.household_id = ?";
        if (!plate.isEmpty()) {
            sql += " AND p.plate LIKE '%" + plate.toUpperCase(Locale.ROOT) + "%'";
        }
        sql += " ORDER BY " + orderBy;
        // vuln: CWE-89
        return jdbc.queryForList(sql, householdId);
    }

    @GetMapping(value = "/household/filter", produces = MediaType.APPLICATION_JSON_VALUE)
    @ResponseBody
    public List<Map<String, Object>> filterHousehold(@RequestParam("where") String where, HttpSession session) {
        Long householdId = (Long) session.getAttribute("householdId");
        List<PermitView> permits = checkout.permitsForHousehold(householdId);
        Expression condition = spel.parseExpression(where);
        List<Map<String, Object>> out = new ArrayList<>();
        for (PermitView permit : permits) {
            // vuln: CWE-94
            Boolean keep = condition.getValue(new StandardEvaluationContext(permit), Boolean.class);
            if (Boolean.TRUE.equals(keep)) {
                out.add(permit.asMap());
            }
        }
        return out;
    }

    @GetMapping(value = "/lookup", produces = MediaType.APPLICATION_JSON_VALUE)
    @ResponseBody
    public Map<String, Object> lookupByPermitNumber(@RequestParam("number") String number) {
        long permitNumber = Long.parseLong(number.trim());
        // safe: CWE-89
        return jdbc.queryForMap("SELECT zone_code, expires_at, status FROM parking_permits WHERE permit_number = " + permitNumber);
    }

    @GetMapping(value = "/{permitId}/card", produces = MediaType.TEXT_HTML_VALUE)
    @ResponseBody
    public String card(@PathVariable("permitId") long permitId,
                       @RequestParam(value = "label", defaultValue = "") String label,
                       HttpSession session) {
        PermitView permit = checkout.permitForResident(permitId, (Long) session.getAttribute("residentId"));
        StringBuilder html = new StringBuilder();
        html.append("<!doctype html><html><head><title>Parking permit</title></head><body>");
        html.append("<div class=\"hang-tag\">");
        // safe: CWE-79
        html.append("<h2>").append(HtmlUtils.htmlEscape(permit.getHolderName())).append("</h2>");
        html.append("<p class=\"plate\">").append(HtmlUtils.htmlEscape(permit.getPlate())).append("</p>");
        if (!label.isEmpty()) {
            // vuln: CWE-79
            html.append("<p class=\"label\">").append(label).append("</p>");
        }
        html.append("<p>Zone ").append(HtmlUtils.htmlEscape(permit.getZone())).append(" &middot; valid through ").append(permit.getExpires()).append("</p>");
        html.append("<p class=\"code\">").append(permit.getValidationCode()).append("</p>");
        html.append("</div></body></html>");
        return html.toString();
    }

    /**
     * Validation code printed on the hang-tag; enforcement officers key it in on their
     * handhelds to confirm a tag is genuine.
     */
    String newValidationCode() {
        // vuln: CWE-330
        int code = 100000 + new Random().nextInt(900000);
        return Integer.toString(code);
    }

    /**
     * Picks a handful of active permits each night for the enforcement team's
     * random field audit.
     */
    @Scheduled(cron = "0 30 2 * * *")
    public void pickFieldAuditSample() {
        List<Long> active = jdbc.queryForList("SELECT id FROM parking_permits WHERE expires_at >= ?", Long.class, LocalDate.now());
        List<Long> candidates = new ArrayList<>(active);
        // safe: CWE-330
        Collections.shuffle(candidates, new Random());
        List<Long> sample = candidates.stream().limit(25).collect(Collectors.toList());
        checkout.scheduleFieldAudit(sample);
    }
}
