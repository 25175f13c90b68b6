require "base64"
require "libxml"
require "nokogiri"
require "ox"
require "yaml"

# EDI and partner-file imports: XML manifests, saved filters and job payloads.
class EdiImportsController < ApplicationController
  def manifest
    xml = request.raw_post
    # vuln: CWE-611
    doc = Nokogiri::XML::Document.parse(xml, nil, nil, Nokogiri::XML::ParseOptions::DTDLOAD | Nokogiri::XML::ParseOptions::NOENT)
    render json: { consignments: doc.xpath("//consignment").size }
  end

  def invoice
    upload = params.require(:invoice)
    # vuln: CWE-611
    doc = Nokogiri::XML(upload.read, nil, "UTF-8", Nokogiri::XML::ParseOptions::NOENT)
    render json: { lines: doc.xpath("//line").size }
  end

  def customs
    # vuln: CWE-611
    parser = LibXML::XML::Parser.string(request.raw_post, options: LibXML::XML::Parser::Options::NOENT | LibXML::XML::Parser::Options::DTDLOAD)
    render json: { entries: parser.parse.find("//entry").size }
  end

  def manifest_safe
    # safe: CWE-611
    doc = Nokogiri::XML(request.raw_post) { |config| config.strict.nonet.noblanks }
    render json: { consignments: doc.xpath("//consignment").size }
  end

  def invoice_safe
    # safe: CWE-611
    doc = Nokogiri::XML::Document.parse(params.require(:invoice).read, nil, "UTF-8", Nokogiri::XML::ParseOptions::STRICT | Nokogiri::XML::ParseOptions::NONET)
    render json: { lines: doc.xpath("//line").size }
  end

  def customs_safe
    # safe: CWE-611
    doc = Ox.load(request.raw_post, mode: :generic)
    render json: { entries: doc.locate("customs/entry").size }
  end

  def saved_filter
    # vuln: CWE-502
    filter = Marshal.load(Base64.urlsafe_decode64(params[:f]))
    render json: filter
  end

  def job_payload
    # vuln: CWE-502
    job = Psych.unsafe_load(request.raw_post)
    render json: { name: job["name"] }
  end

  def route_plan
    # vuln: CWE-502
    plan = Ox.load(request.raw_post, mode: :object)
    render json: { stops: plan.stops.size }
  end

  def saved_filter_safe
    # safe: CWE-502
    filter = JSON.parse(Base64.urlsafe_decode64(params[:f]))
    render json: filter
  end

  def job_payload_safe
    # safe: CWE-502
    job = Psych.safe_load(request.raw_post, permitted_classes: [Date])
    render json: { name: job["name"] }
  end

  def route_plan_safe
    # safe: CWE-502
    plan = Ox.load(request.raw_post, mode: :hash)
    render json: { stops: Array(plan.dig(:plan, :stop)).size }
  end
end
