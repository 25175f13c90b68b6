# Labelled cases for checks/semgrep_rules/taint/ruby.yml, and the Ruby part of the detection
# corpus: "ruleid:" marks a vulnerable line, "ok:" a safe look-alike.
require "digest"
require "net/http"
require "open3"
require "securerandom"

class UsersController < ApplicationController
  ALLOWED_FILES = %w[terms.pdf privacy.pdf].freeze
  ALLOWED_ROLES = %w[viewer editor].freeze

  # --- SQL injection (CWE-89) -------------------------------------------------------------
  def index
    # ruleid: ruby-sql-injection
    @users = User.where("name = '#{params[:name]}'")
    # ok: ruby-sql-injection
    @same = User.where("name = ?", params[:name])
    # ok: ruby-sql-injection
    @hash = User.where(name: params[:name])
    # ok: ruby-sql-injection
    @page = User.order("id").limit(params[:limit].to_i)
  end

  def search_orders(customer)
    # ruleid: ruby-sql-injection
    ActiveRecord::Base.connection.execute("SELECT * FROM orders WHERE customer = '#{customer}'")
  end

  # --- Command injection (CWE-78) ---------------------------------------------------------
  def ping
    host = params[:host]
    # ruleid: ruby-command-injection
    system("ping -c 1 #{host}")
    # ok: ruby-command-injection
    system("ping", "-c", "1", host)
    # ok: ruby-command-injection
    system("ping -c 1 #{Shellwords.escape(host)}")
    # ruleid: ruby-command-injection
    output = `nslookup #{host}`
    render plain: output
  end

  # --- Code injection (CWE-95) ------------------------------------------------------------
  def calc
    # ruleid: ruby-code-injection
    result = eval(params[:expr])
    # ok: ruby-code-injection
    fixed = eval("1 + 2")
    render json: { result: result, fixed: fixed }
  end

  # --- LDAP injection (CWE-90) ------------------------------------------------------------
  def directory
    ldap = Net::LDAP.new(host: "directory")
    # ruleid: ruby-ldap-injection
    found = ldap.search(base: "dc=example", filter: Net::LDAP::Filter.construct("(uid=#{params[:user]})"))
    # ok: ruby-ldap-injection
    same = ldap.search(base: "dc=example", filter: Net::LDAP::Filter.eq("uid", params[:user]))
    render json: [found, same]
  end

  # --- XPath injection (CWE-643) ----------------------------------------------------------
  def catalog
    doc = Nokogiri::XML(File.read("catalog.xml"))
    # ruleid: ruby-xpath-injection
    books = doc.xpath("//book[title='#{params[:title]}']")
    # ok: ruby-xpath-injection
    all = doc.xpath("//book")
    render json: [books.size, all.size]
  end

  # --- Path traversal (CWE-22) ------------------------------------------------------------
  def download
    # ruleid: ruby-path-traversal
    send_file "/srv/files/#{params[:file]}"
  end

  def download_safe
    name = params[:file]
    # ok: ruby-path-traversal
    send_file File.join("/srv/files", File.basename(name))
  end

  def docs
    name = params[:doc]
    if ALLOWED_FILES.include?(name)
      # ok: ruby-path-traversal
      send_file File.join("/srv/docs", name)
    end
  end

  # --- Open redirect (CWE-601) ------------------------------------------------------------
  def login_done
    # ruleid: ruby-open-redirect
    redirect_to params[:next]
  end

  def login_done_safe
    # ok: ruby-open-redirect
    redirect_to root_path
  end

  # --- Cross-site scripting (CWE-79) ------------------------------------------------------
  def hello
    # ruleid: ruby-xss
    render html: "<h1>Hello #{params[:name]}</h1>".html_safe
  end

  def hello_safe
    # ok: ruby-xss
    render html: "<h1>Hello #{ERB::Util.html_escape(params[:name])}</h1>".html_safe
  end

  # --- XML external entities (CWE-611) ----------------------------------------------------
  def import
    # ruleid: ruby-xxe
    doc = Nokogiri::XML(request.body.read, nil, nil, Nokogiri::XML::ParseOptions::NOENT)
    # ok: ruby-xxe
    safe = Nokogiri::XML(request.body.read)
    render json: [doc, safe].size
  end

  # --- Insecure deserialization (CWE-502) -------------------------------------------------
  def restore
    # ruleid: ruby-insecure-deserialization
    state = Marshal.load(Base64.decode64(cookies[:state]))
    # ok: ruby-insecure-deserialization
    prefs = JSON.parse(cookies[:prefs])
    render json: [state, prefs]
  end

  # --- Server-side request forgery (CWE-918) ----------------------------------------------
  def preview
    # ruleid: ruby-ssrf
    page = Net::HTTP.get(URI(params[:url]))
    # ok: ruby-ssrf
    profile = Net::HTTP.get(URI("https://api.example.com/users/#{params[:user]}"))
    render plain: page + profile
  end

  # --- Trust boundary violation (CWE-501) -------------------------------------------------
  def prefs
    # ruleid: ruby-trust-boundary-violation
    session[:role] = params[:role]
    role = params[:requested]
    if ALLOWED_ROLES.include?(role)
      # ok: ruby-trust-boundary-violation
      session[:requested] = role
    end
  end

  # --- Weak cryptography (CWE-327) --------------------------------------------------------
  def digest(password)
    # ruleid: ruby-weak-crypto
    weak = Digest::MD5.hexdigest(password)
    # ok: ruby-weak-crypto
    strong = Digest::SHA256.hexdigest(password)
    weak + strong
  end

  # --- Weak randomness in a security context (CWE-330) ------------------------------------
  def new_reset_token
    # ruleid: ruby-weak-random-security
    reset_token = rand(10**20).to_s
    # ok: ruby-weak-random-security
    api_token = SecureRandom.hex(20)
    # ok: ruby-weak-random-security
    retry_delay = rand(100)
    [reset_token, api_token, retry_delay]
  end

  # --- Insecure cookie (CWE-614) ----------------------------------------------------------
  def start_session
    # ruleid: ruby-insecure-cookie
    cookies[:sid] = SecureRandom.hex(16)
    # ok: ruby-insecure-cookie
    cookies[:sid2] = { value: SecureRandom.hex(16), secure: true, httponly: true }
  end

  # --- Hard-coded secret (CWE-798) --------------------------------------------------------
  # ruleid: ruby-hardcoded-secret
  STRIPE_API_KEY = "sk_live_4eC39HqLyjWDarjtT1zdp7dc"
  # ok: ruby-hardcoded-secret
  GITHUB_TOKEN = ENV.fetch("GITHUB_TOKEN")
  # ok: ruby-hardcoded-secret
  PASSWORD_FIELD = "password"
