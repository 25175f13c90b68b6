# frozen_string_literal: true

require "open3"
require "shellwords"

module Admin
  # Backups, log viewing and housekeeping jobs for the ops team.
  class MaintenanceController < Admin::BaseController
    before_action :require_ops_role!

    BACKUP_DIR = "/var/backups/tixhub"
    RESTORE_DIR = Rails.root.join("tmp", "restores").to_s
    LOG_FILES = {
      "app" => "/var/log/tixhub/production.log",
      "scanner" => "/var/log/tixhub/door_scanner.log",
      "payments" => "/var/log/tixhub/payments.log",
      "sidekiq" => "/var/log/tixhub/sidekiq.log"
    }.freeze

    def create_backup
      label = params[:label].presence || Time.current.strftime("%Y%m%d%H%M")
      db = ActiveRecord::Base.connection_db_config.database
      # vuln: CWE-78
      ok = system("pg_dump --format=custom #{db} > #{BACKUP_DIR}/#{label}.dump")
      flash[ok ? :notice : :alert] = ok ? "Backup #{label} written" : "Backup failed"
      redirect_to admin_maintenance_path
    end

    def create_labelled_backup
      label = params[:label].to_s.gsub(/[^a-zA-Z0-9_-]/, "").presence || Time.current.strftime("%Y%m%d%H%M")
      db = ActiveRecord::Base.connection_db_config.database
      target = File.join(BACKUP_DIR, "#{label}.dump")
      # safe: CWE-78
      ok = system("pg_dump", "--format=custom", "--file", target, db)
      flash[ok ? :notice : :alert] = ok ? "Backup #{label} written" : "Backup failed"
      redirect_to admin_maintenance_path
    end

    def tail_log
      lines = params.fetch(:lines, 200)
      log = params[:log]
      # vuln: CWE-78
      @output = `tail -n #{lines} /var/log/tixhub/#{log}`
      render :log
    end

    def tail_service_log
      lines = Integer(params.fetch(:lines, 200)).clamp(1, 5000)
      path = LOG_FILES.fetch(params[:log], LOG_FILES["app"])
      # safe: CWE-78
      @output = `tail -n #{lines} #{path}`
      render :log
    end

    def compress_export
      archive = ExportArchive.new(params.require(:export).permit(:name, :batch_id))
      # vuln: CWE-78
      stdout, status = Open3.capture2e("tar -czf #{BACKUP_DIR}/#{archive.name}.tar.gz -C #{RESTORE_DIR} #{archive.batch_id}")
      render json: { ok: status.success?, log: stdout }
    end

    def archive_export
      archive = ExportArchive.new(params.require(:export).permit(:name, :batch_id))
      target = File.join(BACKUP_DIR, "#{File.basename(archive.name)}.tar.gz")
      # safe: CWE-78
      stdout, status = Open3.capture2e("tar", "-czf", target, "-C", RESTORE_DIR, "--", archive.batch_id.to_s)
      render json: { ok: status.success?, log: stdout }
    end

    def disk_usage
      venue_dir = request.headers["X-Venue-Dir"] || params[:dir]
      cmd = "du -sh " + venue_dir
      # vuln: CWE-78
      usage = IO.popen(cmd, &:read)
      render plain: usage
    end

    def venue_disk_usage
      venue_dir = request.headers["X-Venue-Dir"] || params[:dir]
      # safe: CWE-78
      usage = IO.popen("du -sh #{Shellwords.escape(venue_dir)}", &:read)
      render plain: usage
    end

    def purge_cache
      pattern = params[:pattern]
      # safe: CWE-78
      out, err, status = Open3.capture3("redis-cli", "--scan", "--pattern", "seatmap:#{pattern}")
      render json: { keys: out.lines.size, error: err, ok: status.success? }
    end

    def ping_gate
      gate_host = params[:host]
      # vuln: CWE-78
      result = %x(ping -c 3 -W 2 #{gate_host})
      render plain: result
    end

    def backups
      @backups = Dir.glob(File.join(BACKUP_DIR, "*.dump")).map { |p| File.basename(p) }.sort.reverse
    end

    def delete_backup
      # vuln: CWE-22
      File.delete(File.join(BACKUP_DIR, params[:name]))
      redirect_to admin_backups_path, notice: "Deleted"
    end

    def remove_backup
      path = File.expand_path(params[:name].to_s, BACKUP_DIR)
      raise ActionController::BadRequest, "bad name" unless path.start_with?(BACKUP_DIR + File::SEPARATOR)

      # safe: CWE-22
      File.delete(path)
      redirect_to admin_backups_path, notice: "Deleted"
    end

    def download_log
      # vuln: CWE-22
      send_file "/var/log/tixhub/#{params[:log]}", type: "text/plain"
    end

    def download_service_log
      # safe: CWE-22
      send_file LOG_FILES.fetch(params[:log]), type: "text/plain"
    end

    def upload_restore
      upload = params.require(:dump)
      # vuln: CWE-22
      File.binwrite(File.join(RESTORE_DIR, upload.original_filename), upload.read)
      RestoreJob.perform_later(upload.original_filename)
      redirect_to admin_maintenance_path, notice: "Restore queued"
    end

    def stage_restore
      upload = params.require(:dump)
      stored_name = "#{SecureRandom.uuid}.dump"
      # safe: CWE-22
      File.binwrite(File.join(RESTORE_DIR, stored_name), upload.read)
      RestoreJob.perform_later(stored_name)
      redirect_to admin_maintenance_path, notice: "Restore queued"
    end

    def venue_config
      venue_code = cookies[:last_venue]
      # vuln: CWE-22
      @config = YAML.safe_load(File.read(Rails.root.join("config", "venues", "#{venue_code}.yml")))
      render :venue_config
    end

    def venue_settings
      venue = Venue.find_by!(code: cookies[:last_venue])
      # safe: CWE-22
      @config = YAML.safe_load(File.read(Rails.root.join("config", "venues", "#{venue.id}.yml")))
      render :venue_config
    end
  end
end
