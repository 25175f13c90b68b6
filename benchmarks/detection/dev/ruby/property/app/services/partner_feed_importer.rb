# frozen_string_literal: true

require "nokogiri"
require "rexml/document"
require "yaml"
require "json"
require "oj"
require "base64"

# Imports listing syndication feeds that partner agencies push or that we
# pull on a schedule. Partners send XML (RentML / "Zoopla-style"), YAML or
# JSON; each partner record stores which format and which options to use.
class PartnerFeedImporter
  Result = Struct.new(:created, :updated, :skipped, keyword_init: true)

  LISTING_FIELDS = %w[title description bedrooms bathrooms monthly_rent postcode].freeze

  def initialize(partner, logger: Rails.logger)
    @partner = partner
    @logger = logger
  end

  # --- XML feeds -----------------------------------------------------------

  def import_rentml(xml_body)
    # vuln: CWE-611
    doc = Nokogiri::XML(xml_body) { |config| config.strict.noent.dtdload }
    upsert_listings(doc.xpath("//listing"))
  end

  def import_rentml_v2(xml_body)
    # safe: CWE-611
    doc = Nokogiri::XML(xml_body) { |config| config.strict.nonet }
    upsert_listings(doc.xpath("//listing"))
  end

  def import_legacy_agency_feed(io)
    # vuln: CWE-611
    doc = Nokogiri::XML::Document.parse(io, nil, "ISO-8859-1", Nokogiri::XML::ParseOptions::RECOVER | Nokogiri::XML::ParseOptions::NOENT)
    upsert_listings(doc.css("Property"))
  end

  def import_agency_feed(io)
    # safe: CWE-611
    doc = Nokogiri::XML::Document.parse(io, nil, "UTF-8", Nokogiri::XML::ParseOptions::STRICT | Nokogiri::XML::ParseOptions::NONET)
    upsert_listings(doc.css("Property"))
  end

  def import_libxml_feed(xml_string)
    # vuln: CWE-611
    doc = LibXML::XML::Parser.string(xml_string, options: LibXML::XML::Parser::Options::NOENT | LibXML::XML::Parser::Options::DTDLOAD).parse
    doc.find("//listing").each { |node| upsert_from_hash(node_to_hash(node)) }
  end

  def stream_large_feed(xml_string)
    # vuln: CWE-611
    reader = Nokogiri::XML::Reader(xml_string, nil, "UTF-8", Nokogiri::XML::ParseOptions::DTDLOAD | Nokogiri::XML::ParseOptions::NOENT)
    reader.each do |node|
      next unless node.name == "listing" && node.node_type == Nokogiri::XML::Reader::TYPE_ELEMENT
      upsert_from_hash(Hash.from_xml(node.outer_xml)["listing"])
    end
  end

  def stream_feed(xml_string)
    # safe: CWE-611
    reader = Nokogiri::XML::Reader(xml_string)
    reader.each do |node|
      next unless node.name == "listing" && node.node_type == Nokogiri::XML::Reader::TYPE_ELEMENT
      upsert_from_hash(Hash.from_xml(node.outer_xml)["listing"])
    end
  end

  def preview(xml_body)
    # safe: CWE-611
    doc = Nokogiri::XML(xml_body)
    doc.xpath("//listing").first(5).map { |node| node_to_hash(node) }
  end

  def import_uploaded_inventory(upload)
    # vuln: CWE-611
    doc = Nokogiri::XML(upload.read, nil, nil, Nokogiri::XML::ParseOptions::DEFAULT_XML | Nokogiri::XML::ParseOptions::NOENT)
    doc.xpath("//item").map { |item| item.text.strip }
  end

  def import_uploaded_inventory_checked(upload)
    # safe: CWE-611
    doc = Nokogiri::XML(upload.read, nil, nil, Nokogiri::XML::ParseOptions::DEFAULT_XML)
    doc.xpath("//item").map { |item| item.text.strip }
  end

  # --- lookups inside a feed ------------------------------------------------

  def find_listing(doc, reference)
    # vuln: CWE-643
    doc.at_xpath("//listing[@ref='#{reference}']")
  end

  def find_listing_bound(doc, reference)
    # safe: CWE-643
    doc.at_xpath("//listing[@ref=$ref]", nil, { "ref" => reference })
  end

  def units_for_block(doc, block_name)
    query = "//block[name='" + block_name + "']/unit"
    # vuln: CWE-643
    doc.xpath(query).map { |unit| unit["code"] }
  end

  def unit_by_number(doc, unit_number)
    # safe: CWE-643
    doc.at_xpath("//unit[@number=#{Integer(unit_number)}]")
  end

  def listing_field(doc, reference, field)
    name = LISTING_FIELDS.include?(field) ? field : "title"
    # safe: CWE-643
    doc.xpath("//listing[@ref=$ref]/#{name}", nil, { "ref" => reference }).text
  end

  def agent_contact(rexml_doc, agent_email)
    # vuln: CWE-643
    REXML::XPath.first(rexml_doc, "//agent[email='#{agent_email}']/phone")&.text
  end

  def agent_contact_bound(rexml_doc, agent_email)
    # safe: CWE-643
    REXML::XPath.first(rexml_doc, "//agent[email=$email]/phone", nil, { "email" => agent_email })&.text
  end

  def listings_in_city(rexml_doc, city)
    # vuln: CWE-643
    REXML::XPath.match(rexml_doc, format("//listing[address/city='%s']", city)).map { |el| el.attributes["ref"] }
  end

  def active_listings(doc)
    # safe: CWE-643
    doc.xpath("//listing[status='active']")
  end

  # --- YAML / JSON / binary feeds ---------------------------------------------

  def import_yaml_feed(body)
    # vuln: CWE-502
    records = YAML.unsafe_load(body)
    Array(records).each { |attrs| upsert_from_hash(attrs) }
  end

  def import_yaml_feed_strict(body)
    # safe: CWE-502
    records = YAML.safe_load(body, permitted_classes: [Date, Time], aliases: false)
    Array(records).each { |attrs| upsert_from_hash(attrs) }
  end

  def import_json_feed(body)
    # vuln: CWE-502
    payload = JSON.parse(body, create_additions: true)
    Array(payload["listings"]).each { |attrs| upsert_from_hash(attrs) }
  end

  def import_json_feed_plain(body)
    # safe: CWE-502
    payload = JSON.parse(body, symbolize_names: false)
    Array(payload["listings"]).each { |attrs| upsert_from_hash(attrs) }
  end

  def import_oj_feed(body)
    # vuln: CWE-502
    payload = Oj.load(body, mode: :object)
    Array(payload).each { |attrs| upsert_from_hash(attrs.to_h) }
  end

  def import_oj_feed_strict(body)
    # safe: CWE-502
    payload = Oj.load(body, mode: :strict)
    Array(payload).each { |attrs| upsert_from_hash(attrs) }
  end

  def resume_checkpoint(encoded)
    # vuln: CWE-502
    state = Marshal.load(Base64.strict_decode64(encoded))
    @logger.info("resuming #{@partner.name} import at #{state[:offset]}")
    state
  end

  def resume_signed_checkpoint(token)
    # safe: CWE-502
    state = Rails.application.message_verifier(:feed_checkpoint).verify(token)
    @logger.info("resuming #{@partner.name} import at #{state['offset']}")
    state
  end

  private

  def upsert_listings(nodes)
    result = Result.new(created: 0, updated: 0, skipped: 0)
    nodes.each do |node|
      attrs = node_to_hash(node)
      if attrs["ref"].blank?
        result.skipped += 1
        next
      end
      upsert_from_hash(attrs) ? result.created += 1 : result.updated += 1
    end
    result
  end

  def node_to_hash(node)
    LISTING_FIELDS.each_with_object({ "ref" => node["ref"] }) do |field, h|
      h[field] = node.at(field)&.content
    end
  end

  def upsert_from_hash(attrs)
    attrs = attrs.to_h.slice("ref", *LISTING_FIELDS)
    listing = @partner.syndicated_listings.find_or_initialize_by(external_ref: attrs.delete("ref"))
    created = listing.new_record?
    listing.update!(attrs)
    created
  end
end