end

# --- Generalisation cases (issue 15) ----------------------------------------------------------
class GeneralisationController < ApplicationController
  SORTABLE = { "name" => "name", "price" => "price" }.freeze
  DEPARTMENTS = %w[ops it].freeze
  THEMES = %w[light dark].freeze

  def sorted_safe
    order = SORTABLE.fetch(params[:order].to_s, "name")
    # ok: ruby-sql-injection
    Product.order(Arel.sql(order))
    # ruleid: ruby-sql-injection
    Product.order(Arel.sql(params[:order]))
  end

  def invoice_preview
    template = params.require(:invoice)[:template]
    # ruleid: ruby-code-injection
    ERB.new(template).result_with_hash(user: current_user)
    metric = %w[count sum].include?(params[:metric]) ? params[:metric] : "count"
    # ok: ruby-code-injection
    current_user.orders.public_send(metric, :total)
  end

  def department_heads
    dept = params[:dept]
    return head(:not_found) unless DEPARTMENTS.include?(dept)

    # ok: ruby-xpath-injection
    @org_chart.xpath("//department[@code='#{dept}']/head")
    # ruleid: ruby-xpath-injection
    @org_chart.xpath("//employee[@name='#{request.headers["X-Name"]}']")
  end

  def delete_upload
    # ruleid: ruby-path-traversal
    FileUtils.rm_f(Rails.root.join("public", "uploads", params[:path]))
    path = File.expand_path(params[:file].to_s, UPLOAD_DIR)
    return head(:bad_request) unless path.start_with?(UPLOAD_DIR + "/")

    # ok: ruby-path-traversal
    render plain: File.read(path)
  end

  def create_safe
    # ok: ruby-open-redirect
    redirect_to params[:return_to].presence || root_path, allow_other_host: false
    # ok: ruby-open-redirect
    redirect_to order_path(params[:id].to_i)
  end

  def not_found
    # ruleid: ruby-xss
    render html: "<p>Nothing lives at #{request.fullpath}</p>".html_safe
    # ok: ruby-xss
    render html: helpers.sanitize(params[:body], tags: %w[p b])
  end

  def catalog
    options = Nokogiri::XML::ParseOptions::DEFAULT_XML | Nokogiri::XML::ParseOptions::NOENT
    # ruleid: ruby-xxe
    Nokogiri::XML::Document.parse(params[:xml], nil, "UTF-8", options)
    # ok: ruby-xxe
    Nokogiri::XML::Document.parse(params[:xml], nil, "UTF-8", Nokogiri::XML::ParseOptions::DEFAULT_XML)
  end

  def restore_report
    # ruleid: ruby-insecure-deserialization
    Oj.load(params.require(:state), mode: :object)
    # ok: ruby-insecure-deserialization
    Oj.load(params.require(:state), mode: :strict)
  end

  def test_webhook
    uri = URI(params[:url])
    # ruleid: ruby-ssrf
    Net::HTTP.post(uri, "{}", "Content-Type" => "application/json")
    safe = URI.parse(params[:src])
    return head(:bad_request) unless safe.is_a?(URI::HTTPS) && IMAGE_HOSTS.include?(safe.host)

    # ok: ruby-ssrf
    Net::HTTP.get(safe)
  end

  def switch_team
    # ruleid: ruby-trust-boundary-violation
    session.merge!("team_id" => params.require(:team))
    team = current_user.teams.find_by(id: params.require(:team))
    # ok: ruby-trust-boundary-violation
    session[:team_id] = team.id
    # ok: ruby-trust-boundary-violation
    session[:theme] = THEMES.include?(params[:theme]) ? params[:theme] : "light"
  end

  def sign_legacy_webhook(secret, body)
    # ruleid: ruby-weak-crypto
    OpenSSL::HMAC.hexdigest("MD5", secret, body)
  end

  def etag_for(body)
    # ok: ruby-weak-crypto
    %("#{Digest::MD5.base64digest(body)}")
  end

  def one_time_login_code
    # ruleid: ruby-weak-random-security
    format("%06d", rand(1_000_000))
  end

  def api_key(user)
    generator = Random.new(user.id)
    # ruleid: ruby-weak-random-security
    generator.bytes(16).unpack1("H*")
  end

  def shuffled_playlist(tracks)
    # ok: ruby-weak-random-security
    tracks.shuffle
  end

  def session_hint
    # ruleid: ruby-insecure-cookie
    response.set_header("Set-Cookie", "session_hint=#{SecureRandom.uuid}; Path=/")
    # ok: ruby-insecure-cookie
    response.set_header("Set-Cookie", "session_hint=#{SecureRandom.uuid}; Path=/; Secure; HttpOnly")
  end

  def aws_client
    # ruleid: ruby-hardcoded-secret
    Aws::Credentials.new("AKIAW8N3K5R7T2P9Q4MX", ENV.fetch("AWS_SECRET_ACCESS_KEY"))
    # ok: ruby-hardcoded-secret
    Aws::Credentials.new(ENV.fetch("AWS_ACCESS_KEY_ID"), ENV.fetch("AWS_SECRET_ACCESS_KEY"))
  end
