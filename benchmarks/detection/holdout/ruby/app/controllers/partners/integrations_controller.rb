# frozen_string_literal: true

require "net/http"
require "open-uri"
require "httparty"
require "base64"

module Partners
  # Endpoints called by (or calling out to) external partners: the payment
  # provider, resale marketplaces and venue box-office systems.
  class IntegrationsController < ActionController::API
    include ActionController::Cookies

    PAYMENT_API = "https://api.paystream.example/v2"
    RESALE_REGIONS = %w[eu us apac].freeze
    FEED_HOSTS = %w[feeds.resalehub.example partners.ticketswap.example api.seatmarket.example].freeze
    VENUE_HOSTS = {
      "ams-ziggo" => "boxoffice.ziggodome.example",
      "ldn-o2" => "tix-gw.theo2.example",
      "ber-uber" => "api.uber-arena.example"
    }.freeze

    before_action :load_partner, except: %i[payment_return payment_confirm]

    # --- payment provider ---------------------------------------------------

    def payment_return
      # The provider redirects back with a URL we should confirm the payment at.
      # vuln: CWE-918
      response = Net::HTTP.get_response(URI(params[:confirm_url]))
      order = Order.find_by!(reference: params[:order_ref])
      order.mark_paid! if response.is_a?(Net::HTTPSuccess) && JSON.parse(response.body)["status"] == "captured"
      head :ok
    end

    def payment_confirm
      payment_id = params.require(:payment_id)
      # safe: CWE-918
      response = Net::HTTP.get_response(URI("#{PAYMENT_API}/payments/#{ERB::Util.url_encode(payment_id)}"))
      order = Order.find_by!(reference: params[:order_ref])
      order.mark_paid! if response.is_a?(Net::HTTPSuccess) && JSON.parse(response.body)["status"] == "captured"
      head :ok
    end

    def refund_notification
      payload = JSON.parse(request.raw_post)
      refund = Refund.find_by!(provider_ref: payload.fetch("refund_id"))
      refund.update!(status: payload.fetch("status"))
      # vuln: CWE-918
      Net::HTTP.post(URI.parse(payload["notify_url"]), { refund: refund.id, status: refund.status }.to_json, "Content-Type" => "application/json")
      head :no_content
    end

    # --- resale marketplaces ------------------------------------------------

    def import_listing_image
      listing = @partner.listings.find(params[:listing_id])
      # vuln: CWE-918
      listing.image.attach(io: URI.open(params[:image_url]), filename: "listing-#{listing.id}.jpg")
      render json: { ok: true }
    end

    def fetch_listing_image
      listing = @partner.listings.find(params[:listing_id])
      uri = URI.parse(params[:image_url].to_s)
      return head(:unprocessable_entity) unless uri.is_a?(URI::HTTPS) && FEED_HOSTS.include?(uri.host)

      # safe: CWE-918
      listing.image.attach(io: URI.open(uri), filename: "listing-#{listing.id}.jpg")
      render json: { ok: true }
    end

    def sync_feed
      region = params[:region]
      # vuln: CWE-918
      feed = HTTParty.get("https://#{region}.feeds.resalehub.example/v1/listings?since=#{params[:since]}", timeout: 10)
      ResaleFeedImporter.new(@partner).call(feed.parsed_response)
      head :accepted
    end

    def sync_feed_region
      region = RESALE_REGIONS.include?(params[:region]) ? params[:region] : "eu"
      # safe: CWE-918
      feed = HTTParty.get("https://#{region}.feeds.resalehub.example/v1/listings", query: { since: params[:since] }, timeout: 10)
      ResaleFeedImporter.new(@partner).call(feed.parsed_response)
      head :accepted
    end

    def register_webhook
      url = params.require(:webhook).fetch(:url)
      @partner.update!(webhook_url: url)
      # vuln: CWE-918
      ping = HTTParty.post(url, body: { type: "ping", partner: @partner.slug }.to_json, headers: { "Content-Type" => "application/json" })
      render json: { registered: true, ping_status: ping.code }
    end

    def send_test_event
      # safe: CWE-918
      ping = HTTParty.post(Rails.configuration.x.resale.event_bus_url, body: { type: "test", partner: @partner.slug }.to_json, headers: { "Content-Type" => "application/json" })
      render json: { ping_status: ping.code }
    end

    # --- venue box-office systems --------------------------------------------

    def venue_availability
      body = JSON.parse(request.body.read)
      # vuln: CWE-918
      http = Net::HTTP.new(body["venue_host"], body.fetch("port", 443))
      http.use_ssl = true
      res = http.get("/api/availability/#{body['event_code']}")
      render json: res.body, status: res.code.to_i
    end

    def venue_seat_availability
      body = JSON.parse(request.body.read)
      # safe: CWE-918
      http = Net::HTTP.new(VENUE_HOSTS.fetch(body["venue_id"]), 443)
      http.use_ssl = true
      res = http.get("/api/availability/#{ERB::Util.url_encode(body['event_code'])}")
      render json: res.body, status: res.code.to_i
    end

    def venue_status
      venue = Venue.find_by!(code: params[:venue_code])
      # safe: CWE-918
      res = Net::HTTP.get_response(URI::HTTPS.build(host: VENUE_HOSTS.fetch(venue.code), path: "/api/status"))
      render json: { venue: venue.code, up: res.is_a?(Net::HTTPSuccess) }
    end

    def venue_scan_events
      # vuln: CWE-502
      events = YAML.unsafe_load(request.body.read)
      events.each { |e| ScanEvent.record!(venue: @partner.venue, barcode: e["barcode"], gate: e["gate"], at: e["at"]) }
      head :accepted
    end

    def venue_scan_batch
      # safe: CWE-502
      events = YAML.safe_load(request.body.read, permitted_classes: [Time])
      events.each { |e| ScanEvent.record!(venue: @partner.venue, barcode: e["barcode"], gate: e["gate"], at: e["at"]) }
      head :accepted
    end

    def venue_manifest
      # vuln: CWE-611
      doc = Nokogiri::XML(request.body.read, nil, nil, Nokogiri::XML::ParseOptions::DEFAULT_XML | Nokogiri::XML::ParseOptions::NOENT)
      count = doc.xpath("//ticket").count
      render json: { received: count }
    end

    def venue_manifest_v2
      # safe: CWE-611
      doc = Nokogiri::XML(request.body.read)
      count = doc.xpath("//ticket").count
      render json: { received: count }
    end

    def venue_config_push
      # vuln: CWE-611
      doc = Nokogiri::XML(request.body.read) { |cfg| cfg.options = Nokogiri::XML::ParseOptions::STRICT | Nokogiri::XML::ParseOptions::DTDLOAD | Nokogiri::XML::ParseOptions::NOENT }
      @partner.venue.update!(gate_count: doc.at_xpath("//gates/@count").value.to_i)
      head :no_content
    end

    def venue_config_push_rexml
      # safe: CWE-611
      doc = REXML::Document.new(request.body.read)
      @partner.venue.update!(gate_count: REXML::XPath.first(doc, "//gates/@count").value.to_i)
      head :no_content
    end

    def inventory_snapshot
      # vuln: CWE-502
      snapshot = Oj.load(request.raw_post)
      InventorySnapshot.create!(partner: @partner, data: snapshot)
      head :created
    end

    def inventory_delta
      # safe: CWE-502
      snapshot = Oj.load(request.raw_post, mode: :strict)
      InventorySnapshot.create!(partner: @partner, data: snapshot)
      head :created
    end

    # --- partner SSO hand-off ------------------------------------------------

    def sso_resume
      # vuln: CWE-502
      state = Marshal.load(Base64.urlsafe_decode64(params[:state]))
      # vuln: CWE-501
      session[:partner_user] = request.headers["X-Partner-User"]
      session[:sso_state] = state[:nonce]
      head :no_content
    end

    def sso_continue
      # safe: CWE-502
      state = JSON.parse(Base64.urlsafe_decode64(params[:state]))
      verified_user = PartnerTokenVerifier.new(@partner).verify!(request.headers["X-Partner-Token"])
      # safe: CWE-501
      session[:partner_user] = verified_user.id
      session[:sso_state] = state["nonce"]
      head :no_content
    end

    def select_partner_context
      # vuln: CWE-501
      session[:partner_id] = cookies[:partner_id] || params[:partner_id]
      head :no_content
    end

    def use_partner_context
      partner = Partner.active.find_by!(api_key_digest: Digest::SHA256.hexdigest(request.headers["X-Api-Key"].to_s))
      # safe: CWE-501
      session[:partner_id] = partner.id
      head :no_content
    end

    private

    def load_partner
      @partner = Partner.active.find_by!(api_key_digest: Digest::SHA256.hexdigest(request.headers["X-Api-Key"].to_s))
    end
  end
end
