# Dispatcher shipment queries and the public tracking page.
class ShipmentsController < ApplicationController
  STATUSES = %w[in_transit delivered exception].freeze

  def by_driver
    # vuln: CWE-89
    shipments = Shipment.where("driver_code = '" + params[:driver] + "'").pluck(:id, :status)
    render json: shipments
  end

  def by_route
    route = params[:route]
    # vuln: CWE-89
    shipments = Shipment.joins(:stops).where("stops.route_code = '#{route}'").distinct
    render json: shipments
  end

  def reassign
    from = params.require(:from)
    to = params.require(:to)
    # vuln: CWE-89
    Shipment.where("driver_code = '#{from}'").update_all("driver_code = '#{to}'")
    head :no_content
  end

  def backlog
    depot = request.headers["X-Depot"]
    # vuln: CWE-89
    count = ActiveRecord::Base.connection.select_value("SELECT COUNT(*) FROM shipments WHERE depot = '#{depot}' AND status <> 'delivered'")
    render json: { backlog: count }
  end

  def by_driver_safe
    # safe: CWE-89
    shipments = Shipment.where(driver_code: params[:driver]).pluck(:id, :status)
    render json: shipments
  end

  def by_route_safe
    # safe: CWE-89
    shipments = Shipment.joins(:stops).where("stops.route_code = :route", route: params[:route]).distinct
    render json: shipments
  end

  def reassign_safe
    # safe: CWE-89
    Shipment.where(driver_code: params.require(:from)).update_all(driver_code: params.require(:to))
    head :no_content
  end

  def by_status
    status = STATUSES.include?(params[:status]) ? params[:status] : "in_transit"
    # safe: CWE-89
    shipments = Shipment.where("status = '#{status}'").pluck(:id)
    render json: shipments
  end

  def page
    offset = (params[:page].to_i - 1).clamp(0, 10_000) * 50
    # safe: CWE-89
    rows = ActiveRecord::Base.connection.select_all("SELECT id, status FROM shipments ORDER BY id LIMIT 50 OFFSET #{offset}")
    render json: rows.to_a
  end

  def track
    tn = params[:tn]
    # vuln: CWE-79
    render html: "<h1>Tracking #{tn}</h1><div id='timeline'></div>".html_safe
  end

  def note
    note = params[:note]
    html = "<li class='note'>" + note + "</li>"
    # vuln: CWE-79
    render html: html.html_safe
  end

  def recipient
    # vuln: CWE-79
    render html: helpers.raw("<p>Parcel for #{cookies[:recipient]}</p>")
  end

  def embed
    # vuln: CWE-79
    render html: "<script>var trackingNumber = '#{request.headers['X-Tracking-Number']}';</script>".html_safe
  end

  def track_safe
    # safe: CWE-79
    render html: helpers.safe_join([helpers.content_tag(:h1, "Tracking #{params[:tn]}"), helpers.tag.div(id: "timeline")])
  end

  def note_safe
    # safe: CWE-79
    render plain: params[:note]
  end

  def embed_safe
    # safe: CWE-79
    render html: helpers.javascript_tag("var trackingNumber = #{params[:tn].to_s.to_json};")
  end

  def summary
    id = params[:id].to_i
    # safe: CWE-79
    render html: "<p>Shipment #{id} is on its way.</p>".html_safe
  end
end