end

class KioskController < ApplicationController
  def kiosk_session
    # ruleid: ruby-insecure-cookie
    response.headers["Set-Cookie"] = "kiosk_session=#{SecureRandom.hex(24)}; Path=/portal; HttpOnly"
    # ok: ruby-insecure-cookie
    response.headers["Set-Cookie"] = "kiosk_session=#{SecureRandom.hex(24)}; Path=/portal; Secure; HttpOnly"
  end

  def store_password(patient, salt, password)
    # ruleid: ruby-weak-crypto
    patient.update!(password_digest: "sha1$#{salt}$" + OpenSSL::Digest::SHA1.hexdigest(salt + password))
    # ok: ruby-weak-crypto
    patient.update!(password_digest: BCrypt::Password.create(password))
  end
end

class PartnerProbeController < ApplicationController
  def probe
    host = request.headers["X-Partner-Host"]
    # ruleid: ruby-ssrf
    socket = TCPSocket.new(host, params[:port].to_i)
    socket.close
    # ok: ruby-ssrf
    TCPSocket.new("partners.example.com", params[:port].to_i).close
  end
end

class PortalLoginController < ApplicationController
  def create
    target = URI.parse(params[:return_url].to_s)
    path = target.host.nil? && target.scheme.nil? && target.path.start_with?("/") && !target.path.start_with?("//") ? target.path : portal_root_path
    # ok: ruby-open-redirect
    redirect_to path
    # ruleid: ruby-open-redirect
    redirect_to params[:next].present? ? params[:next] : portal_root_path
  end
