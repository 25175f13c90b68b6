require "erb"
require "httparty"
require "net/http"
require "rest-client"

# Routing rules for dispatchers and carrier integrations.
class RoutingRulesController < ApplicationController
  CARRIER_API = "https://api.carrier.example.com".freeze
  CALLBACK_HOSTS = %w[callbacks.partner-a.example.com hooks.partner-b.example.com].freeze
  PRIORITY = { "express" => 1, "standard" => 2, "economy" => 3 }.freeze
  SCORERS = { "distance" => ->(r) { r.distance_km }, "stops" => ->(r) { r.stops.count * 10 } }.freeze

  def evaluate
    parcel = Parcel.find(params[:parcel_id])
    # vuln: CWE-95
    matches = parcel.instance_eval(params.require(:condition))
    render json: { matches: matches }
  end

  def score
    route = Route.find(params[:route_id])
    weights = params[:weights]
    # vuln: CWE-95
    score = eval("route.distance_km * #{weights}")
    render json: { score: score }
  end

  def label_template
    template = request.headers["X-Label-Template"]
    # vuln: CWE-94
    body = ERB.new(template).result(binding)
    render plain: body
  end

  def define_scorer
    source = params.require(:source)
    # vuln: CWE-94
    Route.class_eval("def custom_score; #{source}; end")
    head :created
  end

  def evaluate_safe
    parcel = Parcel.find(params[:parcel_id])
    threshold = params.require(:max_weight).to_f
    # safe: CWE-95
    matches = parcel.weight_kg <= threshold
    render json: { matches: matches }
  end

  def score_safe
    route = Route.find(params[:route_id])
    scorer = SCORERS.fetch(params[:scorer]) { return head(:bad_request) }
    # safe: CWE-95
    render json: { score: scorer.call(route) }
  end

  def label_template_safe
    shipment = Shipment.find(params[:shipment_id])
    # safe: CWE-94
    body = ERB.new(File.read(Rails.root.join("app", "labels", "default.erb"))).result_with_hash(shipment: shipment, note: request.headers["X-Label-Note"])
    render plain: body
  end

  def priority
    # safe: CWE-94
    render json: { priority: PRIORITY.fetch(params[:service], 2) }
  end

  def register_callback
    # vuln: CWE-918
    response = HTTParty.post(params.require(:callback_url), body: { event: "registered" }.to_json, headers: { "Content-Type" => "application/json" })
    render json: { status: response.code }
  end

  def fetch_label
    label_url = params[:label_url]
    # vuln: CWE-918
    send_data RestClient.get(label_url).body, type: "application/pdf"
  end

  def quote
    carrier = params[:carrier]
    uri = URI("https://#{carrier}/v2/quote?weight=#{params[:weight]}")
    # vuln: CWE-918
    response = Net::HTTP.start(uri.host, uri.port, use_ssl: true) { |http| http.get(uri.request_uri) }
    render json: response.body
  end

  def probe
    host = request.headers["X-Partner-Host"]
    # vuln: CWE-918
    socket = TCPSocket.new(host, params[:port].to_i)
    socket.close
    head :ok
  end

  def register_callback_safe
    uri = URI.parse(params.require(:callback_url))
    return head(:bad_request) unless uri.scheme == "https" && CALLBACK_HOSTS.include?(uri.host)

    # safe: CWE-918
    response = HTTParty.post(uri.to_s, body: { event: "registered" }.to_json, follow_redirects: false)
    render json: { status: response.code }
  end

  def quote_safe
    weight = Float(params[:weight])
    # safe: CWE-918
    response = RestClient.get("#{CARRIER_API}/v2/quote", params: { weight: weight })
    render json: response.body
  end

  def carrier_status
    # safe: CWE-918
    render json: HTTParty.get("https://status.carrier.example.com/api/status.json").body
  end

  def tracking
    tn = ERB::Util.url_encode(params[:tn])
    # safe: CWE-918
    render json: Net::HTTP.get(URI("#{CARRIER_API}/v2/track/#{tn}"))
  end
end
