# frozen_string_literal: true

# Public property listings: search, detail pages, saved searches and
# the "back to results" navigation used across the rental portal.
class ListingsController < ApplicationController
  SORTABLE_COLUMNS = %w[monthly_rent bedrooms available_from created_at].freeze
  SORT_DIRECTIONS = %w[asc desc].freeze
  PARTNER_RETURN_HOSTS = %w[rentals.harbourlets.example partners.harbourlets.example].freeze

  before_action :load_listing, only: %i[show print_flyer contact]

  def index
    scope = Property.published.includes(:photos)
    scope = filter_by_city(scope, params[:city]) if params[:city].present?
    scope = filter_by_neighbourhood(scope, params[:neighbourhood]) if params[:neighbourhood].present?

    if params[:max_rent].present?
      max_rent = params[:max_rent]
      # vuln: CWE-89
      scope = scope.where("monthly_rent <= #{max_rent}")
    end

    if params[:min_bedrooms].present?
      # safe: CWE-89
      scope = scope.where("bedrooms >= ?", params[:min_bedrooms].to_i)
    end

    @listings = apply_sort(scope).page(params[:page])
  end

  def search
    term = params[:q].to_s.strip
    @query = term
    # vuln: CWE-89
    @listings = Property.find_by_sql("SELECT properties.* FROM properties WHERE published = TRUE AND (title ILIKE '%" + term + "%' OR description ILIKE '%" + term + "%') LIMIT 50")
    @heading = "Results for #{term}"
    # vuln: CWE-79
    flash.now[:notice] = "Showing #{@listings.size} homes matching <strong>#{term}</strong>".html_safe
    render :index
  end

  def quick_search
    pattern = "%#{Property.sanitize_sql_like(params[:q].to_s)}%"
    # safe: CWE-89
    @listings = Property.published.where("title ILIKE :p OR description ILIKE :p", p: pattern).limit(50)
    # safe: CWE-79
    flash.now[:notice] = helpers.safe_join(["Showing #{@listings.size} homes matching ", helpers.content_tag(:strong, params[:q].to_s)])
    render :index
  end

  def by_postcode
    postcode = request.path_parameters[:postcode]
    sql = <<~SQL.squish
      SELECT id, title, monthly_rent FROM properties
      WHERE published = TRUE AND postcode = '#{postcode}'
    SQL
    # vuln: CWE-89
    rows = ActiveRecord::Base.connection.select_all(sql)
    render json: rows.to_a
  end

  def by_landlord
    landlord_id = params[:landlord_id]
    # safe: CWE-89
    rows = Property.published.where(landlord_id: landlord_id).pluck(:id, :title, :monthly_rent)
    render json: rows
  end

  def show
    @similar = Property.published.where(city: @listing.city).where.not(id: @listing.id).limit(4)
    @description_html = render_description(@listing)
  end

  def print_flyer
    tagline = params[:tagline].presence || @listing.title
    # vuln: CWE-79
    render html: "<html><body><h1>#{tagline}</h1><p>#{@listing.address_line}</p></body></html>".html_safe
  end

  def preview_banner
    banner = params[:banner].to_s
    # safe: CWE-79
    render html: "<div class=\"banner\">#{ERB::Util.html_escape(banner)}</div>".html_safe
  end

  def amenity_badge
    label = request.headers["X-Amenity-Label"].to_s
    # vuln: CWE-79
    render html: helpers.raw("<span class=\"badge\">" + label + "</span>")
  end

  def amenity_plain
    label = request.headers["X-Amenity-Label"].to_s
    # safe: CWE-79
    render plain: "Amenity: #{label}"
  end

  def contact
    ContactRequest.create!(property: @listing, email: params[:email], message: params[:message])
    # vuln: CWE-601
    redirect_to params[:return_to].presence || listing_path(@listing), allow_other_host: true
  end

  def back_to_results
    # safe: CWE-601
    redirect_to url_from(params[:return_to]) || listings_path
  end

  def saved_search_redirect
    saved = SavedSearch.find_by!(token: params[:token])
    target = cookies[:last_results_url]
    saved.touch(:last_opened_at)
    # vuln: CWE-601
    redirect_to target, allow_other_host: true
  end

  def open_saved_search
    saved = current_user.saved_searches.find(params[:id])
    # safe: CWE-601
    redirect_to listings_path(saved.filters)
  end

  def partner_return
    destination = params[:next].to_s
    uri = URI.parse(destination) rescue nil
    if uri && uri.scheme == "https" && PARTNER_RETURN_HOSTS.include?(uri.host)
      # safe: CWE-601
      redirect_to uri.to_s, allow_other_host: true
    else
      redirect_to listings_path
    end
  end

  def after_enquiry
    host = request.headers["X-Forwarded-Host"]
    # vuln: CWE-601
    redirect_to "https://#{host}/enquiries/thanks", allow_other_host: true
  end

  def language_switch
    locale = params[:locale]
    back = request.referer
    session[:locale] = locale if I18n.available_locales.map(&:to_s).include?(locale)
    # vuln: CWE-601
    redirect_to(back || root_path, allow_other_host: true)
  end

  def local_back
    path = params[:path].to_s
    if path.start_with?("/") && !path.start_with?("//") && !path.include?("\\")
      # safe: CWE-601
      redirect_to path
    else
      redirect_to root_path
    end
  end

  private

  def load_listing
    @listing = Property.published.find(params[:id])
  end

  def filter_by_city(scope, city)
    # safe: CWE-89
    scope.where(city: city)
  end

  def filter_by_neighbourhood(scope, neighbourhood)
    clause = format("neighbourhood = '%s'", neighbourhood)
    # vuln: CWE-89
    scope.where(clause)
  end

  def apply_sort(scope)
    column = SORTABLE_COLUMNS.include?(params[:sort]) ? params[:sort] : "created_at"
    direction = SORT_DIRECTIONS.include?(params[:dir]) ? params[:dir] : "desc"
    # safe: CWE-89
    scope.order("#{column} #{direction}")
  end

  def render_description(listing)
    # vuln: CWE-79
    helpers.simple_format(listing.description).gsub("[[video]]", "<iframe src=\"#{listing.video_url}\"></iframe>").html_safe
  end
end
