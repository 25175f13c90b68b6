package gov.riverton.imports;

import java.beans.XMLDecoder;
import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InvalidClassException;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.io.ObjectStreamClass;
import java.io.Reader;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.Set;

import javax.sql.DataSource;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.jsontype.impl.LaissezFaireSubTypeValidator;
import com.thoughtworks.xstream.XStream;
import com.thoughtworks.xstream.security.AnyTypePermission;
import com.thoughtworks.xstream.security.NoTypePermission;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RequestPart;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.multipart.MultipartFile;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * One-off and recurring imports from the systems Riverton is retiring:
 * the 2004 permit tracker (Java-serialized exports), the parking vendor's YAML config dumps,
 * the old Swing fee tool (java.beans XML), the utility billing CSV ledger and XStream archives.
 */
@RestController
@RequestMapping("/imports/legacy")
public class LegacyExportImportController {

    private static final Set<String> PERMIT_EXPORT_CLASSES = Set.of(
            "gov.riverton.legacy.LegacyPermit",
            "gov.riverton.legacy.LegacyInspection",
            "gov.riverton.legacy.LegacyFee",
            "java.util.ArrayList",
            "java.util.Date",
            "java.lang.String",
            "java.lang.Long",
            "java.lang.Integer",
            "java.lang.Number",
            "java.math.BigDecimal",
            "java.math.BigInteger");

    public static class LedgerImportRequest {
        private String fileName;
        private String batchLabel;

        public String getFileName() { return fileName; }
        public void setFileName(String fileName) { this.fileName = fileName; }
        public String getBatchLabel() { return batchLabel; }
        public void setBatchLabel(String batchLabel) { this.batchLabel = batchLabel; }
    }

    public static class FeeScheduleRow {
        public String code;
        public String description;
        public BigDecimal amount;
    }

    private final DataSource dataSource;
    private final Path ledgerInbox;
    private final ObjectMapper plainMapper = new ObjectMapper();

    public LegacyExportImportController(DataSource dataSource,
                                        @Value("${riverton.imports.ledger-inbox:/srv/riverton/imports/ledger}") String ledgerInbox) {
        this.dataSource = dataSource;
        this.ledgerInbox = Paths.get(ledgerInbox).toAbsolutePath().normalize();
    }

    // ------------------------------------------------------------------ permit tracker (.ser)

    @PostMapping("/permits")
    public ResponseEntity<String> importPermits(@RequestPart("export") MultipartFile export) throws IOException, ClassNotFoundException {
        try (ObjectInputStream in = new ObjectInputStream(new BufferedInputStream(export.getInputStream()))) {
            // vuln: CWE-502
            List<?> permits = (List<?>) in.readObject();
            return ResponseEntity.ok(permits.size() + " permits read");
        }
    }

    @PostMapping("/permits/v2")
    public ResponseEntity<String> importPermitsFiltered(@RequestPart("export") MultipartFile export) throws IOException, ClassNotFoundException {
        ObjectInputFilter filter = ObjectInputFilter.Config.createFilter("maxdepth=8;maxrefs=100000;maxbytes=52428800;gov.riverton.legacy.*;java.util.ArrayList;java.util.Date;java.lang.*;java.math.*;!*");
        try (ObjectInputStream in = new ObjectInputStream(new BufferedInputStream(export.getInputStream()))) {
            in.setObjectInputFilter(filter);
            // safe: CWE-502
            List<?> permits = (List<?>) in.readObject();
            return ResponseEntity.ok(permits.size() + " permits read");
        }
    }

    /** Inspection export from the field tablets' sync server, same format. */
    @PostMapping("/inspections")
    public ResponseEntity<String> importInspections(@RequestBody byte[] body) throws IOException, ClassNotFoundException {
        try (ObjectInputStream in = new PermitExportInputStream(new java.io.ByteArrayInputStream(body))) {
            // safe: CWE-502
            Object inspections = in.readObject();
            return ResponseEntity.ok("read " + inspections.getClass().getSimpleName());
        }
    }

    /** Look-ahead stream: refuses any class outside the permit tracker's export model. */
    private static final class PermitExportInputStream extends ObjectInputStream {
        PermitExportInputStream(InputStream in) throws IOException {
            super(in);
        }

        @Override
        protected Class<?> resolveClass(ObjectStreamClass desc) throws IOException, ClassNotFoundException {
            if (!PERMIT_EXPORT_CLASSES.contains(desc.getName())) {
                throw new InvalidClassException(desc.getName(), "not part of the permit export model");
            }
            return super.resolveClass(desc);
        }
    }

    // ------------------------------------------------------------------ parking vendor (YAML)

    @PostMapping("/parking/zones")
    public ResponseEntity<String> importParkingZones(@RequestPart("dump") MultipartFile dump) throws IOException {
        try (Reader reader = new java.io.InputStreamReader(dump.getInputStream(), StandardCharsets.UTF_8)) {
            // vuln: CWE-502
            Object zones = new Yaml().load(reader);
            return ResponseEntity.ok("zones: " + ((Map<?, ?>) zones).size());
        }
    }

    @PostMapping("/parking/rates")
    public ResponseEntity<String> importParkingRates(@RequestPart("dump") MultipartFile dump) throws IOException {
        Yaml yaml = new Yaml(new SafeConstructor(new LoaderOptions()));
        try (Reader reader = new java.io.InputStreamReader(dump.getInputStream(), StandardCharsets.UTF_8)) {
            // safe: CWE-502
            Map<String, Object> rates = yaml.load(reader);
            return ResponseEntity.ok("rate tables: " + rates.size());
        }
    }

