package com.tixhub.listings.web;

import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Set;

import javax.persistence.EntityManager;
import javax.persistence.PersistenceContext;

import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseBody;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.util.HtmlUtils;

import com.tixhub.listings.model.Event;
import com.tixhub.listings.model.EventSummary;
import com.tixhub.listings.model.Venue;

/**
 * Public event and venue listings: search, filters, venue pages.
 */
@RestController
@RequestMapping("/api/listings")
public class EventSearchController {

    private static final Set<String> SORTABLE = Set.of("starts_at", "title", "min_price", "popularity");

    private final JdbcTemplate jdbc;
    private final NamedParameterJdbcTemplate named;

    @PersistenceContext
    private EntityManager em;

    public EventSearchController(JdbcTemplate jdbc, NamedParameterJdbcTemplate named) {
        this.jdbc = jdbc;
        this.named = named;
    }

    @GetMapping("/events")
    public List<Map<String, Object>> search(@RequestParam("q") String q,
                                            @RequestParam(value = "city", required = false) String city) {
        String sql = "SELECT id, title, starts_at, venue_name FROM events WHERE status = 'ON_SALE' AND title ILIKE '%" + q + "%'";
        if (city != null && !city.isBlank()) {
            sql += " AND city = '" + city + "'";
        }
        // vuln: CWE-89
        return jdbc.queryForList(sql);
    }

    @GetMapping("/events/by-genre")
    public List<Map<String, Object>> byGenre(@RequestParam("genre") String genre,
                                             @RequestParam(value = "from", required = false) String from) {
        LocalDate start = from == null ? LocalDate.now() : LocalDate.parse(from);
        // safe: CWE-89
        return jdbc.queryForList("SELECT id, title, starts_at FROM events WHERE genre = ? AND starts_at >= ? ORDER BY starts_at", genre, start);
    }

    @GetMapping("/events/sorted")
    public List<Map<String, Object>> sorted(@RequestParam(value = "sort", defaultValue = "starts_at") String sort,
                                            @RequestParam(value = "dir", defaultValue = "asc") String dir) {
        String column = SORTABLE.contains(sort) ? sort : "starts_at";
        String direction = "desc".equalsIgnoreCase(dir) ? "DESC" : "ASC";
        String sql = String.format("SELECT id, title, starts_at, min_price FROM events ORDER BY %s %s LIMIT 50", column, direction);
        // safe: CWE-89
        return jdbc.queryForList(sql);
    }

    @GetMapping("/events/promoted")
    public List<Map<String, Object>> promoted(@RequestParam("sort") String sort) {
        // vuln: CWE-89
        return jdbc.queryForList(String.format("SELECT id, title, banner_url FROM events WHERE promoted = true ORDER BY %s", sort));
    }

    @GetMapping("/venues/{slug}/events")
    public List<Event> venueEvents(@PathVariable("slug") String slug) {
        // vuln: CWE-89
        return em.createQuery("SELECT e FROM Event e WHERE e.venue.slug = '" + slug + "' ORDER BY e.startsAt", Event.class).getResultList();
    }

    @GetMapping("/venues/{slug}")
    public Venue venue(@PathVariable("slug") String slug) {
        // safe: CWE-89
        return em.createQuery("SELECT v FROM Venue v WHERE v.slug = :slug", Venue.class).setParameter("slug", slug).getSingleResult();
    }

    @GetMapping("/events/nearby")
    public List<?> nearby(@RequestParam("lat") String lat, @RequestParam("lng") String lng,
                          @RequestParam(value = "radiusKm", defaultValue = "25") String radiusKm) {
        double la = Double.parseDouble(lat);
        double lo = Double.parseDouble(lng);
        int radius = Integer.parseInt(radiusKm);
        String sql = "SELECT e.id, e.title FROM events e JOIN venues v ON v.id = e.venue_id "
                + "WHERE earth_distance(ll_to_earth(v.lat, v.lng), ll_to_earth(" + la + ", " + lo + ")) < " + (radius * 1000);
        // safe: CWE-89
        return em.createNativeQuery(sql).getResultList();
    }

    @GetMapping("/events/tags")
    public List<EventSummary> byTags(@RequestParam("tags") List<String> tags) {
        StringBuilder in = new StringBuilder();
        for (String tag : tags) {
            if (in.length() > 0) {
                in.append(',');
            }
            in.append('\'').append(tag).append('\'');
        }
        String sql = "SELECT e.id, e.title FROM events e JOIN event_tags t ON t.event_id = e.id WHERE t.tag IN (" + in + ")";
        // vuln: CWE-89
        return jdbc.query(sql, (rs, i) -> new EventSummary(rs.getLong("id"), rs.getString("title")));
    }

    @GetMapping("/events/price-range")
    public List<EventSummary> priceRange(@RequestParam("min") String min, @RequestParam("max") String max,
                                         @RequestHeader(value = "X-Market", defaultValue = "us") String market) {
        MapSqlParameterSource params = new MapSqlParameterSource()
                .addValue("min", Integer.parseInt(min))
                .addValue("max", Integer.parseInt(max))
                .addValue("market", market);
        // safe: CWE-89
        return named.query("SELECT id, title FROM events WHERE min_price BETWEEN :min AND :max AND market = :market", params, (rs, i) -> new EventSummary(rs.getLong("id"), rs.getString("title")));
    }

    @GetMapping(value = "/widget", produces = MediaType.TEXT_HTML_VALUE)
    @ResponseBody
    public String embedWidget(@RequestParam("q") String q, @RequestParam(value = "theme", defaultValue = "light") String theme) {
        List<Map<String, Object>> rows = jdbc.queryForList("SELECT title FROM events WHERE title ILIKE ? LIMIT 5", "%" + q + "%");
        StringBuilder html = new StringBuilder("<div class=\"tix-widget ").append(theme).append("\">");
        html.append("<h4>Results for ").append(q).append("</h4><ul>");
        for (Map<String, Object> row : rows) {
            html.append("<li>").append(HtmlUtils.htmlEscape(String.valueOf(row.get("title")))).append("</li>");
        }
        html.append("</ul></div>");
        // vuln: CWE-79
        return html.toString();
    }

    @GetMapping(value = "/widget/empty", produces = MediaType.TEXT_HTML_VALUE)
    @ResponseBody
    public String emptyWidget(@RequestParam("q") String q) {
        // safe: CWE-79
        return "<div class=\"tix-widget\"><p>No events match <em>" + HtmlUtils.htmlEscape(q) + "</em>.</p></div>";
    }

    @GetMapping(value = "/widget/no-results")
    public ResponseEntity<String> noResults(@RequestParam("q") String q) {
        // vuln: CWE-79
        return ResponseEntity.ok().contentType(MediaType.TEXT_HTML).body("<p class=\"empty\">Nothing found for \"" + q + "\"</p>");
    }
}
