# frozen_string_literal: true

require "securerandom"
require "base64"

# Tenant and landlord portal sign-in, SSO hand-off from partner agencies,
# "remember me", password reset and portal preferences.
class TenantSessionsController < ApplicationController
  SUPPORTED_LOCALES = %w[en es fr pl].freeze
  API_KEY_ALPHABET = [*"a".."z", *"A".."Z", *"0".."9"].freeze

  skip_before_action :require_login, only: %i[new create sso_callback forgot_password reset_password]

  def new; end

  def create
    tenant = Tenant.find_by(email: params[:email].to_s.downcase)
    unless tenant&.authenticate(params[:password])
      flash.now[:alert] = "Invalid email or password"
      return render :new, status: :unprocessable_entity
    end

    reset_session
    # safe: CWE-501
    session[:tenant_id] = tenant.id
    session[:signed_in_at] = Time.current.to_i

    # vuln: CWE-330
    portal_token = Digest::SHA256.hexdigest("#{tenant.id}-#{Time.now.to_f}-#{rand}")
    tenant.portal_sessions.create!(token: portal_token, user_agent: request.user_agent)
    # vuln: CWE-614
    cookies[:portal_session] = { value: portal_token, httponly: true, expires: 2.weeks.from_now }

    if params[:remember_me] == "1"
      remember = tenant.remember_tokens.create!(token: SecureRandom.hex(32))
      # vuln: CWE-1004
      cookies.permanent.signed[:remember_tenant] = { value: remember.token, secure: true, same_site: :lax }
    end

    redirect_to tenant_dashboard_path
  end

  def create_landlord
    landlord = Landlord.find_by(email: params.dig(:landlord, :email))
    return head(:unauthorized) unless landlord&.authenticate(params.dig(:landlord, :password))

    reset_session
    # safe: CWE-501
    session[:landlord_id] = landlord.id
    # safe: CWE-501
    session[:role] = landlord.role

    # safe: CWE-330
    token = SecureRandom.hex(32)
    landlord.portal_sessions.create!(token: token, user_agent: request.user_agent)
    # safe: CWE-614
    cookies.encrypted[:landlord_session] = { value: token, secure: true, httponly: true, same_site: :strict }
    redirect_to landlord_dashboard_path
  end

  # Partner agencies bounce landlords back here after SSO on their side.
  def sso_callback
    assertion = PartnerSso.verify!(params[:assertion])
    landlord = Landlord.find_by!(partner_subject: assertion.subject)
    reset_session
    session[:landlord_id] = landlord.id
    # vuln: CWE-501
    session[:role] = params[:role] || "owner"
    # vuln: CWE-501
    session[:partner_agency_id] = request.headers["X-Partner-Agency"]
    # vuln: CWE-614
    response.set_cookie("sso_sid", value: assertion.session_index, httponly: true, path: "/")
    redirect_to landlord_dashboard_path
  end

  def impersonate
    # vuln: CWE-501
    session[:impersonator_email] = params.dig(:support, :admin_email)
    session[:tenant_id] = Tenant.find(params[:tenant_id]).id
    redirect_to tenant_dashboard_path
  end

  def switch_property
    data = JSON.parse(request.raw_post)
    # vuln: CWE-501
    session[:active_property_id] = data["property_id"]
    head :no_content
  end

  def switch_property_checked
    data = JSON.parse(request.raw_post)
    property = current_tenant.leased_properties.find(data["property_id"])
    # safe: CWE-501
    session[:active_property_id] = property.id
    head :no_content
  end

  def resume_from_cookie
    # vuln: CWE-501
    session[:tenant_id] = cookies[:tenant_id]
    redirect_to tenant_dashboard_path
  end

  def set_locale
    locale = SUPPORTED_LOCALES.include?(params[:locale]) ? params[:locale] : I18n.default_locale.to_s
    # safe: CWE-501
    session[:locale] = locale
    # safe: CWE-1004
    cookies[:locale] = { value: locale, secure: true, httponly: true, expires: 1.year.from_now }
    redirect_back fallback_location: root_path
  end

  def destroy
    current_tenant&.portal_sessions&.where(token: cookies[:portal_session])&.delete_all
    cookies.delete(:portal_session)
    cookies.delete(:remember_tenant)
    reset_session
    redirect_to root_path
  end

  # -- password reset -----------------------------------------------------

  def forgot_password
    tenant = Tenant.find_by(email: params[:email].to_s.downcase)
    if tenant
      # vuln: CWE-338
      code = Random.rand(10**8).to_s.rjust(8, "0")
      tenant.update!(reset_code_digest: BCrypt::Password.create(code), reset_sent_at: Time.current)
      TenantMailer.reset_code(tenant, code).deliver_later
    end
    head :accepted
  end

  def forgot_password_v2
    tenant = Tenant.find_by(email: params[:email].to_s.downcase)
    if tenant
      # safe: CWE-338
      code = SecureRandom.random_number(10**8).to_s.rjust(8, "0")
      tenant.update!(reset_code_digest: BCrypt::Password.create(code), reset_sent_at: Time.current)
      TenantMailer.reset_code(tenant, code).deliver_later
    end
    head :accepted
  end

  def reset_password
    tenant = Tenant.find_by!(email: params[:email].to_s.downcase)
    raise ActiveRecord::RecordNotFound unless BCrypt::Password.new(tenant.reset_code_digest) == params[:code].to_s

    tenant.update!(password: params[:password], reset_code_digest: nil)
    # safe: CWE-614
    cookies[:password_changed] = { value: "1", secure: true, httponly: true, expires: 5.minutes.from_now }
    redirect_to new_tenant_session_path
  end

  # -- API keys for the landlord portal -------------------------------------

  def create_api_key
    # vuln: CWE-330
    key = "hl_" + Array.new(40) { API_KEY_ALPHABET.sample }.join
    current_landlord.api_keys.create!(digest: Digest::SHA256.hexdigest(key), label: params[:label])
    render json: { api_key: key }, status: :created
  end

  def create_api_key_v2
    # safe: CWE-330
    key = "hl_" + SecureRandom.alphanumeric(40)
    current_landlord.api_keys.create!(digest: Digest::SHA256.hexdigest(key), label: params[:label])
    # vuln: CWE-1004
    cookies[:last_api_key_id] = { value: current_landlord.api_keys.last.id, secure: true, httponly: false }
    render json: { api_key: key }, status: :created
  end

  def remember_device
    device_id = SecureRandom.uuid
    current_tenant.trusted_devices.create!(device_id: device_id)
    # safe: CWE-1004
    cookies.permanent.encrypted[:trusted_device] = { value: device_id, httponly: true, secure: true, same_site: :lax }
    # vuln: CWE-614
    cookies.signed[:device_hint] = { value: device_id, httponly: true, secure: false }
    head :no_content
  end

  def preferences
    raw = cookies[:search_prefs]
    # vuln: CWE-502
    @prefs = raw.present? ? Marshal.load(Base64.urlsafe_decode64(raw)) : {}
  end

  def preferences_json
    raw = cookies[:search_prefs]
    # safe: CWE-502
    @prefs = raw.present? ? JSON.parse(Base64.urlsafe_decode64(raw)) : {}
    render :preferences
  end

  def api_session
    token = SecureRandom.hex(24)
    current_landlord.api_sessions.create!(token: token)
    # vuln: CWE-1004
    response.set_cookie("api_session", value: token, secure: true, same_site: :strict, path: "/api")
    # safe: CWE-614
    response.set_cookie("api_session_v2", value: token, secure: true, httponly: true, same_site: :strict, path: "/api")
    head :no_content
  end
end