    // ------------------------------------------------------------------ Swing fee tool (java.beans XML)

    @PostMapping("/fees/desktop-export")
    public ResponseEntity<String> importDesktopFees(@RequestPart("export") MultipartFile export) throws IOException {
        try (XMLDecoder decoder = new XMLDecoder(export.getInputStream())) {
            // vuln: CWE-502
            Object schedule = decoder.readObject();
            return ResponseEntity.ok("imported " + schedule);
        }
    }

    /** The newer fee tool exports JSON; rows are bound to a fixed type. */
    @PostMapping("/fees/json-export")
    public ResponseEntity<String> importJsonFees(@RequestPart("export") MultipartFile export) throws IOException {
        // safe: CWE-502
        FeeScheduleRow[] rows = plainMapper.readValue(export.getInputStream(), FeeScheduleRow[].class);
        return ResponseEntity.ok(rows.length + " fee rows");
    }

    /** Vendor's "portable" JSON export embeds Java type ids ("@class"). */
    @PostMapping("/fees/vendor-export")
    public ResponseEntity<String> importVendorFees(@RequestBody String json) throws IOException {
        ObjectMapper typed = new ObjectMapper();
        typed.activateDefaultTyping(LaissezFaireSubTypeValidator.instance, ObjectMapper.DefaultTyping.NON_FINAL);
        // vuln: CWE-502
        Object export = typed.readValue(json, Object.class);
        return ResponseEntity.ok("vendor export: " + export.getClass().getSimpleName());
    }

    // ------------------------------------------------------------------ XStream archives

    @PostMapping("/archive/cases")
    public ResponseEntity<String> importCaseArchive(@RequestBody String xml) {
        XStream xstream = new XStream();
        xstream.addPermission(AnyTypePermission.ANY);
        xstream.alias("case", LegacyCase.class);
        // vuln: CWE-502
        Object archive = xstream.fromXML(xml);
        return ResponseEntity.ok("archive root: " + archive.getClass().getSimpleName());
    }

    @PostMapping("/archive/cases/v2")
    public ResponseEntity<String> importCaseArchiveV2(@RequestBody String xml) {
        XStream xstream = new XStream();
        xstream.addPermission(NoTypePermission.NONE);
        xstream.allowTypes(new Class[] {LegacyCase.class, LegacyCaseList.class, String.class});
        xstream.alias("case", LegacyCase.class);
        xstream.alias("cases", LegacyCaseList.class);
        // safe: CWE-502
        LegacyCaseList archive = (LegacyCaseList) xstream.fromXML(xml);
        return ResponseEntity.ok(archive.size() + " cases");
    }

    // ------------------------------------------------------------------ utility billing ledger (CSV)

    @PostMapping("/ledger")
    public ResponseEntity<String> importLedger(@RequestBody LedgerImportRequest request) throws IOException, SQLException {
        // vuln: CWE-22
        List<String> lines = Files.readAllLines(ledgerInbox.resolve(request.getFileName()), StandardCharsets.ISO_8859_1);
        int imported = 0;
        try (Connection conn = dataSource.getConnection(); Statement st = conn.createStatement()) {
            for (String line : lines.subList(1, lines.size())) {
                String[] cols = line.split(",", -1);
                // vuln: CWE-89
                st.executeUpdate("INSERT INTO legacy_ledger (account_no, posted_on, amount, memo, batch) VALUES ('" + cols[0] + "', '" + cols[1] + "', " + cols[2] + ", '" + cols[3] + "', '" + request.getBatchLabel() + "')");
                imported++;
            }
        }
        return ResponseEntity.ok(imported + " ledger rows");
    }

    @PostMapping("/ledger/v2")
    public ResponseEntity<String> importLedgerV2(@RequestParam("file") String fileName, @RequestParam("batch") String batch) throws IOException, SQLException {
        Path candidate = ledgerInbox.resolve(fileName).normalize();
        if (!candidate.startsWith(ledgerInbox) || !Files.isRegularFile(candidate)) {
            return ResponseEntity.badRequest().body("file not in ledger inbox");
        }
        int imported = 0;
        // safe: CWE-22
        try (BufferedReader reader = Files.newBufferedReader(candidate, StandardCharsets.ISO_8859_1);
             Connection conn = dataSource.getConnection();
             // safe: CWE-89
             PreparedStatement ps = conn.prepareStatement("INSERT INTO legacy_ledger (account_no, posted_on, amount, memo, batch) VALUES (?, ?, ?, ?, ?)")) {
            reader.readLine();
            String line;
            while ((line = reader.readLine()) != null) {
                String[] cols = line.split(",", -1);
                ps.setString(1, cols[0]);
                ps.setDate(2, java.sql.Date.valueOf(cols[1]));
                ps.setBigDecimal(3, new BigDecimal(cols[2]));
                ps.setString(4, cols[3]);
                ps.setString(5, batch);
                ps.addBatch();
                imported++;
            }
            ps.executeBatch();
        }
        return ResponseEntity.ok(imported + " ledger rows");
    }

    public static class LegacyCase {
        String caseNumber;
        String status;
    }

    public static class LegacyCaseList extends java.util.ArrayList<LegacyCase> {
        private static final long serialVersionUID = 1L;
    }
}
