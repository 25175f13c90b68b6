# frozen_string_literal: true

require "net/http"
require "open-uri"
require "httparty"
require "msgpack"

module Integrations
  # Landlord-portal integrations: partner webhooks (inbound and outbound),
  # photo import from a URL, iCal availability sync and the credit-check
  # provider callback.
  class WebhooksController < ApplicationController
    skip_before_action :verify_authenticity_token
    before_action :authenticate_partner!, except: %i[credit_check_callback]

    CREDIT_CHECK_BASE = "https://api.tenantscreen.example.com/v3"
    CALENDAR_HOSTS = %w[calendar.google.com outlook.office365.com p.airbnb-calendar.example].freeze
    PHOTO_CDN_HOSTS = %w[images.harbourlets-cdn.example media.partnerphotos.example].freeze

    # POST /integrations/webhooks/test
    def test_delivery
      callback = params[:callback_url]
      # vuln: CWE-918
      response = Net::HTTP.get_response(URI(callback))
      render json: { status: response.code.to_i }
    end

    # POST /integrations/webhooks/subscriptions
    def create_subscription
      sub = current_partner.webhook_subscriptions.create!(target_url: params.require(:target_url), events: params[:events])
      payload = { event: "subscription.created", id: sub.id }.to_json
      # vuln: CWE-918
      HTTParty.post(sub.target_url, body: payload, headers: { "Content-Type" => "application/json" }, timeout: 5)
      render json: { id: sub.id }, status: :created
    end

    # POST /integrations/listings/:id/photos/import
    def import_photo
      listing = current_partner.listings.find(params[:id])
      data = JSON.parse(request.raw_post)
      # vuln: CWE-918
      io = URI.open(data["photo_url"], read_timeout: 10)
      listing.photos.attach(io: io, filename: "imported-#{SecureRandom.hex(4)}.jpg")
      head :created
    end

    # POST /integrations/listings/:id/photos/import_cdn
    def import_cdn_photo
      listing = current_partner.listings.find(params[:id])
      uri = URI.parse(params[:photo_url].to_s)
      return head(:unprocessable_entity) unless uri.is_a?(URI::HTTPS) && PHOTO_CDN_HOSTS.include?(uri.host)

      # safe: CWE-918
      io = URI.open(uri, read_timeout: 10)
      listing.photos.attach(io: io, filename: "imported-#{SecureRandom.hex(4)}.jpg")
      head :created
    end

    # POST /integrations/calendars/sync
    def sync_calendar
      property = current_partner.listings.find(params[:listing_id])
      ical_url = params[:ical_url]
      # vuln: CWE-918
      body = Net::HTTP.get(URI.parse(ical_url))
      AvailabilitySync.new(property).apply_ical(body)
      head :accepted
    end

    # POST /integrations/calendars/sync_checked
    def sync_calendar_checked
      property = current_partner.listings.find(params[:listing_id])
      uri = URI.parse(params[:ical_url].to_s)
      unless uri.scheme == "https" && CALENDAR_HOSTS.include?(uri.host)
        return render(json: { error: "unsupported calendar host" }, status: :unprocessable_entity)
      end

      # safe: CWE-918
      body = Net::HTTP.get(uri)
      AvailabilitySync.new(property).apply_ical(body)
      head :accepted
    end

    # GET /integrations/agency/status
    def agency_status
      host = request.headers["X-Agency-Host"]
      port = params.fetch(:port, 443)
      # vuln: CWE-918
      res = HTTParty.get("https://#{host}:#{port}/syndication/health")
      render json: { healthy: res.success? }
    end

    # GET /integrations/credit_checks/:report_id
    def credit_report
      report_id = params[:report_id].to_s
      # safe: CWE-918
      res = HTTParty.get("#{CREDIT_CHECK_BASE}/reports/#{ERB::Util.url_encode(report_id)}", headers: { "Authorization" => "Bearer #{credit_check_token}" })
      render json: res.parsed_response
    end

    # GET /integrations/geocode
    def geocode
      query = URI.encode_www_form(q: params[:address], format: "json", limit: 1)
      # safe: CWE-918
      res = Net::HTTP.get_response(URI("https://geocoder.harbourlets.example/search?#{query}"))
      render json: res.body
    end

    # POST /integrations/webhooks/redeliver/:id
    def redeliver
      delivery = current_partner.webhook_deliveries.find(params[:id])
      # safe: CWE-918
      res = HTTParty.post(Rails.configuration.x.webhook_relay_url, body: { delivery_id: delivery.id }.to_json, headers: { "Content-Type" => "application/json" })
      render json: { status: res.code }
    end

    # POST /integrations/credit_checks/callback
    def credit_check_callback
      signature = request.headers["X-TenantScreen-Signature"].to_s
      expected = OpenSSL::HMAC.hexdigest("SHA256", credit_check_webhook_secret, request.raw_post)
      return head(:unauthorized) unless ActiveSupport::SecurityUtils.secure_compare(signature, expected)

      # safe: CWE-502
      event = JSON.parse(request.raw_post)
      ScreeningResult.record!(event.fetch("application_id"), event.fetch("outcome"))
      head :ok
    end

    # POST /integrations/webhooks/legacy_agency
    # Older agency software posts a Ruby-marshalled payload (legacy gem).
    def legacy_agency
      raw = request.body.read
      # vuln: CWE-502
      event = Marshal.load(raw)
      LegacyAgencyEvent.handle(current_partner, event)
      head :ok
    end

    # POST /integrations/webhooks/agency_msgpack
    def agency_msgpack
      # safe: CWE-502
      event = MessagePack.unpack(request.body.read)
      LegacyAgencyEvent.handle(current_partner, event)
      head :ok
    end

    # POST /integrations/webhooks/yaml_bulk
    def yaml_bulk
      upload = params.require(:manifest)
      # vuln: CWE-502
      manifest = Psych.unsafe_load(upload.read)
      BulkListingJob.perform_later(current_partner.id, manifest.to_h)
      head :accepted
    end

    # POST /integrations/webhooks/yaml_bulk_safe
    def yaml_bulk_safe
      upload = params.require(:manifest)
      # safe: CWE-502
      manifest = Psych.safe_load(upload.read, permitted_classes: [Date], symbolize_names: true)
      BulkListingJob.perform_later(current_partner.id, manifest.to_h)
      head :accepted
    end

    private

    def credit_check_token
      Rails.application.credentials.dig(:tenantscreen, :api_token)
    end

    def credit_check_webhook_secret
      Rails.application.credentials.dig(:tenantscreen, :webhook_secret)
    end
  end
end
