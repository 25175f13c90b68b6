require "open3"
require "shellwords"

# Warehouse maintenance: label printing, archives and manifest files.
class WarehouseOpsController < ApplicationController
  MANIFEST_DIR = "/data/manifests".freeze
  LABEL_DIR = Rails.root.join("storage", "labels")
  PRINTERS = %w[zebra-1 zebra-2].freeze

  def print_label
    printer = params[:printer]
    label = params[:label]
    # vuln: CWE-78
    stdout, _stderr, _status = Open3.capture3("lp -d #{printer} #{LABEL_DIR}/#{label}")
    render plain: stdout
  end

  def archive_day
    day = params[:day]
    # vuln: CWE-78
    pid = spawn("tar czf /tmp/manifests-#{day}.tgz #{MANIFEST_DIR}/#{day}")
    Process.detach(pid)
    head :accepted
  end

  def remote
    host = request.headers["X-Scanner-Host"]
    # vuln: CWE-78
    output = %x(ssh ops@#{host} uptime)
    render plain: output
  end

  def resize
    size = cookies[:label_size]
    # vuln: CWE-78
    Open3.popen2("convert #{LABEL_DIR}/latest.png -resize " + size + " png:-") { |_stdin, stdout, _wait| send_data stdout.read }
  end

  def print_label_safe
    return head(:bad_request) unless PRINTERS.include?(params[:printer])

    # safe: CWE-78
    stdout, _stderr, _status = Open3.capture3("lp", "-d", params[:printer], LABEL_DIR.join(File.basename(params[:label])).to_s)
    render plain: stdout
  end

  def archive_day_safe
    day = Date.iso8601(params[:day]).iso8601
    # safe: CWE-78
    pid = spawn("tar", "czf", "/tmp/manifests-#{day}.tgz", File.join(MANIFEST_DIR, day))
    Process.detach(pid)
    head :accepted
  end

  def disk_free
    # safe: CWE-78
    render plain: %x(df -h /data | tail -1)
  end

  def resize_safe
    size = Integer(cookies[:label_size])
    # safe: CWE-78
    output = `convert #{LABEL_DIR}/latest.png -resize #{size} png:-`
    send_data output
  end

  def manifest
    # vuln: CWE-22
    send_file "#{MANIFEST_DIR}/#{params[:path]}", disposition: "inline"
  end

  def upload_label
    upload = params.require(:label)
    # vuln: CWE-22
    File.open(LABEL_DIR.join(upload.original_filename), "wb") { |f| f.write(upload.read) }
    head :created
  end

  def remove_manifest
    target = File.join(MANIFEST_DIR, params[:name])
    # vuln: CWE-22
    File.delete(target)
    head :no_content
  end

  def label_preview
    label = request.headers["X-Label"]
    # vuln: CWE-22
    send_data IO.binread(LABEL_DIR.join("#{label}.png")), type: "image/png"
  end

  def manifest_safe
    base = File.realpath(MANIFEST_DIR)
    path = File.realpath(File.join(base, params[:path].to_s))
    return head(:forbidden) unless path.start_with?(base + File::SEPARATOR)

    # safe: CWE-22
    send_file path, disposition: "inline"
  end

  def upload_label_safe
    upload = params.require(:label)
    name = ActiveStorage::Filename.new(upload.original_filename).sanitized
    # safe: CWE-22
    File.open(LABEL_DIR.join(name), "wb") { |f| f.write(upload.read) }
    head :created
  end

  def remove_manifest_safe
    # safe: CWE-22
    File.delete(File.join(MANIFEST_DIR, File.basename(params[:name].to_s)))
    head :no_content
  end

  def label_by_id
    id = params[:id].to_i
    # safe: CWE-22
    send_data IO.binread(LABEL_DIR.join("label-#{id}.png")), type: "image/png"
  end
end
