package com.rentwise.listings;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import javax.persistence.EntityManager;
import javax.persistence.PersistenceContext;
import javax.persistence.TypedQuery;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;

import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.BeanPropertyRowMapper;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseBody;
import org.springframework.web.servlet.view.RedirectView;
import org.springframework.web.util.HtmlUtils;

/**
 * Public listing search, saved searches and the listing detail pages.
 */
@Controller
@RequestMapping("/listings")
public class ListingSearchController {

    private static final Map<String, String> SORT_COLUMNS = Map.of(
            "price", "monthly_rent",
            "newest", "published_at",
            "size", "floor_area_sqm");

    private static final Map<String, String> AFTER_SAVE_PAGES = Map.of(
            "alerts", "/account/alerts",
            "saved", "/account/saved-searches",
            "map", "/listings/map");

    private final JdbcTemplate jdbcTemplate;
    private final NamedParameterJdbcTemplate namedJdbc;
    private final SavedSearchRepository savedSearches;

    @PersistenceContext
    private EntityManager entityManager;

    public ListingSearchController(JdbcTemplate jdbcTemplate,
                                   NamedParameterJdbcTemplate namedJdbc,
                                   SavedSearchRepository savedSearches) {
        this.jdbcTemplate = jdbcTemplate;
        this.namedJdbc = namedJdbc;
        this.savedSearches = savedSearches;
    }

    @GetMapping("/search")
    @ResponseBody
    public List<ListingSummary> search(@RequestParam String city,
                                       @RequestParam(defaultValue = "0") int page) {
        String sql = "SELECT id, title, city, monthly_rent FROM listings WHERE city = '" + city
                + "' AND status = 'PUBLISHED' LIMIT 20 OFFSET " + (page * 20);
        // vuln: CWE-89
        return jdbcTemplate.query(sql, new BeanPropertyRowMapper<>(ListingSummary.class));
    }

    @GetMapping("/search/v2")
    @ResponseBody
    public List<ListingSummary> searchV2(@RequestParam String city,
                                         @RequestParam(defaultValue = "0") int page) {
        String sql = "SELECT id, title, city, monthly_rent FROM listings WHERE city = ? "
                + "AND status = 'PUBLISHED' LIMIT 20 OFFSET ?";
        // safe: CWE-89
        return jdbcTemplate.query(sql, new BeanPropertyRowMapper<>(ListingSummary.class), city, page * 20);
    }

    @GetMapping("/by-district")
    @ResponseBody
    public List<Map<String, Object>> byDistrict(@RequestParam String district,
                                                @RequestParam(defaultValue = "price") String sort) {
        // vuln: CWE-89
        return jdbcTemplate.queryForList("SELECT id, title, monthly_rent FROM listings WHERE district = ? ORDER BY " + sort, district);
    }

    @GetMapping("/by-district/sorted")
    @ResponseBody
    public List<Map<String, Object>> byDistrictSorted(@RequestParam String district,
                                                      @RequestParam(defaultValue = "price") String sort) {
        String column = SORT_COLUMNS.getOrDefault(sort, "published_at");
        // safe: CWE-89
        return jdbcTemplate.queryForList("SELECT id, title, monthly_rent FROM listings WHERE district = ? ORDER BY " + column, district);
    }

    @GetMapping("/landlord")
    @ResponseBody
    public List<Listing> byLandlordName(@RequestParam("name") String landlordName) {
        String jpql = "SELECT l FROM Listing l WHERE l.landlord.displayName LIKE '%" + landlordName + "%'";
        // vuln: CWE-89
        TypedQuery<Listing> query = entityManager.createQuery(jpql, Listing.class);
        return query.setMaxResults(50).getResultList();
    }

    @GetMapping("/landlord/v2")
    @ResponseBody
    public List<Listing> byLandlordNameV2(@RequestParam("name") String landlordName) {
        // safe: CWE-89
        TypedQuery<Listing> query = entityManager.createQuery("SELECT l FROM Listing l WHERE l.landlord.displayName LIKE :name", Listing.class);
        query.setParameter("name", "%" + landlordName + "%");
        return query.setMaxResults(50).getResultList();
    }

    @PostMapping("/filter")
    @ResponseBody
    @SuppressWarnings("unchecked")
    public List<Object[]> filter(@RequestBody ListingFilter filter) {
        String sql = String.format(
                "SELECT id, title, bedrooms FROM listings WHERE bedrooms >= %d AND pets_allowed = %s AND neighbourhood = '%s'",
                filter.getMinBedrooms(), filter.isPetsAllowed(), filter.getNeighbourhood());
        // vuln: CWE-89
        return entityManager.createNativeQuery(sql).getResultList();
    }

    @PostMapping("/filter/v2")
    @ResponseBody
    public List<Map<String, Object>> filterV2(@RequestBody ListingFilter filter) {
        MapSqlParameterSource params = new MapSqlParameterSource()
                .addValue("minBeds", filter.getMinBedrooms())
                .addValue("pets", filter.isPetsAllowed())
                .addValue("hood", filter.getNeighbourhood());
        // safe: CWE-89
        return namedJdbc.queryForList("SELECT id, title, bedrooms FROM listings WHERE bedrooms >= :minBeds AND pets_allowed = :pets AND neighbourhood = :hood", params);
    }

    @GetMapping(value = "/preview", produces = MediaType.TEXT_HTML_VALUE)
    @ResponseBody
    public String searchPreview(@RequestParam("q") String query) {
        int hits = countMatches(query);
        // vuln: CWE-79
        return "<div class=\"search-summary\"><h2>Results for " + query + "</h2><p>" + hits + " homes found</p></div>";
    }

