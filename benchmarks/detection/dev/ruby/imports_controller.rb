require "base64"
require "nokogiri"
require "oj"
require "yaml"

# Bulk imports: XML price lists, saved carts and job definitions.
class ImportsController < ApplicationController
  def prices
    # vuln: CWE-611
    doc = Nokogiri::XML(request.body.read) { |config| config.noent.dtdload }
    render json: { items: doc.xpath("//item").size }
  end

  def catalog
    xml = params.require(:catalog).read
    options = Nokogiri::XML::ParseOptions::DEFAULT_XML | Nokogiri::XML::ParseOptions::NOENT
    # vuln: CWE-611
    doc = Nokogiri::XML::Document.parse(xml, nil, "UTF-8", options)
    render json: { products: doc.root.element_children.size }
  end

  def stock
    # vuln: CWE-611
    doc = LibXML::XML::Document.string(request.raw_post, options: LibXML::XML::Parser::Options::NOENT)
    render json: { skus: doc.find("//sku").size }
  end

  def prices_safe
    # safe: CWE-611
    doc = Nokogiri::XML(request.body.read) { |config| config.strict.nonet }
    render json: { items: doc.xpath("//item").size }
  end

  def catalog_safe
    xml = params.require(:catalog).read
    # safe: CWE-611
    doc = Nokogiri::XML::Document.parse(xml)
    render json: { products: doc.root.element_children.size }
  end

  def stock_safe
    # safe: CWE-611
    data = Hash.from_xml(request.raw_post)
    render json: { skus: Array(data.dig("stock", "sku")).size }
  end

  def restore_cart
    # vuln: CWE-502
    cart = Marshal.load(Base64.decode64(cookies[:saved_cart].to_s))
    render json: { items: cart[:items] }
  end

  def create_job
    # vuln: CWE-502
    definition = YAML.unsafe_load(request.raw_post)
    render json: { name: definition["name"] }
  end

  def restore_report
    state = params.require(:state)
    # vuln: CWE-502
    report = Oj.load(state, mode: :object)
    render json: { title: report.title }
  end

  def restore_cart_safe
    # safe: CWE-502
    cart = JSON.parse(Base64.decode64(cookies[:saved_cart].to_s))
    render json: { items: cart["items"] }
  end

  def create_job_safe
    # safe: CWE-502
    definition = YAML.safe_load(request.raw_post, permitted_classes: [Date])
    render json: { name: definition["name"] }
  end

  def restore_report_safe
    # safe: CWE-502
    report = Oj.load(params.require(:state), mode: :strict)
    render json: { title: report["title"] }
  end
end
