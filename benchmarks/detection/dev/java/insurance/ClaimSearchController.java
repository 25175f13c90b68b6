package com.harbormutual.backoffice;

import java.io.IOException;
import java.net.URI;
import java.security.Principal;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import javax.servlet.http.Cookie;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;
import javax.servlet.http.HttpSession;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.ResponseCookie;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.security.core.Authentication;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseBody;

@Controller
@RequestMapping("/backoffice/claims")
public class ClaimSearchController {

    private static final Logger log = LoggerFactory.getLogger(ClaimSearchController.class);
    private static final int MAX_PAGE_SIZE = 200;

    private static final Map<String, String> SORT_COLUMNS = Map.of(
            "opened", "c.opened_at",
            "amount", "c.reserve_amount",
            "status", "c.status",
            "holder", "p.holder_last_name");

    private static final Map<String, String> LANDING_PAGES = Map.of(
            "queue", "/backoffice/claims/queue",
            "dashboard", "/backoffice/dashboard",
            "fraud", "/backoffice/fraud/review");

    enum Region { NORTHEAST, SOUTHEAST, MIDWEST, MOUNTAIN, PACIFIC }

    private final JdbcTemplate jdbc;
    private final AssignmentService assignmentService;

    public ClaimSearchController(JdbcTemplate jdbc, AssignmentService assignmentService) {
        this.jdbc = jdbc;
        this.assignmentService = assignmentService;
    }

    @GetMapping("/search")
    public String searchByHolder(@RequestParam("holder") String holder,
                                 @RequestParam(value = "page", defaultValue = "0") int page,
                                 Model model) {
        int offset = Math.max(page, 0) * 50;
        String trimmed = holder.trim();
        log.debug("Claim search for holder '{}' page {}", trimmed, page);
        String sql = "SELECT c.claim_no, c.status, c.reserve_amount FROM claims c JOIN policies p ON p.id = c.policy_id "
                + "WHERE p.holder_last_name LIKE '" + trimmed + "%' ORDER BY c.opened_at DESC LIMIT 50 OFFSET " + offset;
        // vuln: CWE-89
        List<Map<String, Object>> rows = jdbc.queryForList(sql);
        model.addAttribute("rows", rows);
        model.addAttribute("page", page);
        return "backoffice/claims/results";
    }

    @GetMapping("/search/v2")
    public String searchByHolderV2(@RequestParam("holder") String holder,
                                   @RequestParam(value = "page", defaultValue = "0") int page,
                                   Model model) {
        int offset = Math.max(page, 0) * 50;
        String pattern = holder.trim().replace("%", "\\%") + "%";
        // safe: CWE-89
        List<Map<String, Object>> rows = jdbc.queryForList("SELECT c.claim_no, c.status, c.reserve_amount FROM claims c JOIN policies p ON p.id = c.policy_id WHERE p.holder_last_name LIKE ? ORDER BY c.opened_at DESC LIMIT 50 OFFSET ?", pattern, offset);
        model.addAttribute("rows", rows);
        model.addAttribute("page", page);
        return "backoffice/claims/results";
    }

    @GetMapping("/queue")
    @ResponseBody
    public List<Map<String, Object>> queue(@RequestParam(value = "sort", defaultValue = "opened") String sort,
                                           @RequestParam(value = "size", defaultValue = "50") int size) {
        String column = stripSqlMeta(sort);
        int limit = Math.min(Math.max(size, 1), MAX_PAGE_SIZE);
        String sql = String.format("SELECT c.claim_no, c.status, c.opened_at FROM claims c WHERE c.assigned_to IS NULL ORDER BY %s LIMIT %d", column, limit);
        // vuln: CWE-89
        return jdbc.queryForList(sql);
    }

    @GetMapping("/queue/sorted")
    @ResponseBody
    public List<Map<String, Object>> sortedQueue(@RequestParam(value = "sort", defaultValue = "opened") String sort,
                                                 @RequestParam(value = "size", defaultValue = "50") int size) {
        String column = SORT_COLUMNS.getOrDefault(sort.toLowerCase(), "c.opened_at");
        int limit = Math.min(Math.max(size, 1), MAX_PAGE_SIZE);
        String sql = String.format("SELECT c.claim_no, c.status, c.opened_at FROM claims c WHERE c.assigned_to IS NULL ORDER BY %s LIMIT %d", column, limit);
        // safe: CWE-89
        return jdbc.queryForList(sql);
    }

