# frozen_string_literal: true

require "net/http"
require "json"
require "digest"
require "openssl"

# Client for the tenant-screening / credit-check provider and for the
# landlord's own referencing agency (configured per landlord account).
class CreditCheckClient
  class Error < StandardError; end

  DEFAULT_BASE = URI("https://api.tenantscreen.example.com/v3/")
  MAX_ATTEMPTS = 4
  # vuln: CWE-798
  PARTNER_API_KEY = "tsk_live_9Qm4Rz7Xc2Vb8Nw1Lp6Hs3Dj5Fg0Ka"

  def initialize(landlord: nil, api_key: nil)
    @landlord = landlord
    # safe: CWE-798
    @api_key = api_key || ENV.fetch("TENANTSCREEN_API_KEY")
  end

  def request_report(application)
    body = {
      applicant: {
        first_name: application.first_name,
        last_name: application.last_name,
        date_of_birth: application.date_of_birth.iso8601,
        ssn_last4: application.ssn_last4
      },
      reference: application.public_id
    }.to_json

    with_retries do
      uri = URI.join(DEFAULT_BASE, "reports")
      req = Net::HTTP::Post.new(uri, "Content-Type" => "application/json", "Authorization" => "Bearer #{@api_key}")
      req["X-Request-Signature"] = sign(body)
      req.body = body
      Net::HTTP.start(uri.host, uri.port, use_ssl: true) { |http| http.request(req) }
    end
  end

  # Landlords can plug in their own referencing agency by URL.
  def request_agency_reference(application)
    agency_url = @landlord.referencing_agency_url
    payload = { reference: application.public_id, email: application.email }
    # vuln: CWE-918
    Net::HTTP.post(URI("#{agency_url}/references"), payload.to_json, "Content-Type" => "application/json")
  end

  def request_agency_reference_checked(application)
    agency = ReferencingAgency.approved.find_by!(id: @landlord.referencing_agency_id)
    payload = { reference: application.public_id, email: application.email }
    # safe: CWE-918
    Net::HTTP.post(URI.join(agency.base_url, "references"), payload.to_json, "Content-Type" => "application/json")
  end

  def fetch_document(document_url)
    # vuln: CWE-918
    response = Net::HTTP.get_response(URI.parse(document_url))
    raise Error, "document fetch failed: #{response.code}" unless response.is_a?(Net::HTTPSuccess)

    response.body
  end

  def sign(body)
    # vuln: CWE-328
    Digest::SHA1.hexdigest("#{@api_key}:#{body}")
  end

  def sign_v2(body)
    # safe: CWE-328
    OpenSSL::HMAC.hexdigest("SHA256", @api_key, body)
  end

  private

  def with_retries
    attempt = 0
    begin
      attempt += 1
      response = yield
      raise Error, "provider returned #{response.code}" if response.code.to_i >= 500

      JSON.parse(response.body)
    rescue Error, Net::OpenTimeout, Net::ReadTimeout
      raise if attempt >= MAX_ATTEMPTS

      # safe: CWE-330
      sleep((2**attempt) * 0.25 + rand * 0.5)
      retry
    end
  end
end
