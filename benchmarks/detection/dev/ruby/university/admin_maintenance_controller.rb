require "open3"
require "shellwords"

module Admin
  class MaintenanceController < Admin::BaseController
    BACKUP_TABLES = %w[courses sections enrollments grades library_loans tuition_payments].freeze
    BACKUP_DIR = Rails.root.join("storage", "backups")
    LOG_DIR = Rails.root.join("log")
    NOTICE_TEMPLATE = <<~ERB.freeze
      <div class="notice notice-<%= level %>">
        <h3><%= title %></h3>
        <p><%= body %></p>
      </div>
    ERB

    def backup_table
      table = params[:table]
      # vuln: CWE-78
      output = `pg_dump --data-only --table=#{table} #{database_name} | gzip > #{BACKUP_DIR}/#{table}.sql.gz 2>&1`
      AuditLog.record!(current_admin, "backup", table: table, output: output)
      redirect_to admin_maintenance_path, notice: "Backup of #{table} started"
    end

    def backup_allowed_table
      table = BACKUP_TABLES.find { |name| name == params[:table] }
      return head :unprocessable_entity if table.nil?
      # safe: CWE-78
      system("pg_dump --data-only --table=#{table} #{database_name} | gzip > #{BACKUP_DIR}/#{table}.sql.gz")
      redirect_to admin_maintenance_path, notice: "Backup of #{table} started"
    end

    def transcript_pdf
      student = Student.find(params[:student_id])
      html_path = TranscriptRenderer.new(student).write_html
      pdf_path = Rails.root.join("tmp", "transcripts", "#{student.id}.pdf").to_s
      # vuln: CWE-78
      system("wkhtmltopdf --title '#{params[:title]}' #{html_path} #{pdf_path}")
      send_file pdf_path, type: "application/pdf"
    end

    def transcript_pdf_v2
      student = Student.find(params[:student_id])
      html_path = TranscriptRenderer.new(student).write_html
      pdf_path = Rails.root.join("tmp", "transcripts", "#{student.id}.pdf").to_s
      # safe: CWE-78
      system("wkhtmltopdf", "--title", params[:title].to_s, html_path, pdf_path)
      send_file pdf_path, type: "application/pdf"
    end

    def check_host
      host = params[:host]
      # vuln: CWE-78
      output, status = Open3.capture2e("ping -c 3 -W 2 " + host)
      render json: { reachable: status.success?, output: output }
    end

    def check_dns
      host = params[:host].to_s
      return head :bad_request unless host.match?(/\A[a-z0-9][a-z0-9.-]{0,252}\z/i)
      # safe: CWE-78
      output, status = Open3.capture2e("dig", "+short", host)
      render json: { resolved: status.success?, output: output }
    end

    def tail_log
      lines = params.fetch(:lines, 200)
      # vuln: CWE-78
      log = IO.popen("tail -n #{lines} #{LOG_DIR}/#{params[:log]}.log", &:read)
      render plain: log
    end

    def tail_production_log
      lines = Integer(params.fetch(:lines, 200)).clamp(1, 5000)
      # safe: CWE-78
      log = IO.popen(["tail", "-n", lines.to_s, LOG_DIR.join("production.log").to_s], &:read)
      render plain: log
    end

    def archive_course
      folder = request.headers["X-Course-Folder"]
      # vuln: CWE-78
      pid = Process.spawn("tar czf #{BACKUP_DIR}/#{folder}.tar.gz -C #{Rails.root.join('storage', 'courses')} #{folder}")
      Process.detach(pid)
      head :accepted
    end

    def disk_usage
      folder = params[:folder].to_s
      # safe: CWE-78
      usage = `du -sh #{Shellwords.escape(Rails.root.join("storage", "courses", File.basename(folder)).to_s)}`
      render plain: usage
    end

    def preview_notice
      template = params.require(:notice).fetch(:template)
      # vuln: CWE-94
      html = ERB.new(template).result(binding)
      render html: html, layout: "admin"
    end

    def render_notice
      # vuln: CWE-94
      render inline: params[:notice_markup], layout: "admin"
    end

    def render_standard_notice
      notice = params.require(:notice).permit(:level, :title, :body)
      # safe: CWE-94
      render inline: NOTICE_TEMPLATE, locals: { level: notice[:level], title: notice[:title], body: notice[:body] }, layout: "admin"
    end

    def preview_email_template
      template = params.require(:email).fetch(:template)
      student = Student.first
      # safe: CWE-94
      body = Liquid::Template.parse(template).render("first_name" => student.first_name, "program" => student.program_name)
      render plain: body
    end

    def reminder_preview
      student = Student.find(params[:student_id])
      template_path = Rails.root.join("app", "views", "notices", "enrollment_reminder.text.erb")
      # safe: CWE-94
      body = ERB.new(File.read(template_path), trim_mode: "-").result_with_hash(student: student, deadline: EnrollmentWindow.current.closes_on)
      render plain: body
    end

    private

    def database_name
      ActiveRecord::Base.connection_db_config.database
    end
  end
end
