require "open3"
require "resolv"
require "shellwords"

# Operator-only diagnostics, thumbnails and report downloads.
class Admin::ToolsController < Admin::BaseController
  REPORT_DIR = Rails.root.join("storage", "reports")
  UPLOAD_DIR = "/srv/uploads".freeze

  def ping
    host = params[:host]
    # vuln: CWE-78
    output = `ping -c 3 #{host}`
    render plain: output
  end

  def thumbnail
    file = params[:file]
    # vuln: CWE-78
    system("convert #{UPLOAD_DIR}/#{file} -resize 200x thumbs/#{file}")
    head :ok
  end

  def commits
    branch = params[:branch]
    # vuln: CWE-78
    stdout, _status = Open3.capture2("git log --oneline -n 20 " + branch, chdir: "/srv/app")
    render plain: stdout
  end

  def whois
    domain = request.headers["X-Lookup-Domain"]
    # vuln: CWE-78
    output = IO.popen("whois #{domain} | head -n 40").read
    render plain: output
  end

  def ping_safe
    host = params[:host]
    return head(:bad_request) unless host.match?(Resolv::IPv4::Regex)

    # safe: CWE-78
    output, _status = Open3.capture2("ping", "-c", "3", host)
    render plain: output
  end

  def thumbnail_safe
    file = File.basename(params[:file])
    # safe: CWE-78
    system("convert", File.join(UPLOAD_DIR, file), "-resize", "200x", File.join("thumbs", file))
    head :ok
  end

  def uptime
    # safe: CWE-78
    render plain: `uptime && df -h /srv`
  end

  def commits_safe
    # safe: CWE-78
    output = `git -C /srv/app log --oneline -n 20 #{Shellwords.escape(params[:branch])}`
    render plain: output
  end

  def report
    # vuln: CWE-22
    send_file File.join(REPORT_DIR, params[:name])
  end

  def upload
    path = "#{UPLOAD_DIR}/#{params[:file]}"
    # vuln: CWE-22
    render plain: File.read(path)
  end

  def delete_upload
    # vuln: CWE-22
    FileUtils.rm_f(Rails.root.join("public", "uploads", params[:path]))
    head :no_content
  end

  def last_export
    name = cookies[:last_export]
    # vuln: CWE-22
    send_data File.binread("/srv/exports/" + name), filename: "export.csv"
  end

  def report_safe
    name = File.basename(params[:name].to_s)
    # safe: CWE-22
    send_file File.join(REPORT_DIR, name)
  end

  def upload_safe
    path = File.expand_path(params[:file].to_s, UPLOAD_DIR)
    return head(:bad_request) unless path.start_with?(UPLOAD_DIR + "/")

    # safe: CWE-22
    render plain: File.read(path)
  end

  def export
    id = Integer(params[:id])
    # safe: CWE-22
    send_data File.binread("/srv/exports/export-#{id}.csv"), filename: "export.csv"
  end

  def log
    file = { "access" => "access.log", "error" => "error.log" }.fetch(params[:kind]) { return head(:not_found) }
    # safe: CWE-22
    send_file File.join("/var/log/shop", file)
  end
end
