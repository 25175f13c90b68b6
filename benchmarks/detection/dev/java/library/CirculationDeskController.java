package org.citylibrary.backoffice.circulation;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.persistence.EntityManager;
import javax.persistence.PersistenceContext;
import javax.persistence.TypedQuery;
import org.springframework.http.MediaType;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.util.HtmlUtils;

/**
 * Staff circulation desk: checkouts, returns, overdue lists and printable slips.
 */
@RestController
@RequestMapping("/staff/circulation")
@PreAuthorize("hasRole('CIRCULATION')")
public class CirculationDeskController {

    private final LoanRepository loans;

    public CirculationDeskController(LoanRepository loans) {
        this.loans = loans;
    }

    @GetMapping("/overdue")
    public List<Map<String, Object>> overdue(@RequestParam("branch") String branch,
                                             @RequestParam(value = "days", defaultValue = "14") int days) {
        return loans.overdueAtBranch(branch, days);
    }

    @GetMapping("/members/{cardNumber}/loans")
    public List<Map<String, Object>> memberLoans(@PathVariable String cardNumber) {
        return loans.activeLoansForCard(cardNumber);
    }

    @PostMapping("/returns")
    public Map<String, Object> checkIn(@RequestBody ReturnRequest body) {
        int updated = loans.markReturned(body.getBarcode(), body.getBranchCode());
        return Map.of("updated", updated);
    }

    @GetMapping("/holds")
    public List<HoldEntity> holds(@RequestParam("status") String status,
                                  @RequestParam(value = "pickup", required = false) String pickupBranch) {
        return loans.holdsByStatus(status, pickupBranch);
    }

    @GetMapping("/fines/search")
    public List<FineEntity> fines(@RequestParam("surname") String surname) {
        return loans.finesForSurname(surname);
    }

    @GetMapping("/fines/{fineId}")
    public FineEntity fine(@PathVariable long fineId) {
        return loans.fineById(fineId);
    }

    @GetMapping(value = "/slip", produces = MediaType.TEXT_HTML_VALUE)
    public String checkoutSlip(@RequestParam("card") String cardNumber,
                               @RequestParam(value = "note", defaultValue = "") String deskNote) {
        StringBuilder html = new StringBuilder("<html><body class=\"slip\">");
        html.append("<h3>City Library - checkout receipt</h3>");
        html.append("<p>Card: ").append(HtmlUtils.htmlEscape(cardNumber)).append("</p>");
        for (Map<String, Object> loan : loans.activeLoansForCard(cardNumber)) {
            html.append("<div>").append(HtmlUtils.htmlEscape(String.valueOf(loan.get("title"))))
                    .append(" due ").append(loan.get("due_date")).append("</div>");
        }
        html.append("<p class=\"note\">").append(deskNote).append("</p>");
        // vuln: CWE-79
        return html.append("</body></html>").toString();
    }

    @GetMapping(value = "/welcome", produces = MediaType.TEXT_HTML_VALUE)
    public String deskBanner(@RequestHeader(value = "X-Desk-Terminal", defaultValue = "desk") String terminal) {
        // vuln: CWE-79
        return "<div class=\"banner\">Signed in at terminal " + terminal + "</div>";
    }

    @GetMapping(value = "/fines/{fineId}/notice", produces = MediaType.TEXT_HTML_VALUE)
    public String fineNotice(@PathVariable long fineId, @RequestParam("memberName") String memberName) {
        FineEntity fine = loans.fineById(fineId);
        String name = HtmlUtils.htmlEscape(memberName);
        // safe: CWE-79
        return String.format("<p>Dear %s, you owe %s for item %d.</p>", name, fine.getAmount(), fine.getItemId());
    }

    @GetMapping(value = "/label", produces = MediaType.TEXT_HTML_VALUE)
    public String shelfLabel(@RequestParam("callNumber") String callNumber) {
        // safe: CWE-79
        return "<span class=\"spine\">" + HtmlUtils.htmlEscape(callNumber) + "</span>";
    }

    public static class ReturnRequest {
        private String barcode;
        private String branchCode;

        public String getBarcode() { return barcode; }
        public void setBarcode(String barcode) { this.barcode = barcode; }
        public String getBranchCode() { return branchCode; }
        public void setBranchCode(String branchCode) { this.branchCode = branchCode; }
    }
}

@Repository
@Transactional
class LoanRepository {

    private static final Set<String> HOLD_STATUSES = Set.of("WAITING", "IN_TRANSIT", "READY", "EXPIRED");

    private final JdbcTemplate jdbc;

    @PersistenceContext
    private EntityManager em;

    LoanRepository(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    List<Map<String, Object>> overdueAtBranch(String branch, int days) {
        String sql = "SELECT l.id, l.barcode, l.due_date, m.card_number FROM loans l "
                + "JOIN members m ON m.id = l.member_id "
                + "WHERE l.returned_at IS NULL AND l.branch_code = '" + branch + "' "
                + "AND l.due_date < CURRENT_DATE - " + days;
        // vuln: CWE-89
        return jdbc.queryForList(sql);
    }

    List<Map<String, Object>> activeLoansForCard(String cardNumber) {
        // safe: CWE-89
        return jdbc.queryForList("SELECT l.id, c.title, l.due_date FROM loans l JOIN catalogue_items c ON c.id = l.item_id JOIN members m ON m.id = l.member_id WHERE m.card_number = ? AND l.returned_at IS NULL", cardNumber);
    }

    int markReturned(String barcode, String branchCode) {
        String sql = String.format("UPDATE loans SET returned_at = now(), return_branch = '%s' WHERE barcode = '%s' AND returned_at IS NULL", branchCode, barcode);
        // vuln: CWE-89
        return jdbc.update(sql);
    }

    List<HoldEntity> holdsByStatus(String status, String pickupBranch) {
        if (!HOLD_STATUSES.contains(status)) {
            throw new IllegalArgumentException("unknown hold status");
        }
        String jpql = "SELECT h FROM HoldEntity h WHERE h.status = '" + status + "'";
        if (pickupBranch != null) {
            jpql += " AND h.pickupBranch = :branch";
        }
        // safe: CWE-89
        TypedQuery<HoldEntity> query = em.createQuery(jpql, HoldEntity.class);
        if (pickupBranch != null) {
            query.setParameter("branch", pickupBranch);
        }
        return query.getResultList();
    }

    List<FineEntity> finesForSurname(String surname) {
        // vuln: CWE-89
        return em.createQuery("SELECT f FROM FineEntity f WHERE f.member.surname LIKE '" + surname + "%' AND f.paid = false", FineEntity.class).getResultList();
    }

    FineEntity fineById(long fineId) {
        // safe: CWE-89
        return em.createQuery("SELECT f FROM FineEntity f WHERE f.id = :id", FineEntity.class).setParameter("id", fineId).getSingleResult();
    }
}

class HoldEntity {
    private Long id;
    private String status;
    private String pickupBranch;
    private LocalDate expiresOn;
}

class FineEntity {
    private Long id;
    private Long itemId;
    private BigDecimal amount;

    public Long getItemId() { return itemId; }
    public BigDecimal getAmount() { return amount; }
}
