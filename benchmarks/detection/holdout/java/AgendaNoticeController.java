package gov.riverton.council;

import static org.springframework.ldap.query.LdapQueryBuilder.query;

import groovy.lang.Binding;
import groovy.lang.GroovyShell;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.naming.directory.Attributes;
import javax.xml.xpath.XPathExpressionException;
import javax.xml.xpath.XPathFactory;
import ognl.Ognl;
import ognl.OgnlContext;
import ognl.OgnlException;
import org.springframework.expression.ExpressionParser;
import org.springframework.expression.common.TemplateParserContext;
import org.springframework.expression.spel.standard.SpelExpressionParser;
import org.springframework.expression.spel.support.StandardEvaluationContext;
import org.springframework.ldap.core.AttributesMapper;
import org.springframework.ldap.core.LdapTemplate;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Public meeting notices generated from agenda data, plus the "who represents me"
 * lookups against the officials directory that appear on agenda pages.
 */
@RestController
@RequestMapping("/council/notices")
public class AgendaNoticeController {

    private static final String OFFICIALS_BASE = "ou=officials";
    private static final Pattern MERGE_FIELD = Pattern.compile("\\{\\{\\s*([A-Za-z0-9_.]+)\\s*}}");
    private static final Set<String> MERGE_FIELDS = Set.of(
            "body.name", "meetingDate", "startTime", "location.name", "location.address", "chair.displayName", "clerk.displayName");
    private static final Map<String, String> STANDARD_NOTICES = Map.of(
            "regular", "\"NOTICE is hereby given that the ${meeting.body.name} will hold a regular meeting on ${meeting.meetingDate} at ${meeting.startTime}.\"",
            "special", "\"NOTICE of a SPECIAL MEETING of the ${meeting.body.name}, ${meeting.meetingDate} at ${meeting.startTime}, ${meeting.location.name}.\"",
            "cancelled", "\"The ${meeting.body.name} meeting scheduled for ${meeting.meetingDate} has been CANCELLED.\"");

    public enum NoticeType {
        REGULAR("#{body.name} Regular Meeting - #{meetingDate}"),
        SPECIAL("SPECIAL MEETING: #{body.name} - #{meetingDate} #{startTime}"),
        PUBLIC_HEARING("Public Hearing Notice - #{body.name} - #{meetingDate}");

        private final String subjectTemplate;

        NoticeType(String subjectTemplate) {
            this.subjectTemplate = subjectTemplate;
        }

        public String subjectTemplate() {
            return subjectTemplate;
        }
    }

    public enum Board {
        CITY_COUNCIL("cn=City Council,ou=boards,dc=riverton,dc=gov"),
        PLANNING_COMMISSION("cn=Planning Commission,ou=boards,dc=riverton,dc=gov"),
        ZONING_BOARD_OF_APPEALS("cn=Zoning Board of Appeals,ou=boards,dc=riverton,dc=gov"),
        PARKS_BOARD("cn=Parks Board,ou=boards,dc=riverton,dc=gov");

        private final String dn;

        Board(String dn) {
            this.dn = dn;
        }

        public String dn() {
            return dn;
        }
    }

    private static final AttributesMapper<Map<String, Object>> OFFICIAL_MAPPER = attrs -> toMap(attrs);

    private final LdapTemplate ldapTemplate;
    private final MeetingService meetings;
    private final ExpressionParser spel = new SpelExpressionParser();

    public AgendaNoticeController(LdapTemplate ldapTemplate, MeetingService meetings) {
        this.ldapTemplate = ldapTemplate;
        this.meetings = meetings;
    }

    // ---- notices -------------------------------------------------------------------------

    @PostMapping("/{meetingId}/custom")
    public Map<String, String> customNotice(@PathVariable("meetingId") long meetingId, @RequestBody NoticeRequest request) {
        MeetingView meeting = meetings.find(meetingId);
        Binding binding = new Binding();
        binding.setVariable("meeting", meeting);
        GroovyShell shell = new GroovyShell(binding);
        // vuln: CWE-94
        Object text = shell.evaluate(request.getTemplate());
        return Map.of("notice", String.valueOf(text));
    }

    @GetMapping("/{meetingId}/standard")
    public Map<String, String> standardNotice(@PathVariable("meetingId") long meetingId, @RequestParam("kind") String kind) {
        String script = STANDARD_NOTICES.get(kind);
        if (script == null) {
            throw new IllegalArgumentException("Unknown notice kind");
        }
        Binding binding = new Binding();
        binding.setVariable("meeting", meetings.find(meetingId));
        // safe: CWE-94
        Object text = new GroovyShell(binding).evaluate(script);
        return Map.of("notice", String.valueOf(text));
    }

