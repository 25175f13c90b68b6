package com.harbormutual.backoffice;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InvalidClassException;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.io.ObjectStreamClass;
import java.io.Serializable;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Year;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

import javax.servlet.http.HttpServletRequest;
import javax.sql.DataSource;

import org.apache.commons.codec.digest.DigestUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.multipart.MultipartFile;

@RestController
@RequestMapping("/backoffice/reserves")
public class ReserveCalculationController {

    private static final Logger log = LoggerFactory.getLogger(ReserveCalculationController.class);
    private static final Set<String> SNAPSHOT_CLASSES = Set.of(
            ReserveSnapshot.class.getName(), ReserveLine.class.getName(), BigDecimal.class.getName(),
            "java.math.BigInteger", "java.lang.Number", "java.util.ArrayList", "[B");

    private final DataSource dataSource;
    private final SupervisorDirectory supervisors;

    public ReserveCalculationController(DataSource dataSource, SupervisorDirectory supervisors) {
        this.dataSource = dataSource;
        this.supervisors = supervisors;
    }

    @GetMapping("/totals")
    public List<BigDecimal> totalsByLine(HttpServletRequest request) throws SQLException {
        ReserveQuery query = new ReserveQuery();
        query.lineOfBusiness = request.getParameter("lob");
        query.minAmount = new BigDecimal(request.getParameter("min") == null ? "0" : request.getParameter("min"));
        List<BigDecimal> totals = new ArrayList<>();
        try (Connection conn = dataSource.getConnection(); Statement st = conn.createStatement()) {
            // vuln: CWE-89
            ResultSet rs = st.executeQuery(query.toSql());
            while (rs.next()) {
                totals.add(rs.getBigDecimal(1).setScale(2, RoundingMode.HALF_UP));
            }
        }
        return totals;
    }

    @GetMapping("/claims/{claimNo}")
    public List<BigDecimal> reserveHistory(@PathVariable String claimNo) throws SQLException {
        List<BigDecimal> history = new ArrayList<>();
        try (Connection conn = dataSource.getConnection();
             PreparedStatement ps = conn.prepareStatement("SELECT amount FROM reserve_changes WHERE claim_no = ? ORDER BY changed_at")) {
            ps.setString(1, claimNo);
            // safe: CWE-89
            ResultSet rs = ps.executeQuery();
            while (rs.next()) {
                history.add(rs.getBigDecimal(1));
            }
        }
        return history;
    }

    @GetMapping("/archive")
    public List<BigDecimal> archivedReserves(@RequestParam("year") String year, @RequestParam("claimNo") String claimNo) throws SQLException {
        final String archiveTable = "reserve_archive_" + year;
        List<BigDecimal> amounts = new ArrayList<>();
        try (Connection conn = dataSource.getConnection();
             // vuln: CWE-89
             PreparedStatement ps = conn.prepareStatement("SELECT amount FROM " + archiveTable + " WHERE claim_no = ?")) {
            ps.setString(1, claimNo);
            ResultSet rs = ps.executeQuery();
            while (rs.next()) {
                amounts.add(rs.getBigDecimal(1));
            }
        }
        return amounts;
    }

    @GetMapping("/archive/v2")
    public List<BigDecimal> archivedReservesV2(@RequestParam("year") int year, @RequestParam("claimNo") String claimNo) throws SQLException {
        if (year < 2005 || year > Year.now().getValue()) {
            throw new IllegalArgumentException("archive year out of range");
        }
        final String archiveTable = "reserve_archive_" + year;
        List<BigDecimal> amounts = new ArrayList<>();
        try (Connection conn = dataSource.getConnection();
             // safe: CWE-89
             PreparedStatement ps = conn.prepareStatement("SELECT amount FROM " + archiveTable + " WHERE claim_no = ?")) {
            ps.setString(1, claimNo);
            ResultSet rs = ps.executeQuery();
            while (rs.next()) {
                amounts.add(rs.getBigDecimal(1));
            }
        }
        return amounts;
    }

    @PostMapping("/worksheets/import")
    public ReserveSnapshot importWorksheet(@RequestParam("file") MultipartFile file) throws IOException, ClassNotFoundException {
        if (file.isEmpty() || file.getSize() > 5_000_000) {
            throw new IllegalArgumentException("worksheet missing or too large");
        }
        try (ObjectInputStream in = new ObjectInputStream(file.getInputStream())) {
            // vuln: CWE-502
            ReserveSnapshot snapshot = (ReserveSnapshot) in.readObject();
            log.info("Imported reserve worksheet for {}", snapshot.claimNo);
            return snapshot;
        }
    }

    @PostMapping("/worksheets/import/v2")
    public ReserveSnapshot importWorksheetV2(@RequestParam("file") MultipartFile file) throws IOException, ClassNotFoundException {
        if (file.isEmpty() || file.getSize() > 5_000_000) {
            throw new IllegalArgumentException("worksheet missing or too large");
        }
        try (ObjectInputStream in = new ObjectInputStream(file.getInputStream())) {
            in.setObjectInputFilter(ObjectInputFilter.Config.createFilter("com.harbormutual.backoffice.ReserveSnapshot;com.harbormutual.backoffice.ReserveLine;java.math.BigDecimal;java.math.BigInteger;java.lang.Number;java.util.ArrayList;maxdepth=5;!*"));
            // safe: CWE-502
            ReserveSnapshot snapshot = (ReserveSnapshot) in.readObject();
            log.info("Imported reserve worksheet for {}", snapshot.claimNo);
            return snapshot;
        }
    }