    @GetMapping(value = "/preview/v2", produces = MediaType.TEXT_HTML_VALUE)
    @ResponseBody
    public String searchPreviewV2(@RequestParam("q") String query) {
        int hits = countMatches(query);
        // safe: CWE-79
        return "<div class=\"search-summary\"><h2>Results for " + HtmlUtils.htmlEscape(query) + "</h2><p>" + hits + " homes found</p></div>";
    }

    @GetMapping("/{id}/share-card")
    public ResponseEntity<String> shareCard(@PathVariable long id,
                                            @RequestParam(value = "from", defaultValue = "") String sharedBy) {
        ListingSummary listing = loadSummary(id);
        StringBuilder html = new StringBuilder();
        html.append("<article class=\"share-card\">");
        html.append("<h3>").append(HtmlUtils.htmlEscape(listing.getTitle())).append("</h3>");
        html.append("<p class=\"from\">Shared by ").append(sharedBy).append("</p>");
        html.append("</article>");
        // vuln: CWE-79
        return ResponseEntity.ok().contentType(MediaType.TEXT_HTML).body(html.toString());
    }

    @GetMapping("/{id}/share-card/v2")
    public ResponseEntity<String> shareCardV2(@PathVariable long id,
                                              @RequestParam(value = "from", defaultValue = "") String sharedBy) {
        ListingSummary listing = loadSummary(id);
        StringBuilder html = new StringBuilder();
        html.append("<article class=\"share-card\">");
        html.append("<h3>").append(HtmlUtils.htmlEscape(listing.getTitle())).append("</h3>");
        html.append("<p class=\"from\">Shared by ").append(HtmlUtils.htmlEscape(sharedBy)).append("</p>");
        html.append("</article>");
        // safe: CWE-79
        return ResponseEntity.ok().contentType(MediaType.TEXT_HTML).body(html.toString());
    }

    @GetMapping("/compare")
    public void compare(@RequestHeader(value = "X-Compare-Ids", defaultValue = "") String ids,
                        HttpServletResponse response) throws java.io.IOException {
        response.setContentType("text/html;charset=UTF-8");
        // vuln: CWE-79
        response.getWriter().print("<p>Comparing listings: " + ids + "</p>");
    }

    @GetMapping("/compare/v2")
    public void compareV2(@RequestHeader(value = "X-Compare-Ids", defaultValue = "") String ids,
                          HttpServletResponse response) throws java.io.IOException {
        List<Long> parsed = new ArrayList<>();
        for (String part : ids.split(",")) {
            if (!part.isBlank()) {
                parsed.add(Long.parseLong(part.trim()));
            }
        }
        response.setContentType("text/html;charset=UTF-8");
        // safe: CWE-79
        response.getWriter().print("<p>Comparing " + parsed.size() + " listings: " + parsed + "</p>");
    }

    @PostMapping("/saved-searches")
    public String saveSearch(@RequestParam String criteria,
                             @RequestParam(value = "returnTo", defaultValue = "/listings") String returnTo) {
        savedSearches.save(criteria);
        // vuln: CWE-601
        return "redirect:" + returnTo;
    }

    @PostMapping("/saved-searches/v2")
    public String saveSearchV2(@RequestParam String criteria,
                               @RequestParam(value = "returnTo", defaultValue = "/listings") String returnTo) {
        savedSearches.save(criteria);
        String target = isLocalPath(returnTo) ? returnTo : "/listings";
        // safe: CWE-601
        return "redirect:" + target;
    }

    @PostMapping("/saved-searches/alerts")
    public RedirectView enableAlerts(HttpServletRequest request) {
        savedSearches.enableAlerts(request.getParameter("searchId"));
        String next = request.getParameter("continue");
        // vuln: CWE-601
        return new RedirectView(next);
    }

    @PostMapping("/saved-searches/alerts/v2")
    public RedirectView enableAlertsV2(HttpServletRequest request) {
        savedSearches.enableAlerts(request.getParameter("searchId"));
        String next = AFTER_SAVE_PAGES.getOrDefault(request.getParameter("continue"), "/account");
        // safe: CWE-601
        return new RedirectView(next);
    }

    private static boolean isLocalPath(String path) {
        return path != null
                && path.startsWith("/")
                && !path.startsWith("//")
                && !path.startsWith("/\\")
                && path.chars().noneMatch(c -> c < 0x20);
    }

    private int countMatches(String query) {
        Integer n = jdbcTemplate.queryForObject(
                "SELECT COUNT(*) FROM listings WHERE search_vector @@ plainto_tsquery(?)", Integer.class, query);
        return n == null ? 0 : n;
    }

    private ListingSummary loadSummary(long id) {
        return jdbcTemplate.queryForObject("SELECT id, title, city, monthly_rent FROM listings WHERE id = ?",
                new BeanPropertyRowMapper<>(ListingSummary.class), id);
    }

    public static class ListingFilter {
        private int minBedrooms;
        private boolean petsAllowed;
        private String neighbourhood;
        private BigDecimal maxRent;

        public int getMinBedrooms() { return minBedrooms; }
        public boolean isPetsAllowed() { return petsAllowed; }
        public String getNeighbourhood() { return neighbourhood; }
        public BigDecimal getMaxRent() { return maxRent; }
    }

    public interface SavedSearchRepository {
        void save(String criteria);
        void enableAlerts(String searchId);
    }

    public static class ListingSummary {
        private long id;
        private String title;
        private String city;
        private BigDecimal monthlyRent;

        public long getId() { return id; }
        public String getTitle() { return title; }
        public String getCity() { return city; }
        public BigDecimal getMonthlyRent() { return monthlyRent; }
    }

    public static class Listing {
    }
}
