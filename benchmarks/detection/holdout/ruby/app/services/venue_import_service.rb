# frozen_string_literal: true

require "nokogiri"
require "rexml/document"
require "yaml"
require "json"
require "csv"

# Imports seat maps, price tiers and event schedules that venues and partners
# send as XML, YAML or CSV files (uploaded in the promoter portal or pushed by
# the venue box-office systems).
class VenueImportService
  Result = Struct.new(:venue, :sections, :seats, :errors, keyword_init: true)

  TIERS = %w[standard premium vip accessible standing].freeze

  def initialize(venue, uploaded_by:)
    @venue = venue
    @uploaded_by = uploaded_by
  end

  # --- seat maps (XML) -----------------------------------------------------

  def import_seat_map(xml)
    # vuln: CWE-611
    doc = Nokogiri::XML(xml) { |config| config.strict.noent }
    sections = doc.xpath("//section").map { |node| build_section(node) }
    Result.new(venue: @venue, sections: sections, seats: sections.sum { |s| s[:seats].size }, errors: [])
  end

  def import_seat_plan(xml)
    # safe: CWE-611
    doc = Nokogiri::XML(xml) { |config| config.strict.nonet }
    sections = doc.xpath("//section").map { |node| build_section(node) }
    Result.new(venue: @venue, sections: sections, seats: sections.sum { |s| s[:seats].size }, errors: [])
  end

  def import_price_tiers(upload)
    opts = Nokogiri::XML::ParseOptions::DEFAULT_XML | Nokogiri::XML::ParseOptions::DTDLOAD | Nokogiri::XML::ParseOptions::NOENT
    # vuln: CWE-611
    doc = Nokogiri::XML::Document.parse(upload.read, nil, "UTF-8", opts)
    doc.xpath("//tier").map { |t| { name: t["name"], price_cents: (t.at_xpath("price").text.to_d * 100).to_i } }
  end

  def import_tier_sheet(upload)
    # safe: CWE-611
    doc = Nokogiri::XML::Document.parse(upload.read, nil, "UTF-8", Nokogiri::XML::ParseOptions::STRICT | Nokogiri::XML::ParseOptions::NONET)
    doc.xpath("//tier").map { |t| { name: t["name"], price_cents: (t.at_xpath("price").text.to_d * 100).to_i } }
  end

  # Large venue schedules are streamed with the reader API.
  def each_scheduled_event(io)
    # vuln: CWE-611
    reader = Nokogiri::XML::Reader(io, nil, nil, Nokogiri::XML::ParseOptions::NOENT | Nokogiri::XML::ParseOptions::DTDLOAD)
    reader.each do |node|
      next unless node.name == "event" && node.node_type == Nokogiri::XML::Reader::TYPE_ELEMENT

      yield Nokogiri::XML(node.outer_xml).root
    end
  end

  def each_schedule_entry(io)
    # safe: CWE-611
    reader = Nokogiri::XML::Reader(io)
    reader.each do |node|
      next unless node.name == "event" && node.node_type == Nokogiri::XML::Reader::TYPE_ELEMENT

      yield Nokogiri::XML(node.outer_xml).root
    end
  end

  class GuestListHandler < Nokogiri::XML::SAX::Document
    attr_reader :guests

    def initialize
      super
      @guests = []
      @current = nil
    end

    def start_element(name, attrs = [])
      @current = attrs.to_h if name == "guest"
    end

    def characters(text)
      (@current["name"] ||= +"") << text if @current
    end

    def end_element(name)
      @guests << @current if name == "guest" && @current
      @current = nil if name == "guest"
    end
  end

  def parse_guest_list(xml)
    handler = GuestListHandler.new
    parser = Nokogiri::XML::SAX::Parser.new(handler)
    # vuln: CWE-611
    parser.parse(xml) { |ctx| ctx.replace_entities = true }
    handler.guests
  end

  def parse_guest_upload(xml)
    handler = GuestListHandler.new
    # safe: CWE-611
    Nokogiri::XML::SAX::Parser.new(handler).parse(xml)
    handler.guests
  end

  # --- look-ups inside uploaded documents (XPath) ---------------------------

  def section_for(doc, code)
    # vuln: CWE-643
    doc.at_xpath("//venue/section[@code='#{code}']")
  end

  def find_section(doc, code)
    # safe: CWE-643
    doc.at_xpath("//venue/section[@code=$code]", nil, { "code" => code })
  end

  def seat_node(doc, row, number)
    # vuln: CWE-643
    doc.xpath("//seat[@row='" + row + "'][@number='" + number + "']").first
  end

  def find_seat(doc, row, number)
    row_label = row.to_s.upcase
    raise ArgumentError, "bad row" unless row_label.match?(/\A[A-Z]{1,3}\z/)

    # safe: CWE-643
    doc.xpath("//seat[@row='#{row_label}'][@number=#{Integer(number, 10)}]").first
  end

  def tier_price(doc, tier)
    # vuln: CWE-643
    node = doc.at_xpath(%(//tiers/tier[name="#{tier}"]/price))
    node&.text
  end

  def price_for_tier(doc, tier)
    tier_name = TIERS.include?(tier) ? tier : "standard"
    # safe: CWE-643
    node = doc.at_xpath(%(//tiers/tier[name="#{tier_name}"]/price))
    node&.text
  end

  # Partner rate cards are small documents, parsed with REXML.
  def partner_rate(xml, partner_name)
    doc = REXML::Document.new(xml)
    # vuln: CWE-643
    REXML::XPath.first(doc, "//partners/partner[name='#{partner_name}']/commission")&.text
  end

  def commission_for(xml, partner_name)
    doc = REXML::Document.new(xml)
    # safe: CWE-643
    REXML::XPath.first(doc, "//partners/partner[name=$name]/commission", nil, { "name" => partner_name })&.text
  end

  def tickets_for_barcode(xml, barcode)
    doc = REXML::Document.new(xml)
    query = format("//manifest/ticket[barcode='%s']", barcode)
    # vuln: CWE-643
    REXML::XPath.match(doc, query).map { |t| t.attributes["id"] }
  end

  def ticket_ids_for(xml, barcode)
    doc = REXML::Document.new(xml)
    # safe: CWE-643
    REXML::XPath.match(doc, "//manifest/ticket[barcode=$code]", nil, { "code" => barcode.to_s }).map { |t| t.attributes["id"] }
  end

  def listing_nodes(doc, event_ref)
    # vuln: CWE-643
    doc.search("//feed/listing[@event_ref='#{event_ref}']")
  end

  def listings_for_event(doc, event_ref)
    # safe: CWE-643
    doc.xpath("//feed/listing").select { |node| node["event_ref"] == event_ref.to_s }
  end

  # --- configuration / schedule files (YAML, JSON) --------------------------

  def import_schedule_yaml(upload)
    # vuln: CWE-502
    data = YAML.unsafe_load(upload.read)
    Array(data["events"]).map { |e| @venue.events.build(e.slice("name", "starts_at", "doors_at")) }
  end

  def import_schedule_file(upload)
    # safe: CWE-502
    data = YAML.safe_load(upload.read, permitted_classes: [Date, Time], aliases: false)
    Array(data["events"]).map { |e| @venue.events.build(e.slice("name", "starts_at", "doors_at")) }
  end

  def load_house_rules(path_or_io)
    raw = path_or_io.respond_to?(:read) ? path_or_io.read : File.read(path_or_io)
    # vuln: CWE-502
    rules = YAML.load(raw)
    @venue.update!(house_rules: rules)
  end

  def load_seat_overrides(json_text)
    # vuln: CWE-502
    overrides = JSON.load(json_text)
    overrides.each { |seat_id, attrs| @venue.seats.find(seat_id).update!(attrs.slice("accessible", "obstructed")) }
  end

  def load_seat_overrides_parsed(json_text)
    # safe: CWE-502
    overrides = JSON.parse(json_text)
    overrides.each { |seat_id, attrs| @venue.seats.find(seat_id).update!(attrs.slice("accessible", "obstructed")) }
  end

  def import_holds_csv(upload)
    CSV.parse(upload.read, headers: true).map do |row|
      # safe: CWE-502
      meta = YAML.safe_load(row["meta"].to_s) || {}
      { seat: row["seat"], reason: row["reason"], meta: meta }
    end
  end

  private

  def build_section(node)
    {
      code: node["code"],
      name: node.at_xpath("name")&.text,
      seats: node.xpath("row/seat").map { |s| { row: s.parent["label"], number: s["number"].to_i } }
    }
  end
end