    @GetMapping("/worksheets/draft")
    public ReserveSnapshot restoreDraft(@RequestHeader("X-Reserve-Draft") String draftHeader) throws IOException, ClassNotFoundException {
        byte[] raw = Base64.getDecoder().decode(draftHeader);
        ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(raw));
        // vuln: CWE-502
        Object draft = in.readObject();
        return draft instanceof ReserveSnapshot ? (ReserveSnapshot) draft : new ReserveSnapshot();
    }

    @GetMapping("/worksheets/draft/v2")
    public ReserveSnapshot restoreDraftV2(@RequestHeader("X-Reserve-Draft") String draftHeader) throws IOException, ClassNotFoundException {
        byte[] raw = Base64.getDecoder().decode(draftHeader);
        try (ObjectInputStream in = new SnapshotOnlyInputStream(new ByteArrayInputStream(raw))) {
            // safe: CWE-502
            Object draft = in.readObject();
            return (ReserveSnapshot) draft;
        }
    }

    @PostMapping("/claims/{claimNo}/authority-override")
    public ResponseEntity<String> authorityOverride(@PathVariable String claimNo, @RequestParam("supervisor") String supervisor,
                                                    @RequestParam("pin") String pin) throws NoSuchAlgorithmException {
        // vuln: CWE-328
        MessageDigest md = MessageDigest.getInstance("MD5");
        String pinHash = HexFormat.of().formatHex(md.digest(pin.getBytes(StandardCharsets.UTF_8)));
        if (!pinHash.equals(supervisors.storedPinHash(supervisor))) {
            log.warn("Rejected authority override on {} by {}", claimNo, supervisor);
            return ResponseEntity.status(403).body("invalid PIN");
        }
        return ResponseEntity.ok("override accepted");
    }

    @PostMapping("/claims/{claimNo}/approve")
    public ResponseEntity<String> approve(@PathVariable String claimNo, @RequestParam("amount") BigDecimal amount,
                                          @RequestParam("approver") String approver) {
        String payload = claimNo + "|" + amount.toPlainString() + "|" + approver;
        // vuln: CWE-328
        String seal = DigestUtils.sha1Hex(payload + supervisors.sealPepper());
        supervisors.recordApproval(claimNo, amount, approver, seal);
        return ResponseEntity.ok(seal);
    }

    @PostMapping("/claims/{claimNo}/approve/v2")
    public ResponseEntity<String> approveV2(@PathVariable String claimNo, @RequestParam("amount") BigDecimal amount,
                                            @RequestParam("approver") String approver) throws NoSuchAlgorithmException {
        String payload = claimNo + "|" + amount.toPlainString() + "|" + approver + "|" + supervisors.sealPepper();
        // safe: CWE-328
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        String seal = HexFormat.of().formatHex(sha.digest(payload.getBytes(StandardCharsets.UTF_8)));
        supervisors.recordApproval(claimNo, amount, approver, seal);
        return ResponseEntity.ok(seal);
    }

    @GetMapping("/claims/{claimNo}/history.csv")
    public ResponseEntity<String> historyCsv(@PathVariable String claimNo) throws SQLException, NoSuchAlgorithmException {
        StringBuilder csv = new StringBuilder("amount\n");
        for (BigDecimal amount : reserveHistory(claimNo)) {
            csv.append(amount.toPlainString()).append('\n');
        }
        // safe: CWE-328
        MessageDigest etagDigest = MessageDigest.getInstance("MD5");
        String etag = "\"" + HexFormat.of().formatHex(etagDigest.digest(csv.toString().getBytes(StandardCharsets.UTF_8))) + "\"";
        return ResponseEntity.ok().eTag(etag).body(csv.toString());
    }

    static class ReserveQuery {
        String lineOfBusiness;
        BigDecimal minAmount = BigDecimal.ZERO;

        String toSql() {
            StringBuilder sb = new StringBuilder("SELECT SUM(r.amount) FROM reserves r JOIN claims c ON c.id = r.claim_id WHERE r.amount >= ");
            sb.append(minAmount.toPlainString());
            if (lineOfBusiness != null && !lineOfBusiness.isBlank()) {
                sb.append(" AND c.line_of_business = '").append(lineOfBusiness).append("'");
            }
            return sb.append(" GROUP BY c.adjuster_id").toString();
        }
    }

    static class SnapshotOnlyInputStream extends ObjectInputStream {
        SnapshotOnlyInputStream(InputStream in) throws IOException {
            super(in);
        }

        @Override
        protected Class<?> resolveClass(ObjectStreamClass desc) throws IOException, ClassNotFoundException {
            if (!SNAPSHOT_CLASSES.contains(desc.getName())) {
                throw new InvalidClassException(desc.getName(), "not an allowed reserve snapshot type");
            }
            return super.resolveClass(desc);
        }
    }

    public static class ReserveSnapshot implements Serializable {
        private static final long serialVersionUID = 3L;
        String claimNo;
        List<ReserveLine> lines = new ArrayList<>();
    }

    public static class ReserveLine implements Serializable {
        private static final long serialVersionUID = 1L;
        String category;
        BigDecimal amount;
    }

    public interface SupervisorDirectory {
        String storedPinHash(String supervisor);
        String sealPepper();
        void recordApproval(String claimNo, BigDecimal amount, String approver, String seal);
    }
}
