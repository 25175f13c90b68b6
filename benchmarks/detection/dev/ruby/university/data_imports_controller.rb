require "rexml/document"
require "yaml"

module Admin
  class DataImportsController < Admin::BaseController
    SNAPSHOT_PATH = Rails.root.join("tmp", "cache", "catalog_snapshot.bin")

    def import_courses
      xml = params.require(:file).read
      # vuln: CWE-611
      doc = Nokogiri::XML(xml) { |config| config.strict.noent.dtdload }
      count = import_course_nodes(doc.xpath("//course"))
      redirect_to admin_imports_path, notice: "Imported #{count} courses"
    end

    def import_courses_strict
      xml = params.require(:file).read
      # safe: CWE-611
      doc = Nokogiri::XML(xml) { |config| config.strict.nonet }
      count = import_course_nodes(doc.xpath("//course"))
      redirect_to admin_imports_path, notice: "Imported #{count} courses"
    end

    def import_sections
      # vuln: CWE-611
      doc = Nokogiri::XML(request.body.read, nil, "UTF-8", Nokogiri::XML::ParseOptions::DEFAULT_XML | Nokogiri::XML::ParseOptions::NOENT)
      doc.xpath("//section").each { |node| Section.upsert(section_attributes(node), unique_by: :crn) }
      head :no_content
    end

    def import_rooms
      # safe: CWE-611
      doc = Nokogiri::XML(request.body.read, nil, "UTF-8", Nokogiri::XML::ParseOptions::STRICT | Nokogiri::XML::ParseOptions::NONET)
      doc.xpath("//room").each { |node| Room.find_or_create_by!(code: node["code"]) }
      head :no_content
    end

    def import_library_holdings
      xml = params.require(:holdings).read
      # vuln: CWE-611
      reader = Nokogiri::XML::Reader(xml, nil, nil, Nokogiri::XML::ParseOptions::NOENT | Nokogiri::XML::ParseOptions::DTDLOAD)
      reader.each do |node|
        next unless node.name == "item" && node.node_type == Nokogiri::XML::Reader::TYPE_ELEMENT
        LibraryItem.upsert({ barcode: node.attribute("barcode"), title: node.inner_xml }, unique_by: :barcode)
      end
      head :no_content
    end

    def import_loans
      xml = params.require(:loans).read
      # safe: CWE-611
      doc = REXML::Document.new(xml)
      REXML::XPath.each(doc, "//loan") { |loan| LibraryLoan.sync_from_xml!(loan) }
      head :no_content
    end

    def import_scholarships
      xml = params.require(:file).read
      # vuln: CWE-611
      doc = LibXML::XML::Document.string(xml, options: LibXML::XML::Parser::Options::NOENT | LibXML::XML::Parser::Options::DTDLOAD)
      doc.find("//award").each { |award| Scholarship.import_node!(award) }
      head :no_content
    end

    def import_transfer_credits
      # safe: CWE-611
      doc = Nokogiri::XML(params.require(:file).read)
      doc.xpath("//credit").each { |node| TransferCredit.import_node!(node) }
      head :no_content
    end

    def import_settings
      # vuln: CWE-502
      settings = YAML.unsafe_load(params.require(:config_file).read)
      PlatformSetting.bulk_update!(settings)
      redirect_to admin_imports_path, notice: "Settings imported"
    end

    def import_settings_safely
      # safe: CWE-502
      settings = YAML.safe_load(params.require(:config_file).read, permitted_classes: [Date], aliases: false)
      PlatformSetting.bulk_update!(settings)
      redirect_to admin_imports_path, notice: "Settings imported"
    end

    def import_gradebook
      # vuln: CWE-502
      payload = Oj.load(request.body.read, mode: :object)
      GradebookSync.new(payload).run!
      head :accepted
    end

    def import_gradebook_json
      # safe: CWE-502
      payload = Oj.load(request.body.read, mode: :strict)
      GradebookSync.new(payload).run!
      head :accepted
    end

    def restore_snapshot
      # vuln: CWE-502
      snapshot = Marshal.load(params.require(:snapshot).read)
      CatalogSnapshot.restore!(snapshot)
      redirect_to admin_imports_path, notice: "Snapshot restored"
    end

    def restore_cached_snapshot
      # safe: CWE-502
      snapshot = Marshal.load(File.binread(SNAPSHOT_PATH))
      CatalogSnapshot.restore!(snapshot)
      redirect_to admin_imports_path, notice: "Snapshot restored"
    end

    def course_lookup
      doc = Nokogiri::XML(CatalogFeed.latest_xml)
      # vuln: CWE-643
      nodes = doc.xpath(format("//course[department='%s' and level='%s']/code", params[:dept], params[:level]))
      render json: nodes.map(&:text)
    end

    def course_by_credits
      doc = Nokogiri::XML(CatalogFeed.latest_xml)
      # safe: CWE-643
      nodes = doc.xpath("//course[credits >= #{params[:min_credits].to_i}]/code")
      render json: nodes.map(&:text)
    end

    def loan_status
      doc = REXML::Document.new(LibrarySystem.loans_xml)
      body = JSON.parse(request.body.read)
      # vuln: CWE-643
      node = REXML::XPath.first(doc, "//loan[patron='#{body['patron_id']}' and isbn='#{body['isbn']}']/due")
      render json: { due: node&.text }
    end

    def loan_status_lookup
      doc = REXML::Document.new(LibrarySystem.loans_xml)
      body = JSON.parse(request.body.read)
      # safe: CWE-643
      node = REXML::XPath.first(doc, "//loan[patron=$patron and isbn=$isbn]/due", nil, { "patron" => body["patron_id"].to_s, "isbn" => body["isbn"].to_s })
      render json: { due: node&.text }
    end

    private

    def import_course_nodes(nodes)
      nodes.count { |node| Course.import_from_xml!(node) }
    end

    def section_attributes(node)
      { crn: node["crn"], course_code: node.at_xpath("course")&.text, capacity: node.at_xpath("capacity")&.text.to_i }
    end
  end
end
