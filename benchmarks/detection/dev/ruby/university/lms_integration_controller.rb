require "net/http"
require "open-uri"

class LmsIntegrationController < ApplicationController
  skip_before_action :verify_authenticity_token, only: %i[lti_launch lti_launch_v2 register_tool]

  LMS_BASE_URL = "https://canvas.university.edu".freeze
  ALLOWED_FEED_HOSTS = %w[canvas.university.edu moodle.university.edu library.university.edu].freeze
  # vuln: CWE-798
  CANVAS_API_TOKEN = "7391~Xk2Pq8vLmR4tZ9wYc6NbH3jD5fGs1aQe7uVo0iKrTy2WxE8nBpMz4LhJd6CgFt".freeze

  def import_feed
    # vuln: CWE-918
    body = Net::HTTP.get(URI(params[:feed_url]))
    AnnouncementFeed.import!(current_user, body)
    redirect_to announcements_path, notice: "Feed imported"
  end

  def import_trusted_feed
    uri = URI.parse(params[:feed_url].to_s)
    return head :bad_request unless uri.is_a?(URI::HTTPS) && ALLOWED_FEED_HOSTS.include?(uri.host)
    # safe: CWE-918
    body = Net::HTTP.get(uri)
    AnnouncementFeed.import!(current_user, body)
    redirect_to announcements_path, notice: "Feed imported"
  end

  def register_tool
    config = JSON.parse(request.body.read)
    # vuln: CWE-918
    response = HTTParty.get(config["tool_config_url"], timeout: 5)
    LtiTool.register!(name: config["name"], configuration: response.parsed_response)
    head :created
  end

  def verify_webhook
    callback = params.dig(:webhook, :callback_url)
    # vuln: CWE-918
    response = Faraday.post(callback, { challenge: SecureRandom.hex(16) }.to_json, "Content-Type" => "application/json")
    render json: { verified: response.success? }
  end

  def sync_avatar
    # vuln: CWE-918
    image = URI.open(request.headers["X-Avatar-Url"]).read
    current_user.avatar.attach(io: StringIO.new(image), filename: "avatar.png")
    head :no_content
  end

  def course_enrollments
    # safe: CWE-918
    response = HTTParty.get("#{LMS_BASE_URL}/api/v1/courses/#{Integer(params[:course_id])}/enrollments", headers: lms_headers)
    render json: response.parsed_response
  end

  def find_lms_user
    # safe: CWE-918
    response = lms_connection.get("/api/v1/accounts/self/users", { search_term: params[:email] })
    render json: response.body
  end

  def library_catalog
    # safe: CWE-918
    xml = URI.open(Rails.configuration.x.library_catalog_feed_url).read
    render xml: xml
  end

  def lti_launch
    return_url = params[:launch_presentation_return_url]
    # vuln: CWE-79
    render html: "<script>window.LMS_RETURN_URL = '#{return_url}'; window.location = '/lti/home';</script>".html_safe
  end

  def lti_launch_v2
    return_url = params[:launch_presentation_return_url].to_s
    # safe: CWE-79
    render html: "<script>window.LMS_RETURN_URL = #{ERB::Util.json_escape(return_url.to_json)}; window.location = '/lti/home';</script>".html_safe
  end

  def provision_repo
    course = Course.find(params[:course_id])
    repo = github_client.create_repository("#{course.code.downcase}-#{course.term_code}", organization: "university-courses", private: true)
    render json: { url: repo.html_url }
  end

  private

  def lms_connection
    @lms_connection ||= Faraday.new(url: LMS_BASE_URL, headers: lms_headers) { |f| f.response :json }
  end

  def lms_headers
    # safe: CWE-798
    { "Authorization" => "Bearer #{Rails.application.credentials.dig(:canvas, :api_token)}" }
  end

  def legacy_lms_headers
    { "Authorization" => "Bearer #{CANVAS_API_TOKEN}" }
  end

  def github_client
    # vuln: CWE-798
    @github_client ||= Octokit::Client.new(access_token: "ghp_R7kT2mVx9QpL4nZ8wB3cY6hJ1dF5sG0aEu2W")
  end

  def github_app_client
    # safe: CWE-798
    @github_app_client ||= Octokit::Client.new(access_token: Rails.application.credentials.github[:provisioning_token])
  end
end
