package edu.uniplatform.enrollment;

import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.persistence.EntityManager;
import javax.persistence.PersistenceContext;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;
import javax.servlet.http.HttpSession;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.stereotype.Controller;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.CookieValue;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseBody;
import org.springframework.web.servlet.view.RedirectView;

@Controller
@RequestMapping("/enrollment")
public class EnrollmentController {

    private static final Set<String> SUPPORTED_LOCALES = Set.of("en", "de", "fr", "es", "it");

    private final JdbcTemplate jdbc;
    private final NamedParameterJdbcTemplate namedJdbc;
    private final StudentDirectory students;

    @PersistenceContext
    private EntityManager em;

    public EnrollmentController(JdbcTemplate jdbc, NamedParameterJdbcTemplate namedJdbc, StudentDirectory students) {
        this.jdbc = jdbc;
        this.namedJdbc = namedJdbc;
        this.students = students;
    }

    @GetMapping("/roster")
    @ResponseBody
    public List<Map<String, Object>> roster(@RequestParam String sectionId, @RequestParam(defaultValue = "last_name") String sortBy) {
        // vuln: CWE-89
        return jdbc.queryForList("SELECT s.student_no, s.first_name, s.last_name FROM enrolments e JOIN students s ON s.id = e.student_id WHERE e.section_id = ? ORDER BY " + sortBy, sectionId);
    }

    @GetMapping("/student/{studentNo}/courses")
    @ResponseBody
    public List<Map<String, Object>> coursesForStudent(@PathVariable String studentNo, @RequestParam String term) {
        // safe: CWE-89
        return jdbc.queryForList("SELECT c.course_code, c.title, e.status FROM enrolments e JOIN courses c ON c.id = e.course_id WHERE e.student_no = ? AND e.term = ?", studentNo, term);
    }

    @GetMapping("/student/{studentNo}/waitlist")
    @ResponseBody
    @SuppressWarnings("unchecked")
    public List<Object[]> waitlist(@PathVariable String studentNo) {
        String jpql = "SELECT w.course.code, w.position FROM WaitlistEntry w WHERE w.student.studentNo = '" + studentNo + "' ORDER BY w.position";
        // vuln: CWE-89
        return em.createQuery(jpql).getResultList();
    }

    @GetMapping("/search")
    @ResponseBody
    public List<Map<String, Object>> search(@RequestParam String lastName, @RequestParam String program) {
        MapSqlParameterSource params = new MapSqlParameterSource().addValue("lastName", lastName + "%").addValue("program", program);
        // safe: CWE-89
        return namedJdbc.queryForList("SELECT student_no, first_name, last_name FROM students WHERE last_name LIKE :lastName AND program_code = :program", params);
    }

    @PostMapping("/drop")
    @ResponseBody
    @Transactional
    public ResponseEntity<String> dropCourse(@RequestBody DropRequest body) {
        StringBuilder sql = new StringBuilder("UPDATE enrolments SET status = 'DROPPED', reason = '");
        sql.append(body.getReason()).append("' WHERE student_no = '").append(body.getStudentNo()).append("' AND course_code = '").append(body.getCourseCode()).append("'");
        // vuln: CWE-89
        int updated = jdbc.update(sql.toString());
        return ResponseEntity.ok(updated + " enrolment(s) dropped");
    }

    @GetMapping("/capacity")
    @ResponseBody
    @SuppressWarnings("unchecked")
    public List<Object[]> capacity(@RequestParam String sectionId) {
        long id = Long.parseLong(sectionId);
        // safe: CWE-89
        return em.createNativeQuery("SELECT seats_total, seats_taken FROM sections WHERE id = " + id).getResultList();
    }

    @PostMapping("/confirm")
    public String confirm(@RequestParam String courseCode, @RequestParam(required = false) String returnUrl, HttpSession session) {
        students.confirmEnrolment((String) session.getAttribute("studentNo"), courseCode);
        if (returnUrl != null && !returnUrl.isEmpty()) {
            // vuln: CWE-601
            return "redirect:" + returnUrl;
        }
        // safe: CWE-601
        return "redirect:/enrollment/overview";
    }

    @GetMapping("/continue")
    public RedirectView continueAfterLogin(@RequestParam("next") String next) {
        if (next.startsWith("/") && !next.startsWith("//") && !next.contains("\\") && !next.contains(":")) {
            // safe: CWE-601
            return new RedirectView(next, true);
        }
        return new RedirectView("/enrollment/overview", true);
    }

    @GetMapping("/cancel")
    public ResponseEntity<Void> cancelCheckout(@RequestHeader(value = "Referer", required = false) String referer) {
        String target = referer != null ? referer : "/enrollment/overview";
        // vuln: CWE-601
        return ResponseEntity.status(HttpStatus.FOUND).location(URI.create(target)).build();
    }

    @GetMapping("/handoff")
    public void handoff(@CookieValue(name = "lms_return", required = false) String lmsReturn, HttpServletResponse response) throws java.io.IOException {
        response.setStatus(HttpServletResponse.SC_SEE_OTHER);
        // vuln: CWE-601
        response.setHeader("Location", lmsReturn);
    }

    @GetMapping("/select-program")
    public String selectProgram(@RequestParam String program, HttpServletRequest request) {
        HttpSession session = request.getSession();
        // vuln: CWE-501
        session.setAttribute("selectedProgram", program);
        return "enrollment/program";
    }

    @GetMapping("/preferences")
    public String preferences(@RequestParam String locale, @RequestParam String pageSize, HttpSession session) {
        if (SUPPORTED_LOCALES.contains(locale)) {
            // safe: CWE-501
            session.setAttribute("locale", locale);
        }
        int size = Integer.parseInt(pageSize);
        if (size >= 10 && size <= 100) {
            // safe: CWE-501
            session.setAttribute("pageSize", size);
        }
        session.setAttribute("preferencesUpdated", Instant.now());
        return "enrollment/preferences";
    }

    @PostMapping("/impersonate")
    public String advisorView(HttpServletRequest request, Model model) {
        // vuln: CWE-501
        request.getSession().setAttribute("viewingStudentNo", request.getParameter("studentNo"));
        model.addAttribute("mode", "advisor");
        return "enrollment/overview";
    }

    @GetMapping("/overview")
    public String overview(@AuthenticationPrincipal CampusUser user, HttpSession session, Model model) {
        StudentRecord record = students.findByUsername(user.getUsername());
        // safe: CWE-501
        session.setAttribute("studentNo", record.getStudentNo());
        model.addAttribute("record", record);
        return "enrollment/overview";
    }

    public static class DropRequest {
        private String studentNo;
        private String courseCode;
        private String reason;

        public String getStudentNo() { return studentNo; }
        public void setStudentNo(String studentNo) { this.studentNo = studentNo; }
        public String getCourseCode() { return courseCode; }
        public void setCourseCode(String courseCode) { this.courseCode = courseCode; }
        public String getReason() { return reason; }
        public void setReason(String reason) { this.reason = reason; }
    }
}
