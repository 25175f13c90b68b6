# frozen_string_literal: true

require "open3"
require "shellwords"
require "fileutils"

# Tenants open maintenance tickets and attach photos / contractor quotes;
# staff download attachments and generate work-order PDFs.
class MaintenanceTicketsController < ApplicationController
  ATTACHMENT_ROOT = Rails.root.join("storage", "maintenance").freeze
  WORK_ORDER_TEMPLATES = {
    "plumbing" => "work_order_plumbing.html",
    "electrical" => "work_order_electrical.html",
    "general" => "work_order_general.html"
  }.freeze

  before_action :authenticate_tenant!, only: %i[create upload_photo]
  before_action :load_ticket, except: %i[create]

  def create
    @ticket = current_tenant.maintenance_tickets.create!(ticket_params)
    redirect_to maintenance_ticket_path(@ticket)
  end

  def upload_photo
    upload = params.require(:photo)
    dir = ATTACHMENT_ROOT.join(@ticket.id.to_s)
    FileUtils.mkdir_p(dir)
    destination = File.join(dir, upload.original_filename)
    # vuln: CWE-22
    File.open(destination, "wb") { |f| f.write(upload.read) }

    thumb = "#{destination}.thumb.jpg"
    # vuln: CWE-78
    system("convert #{destination} -resize 400x400 #{thumb}")

    @ticket.photos.create!(path: destination, thumbnail_path: thumb)
    redirect_to maintenance_ticket_path(@ticket)
  end

  def upload_quote
    upload = params.require(:quote)
    dir = ATTACHMENT_ROOT.join(@ticket.id.to_s)
    FileUtils.mkdir_p(dir)
    stored_name = "#{SecureRandom.uuid}#{File.extname(upload.original_filename).downcase.gsub(/[^.a-z0-9]/, '')}"
    destination = dir.join(stored_name)
    # safe: CWE-22
    File.binwrite(destination, upload.read)

    # safe: CWE-78
    text, _status = Open3.capture2("pdftotext", "-layout", destination.to_s, "-")
    @ticket.quotes.create!(path: destination.to_s, original_name: upload.original_filename, extracted_text: text)
    redirect_to maintenance_ticket_path(@ticket)
  end

  def attachment
    name = params[:file]
    # vuln: CWE-22
    send_file ATTACHMENT_ROOT.join(@ticket.id.to_s, name), disposition: "attachment"
  end

  def photo
    photo = @ticket.photos.find(params[:photo_id])
    # safe: CWE-22
    send_file photo.path, type: "image/jpeg", disposition: "inline"
  end

  def contractor_invoice
    requested = File.basename(params[:name].to_s)
    # safe: CWE-22
    send_file ATTACHMENT_ROOT.join(@ticket.id.to_s, "invoices", requested), disposition: "attachment"
  end

  def work_order_template
    template = cookies[:work_order_template] || "work_order_general.html"
    # vuln: CWE-22
    html = File.read(Rails.root.join("app", "views", "work_orders", "templates") + template)
    render html: html.html_safe
  end

  def work_order_pdf
    trade = params[:trade]
    template = WORK_ORDER_TEMPLATES.fetch(trade, WORK_ORDER_TEMPLATES["general"])
    # safe: CWE-22
    html = File.read(Rails.root.join("app", "views", "work_orders", "templates", template))
    out = Rails.root.join("tmp", "work_order_#{@ticket.id}.pdf").to_s
    File.write("#{out}.html", html)
    contractor = params[:contractor_name]
    # vuln: CWE-78
    stdout, stderr, status = Open3.capture3("wkhtmltopdf --title '#{contractor} - Ticket #{@ticket.id}' #{out}.html #{out}")
    Rails.logger.warn(stderr) unless status.success?
    Rails.logger.debug(stdout)
    send_file out, type: "application/pdf"
  end

  def work_order_pdf_escaped
    contractor = params[:contractor_name].to_s
    out = Rails.root.join("tmp", "work_order_#{@ticket.id}.pdf").to_s
    # safe: CWE-78
    `wkhtmltopdf --title #{Shellwords.escape(contractor)} #{Shellwords.escape(out)}.html #{Shellwords.escape(out)}`
    send_file out, type: "application/pdf"
  end

  def photo_exif
    photo = @ticket.photos.find(params[:photo_id])
    tag = params[:tag]
    # vuln: CWE-78
    output = `exiftool -#{tag} #{photo.path}`
    render plain: output
  end

  def photo_dimensions
    photo = @ticket.photos.find(params[:photo_id])
    # safe: CWE-78
    output = IO.popen(["identify", "-format", "%wx%h", photo.path], &:read)
    render plain: output
  end

  def archive
    label = params.dig(:archive, :label)
    archive_path = Rails.root.join("tmp", "ticket-#{@ticket.id}.tar.gz")
    # vuln: CWE-78
    IO.popen("tar -czf #{archive_path} --label='#{label}' -C #{ATTACHMENT_ROOT.join(@ticket.id.to_s)} .").read
    send_file archive_path
  end

  def ping_contractor_host
    host = @ticket.contractor.website_host
    if host.match?(/\A[a-z0-9.-]+\z/i)
      # safe: CWE-78
      result, = Open3.capture2e("ping", "-c", "1", host)
      render plain: result
    else
      head :unprocessable_entity
    end
  end

  def delete_attachment
    name = params[:file].to_s
    base = File.realpath(ATTACHMENT_ROOT.join(@ticket.id.to_s))
    target = File.expand_path(name, base)
    if target.start_with?(base + File::SEPARATOR)
      # safe: CWE-22
      FileUtils.rm_f(target)
      head :no_content
    else
      head :bad_request
    end
  end

  def purge_folder
    folder = params[:folder]
    # vuln: CWE-22
    FileUtils.rm_rf("#{ATTACHMENT_ROOT}/#{@ticket.id}/#{folder}")
    head :no_content
  end

  private

  def load_ticket
    @ticket = MaintenanceTicket.find(params[:id])
  end

  def ticket_params
    params.require(:maintenance_ticket).permit(:title, :description, :category, :urgency)
  end
end