    @PostMapping("/filter")
    @ResponseBody
    public List<Map<String, Object>> filter(@RequestBody ClaimFilter filter) {
        List<String> statuses = filter.getStatuses() == null ? Collections.emptyList() : filter.getStatuses();
        if (statuses.isEmpty()) {
            return Collections.emptyList();
        }
        String inList = statuses.stream().map(s -> "'" + s + "'").collect(Collectors.joining(","));
        LocalDate since = filter.getSince() != null ? filter.getSince() : LocalDate.now().minusDays(90);
        // vuln: CWE-89
        return jdbc.queryForList("SELECT claim_no, status, opened_at FROM claims WHERE status IN (" + inList + ") AND opened_at >= ?", since);
    }

    @PostMapping("/filter/v2")
    @ResponseBody
    public List<Map<String, Object>> filterV2(@RequestBody ClaimFilter filter) {
        List<String> statuses = filter.getStatuses() == null ? Collections.emptyList() : filter.getStatuses();
        if (statuses.isEmpty()) {
            return Collections.emptyList();
        }
        String placeholders = statuses.stream().map(s -> "?").collect(Collectors.joining(","));
        List<Object> args = new ArrayList<>(statuses);
        args.add(filter.getSince() != null ? filter.getSince() : LocalDate.now().minusDays(90));
        // safe: CWE-89
        return jdbc.queryForList("SELECT claim_no, status, opened_at FROM claims WHERE status IN (" + placeholders + ") AND opened_at >= ?", args.toArray());
    }

    @PostMapping("/{claimNo}/assign")
    public void assign(@PathVariable String claimNo, @RequestParam("adjuster") String adjuster,
                       @RequestParam(value = "returnTo", required = false) String returnTo,
                       HttpServletResponse response) throws IOException {
        assignmentService.assign(claimNo, adjuster);
        String target = (returnTo != null && returnTo.startsWith("/")) ? returnTo : "/backoffice/claims/queue";
        // vuln: CWE-601
        response.sendRedirect(target);
    }

    @PostMapping("/{claimNo}/reassign")
    public void reassign(@PathVariable String claimNo, @RequestParam("adjuster") String adjuster,
                         @RequestParam(value = "returnTo", required = false) String returnTo,
                         HttpServletResponse response) throws IOException {
        assignmentService.assign(claimNo, adjuster);
        String target = isLocalPath(returnTo) ? returnTo : "/backoffice/claims/queue";
        // safe: CWE-601
        response.sendRedirect(target);
    }

    @GetMapping("/done")
    public String afterBulkClose(@RequestParam(value = "next", defaultValue = "queue") String next) {
        String url = LANDING_PAGES.getOrDefault(next, "/backoffice/claims/queue");
        // safe: CWE-601
        return "redirect:" + url;
    }

    @GetMapping("/handoff")
    public String handoff(HttpServletRequest request) {
        String partnerPortal = request.getParameter("portal");
        String claimNo = request.getParameter("claim");
        log.info("Handing off claim {} to partner portal", claimNo);
        // vuln: CWE-601
        return "redirect:" + partnerPortal + "?claim=" + claimNo;
    }

    @PostMapping("/workspace/region")
    public String selectRegion(HttpServletRequest request) {
        String region = request.getParameter("region");
        HttpSession session = request.getSession();
        log.debug("Adjuster switched region to {}", region);
        // vuln: CWE-501
        session.setAttribute("activeRegion", region);
        return "redirect:/backoffice/claims/queue";
    }

    @PostMapping("/workspace/region/v2")
    public String selectRegionChecked(HttpServletRequest request) {
        String raw = request.getParameter("region");
        Region region;
        try {
            region = Region.valueOf(raw == null ? "" : raw.trim().toUpperCase());
        } catch (IllegalArgumentException ex) {
            return "redirect:/backoffice/claims/queue?error=region";
        }
        // safe: CWE-501
        request.getSession().setAttribute("activeRegion", region.name());
        return "redirect:/backoffice/claims/queue";
    }