end

# --- Third tuning round (university corpus) ---------------------------------------------------
class ArchiveController < ApplicationController
  RETURN_HOSTS = %w[intranet.example.org].freeze
  # ruleid: ruby-hardcoded-secret
  WEBHOOK_SIGNING_SECRET = "wh_9fK2LpQ7xZ4rT8vN3mB6cJ1d".freeze
  # ok: ruby-hardcoded-secret
  WEBHOOK_SIGNING_SECRET_NAME = ENV.fetch("WEBHOOK_SECRET_NAME").freeze

  def remember_origin
    # ruleid: ruby-trust-boundary-violation
    session[:archive_back] = params[:back]
    head :ok
  end

  def back
    # ruleid: ruby-open-redirect
    redirect_to session.delete(:archive_back) || archive_root_path
    # ok: ruby-open-redirect
    redirect_to session.delete(:last_tab) || archive_root_path
  end

  def oidc_callback
    grant = OidcGrant.verify!(params.require(:id_token), audience: "archive")
    # ok: ruby-trust-boundary-violation
    session[:archive_tenant] = grant.tenant
    claims = JWT.decode(params[:jwt], ENV.fetch("JWT_KEY"), true, algorithm: "HS256").first
    # ok: ruby-trust-boundary-violation
    session[:archive_subject] = claims["sub"]
    unverified = JWT.decode(params[:jwt], nil, false).first
    # ruleid: ruby-trust-boundary-violation
    session[:archive_subject] = unverified["sub"]
  end

  def bootstrap
    box = params[:box].to_s
    # ok: ruby-xss
    render html: helpers.javascript_tag("window.box = #{box.to_json};")
    # ok: ruby-xss
    render html: "<script>var b = #{ERB::Util.json_escape(box.to_json)};</script>".html_safe
    # ruleid: ruby-xss
    render html: "<script>var b = '#{box}';</script>".html_safe
  end

  def store_scan
    scan = params.require(:scan)
    ext = File.extname(scan.original_filename).downcase
    blob = ArchiveBlob.create!(label: scan.original_filename, key: "#{SecureRandom.hex(12)}#{ext}")
    # ok: ruby-path-traversal
    File.binwrite(File.join(ARCHIVE_DIR, blob.key), scan.read)
    clean = ActiveStorage::Filename.new(scan.original_filename).sanitized
    # ok: ruby-path-traversal
    File.open(ARCHIVE_DIR.join(clean), "wb") { |f| f.write(scan.read) }
    # ruleid: ruby-path-traversal
    File.open(ARCHIVE_DIR.join(scan.original_filename), "wb") { |f| f.write(scan.read) }
  end

  def load_index
    # ruleid: ruby-xxe
    reader = Nokogiri::XML::Reader(request.body.read, nil, "UTF-8", Nokogiri::XML::ParseOptions::DTDLOAD)
    # ok: ruby-xxe
    plain = Nokogiri::XML::Reader(request.body.read, nil, "UTF-8", Nokogiri::XML::ParseOptions::NONET)
    render json: [reader.count, plain.count]
  end

  def shelf_lookup
    index = REXML::Document.new(File.read(INDEX_PATH))
    # ruleid: ruby-xpath-injection
    shelves = index.get_elements("//shelf[@owner='#{params[:owner]}']")
    # ok: ruby-xpath-injection
    all = index.get_elements("//shelf")
    # ruleid: ruby-xpath-injection
    index.find("//shelf[@label='#{params[:label]}']")
    # ok: ruby-xpath-injection
    ArchiveShelf.find(params[:shelf_id])
    render json: [shelves.size, all.size]
  end

  def show_scan
    blob = ArchiveBlob.find(params[:id])
    # ok: ruby-weak-crypto
    etag_value = Digest::MD5.hexdigest([blob.cache_key_with_version, blob.byte_size].join(":"))
    fresh_when(etag: etag_value)
    # ok: ruby-weak-crypto
    fresh_when(etag: Digest::MD5.hexdigest(blob.key), last_modified: blob.updated_at)
    # ok: ruby-weak-crypto
    cache_token = Digest::SHA1.hexdigest(blob.key)
    # ruleid: ruby-weak-crypto
    signature = Digest::SHA1.hexdigest("#{blob.key}:#{ENV.fetch('ARCHIVE_SALT')}")
    render json: [cache_token, signature]
  end

  def share_scan
    # ruleid: ruby-weak-random-security
    handle = "S#{Kernel.rand(10**12).to_s(36)}"
    ArchiveShare.create!(handle: handle)
    render json: { link: archive_share_url(handle) }
    # ok: ruby-weak-random-security
    wobble = rand(0.0..0.3)
    render json: { link: archive_share_url(ArchiveShare.last.handle), wobble: wobble }
    # ok: ruby-weak-random-security
    passcode = Array.new(6) { DIGITS.sample(random: SecureRandom) }.join
    # ruleid: ruby-weak-random-security
    passcode = Array.new(6) { DIGITS.sample }.join
    render json: { passcode: passcode }
  end

  def save_filters
    params.require(:filters).permit!.to_h.each do |name, value|
      # ruleid: ruby-trust-boundary-violation
      session["filter_#{name}"] = value
    end
    FILTER_DEFAULTS.each do |name, value|
      # ok: ruby-trust-boundary-violation
      session["filter_#{name}"] = value
    end
  end

  def sms_client
    # ruleid: ruby-hardcoded-secret
    Twilio::REST::Client.new(ENV.fetch("TWILIO_SID"), "8f3a1c9e5b7d2f4a6c0e8b1d3f5a7c9e")
    # ok: ruby-hardcoded-secret
    Twilio::REST::Client.new(ENV.fetch("TWILIO_SID"), ENV.fetch("TWILIO_TOKEN"))
    # ok: ruby-hardcoded-secret
    Search::Client.new("https://search.internal.example.org", "catalog")
  end

  def signing_key
    # ruleid: ruby-hardcoded-secret
    OpenSSL::PKey::EC.new("-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIBkq9Xz3LmR7pT2vW8yN4cB6hJ1dF5sG0aE2qW9oK7iLoAoGCCqGSM49\n-----END EC PRIVATE KEY-----\n")
    # ok: ruby-hardcoded-secret
    OpenSSL::PKey::EC.new(File.read(ENV.fetch("ARCHIVE_KEY_PATH")))
  end
