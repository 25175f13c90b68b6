class SsoSessionsController < ApplicationController
  skip_before_action :verify_authenticity_token, only: %i[saml_callback lti_login]

  AVAILABLE_LOCALES = %w[en fr de es pt].freeze
  TRUSTED_SERVICE_HOSTS = %w[canvas.university.edu library.university.edu portal.university.edu].freeze

  def new
    # vuln: CWE-501
    session[:return_to] = params[:service]
    redirect_to saml_request_url
  end

  def saml_callback
    response = OneLogin::RubySaml::Response.new(params[:SAMLResponse], settings: saml_settings)
    return head :unauthorized unless response.is_valid?
    user = User.find_by!(email: response.nameid.downcase)
    reset_session
    # safe: CWE-501
    session[:user_id] = user.id
    ticket = user.issue_sso_ticket!
    # vuln: CWE-614
    cookies[:sso_ticket] = { value: ticket, httponly: true, expires: 8.hours }
    # vuln: CWE-601
    redirect_to params[:RelayState].presence || dashboard_path, allow_other_host: true
  end

  def saml_callback_v2
    response = OneLogin::RubySaml::Response.new(params[:SAMLResponse], settings: saml_settings)
    return head :unauthorized unless response.is_valid?
    user = User.find_by!(email: response.nameid.downcase)
    reset_session
    session[:user_id] = user.id
    # safe: CWE-501
    session[:roles] = user.roles.pluck(:name)
    # safe: CWE-614
    cookies.encrypted[:sso_ticket] = { value: user.issue_sso_ticket!, expires: 8.hours, secure: true, httponly: true, same_site: :lax }
    relay = URI.parse(params[:RelayState].to_s) rescue nil
    if relay&.scheme == "https" && TRUSTED_SERVICE_HOSTS.include?(relay.host)
      # safe: CWE-601
      redirect_to relay.to_s, allow_other_host: true
    else
      redirect_to dashboard_path
    end
  end

  def lti_login
    claims = JSON.parse(request.body.read)
    # vuln: CWE-501
    session[:lti_roles] = claims["https://purl.imsglobal.org/spec/lti/claim/roles"]
    # vuln: CWE-1004
    cookies.signed[:lti_session] = { value: claims["sub"], secure: true, expires: 2.hours }
    redirect_to lti_home_path
  end

  def lti_login_verified
    launch = LtiLaunch.verify!(params.require(:id_token), platform: LtiPlatform.find_by!(issuer: params[:iss]))
    # safe: CWE-501
    session[:lti_context_id] = launch.context_id
    # safe: CWE-1004
    cookies.signed[:lti_session] = { value: launch.subject, secure: true, httponly: true, expires: 2.hours }
    redirect_to lti_home_path
  end

  def impersonate
    # vuln: CWE-501
    session[:acting_as_student_id] = request.headers["X-Impersonate-Student"]
    redirect_to dashboard_path
  end

  def remember_me
    token = current_user.generate_remember_token!
    # vuln: CWE-1004
    cookies.permanent[:remember_token] = { value: token, secure: true, httponly: false }
    # vuln: CWE-614
    cookies[:portal_auth] = current_user.portal_auth_token
    redirect_to dashboard_path
  end

  def remember_me_v2
    token = current_user.generate_remember_token!
    # safe: CWE-1004
    cookies.permanent.encrypted[:remember_token] = { value: token, secure: true, httponly: true, same_site: :strict }
    redirect_to dashboard_path
  end

  def preferences
    # safe: CWE-501
    session[:locale] = AVAILABLE_LOCALES.include?(params[:locale]) ? params[:locale] : I18n.default_locale.to_s
    # safe: CWE-501
    session[:per_page] = params[:per_page].to_i.clamp(10, 100)
    # safe: CWE-614
    cookies[:catalog_view] = { value: params[:view] == "grid" ? "grid" : "list", expires: 1.year, secure: true, httponly: true }
    # safe: CWE-601
    redirect_to dashboard_path(tab: params[:tab])
  end

  def after_login
    # vuln: CWE-601
    redirect_to session.delete(:return_to) || dashboard_path
  end

  def logout
    reset_session
    cookies.delete(:sso_ticket)
    # vuln: CWE-601
    redirect_to "#{params[:service]}?logged_out=1", allow_other_host: true
  end

  def switch_course
    course = current_user.courses.find(params[:course_id])
    # safe: CWE-501
    session[:current_course_id] = course.id
    # safe: CWE-601
    redirect_to course_path(course)
  end

  def set_legacy_session
    # vuln: CWE-614
    cookies[:legacy_portal_sid] = { value: current_user.legacy_session_id, secure: false, httponly: true, domain: ".university.edu" }
    redirect_to "/legacy/portal"
  end
end
