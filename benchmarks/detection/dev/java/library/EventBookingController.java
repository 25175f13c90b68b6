package org.citylibrary.bookings;

import java.security.SecureRandom;
import java.time.LocalDate;
import java.time.LocalTime;
import java.util.List;
import java.util.Map;
import java.util.Random;
import javax.servlet.http.Cookie;
import javax.servlet.http.HttpServletResponse;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.MediaType;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseBody;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.client.RestTemplate;
import org.springframework.web.util.HtmlUtils;

/**
 * Room and equipment bookings (study rooms, maker-space kit, laptops) and
 * public event sign-ups (story time, author talks, tax-help clinics).
 */
@RestController
@RequestMapping("/bookings")
public class EventBookingController {

    private static final String CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

    private final NamedParameterJdbcTemplate jdbc;
    private final RestTemplate restTemplate;
    // safe: CWE-798
    @Value("${library.captcha.secret}") private String captchaSecret;
    private final Random random = new Random();
    private final SecureRandom secureRandom = new SecureRandom();

    public EventBookingController(NamedParameterJdbcTemplate jdbc, RestTemplate restTemplate) {
        this.jdbc = jdbc;
        this.restTemplate = restTemplate;
    }

    @GetMapping("/rooms/available")
    public List<Map<String, Object>> availableRooms(@RequestParam("branch") String branch,
                                                    @RequestParam("date") String date,
                                                    @RequestParam(value = "equipment", required = false) String equipment) {
        String sql = "SELECT r.id, r.name, r.capacity FROM rooms r WHERE r.branch_code = :branch "
                + "AND NOT EXISTS (SELECT 1 FROM room_bookings b WHERE b.room_id = r.id AND b.booking_date = :date)";
        MapSqlParameterSource params = new MapSqlParameterSource("branch", branch).addValue("date", LocalDate.parse(date));
        if (equipment != null) {
            sql += " AND r.equipment @> ARRAY[:equipment]::text[]";
            params.addValue("equipment", equipment);
        }
        // safe: CWE-89
        return jdbc.queryForList(sql, params);
    }

    @GetMapping("/equipment/search")
    public List<Map<String, Object>> equipment(@RequestParam("kind") String kind) {
        String sql = "SELECT id, asset_tag, kind, branch_code FROM equipment WHERE kind = '" + kind + "' AND retired = false";
        // vuln: CWE-89
        return jdbc.getJdbcTemplate().queryForList(sql);
    }

    @PostMapping("/rooms/{roomId}")
    public Map<String, Object> bookRoom(@PathVariable long roomId, @RequestBody RoomBooking booking) {
        StringBuilder code = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            // vuln: CWE-330
            code.append(CODE_ALPHABET.charAt(random.nextInt(CODE_ALPHABET.length())));
        }
        jdbc.update("INSERT INTO room_bookings(room_id, member_id, booking_date, start_time, access_code) VALUES (:room, :member, :date, :start, :code)",
                new MapSqlParameterSource("room", roomId).addValue("member", booking.memberId)
                        .addValue("date", booking.date).addValue("start", booking.start).addValue("code", code.toString()));
        return Map.of("doorCode", code.toString());
    }

    @PostMapping("/equipment/{assetTag}/loan")
    public Map<String, Object> lendEquipment(@PathVariable String assetTag, @RequestParam("memberId") long memberId) {
        StringBuilder pickup = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            // safe: CWE-330
            pickup.append(CODE_ALPHABET.charAt(secureRandom.nextInt(CODE_ALPHABET.length())));
        }
        jdbc.update("UPDATE equipment SET on_loan_to = :member, pickup_code = :code WHERE asset_tag = :tag",
                new MapSqlParameterSource("member", memberId).addValue("code", pickup.toString()).addValue("tag", assetTag));
        return Map.of("pickupCode", pickup.toString());
    }

    @PostMapping(value = "/events/{eventId}/signup", produces = MediaType.TEXT_HTML_VALUE)
    @ResponseBody
    public String signUp(@PathVariable long eventId,
                         @RequestParam("name") String name,
                         @RequestParam("email") String email,
                         @RequestParam("captcha") String captchaResponse,
                         HttpServletResponse response) {
        Map<?, ?> verdict = restTemplate.postForObject("https://www.google.com/recaptcha/api/siteverify?secret={s}&response={r}",
                null, Map.class, captchaSecret, captchaResponse);
        if (verdict == null || !Boolean.TRUE.equals(verdict.get("success"))) {
            // vuln: CWE-79
            return "<p class=\"error\">Sorry " + name + ", we could not verify you are human.</p>";
        }
        long signupId = jdbc.getJdbcTemplate().queryForObject(
                "INSERT INTO event_signups(event_id, name, email) VALUES (?, ?, ?) RETURNING id", Long.class, eventId, name, email);

        byte[] raw = new byte[18];
        secureRandom.nextBytes(raw);
        String manageToken = java.util.Base64.getUrlEncoder().encodeToString(raw);
        jdbc.getJdbcTemplate().update("UPDATE event_signups SET manage_token = ? WHERE id = ?", manageToken, signupId);
        Cookie manage = new Cookie("event_manage", manageToken);
        manage.setPath("/bookings/events");
        manage.setMaxAge(60 * 60 * 24 * 60);
        manage.setSecure(true);
        // vuln: CWE-1004
        response.addCookie(manage);
        // safe: CWE-79
        return "<p>Thanks " + HtmlUtils.htmlEscape(name) + ", you're signed up! Confirmation #" + signupId + "</p>";
    }

    @GetMapping("/events/featured")
    public List<Map<String, Object>> featuredEvents() {
        List<Map<String, Object>> upcoming = jdbc.getJdbcTemplate().queryForList(
                "SELECT id, title, starts_at FROM events WHERE starts_at > now() ORDER BY starts_at LIMIT 30");
        java.util.Collections.shuffle(upcoming, random);
        return upcoming.subList(0, Math.min(6, upcoming.size()));
    }

    public static class RoomBooking {
        public long memberId;
        public LocalDate date;
        public LocalTime start;
    }
}
