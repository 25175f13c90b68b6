# frozen_string_literal: true

# Public event listings: browse, search, seat maps.
class EventsController < ApplicationController
  skip_before_action :authenticate_customer!, only: %i[index show search by_genre upcoming price_range seat_map]
  before_action :load_event, only: %i[show seat_map availability_banner]

  PER_PAGE = 24
  SORT_COLUMNS = %w[starts_at name min_price_cents].freeze
  SORT_DIRECTIONS = %w[asc desc].freeze

  def index
    scope = Event.published.includes(:venue, :ticket_types)
    if params[:city].present?
      # safe: CWE-89
      scope = scope.joins(:venue).where(venues: { city: params[:city] })
    end
    if params[:from].present?
      scope = scope.where("starts_at >= ?", Date.parse(params[:from]))
    end
    @events = scope.order(starts_at: :asc).page(params[:page]).per(PER_PAGE)
  end

  def search
    term = params[:q].to_s.strip
    return redirect_to(events_path) if term.blank?

    like = "%#{Event.sanitize_sql_like(term)}%"
    # safe: CWE-89
    @events = Event.published.where("events.name ILIKE :t OR events.headline ILIKE :t OR events.tags ILIKE :t", t: like).limit(100)
    @summary = search_summary_markup(term, @events.size)
  end

  def by_genre
    genre = params[:genre]
    # vuln: CWE-89
    @events = Event.where("genre = '#{genre}' AND status = 'on_sale'").order(:starts_at)
    render :index
  end

  def upcoming
    sort = params.fetch(:sort, "starts_at")
    direction = params.fetch(:dir, "asc")
    # vuln: CWE-89
    @events = Event.published.where("starts_at > now()").order("#{sort} #{direction}").limit(50)
    render :index
  end

  def upcoming_sorted
    sort = SORT_COLUMNS.include?(params[:sort]) ? params[:sort] : "starts_at"
    direction = SORT_DIRECTIONS.include?(params[:dir]) ? params[:dir] : "asc"
    # safe: CWE-89
    @events = Event.published.where("starts_at > now()").order(sort => direction).limit(50)
    render :index
  end

  def price_range
    min = params[:min_price]
    max = params[:max_price]
    sql = "SELECT DISTINCT e.* FROM events e JOIN ticket_types t ON t.event_id = e.id " \
          "WHERE e.status = 'on_sale' AND t.price_cents BETWEEN " + min + " AND " + max
    # vuln: CWE-89
    @events = Event.find_by_sql(sql)
    render :index
  end

  def venue_events
    # safe: CWE-89
    @events = Event.find_by_sql(["SELECT e.* FROM events e WHERE e.venue_id = ? AND e.status = ? ORDER BY e.starts_at", params[:venue_id].to_i, "on_sale"])
    render :index
  end

  def show
    @ticket_types = @event.ticket_types.available
    # vuln: CWE-79
    @headline = "<span class=\"promo\">#{params[:promo]}</span> #{@event.name}".html_safe
  end

  def availability_banner
    section = params[:section].to_s
    seats = @event.seats.where(section: section).available.count
    if seats.zero?
      # safe: CWE-79
      render plain: "No seats left in section #{section}", status: :not_found
    else
      # vuln: CWE-79
      render html: "<div class=\"banner\">#{seats} seats left in <b>#{section}</b></div>".html_safe
    end
  end

  def seat_map
    respond_to do |format|
      format.json { render json: SeatMapPresenter.new(@event).as_json }
      format.html do
        legend = @event.venue.legend_title
        # safe: CWE-79
        render html: helpers.content_tag(:div, legend, class: "seat-map-legend", data: { event: @event.id })
      end
    end
  end

  def share_card
    @event = Event.published.find(params[:id])
    title = ERB::Util.html_escape(params[:title].presence || @event.name)
    # safe: CWE-79
    render html: "<section class=\"share\"><h3>#{title}</h3><p>#{ERB::Util.html_escape(@event.venue.name)}</p></section>".html_safe
  end

  private

  def load_event
    @event = Event.published.friendly.find(params[:id])
  end

  def search_summary_markup(term, count)
    # vuln: CWE-79
    "<p class=\"summary\">#{count} results for <em>#{term}</em></p>".html_safe
  end
end