    @PostMapping("/workspace/queue")
    @ResponseBody
    public Map<String, String> selectQueue(@RequestBody Map<String, String> body, HttpSession session) {
        String queueName = body.getOrDefault("queue", "default");
        String supervisor = body.get("supervisor");
        // vuln: CWE-501
        session.setAttribute("queueSupervisor", supervisor);
        return Map.of("queue", queueName, "status", "ok");
    }

    @PostMapping("/workspace/login-complete")
    public String loginComplete(Authentication authentication, HttpServletRequest request, HttpServletResponse response) {
        HttpSession session = request.getSession(true);
        String adjusterId = authentication.getName();
        // safe: CWE-501
        session.setAttribute("adjusterId", adjusterId);

        String deskToken = assignmentService.issueDeskToken(adjusterId);
        Cookie desk = new Cookie("HM_DESK", deskToken);
        desk.setPath("/backoffice");
        desk.setHttpOnly(true);
        desk.setMaxAge((int) Duration.ofHours(8).getSeconds());
        // vuln: CWE-614
        response.addCookie(desk);
        return "redirect:/backoffice/dashboard";
    }

    @PostMapping("/workspace/login-complete/v2")
    public String loginCompleteV2(Authentication authentication, HttpServletRequest request, HttpServletResponse response) {
        String adjusterId = authentication.getName();
        request.getSession(true).setAttribute("adjusterId", adjusterId);
        String deskToken = assignmentService.issueDeskToken(adjusterId);
        Cookie desk = new Cookie("HM_DESK", deskToken);
        desk.setPath("/backoffice");
        desk.setHttpOnly(true);
        desk.setSecure(true);
        desk.setMaxAge((int) Duration.ofHours(8).getSeconds());
        // safe: CWE-614
        response.addCookie(desk);
        return "redirect:/backoffice/dashboard";
    }

    @PostMapping("/workspace/remember")
    public String rememberAdjuster(Principal principal, HttpServletResponse response) {
        String rememberToken = assignmentService.issueRememberToken(principal.getName());
        ResponseCookie cookie = ResponseCookie.from("HM_ADJ_REMEMBER", rememberToken).secure(true).path("/backoffice").maxAge(Duration.ofDays(14)).sameSite("Lax").build();
        // vuln: CWE-1004
        response.addHeader(HttpHeaders.SET_COOKIE, cookie.toString());
        return "redirect:/backoffice/dashboard";
    }

    @PostMapping("/workspace/remember/v2")
    public String rememberAdjusterV2(Principal principal, HttpServletResponse response) {
        String rememberToken = assignmentService.issueRememberToken(principal.getName());
        ResponseCookie cookie = ResponseCookie.from("HM_ADJ_REMEMBER", rememberToken).secure(true).httpOnly(true).path("/backoffice").maxAge(Duration.ofDays(14)).sameSite("Lax").build();
        // safe: CWE-1004
        response.addHeader(HttpHeaders.SET_COOKIE, cookie.toString());
        return "redirect:/backoffice/dashboard";
    }

    private static String stripSqlMeta(String value) {
        return value.replace(";", "").replace("--", "").replace("/*", "");
    }

    private static boolean isLocalPath(String candidate) {
        if (candidate == null || candidate.isEmpty() || !candidate.startsWith("/")) {
            return false;
        }
        if (candidate.startsWith("//") || candidate.contains("\\")) {
            return false;
        }
        try {
            URI uri = new URI(candidate);
            return uri.getScheme() == null && uri.getHost() == null;
        } catch (Exception e) {
            return false;
        }
    }

    public static class ClaimFilter {
        private List<String> statuses;
        private LocalDate since;

        public List<String> getStatuses() { return statuses; }
        public void setStatuses(List<String> statuses) { this.statuses = statuses; }
        public LocalDate getSince() { return since; }
        public void setSince(LocalDate since) { this.since = since; }
    }

    public interface AssignmentService {
        void assign(String claimNo, String adjuster);
        String issueDeskToken(String adjusterId);
        String issueRememberToken(String adjusterId);
    }
}
