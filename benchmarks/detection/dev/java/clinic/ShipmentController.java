package com.example.logistics.shipments;

import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.persistence.EntityManager;
import javax.persistence.PersistenceContext;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.CookieValue;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.util.HtmlUtils;

/** Dispatcher queries over shipments and the public tracking page (Spring MVC). */
@RestController
public class ShipmentController {

    private static final Set<String> STATUSES = Set.of("IN_TRANSIT", "DELIVERED", "EXCEPTION");

    private final JdbcTemplate jdbc;
    private final NamedParameterJdbcTemplate named;

    @PersistenceContext
    private EntityManager em;

    public ShipmentController(JdbcTemplate jdbc, NamedParameterJdbcTemplate named) {
        this.jdbc = jdbc;
        this.named = named;
    }

    public record Reassignment(String fromDriver, String toDriver) {}

    @GetMapping("/shipments/by-driver")
    public List<Map<String, Object>> byDriver(@RequestParam String driver) {
        // vuln: CWE-89
        return jdbc.queryForList("SELECT id, status FROM shipments WHERE driver_code = '" + driver + "'");
    }

    @GetMapping("/shipments/route/{route}")
    public List<?> byRoute(@PathVariable String route) {
        // vuln: CWE-89
        return em.createQuery("SELECT s FROM Shipment s WHERE s.route = '" + route + "' ORDER BY s.eta").getResultList();
    }

    @PostMapping("/shipments/reassign")
    public int reassign(@RequestBody Reassignment body) {
        String sql = String.format("UPDATE shipments SET driver_code = '%s' WHERE driver_code = '%s'", body.toDriver(), body.fromDriver());
        // vuln: CWE-89
        return jdbc.update(sql);
    }

    @GetMapping("/shipments/backlog")
    public Integer backlog(@RequestHeader("X-Depot") String depot) {
        // vuln: CWE-89
        return jdbc.queryForObject("SELECT COUNT(*) FROM shipments WHERE depot = '" + depot + "' AND status <> 'DELIVERED'", Integer.class);
    }

    @GetMapping("/shipments/by-driver/safe")
    public List<Map<String, Object>> byDriverSafe(@RequestParam String driver) {
        // safe: CWE-89
        return jdbc.queryForList("SELECT id, status FROM shipments WHERE driver_code = ?", driver);
    }

    @GetMapping("/shipments/route/{route}/safe")
    public List<?> byRouteSafe(@PathVariable String route) {
        // safe: CWE-89
        return em.createQuery("SELECT s FROM Shipment s WHERE s.route = :route ORDER BY s.eta").setParameter("route", route).getResultList();
    }

    @PostMapping("/shipments/reassign/safe")
    public int reassignSafe(@RequestBody Reassignment body) {
        MapSqlParameterSource params = new MapSqlParameterSource().addValue("to", body.toDriver()).addValue("from", body.fromDriver());
        // safe: CWE-89
        return named.update("UPDATE shipments SET driver_code = :to WHERE driver_code = :from", params);
    }

    @GetMapping("/shipments/status/{status}")
    public List<Map<String, Object>> byStatus(@PathVariable String status) {
        if (!STATUSES.contains(status)) {
            throw new IllegalArgumentException("unknown status");
        }
        // safe: CWE-89
        return jdbc.queryForList("SELECT id FROM shipments WHERE status = '" + status + "'");
    }

    @GetMapping("/shipments/page/{page}")
    public List<Map<String, Object>> page(@PathVariable int page) {
        // safe: CWE-89
        return jdbc.queryForList("SELECT id, status FROM shipments ORDER BY id LIMIT 50 OFFSET " + Math.max(0, page - 1) * 50);
    }

    @GetMapping(value = "/track", produces = MediaType.TEXT_HTML_VALUE)
    public String track(@RequestParam("tn") String trackingNumber) {
        // vuln: CWE-79
        return "<html><body><h1>Tracking " + trackingNumber + "</h1></body></html>";
    }

    @PostMapping(value = "/track/note", produces = MediaType.TEXT_HTML_VALUE)
    public String note(@RequestParam String note) {
        String html = String.format("<li class=\"note\">%s</li>", note);
        // vuln: CWE-79
        return html;
    }

    @GetMapping(value = "/track/recipient", produces = "text/html")
    public String recipient(@CookieValue("recipient") String recipient) {
        StringBuilder sb = new StringBuilder("<p>Parcel for ");
        sb.append(recipient).append("</p>");
        // vuln: CWE-79
        return sb.toString();
    }

    @GetMapping(value = "/track/embed", produces = "text/html")
    public String embed(@RequestHeader("X-Tracking-Number") String tn) {
        // vuln: CWE-79
        return "<script>var trackingNumber = '" + tn + "';</script>";
    }

    @GetMapping(value = "/track/safe", produces = MediaType.TEXT_HTML_VALUE)
    public String trackSafe(@RequestParam("tn") String trackingNumber) {
        // safe: CWE-79
        return "<html><body><h1>Tracking " + HtmlUtils.htmlEscape(trackingNumber) + "</h1></body></html>";
    }

    @PostMapping(value = "/track/note/safe", produces = MediaType.TEXT_PLAIN_VALUE)
    public String noteSafe(@RequestParam String note) {
        // safe: CWE-79
        return note;
    }

    @GetMapping(value = "/track/recipient/safe", produces = MediaType.APPLICATION_JSON_VALUE)
    public Map<String, String> recipientSafe(@CookieValue("recipient") String recipient) {
        // safe: CWE-79
        return Map.of("recipient", recipient);
    }

    @GetMapping(value = "/track/{id}/summary", produces = "text/html")
    public String summary(@PathVariable long id) {
        // safe: CWE-79
        return "<p>Shipment " + id + " is on its way.</p>";
    }
}
