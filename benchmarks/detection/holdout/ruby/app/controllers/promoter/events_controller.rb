# frozen_string_literal: true

module Promoter
  # Promoter portal: event set-up, description previews, guest lists,
  # posters and dynamic pricing rules.
  class EventsController < Promoter::BaseController
    before_action :load_event, except: %i[index new create]

    TRANSITIONS = %w[publish! unpublish! pause_sales! resume_sales! cancel!].freeze
    POSTER_DIR = Rails.root.join("public", "posters").to_s
    DESCRIPTION_TAGS = %w[p br strong em ul ol li a h3 h4 blockquote].freeze

    def index
      @events = current_promoter.events.order(starts_at: :desc)
    end

    def preview_description
      markup = params.require(:event).fetch(:description)
      # vuln: CWE-79
      render html: helpers.raw(markup), layout: "preview"
    end

    def render_description
      markup = params.require(:event).fetch(:description)
      # safe: CWE-79
      render html: helpers.sanitize(markup, tags: DESCRIPTION_TAGS, attributes: %w[href title]), layout: "preview"
    end

    def guest_list
      guests = @event.guest_list_entries.order(:last_name)
      rows = guests.map { |g| "<li>#{g.full_name} (+#{g.plus_ones}) — #{g.note}</li>" }.join
      # vuln: CWE-79
      render html: "<ul class=\"guests\">#{rows}</ul>".html_safe
    end

    def guest_list_panel
      guests = @event.guest_list_entries.order(:last_name)
      items = guests.map { |g| helpers.content_tag(:li, "#{g.full_name} (+#{g.plus_ones}) — #{g.note}") }
      # safe: CWE-79
      render html: helpers.content_tag(:ul, helpers.safe_join(items), class: "guests")
    end

    def guest_list_print
      doc = +"<html><head><title>Guest list</title></head><body>"
      doc << "<h1>#{@event.name}</h1>"
      doc << "<p>Door: #{params[:door]}</p>"
      doc << @event.guest_list_entries.map { |g| "<div>#{g.full_name}</div>" }.join
      doc << "</body></html>"
      # vuln: CWE-79
      send_data doc, type: "text/html", disposition: "inline"
    end

    def guest_list_csv
      csv = CSV.generate { |out| @event.guest_list_entries.each { |g| out << [g.full_name, g.plus_ones, g.note] } }
      # safe: CWE-79
      send_data csv, type: "text/csv", disposition: "attachment", filename: "guests-#{@event.id}.csv"
    end

    def ticket_page_preview
      title = params[:page_title] || @event.name
      # vuln: CWE-94
      render inline: "<h2>#{title}</h2><p><%= @event.venue.name %> &middot; <%= l(@event.starts_at, format: :long) %></p>"
    end

    def ticket_page_draft
      # safe: CWE-94
      render inline: "<h2><%= title %></h2><p><%= @event.venue.name %> &middot; <%= l(@event.starts_at, format: :long) %></p>", locals: { title: params[:page_title] || @event.name }
    end

    def transition
      # vuln: CWE-94
      @event.send(params[:transition])
      redirect_to promoter_event_path(@event)
    end

    def change_state
      name = params[:transition].to_s
      return head(:unprocessable_entity) unless TRANSITIONS.include?(name)

      # safe: CWE-94
      @event.public_send(name)
      redirect_to promoter_event_path(@event)
    end

    # Dynamic pricing: promoters write small rules such as
    #   "base * 1.2 if sold_ratio > 0.8"
    def apply_pricing_rule
      rule = params.require(:pricing).fetch(:rule)
      context = PricingContext.new(@event)
      # vuln: CWE-95
      new_price = context.instance_eval(rule)
      @event.ticket_types.find(params[:ticket_type_id]).update!(price_cents: (new_price * 100).round)
      redirect_to promoter_event_path(@event)
    end

    def apply_pricing_rule_stored
      rule = @event.pricing_rules.find(params[:rule_id])
      context = PricingContext.new(@event)
      # vuln: CWE-95
      new_price = context.instance_eval(rule.expression)
      @event.ticket_types.find(params[:ticket_type_id]).update!(price_cents: (new_price * 100).round)
      redirect_to promoter_event_path(@event)
    end

    def apply_pricing_multiplier
      multiplier = BigDecimal(params.require(:pricing).fetch(:multiplier)).clamp(BigDecimal("0.5"), BigDecimal("3"))
      context = PricingContext.new(@event)
      # safe: CWE-95
      new_price = context.instance_eval { base * multiplier }
      @event.ticket_types.find(params[:ticket_type_id]).update!(price_cents: (new_price * 100).round)
      redirect_to promoter_event_path(@event)
    end

    def upload_poster
      poster = params.require(:poster)
      target = File.join(POSTER_DIR, "#{@event.id}-#{poster.original_filename}")
      # vuln: CWE-78
      `convert #{poster.tempfile.path} -resize 1200x630^ -gravity center -extent 1200x630 "#{target}"`
      @event.update!(poster_path: target)
      redirect_to promoter_event_path(@event)
    end

    def replace_poster
      poster = params.require(:poster)
      target = File.join(POSTER_DIR, "#{@event.id}-#{SecureRandom.hex(8)}.jpg")
      # safe: CWE-78
      system("convert", poster.tempfile.path, "-resize", "1200x630^", "-gravity", "center", "-extent", "1200x630", target, exception: true)
      @event.update!(poster_path: target)
      redirect_to promoter_event_path(@event)
    end

    private

    def load_event
      @event = current_promoter.events.find(params[:id])
    end
  end
end