end

module ArchiveHelper
  def shelf_badge(label)
    # ruleid: ruby-xss
    "<span class=\"badge\">#{label}</span>".html_safe
  end

  def shelf_badge_escaped(label)
    # ok: ruby-xss
    "<span class=\"badge\">#{ERB::Util.html_escape(label)}</span>".html_safe
  end

  def shelf_title(label)
    # ok: ruby-xss
    content_tag(:h2, label, class: "shelf")
  end
end

# --- fourth tuning round ----------------------------------------------------------------------

class VenueLookupService
  def staff_in_region(region)
    region = REGIONS.include?(region) ? region : "north"
    # ok: ruby-ldap-injection
    @ldap.search(base: BASE_DN, filter: "(&(objectClass=person)(l=#{region}))")
  end

  def staff_named(name)
    # ruleid: ruby-ldap-injection
    @ldap.search(base: BASE_DN, filter: "(cn=#{name})")
  end

  def notify_partner(partner)
    # ruleid: ruby-ssrf
    Net::HTTP.post(URI("#{partner.callback_url}/events"), "{}")
    # ok: ruby-ssrf
    Net::HTTP.post(URI("#{Rails.configuration.x.partner_url}/events"), "{}")
  end

  def import_feed(body)
    # ruleid: ruby-insecure-deserialization
    JSON.parse(body, create_additions: true)
    # ok: ruby-insecure-deserialization
    JSON.parse(body)
  end

  def seal(document_bytes)
    # ruleid: ruby-weak-crypto
    Digest::MD5.hexdigest(document_bytes)
  end

  def archive_cipher
    # ruleid: ruby-weak-crypto
    OpenSSL::Cipher::AES.new(128, :ECB)
  end

  def transport_cipher
    # ok: ruby-weak-crypto
    OpenSSL::Cipher::AES.new(256, :GCM)
  end
