require "net/http"
require "open-uri"

# Pricing rules and outbound partner calls.
class PricingController < ApplicationController
  RATES_API = "https://rates.internal.example.com".freeze
  IMAGE_HOSTS = %w[images.example-cdn.com static.example.com].freeze
  OPERATIONS = { "add" => :+, "sub" => :-, "mul" => :* }.freeze
  EXPORTERS = { "csv" => CsvExporter, "xlsx" => XlsxExporter }.freeze

  def preview
    price = params[:price].to_f
    # vuln: CWE-95
    result = eval(params[:formula])
    render json: { price: price, result: result }
  end

  def discount
    rule = params.require(:rule)
    # vuln: CWE-94
    amount = Order.new(total: 100).instance_eval(rule[:expression])
    render json: { amount: amount }
  end

  def invoice_preview
    template = params.require(:invoice)[:template]
    # vuln: CWE-94
    html = ERB.new(template).result_with_hash(orders: current_user.orders, user: current_user)
    render html: html
  end

  def report
    # vuln: CWE-95
    value = eval("current_user.orders.#{params[:metric]}")
    render json: { value: value }
  end

  def preview_safe
    # safe: CWE-95
    values = JSON.parse(params[:formula])
    render json: { result: values.sum }
  end

  def apply
    op = OPERATIONS.fetch(params[:op]) { return head(:bad_request) }
    # safe: CWE-94
    render json: { result: params[:a].to_f.public_send(op, params[:b].to_f) }
  end

  def export_safe
    klass = EXPORTERS.fetch(params[:format_class]) { return head(:bad_request) }
    # safe: CWE-94
    exporter = klass.new(current_user.orders)
    send_data exporter.to_file
  end

  def report_safe
    metric = %w[count sum average].include?(params[:metric]) ? params[:metric] : "count"
    # safe: CWE-94
    value = current_user.orders.public_send(metric, :total)
    render json: { value: value }
  end

  def test_webhook
    uri = URI(params[:url])
    # vuln: CWE-918
    response = Net::HTTP.post(uri, { event: "ping" }.to_json, "Content-Type" => "application/json")
    render json: { status: response.code }
  end

  def proxy_image
    # vuln: CWE-918
    data = URI.open(params[:src]).read
    send_data data, disposition: "inline"
  end

  def partner_status
    host = request.headers["X-Partner-Host"]
    # vuln: CWE-918
    response = Net::HTTP.get_response(host, "/healthz")
    render json: { status: response.code }
  end

  def feed
    # vuln: CWE-918
    body = Faraday.get(params.require(:feed_url)).body
    render plain: body.first(500)
  end

  def rates
    currency = ERB::Util.url_encode(params[:currency])
    # safe: CWE-918
    response = Net::HTTP.get_response(URI("#{RATES_API}/v1/rates/#{currency}"))
    render json: response.body
  end

  def proxy_image_safe
    uri = URI.parse(params[:src])
    return head(:bad_request) unless uri.is_a?(URI::HTTPS) && IMAGE_HOSTS.include?(uri.host)

    # safe: CWE-918
    data = Net::HTTP.get(uri)
    send_data data, disposition: "inline"
  end

  def upstream_status
    # safe: CWE-918
    body = Net::HTTP.get(URI("https://status.example.com/api/v2/status.json"))
    render json: body
  end

  def shipment
    id = Integer(params[:id])
    # safe: CWE-918
    body = Faraday.get("https://shipping.internal.example.com/orders/#{id}").body
    render json: body
  end
end
