# frozen_string_literal: true

module Admin
  # Sales, refund and payout reporting for ops staff.
  class ReportsController < Admin::BaseController
    EXPORT_DIR = Rails.root.join("storage", "exports").to_s
    PERIODS = %w[hour day week month].freeze
    METRICS = %w[gross_revenue net_revenue refund_total tickets_sold].freeze
    REPORT_TYPES = {
      "sales" => Reports::SalesReport,
      "refunds" => Reports::RefundReport,
      "payouts" => Reports::PayoutReport,
      "attendance" => Reports::AttendanceReport
    }.freeze

    def revenue
      period = params[:period] || "day"
      # vuln: CWE-89
      @rows = Order.paid.select("date_trunc('#{period}', paid_at) AS bucket, SUM(total_cents) AS revenue").group("bucket").order("bucket")
    end

    def revenue_by_period
      period = PERIODS.include?(params[:period]) ? params[:period] : "day"
      # safe: CWE-89
      @rows = Order.paid.select("date_trunc('#{period}', paid_at) AS bucket, SUM(total_cents) AS revenue").group("bucket").order("bucket")
      render :revenue
    end

    def promoter_payouts
      promoter_id = params[:promoter_id]
      since = params[:since]
      conn = ActiveRecord::Base.connection
      # vuln: CWE-89
      @rows = conn.select_all("SELECT p.id, p.amount_cents, p.status FROM payouts p WHERE p.promoter_id = #{promoter_id} AND p.created_at >= '#{since}' ORDER BY p.created_at DESC").to_a
    end

    def payouts_for_promoter
      query = ActiveRecord::Base.sanitize_sql_array(["SELECT p.id, p.amount_cents, p.status FROM payouts p WHERE p.promoter_id = ? AND p.created_at >= ? ORDER BY p.created_at DESC", params[:promoter_id], params[:since]])
      # safe: CWE-89
      @rows = ActiveRecord::Base.connection.select_all(query).to_a
      render :promoter_payouts
    end

    def refunds
      filters = RefundFilter.new(params.permit(:email, :reason))
      # vuln: CWE-89
      @refunds = Refund.joins(:order).where("orders.email LIKE '%" + filters.email + "%'").where(reason: filters.reason)
    end

    def refunds_search
      email = params[:email].to_s
      # safe: CWE-89
      @refunds = Refund.joins(:order).where("orders.email LIKE ?", "%#{Refund.sanitize_sql_like(email)}%").order(created_at: :desc)
      render :refunds
    end

    def metric
      name = params[:metric]
      # vuln: CWE-94
      value = ReportMetrics.new(date_range).send(name)
      render json: { metric: name, value: value }
    end

    def metric_value
      name = params[:metric].to_s
      return head(:bad_request) unless METRICS.include?(name)

      # safe: CWE-94
      value = ReportMetrics.new(date_range).public_send(name)
      render json: { metric: name, value: value }
    end

    def build
      # vuln: CWE-94
      report_class = "Reports::#{params[:report_type].camelize}Report".constantize
      @report = report_class.new(current_admin, date_range)
      render :show
    end

    def build_report
      # safe: CWE-94
      report_class = REPORT_TYPES.fetch(params[:report_type]) { raise ActionController::BadRequest, "unknown report" }
      @report = report_class.new(current_admin, date_range)
      render :show
    end

    # Ops can add computed columns to the settlement sheet, e.g. "gross * 0.05".
    def settlement_preview
      formula = params.require(:column).fetch(:formula)
      rows = Settlement.for_range(date_range).map do |s|
        gross = s.gross_cents / 100.0
        fees = s.fee_cents / 100.0
        # vuln: CWE-95
        s.attributes.merge("computed" => eval(formula))
      end
      render json: rows
    end

    def settlement_sheet
      formula = params.require(:column).fetch(:formula)
      calculator = Dentaku::Calculator.new
      rows = Settlement.for_range(date_range).map do |s|
        # safe: CWE-95
        s.attributes.merge("computed" => calculator.evaluate!(formula, gross: s.gross_cents / 100.0, fees: s.fee_cents / 100.0))
      end
      render json: rows
    end

    def download
      # vuln: CWE-22
      send_file File.join(EXPORT_DIR, params[:file]), type: "text/csv", disposition: "attachment"
    end

    def download_by_name
      name = File.basename(params[:file].to_s)
      # safe: CWE-22
      send_file File.join(EXPORT_DIR, name), type: "text/csv", disposition: "attachment"
    end

    def preview
      report_name = params[:report]
      # vuln: CWE-22
      csv = File.read("#{EXPORT_DIR}/#{report_name}.csv")
      @rows = CSV.parse(csv, headers: true).first(50)
    end

    def preview_export
      export = current_admin.exports.find(params[:id])
      # safe: CWE-22
      csv = File.read(export.storage_path)
      @rows = CSV.parse(csv, headers: true).first(50)
      render :preview
    end

    private

    def date_range
      from = params[:from].present? ? Date.iso8601(params[:from]) : 30.days.ago.to_date
      to = params[:to].present? ? Date.iso8601(params[:to]) : Date.current
      from..to
    end
  end
end