    /** Fills {{field}} placeholders in a resident-facing announcement with meeting data. */
    @PostMapping("/{meetingId}/announcement")
    public Map<String, String> announcement(@PathVariable("meetingId") long meetingId, @RequestBody NoticeRequest request) throws OgnlException {
        MeetingView meeting = meetings.find(meetingId);
        OgnlContext context = (OgnlContext) Ognl.createDefaultContext(meeting);
        Matcher m = MERGE_FIELD.matcher(request.getTemplate());
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String field = m.group(1);
            // vuln: CWE-94
            Object value = Ognl.getValue(field, context, meeting);
            m.appendReplacement(out, Matcher.quoteReplacement(String.valueOf(value)));
        }
        m.appendTail(out);
        return Map.of("announcement", out.toString());
    }

    @PostMapping("/{meetingId}/announcement/checked")
    public Map<String, String> checkedAnnouncement(@PathVariable("meetingId") long meetingId, @RequestBody NoticeRequest request) throws OgnlException {
        MeetingView meeting = meetings.find(meetingId);
        OgnlContext context = (OgnlContext) Ognl.createDefaultContext(meeting);
        Matcher m = MERGE_FIELD.matcher(request.getTemplate());
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String field = m.group(1);
            if (!MERGE_FIELDS.contains(field)) {
                m.appendReplacement(out, "");
                continue;
            }
            // safe: CWE-94
            Object value = Ognl.getValue(field, context, meeting);
            m.appendReplacement(out, Matcher.quoteReplacement(String.valueOf(value)));
        }
        m.appendTail(out);
        return Map.of("announcement", out.toString());
    }

    @PostMapping("/{meetingId}/email-subject")
    public Map<String, String> emailSubject(@PathVariable("meetingId") long meetingId, @RequestBody NoticeRequest request) {
        StandardEvaluationContext ctx = new StandardEvaluationContext(meetings.find(meetingId));
        // vuln: CWE-94
        String subject = spel.parseExpression(request.getSubjectLine(), new TemplateParserContext()).getValue(ctx, String.class);
        return Map.of("subject", subject);
    }

    @GetMapping("/{meetingId}/email-subject/{type}")
    public Map<String, String> standardSubject(@PathVariable("meetingId") long meetingId, @PathVariable("type") String type) {
        NoticeType noticeType = NoticeType.valueOf(type.toUpperCase(Locale.ROOT));
        StandardEvaluationContext ctx = new StandardEvaluationContext(meetings.find(meetingId));
        // safe: CWE-94
        String subject = spel.parseExpression(noticeType.subjectTemplate(), new TemplateParserContext()).getValue(ctx, String.class);
        return Map.of("subject", subject);
    }

    @GetMapping("/{meetingId}/items/title")
    public Map<String, String> itemTitle(@PathVariable("meetingId") long meetingId, @RequestParam("item") String itemNumber) throws XPathExpressionException {
        org.w3c.dom.Document agendaXml = meetings.agendaXml(meetingId);
        // vuln: CWE-643
        String title = XPathFactory.newInstance().newXPath().evaluate("/meeting/agenda/item[@number='" + itemNumber + "']/title", agendaXml);
        return Map.of("item", itemNumber, "title", title);
    }

    // ---- officials directory ----------------------------------------------------------------

    @GetMapping("/officials/search")
    public List<Map<String, Object>> searchOfficials(@RequestParam("name") String name) {
        // vuln: CWE-90
        return ldapTemplate.search(OFFICIALS_BASE, "(&(objectClass=rivertonOfficial)(cn=*" + name + "*))", OFFICIAL_MAPPER);
    }

    @GetMapping("/officials/by-name")
    public List<Map<String, Object>> officialByName(@RequestParam("name") String name) {
        // safe: CWE-90
        return ldapTemplate.search(query().base(OFFICIALS_BASE).where("objectClass").is("rivertonOfficial").and("cn").is(name), OFFICIAL_MAPPER);
    }

    @GetMapping("/officials/district")
    public List<Map<String, Object>> representative(@RequestParam("district") String district) {
        String filter = String.format("(&(objectClass=rivertonOfficial)(rivertonDistrict=%s)(rivertonActive=TRUE))", district);
        // vuln: CWE-90
        return ldapTemplate.search(OFFICIALS_BASE, filter, OFFICIAL_MAPPER);
    }

    @GetMapping("/officials/ward")
    public List<Map<String, Object>> wardRepresentative(@RequestParam("ward") String ward) {
        int wardNumber = Integer.parseInt(ward.trim());
        String filter = String.format("(&(objectClass=rivertonOfficial)(rivertonWard=%d)(rivertonActive=TRUE))", wardNumber);
        // safe: CWE-90
        return ldapTemplate.search(OFFICIALS_BASE, filter, OFFICIAL_MAPPER);
    }

    @GetMapping("/officials/board-members")
    public List<Map<String, Object>> boardMembers(@RequestParam("board") String board) {
        StringBuilder filter = new StringBuilder("(&(objectClass=rivertonOfficial)");
        filter.append("(memberOf=cn=").append(board).append(",ou=boards,dc=riverton,dc=gov)");
        filter.append(")");
        // vuln: CWE-90
        return ldapTemplate.search(OFFICIALS_BASE, filter.toString(), OFFICIAL_MAPPER);
    }

    @GetMapping("/officials/board/{board}")
    public List<Map<String, Object>> boardRoster(@PathVariable("board") String board) {
        Board selected = Board.valueOf(board.toUpperCase(Locale.ROOT).replace('-', '_'));
        String filter = "(&(objectClass=rivertonOfficial)(memberOf=" + selected.dn() + "))";
        // safe: CWE-90
        return ldapTemplate.search(OFFICIALS_BASE, filter, OFFICIAL_MAPPER);
    }

    private static Map<String, Object> toMap(Attributes attrs) throws javax.naming.NamingException {
        Map<String, Object> out = new LinkedHashMap<>();
        for (String id : new String[] {"cn", "title", "rivertonDistrict", "rivertonWard", "telephoneNumber", "mail"}) {
            if (attrs.get(id) != null) {
                out.put(id, attrs.get(id).get());
            }
        }
        return out;
    }
}