end

class VenueAdminController < ApplicationController
  def compress
    # ruleid: ruby-command-injection
    Kernel.spawn("gzip -9 #{params[:file]}")
    # ok: ruby-command-injection
    IO.popen(["gzip", "-9", params[:file]], &:read)
  end

  def by_code
    code = request.path_parameters[:code]
    # ruleid: ruby-sql-injection
    Venue.where("code = '#{code}'")
  end

  def back
    # ok: ruby-open-redirect
    redirect_to url_from(params[:return_to]) || root_path
    path = params[:path].to_s
    if path.start_with?("/") && !path.start_with?("//")
      # ok: ruby-open-redirect
      redirect_to path
    end
    # ruleid: ruby-open-redirect
    redirect_to params[:next], allow_other_host: true
  end

  def store_seating_chart
    upload = params.require(:chart)
    # ok: ruby-path-traversal
    File.binwrite(CHART_DIR.join("#{SecureRandom.uuid}#{File.extname(upload.original_filename)}"), upload.read)
    # ruleid: ruby-path-traversal
    File.binwrite(CHART_DIR.join(params[:name].to_s), upload.read)
  end

  def remove_chart
    base = File.realpath(CHART_DIR)
    target = File.expand_path(params[:name].to_s, base)
    if target.start_with?(base + File::SEPARATOR)
      # ok: ruby-path-traversal
      FileUtils.rm_f(target)
    end
  end

  def remember
    # ruleid: ruby-insecure-cookie
    cookies.permanent.signed[:remember] = { value: "t", secure: true, same_site: :lax }
    # ok: ruby-insecure-cookie
    cookies.permanent.signed[:remember] = { value: "t", secure: true, httponly: true }
    # ruleid: ruby-insecure-cookie
    response.set_cookie("sso_sid", value: "s", httponly: true, path: "/")
    # ok: ruby-insecure-cookie
    response.set_cookie("sso_sid", value: "s", secure: true, httponly: true, path: "/")
  end
end

# --- Credentials in well-known formats, wherever the literal stands (one regex over every
# string literal; the earlier per-format `"=~/.../"` patterns never matched a Ruby string) ---
module IntegrationSettings
  # ruleid: ruby-hardcoded-secret
  SLACK = Slack::Web::Client.new(token: "xoxb-3857102946-7729403815-Rn4Wp9Zs2Tv7Lx0Qm3Bd6Hy1")
  # ruleid: ruby-hardcoded-secret
  REPORTS_URL = "postgres://reporting:Rep0rt1ng-Ro-2024x@replica.internal.example:5432/reports"
  # ruleid: ruby-hardcoded-secret
  STRIPE = ENV.fetch("STRIPE_SECRET_KEY", "sk_live_51OhbVrpoiVgRV5IfLBcbfnoGMbJmTPSIAoCL")
  # ok: ruby-hardcoded-secret
  DOCS_URL = "https://docs.example.org/integrations/slack"
  # ok: ruby-hardcoded-secret
  KEY_HEADER = "AKIA is the prefix of an AWS access key id"
end
