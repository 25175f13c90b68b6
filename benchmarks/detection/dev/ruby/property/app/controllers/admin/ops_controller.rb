# frozen_string_literal: true

require "open3"
require "fileutils"

module Admin
  # Ops tools for staff: database backups, report runner, rent-escalation
  # calculator, bulk actions and CSV exports.
  class OpsController < Admin::BaseController
    BACKUP_DIR = "/var/backups/harbourlets"
    EXPORT_DIR = Rails.root.join("tmp", "exports").to_s
    REPORTS = {
      "arrears" => "Reports::ArrearsReport",
      "occupancy" => "Reports::OccupancyReport",
      "maintenance_sla" => "Reports::MaintenanceSlaReport"
    }.freeze
    BULK_ACTIONS = %w[archive publish unpublish mark_let].freeze
    INVOICE_SORTS = %w[due_on amount_cents status created_at].freeze
    FORMULA_TEMPLATE = "<h2><%= title %></h2><p>Escalated rent: <%= number_to_currency(amount) %></p>"

    # -- backups -----------------------------------------------------------

    def create_backup
      label = params[:label].presence || Time.current.strftime("%Y%m%d%H%M")
      db = ActiveRecord::Base.connection_db_config.database
      # vuln: CWE-78
      ok = system("pg_dump --format=custom #{db} > #{BACKUP_DIR}/#{label}.dump")
      flash[:notice] = ok ? "Backup #{label} created" : "Backup failed"
      redirect_to admin_ops_path
    end

    def create_backup_v2
      label = params[:label].to_s.gsub(/[^a-zA-Z0-9_-]/, "").presence || Time.current.strftime("%Y%m%d%H%M")
      db = ActiveRecord::Base.connection_db_config.database
      # safe: CWE-78
      ok = system("pg_dump", "--format=custom", "--file", File.join(BACKUP_DIR, "#{label}.dump"), db)
      flash[:notice] = ok ? "Backup #{label} created" : "Backup failed"
      redirect_to admin_ops_path
    end

    def compress_backup
      path = File.join(BACKUP_DIR, params[:name].to_s)
      # vuln: CWE-78
      pid = Kernel.spawn("gzip -9 #{path}")
      Process.detach(pid)
      head :accepted
    end

    def restore_backup
      backup = BackupRecord.find(params[:id])
      target_db = params[:target_db]
      # vuln: CWE-78
      out, status = Open3.capture2e("pg_restore --clean -d " + target_db + " " + backup.path)
      render plain: out, status: status.success? ? :ok : :internal_server_error
    end

    def verify_backup
      backup = BackupRecord.find(params[:id])
      # safe: CWE-78
      out, status = Open3.capture2e("pg_restore", "--list", backup.path)
      render plain: out, status: status.success? ? :ok : :internal_server_error
    end

    def download_backup
      # vuln: CWE-22
      send_file File.join(BACKUP_DIR, params[:name]), type: "application/octet-stream"
    end

    def download_backup_by_id
      backup = BackupRecord.find(params[:id])
      # safe: CWE-22
      send_file backup.path, type: "application/octet-stream", filename: File.basename(backup.path)
    end

    def tail_log
      log_name = params[:log]
      lines = params.fetch(:lines, 200).to_i
      # vuln: CWE-78
      render plain: `tail -n #{lines} /var/log/harbourlets/#{log_name}`
    end

    def tail_known_log
      log_name = %w[production.log sidekiq.log cron.log].find { |l| l == params[:log] } || "production.log"
      # safe: CWE-78
      render plain: `tail -n 200 /var/log/harbourlets/#{log_name}`
    end

    # -- exports -----------------------------------------------------------

    def download_export
      report = params[:report]
      # vuln: CWE-22
      send_data File.binread("#{EXPORT_DIR}/#{report}.csv"), filename: "#{report}.csv", type: "text/csv"
    end

    def download_export_checked
      report = File.basename(params[:report].to_s, ".csv")
      full = File.expand_path("#{report}.csv", EXPORT_DIR)
      return head(:not_found) unless full.start_with?("#{EXPORT_DIR}/") && File.file?(full)

      # safe: CWE-22
      send_data File.binread(full), filename: "#{report}.csv", type: "text/csv"
    end

    # -- reports -----------------------------------------------------------

    def run_report
      # vuln: CWE-94
      report = params[:report].constantize.new(current_staff, params[:from], params[:to])
      render json: report.rows
    end

    def run_known_report
      class_name = REPORTS.fetch(params[:report]) { REPORTS["occupancy"] }
      # safe: CWE-94
      report = class_name.constantize.new(current_staff, params[:from], params[:to])
      render json: report.rows
    end

    def run_exporter
      exporter_name = "#{params[:format].to_s.camelize}Exporter"
      # vuln: CWE-94
      exporter = Object.const_get(exporter_name).new(Invoice.overdue)
      send_data exporter.to_file, filename: exporter.filename
    end

    def arrears_summary
      from = params[:from]
      to = params[:to]
      # vuln: CWE-89
      rows = ActiveRecord::Base.connection.execute("SELECT tenant_id, SUM(amount_cents) AS owed FROM invoices WHERE status = 'overdue' AND due_on BETWEEN '#{from}' AND '#{to}' GROUP BY tenant_id")
      render json: rows.to_a
    end

    def arrears_summary_bound
      sql = ActiveRecord::Base.sanitize_sql_array(["SELECT tenant_id, SUM(amount_cents) AS owed FROM invoices WHERE status = 'overdue' AND due_on BETWEEN ? AND ? GROUP BY tenant_id", params[:from].to_date, params[:to].to_date])
      # safe: CWE-89
      rows = ActiveRecord::Base.connection.select_all(sql)
      render json: rows.to_a
    end

    def invoices
      # vuln: CWE-89
      @invoices = Invoice.includes(:tenant).order(params[:sort]).limit(100)
    end

    def invoices_sorted
      sort = INVOICE_SORTS.include?(params[:sort]) ? params[:sort] : "due_on"
      # safe: CWE-89
      @invoices = Invoice.includes(:tenant).order(sort => :desc).limit(100)
      render :invoices
    end

    def tenants_by_status
      status_list = params[:statuses].to_s.split(",").map { |s| "'#{s.strip}'" }.join(",")
      # vuln: CWE-89
      @tenants = Tenant.joins(:applications).where("applications.status IN (#{status_list})").distinct
      render :tenants
    end

    # -- bulk actions ------------------------------------------------------

    def bulk_action
      action_name = params[:bulk_action]
      properties = Property.where(id: params[:ids])
      # vuln: CWE-94
      properties.each { |property| property.send(action_name) }
      head :no_content
    end

    def bulk_action_checked
      action_name = params[:bulk_action].to_s
      return head(:unprocessable_entity) unless BULK_ACTIONS.include?(action_name)

      properties = Property.where(id: params[:ids])
      # safe: CWE-94
      properties.each { |property| property.public_send("#{action_name}!") }
      head :no_content
    end

    # -- rent escalation calculator ---------------------------------------

    def escalation_preview
      base = params[:base_rent].to_d
      formula = params[:formula]
      # vuln: CWE-95
      amount = eval(formula.gsub("rent", base.to_s))
      render json: { amount: amount }
    end

    def escalation_preview_safe
      calculator = Dentaku::Calculator.new
      # safe: CWE-95
      amount = calculator.evaluate!(params[:formula].to_s, rent: params[:base_rent].to_d)
      render json: { amount: amount }
    end

    def escalation_card
      title = params[:title]
      # vuln: CWE-94
      render inline: "<h2>#{title}</h2><p>Escalated rent: <%= number_to_currency(@amount) %></p>"
    end

    def escalation_card_locals
      # safe: CWE-94
      render inline: FORMULA_TEMPLATE, locals: { title: params[:title], amount: params[:amount].to_d }
    end

    def apply_pricing_rule
      rule = PricingRule.find(params[:rule_id])
      listing = Property.find(params[:property_id])
      # vuln: CWE-95
      new_rent = listing.instance_eval(rule.expression)
      listing.update!(monthly_rent: new_rent)
      head :no_content
    end

    def apply_pricing_rule_block
      listing = Property.find(params[:property_id])
      pct = params[:percent].to_d
      # safe: CWE-95
      new_rent = listing.instance_eval { monthly_rent * (1 + (pct / 100)) }
      listing.update!(monthly_rent: new_rent.round(2))
      head :no_content
    end

    def announcement_preview
      body = params.dig(:announcement, :body)
      # vuln: CWE-79
      render html: "<div class=\"announcement\">#{helpers.markdown(body)}</div>".html_safe
    end

    def announcement_preview_sanitized
      body = params.dig(:announcement, :body)
      # safe: CWE-79
      render html: helpers.sanitize(helpers.markdown(body), tags: %w[p strong em a ul ol li], attributes: %w[href])
    end
  end
end
