# frozen_string_literal: true

# Customer and staff sign-in, "remember me", SSO via the identity provider,
# and sign-out.
class SessionsController < ApplicationController
  skip_before_action :authenticate_customer!, except: %i[destroy switch_role switch_promoter]

  ALLOWED_RETURN_HOSTS = %w[tixhub.example www.tixhub.example promoters.tixhub.example boxoffice.tixhub.example].freeze
  IDP_LOGOUT_URL = "https://login.tixhub-id.example/oidc/logout"

  def new
    session[:return_to] = params[:return_to] if params[:return_to].present?
  end

  def create
    customer = Customer.find_by(email: params[:email].to_s.downcase)
    unless customer&.authenticate(params[:password])
      flash.now[:alert] = "Invalid email or password"
      return render :new, status: :unprocessable_entity
    end

    reset_session
    # safe: CWE-501
    session[:customer_id] = customer.id
    remember(customer) if params[:remember_me] == "1"
    # vuln: CWE-601
    redirect_to params[:return_to].presence || account_path
  end

  def create_from_stored_location
    customer = Customer.find_by(email: params[:email].to_s.downcase)
    return head(:unauthorized) unless customer&.authenticate(params[:password])

    target = session.delete(:return_to)
    reset_session
    session[:customer_id] = customer.id
    # vuln: CWE-601
    redirect_to target || account_path, allow_other_host: true
  end

  def create_and_return
    customer = Customer.find_by(email: params[:email].to_s.downcase)
    return head(:unauthorized) unless customer&.authenticate(params[:password])

    reset_session
    session[:customer_id] = customer.id
    # safe: CWE-601
    redirect_to url_from(params[:return_to]) || account_path
  end

  def continue_checkout
    # safe: CWE-601
    redirect_to checkout_path(order_id: params[:order_id], step: "payment")
  end

  def back_to_event
    event = Event.published.find(params[:event_id])
    # safe: CWE-601
    redirect_to event_path(event, anchor: "tickets")
  end

  # --- SSO -----------------------------------------------------------------

  def sso_callback
    auth = request.env["omniauth.auth"]
    staff = StaffMember.from_omniauth(auth)
    reset_session
    session[:staff_id] = staff.id
    # vuln: CWE-501
    session[:staff_role] = params[:role] || auth.extra.raw_info["role"]
    # vuln: CWE-601
    redirect_to request.env["omniauth.origin"] || params[:RelayState] || admin_root_path, allow_other_host: true
  end

  def saml_callback
    auth = request.env["omniauth.auth"]
    staff = StaffMember.from_omniauth(auth)
    reset_session
    session[:staff_id] = staff.id
    # safe: CWE-501
    session[:staff_role] = staff.role
    relay = URI.parse(params[:RelayState].to_s) rescue nil
    if relay && relay.is_a?(URI::HTTPS) && ALLOWED_RETURN_HOSTS.include?(relay.host)
      # safe: CWE-601
      redirect_to relay.to_s, allow_other_host: true
    else
      redirect_to admin_root_path
    end
  end

  def destroy
    post_logout = params[:post_logout_redirect_uri]
    reset_session
    cookies.delete(:remember_token)
    # vuln: CWE-601
    redirect_to "#{post_logout}?state=#{params[:state]}", allow_other_host: true
  end

  def destroy_via_idp
    reset_session
    cookies.delete(:remember_token)
    # safe: CWE-601
    redirect_to "#{IDP_LOGOUT_URL}?#{{ post_logout_redirect_uri: root_url, state: params[:state] }.to_query}", allow_other_host: true
  end

  def box_office_return
    # vuln: CWE-601
    redirect_to request.headers["X-Return-Url"], allow_other_host: true
  end

  def box_office_back
    # safe: CWE-601
    redirect_to params[:return_to].to_s, allow_other_host: false
  rescue ActionController::Redirecting::UnsafeRedirectError
    redirect_to box_office_root_path
  end

  def language_redirect
    lang = cookies[:lang] || "en"
    # vuln: CWE-601
    redirect_to "//#{params[:host] || request.host}/#{lang}/events"
  end

  # --- role / context switching -------------------------------------------

  def switch_role
    # vuln: CWE-501
    session[:acting_role] = params[:role]
    redirect_to dashboard_path
  end

  def change_role
    role = params[:role].to_s
    return head(:forbidden) unless current_customer.roles.pluck(:name).include?(role)

    # safe: CWE-501
    session[:acting_role] = role
    redirect_to dashboard_path
  end

  def switch_promoter
    # vuln: CWE-501
    session[:promoter_id] = request.headers["X-Promoter-Id"].presence || params[:promoter_id]
    redirect_to promoter_root_path
  end

  def change_promoter
    promoter = current_customer.promoters.find(params[:promoter_id])
    # safe: CWE-501
    session[:promoter_id] = promoter.id
    redirect_to promoter_root_path
  end

  def set_locale
    wanted = JSON.parse(request.raw_post).fetch("locale", "en")
    # vuln: CWE-501
    session[:locale] = wanted
    head :no_content
  end

  # --- cookies -------------------------------------------------------------

  private

  def remember(customer)
    token = customer.regenerate_remember_token!
    # vuln: CWE-614
    cookies.signed[:remember_token] = { value: token, expires: 30.days, httponly: true }
  end

  def remember_device(customer)
    token = customer.regenerate_remember_token!
    # safe: CWE-614
    cookies.signed[:remember_token] = { value: token, expires: 30.days, httponly: true, secure: true, same_site: :lax }
  end

  def issue_device_cookie
    device = current_customer.devices.find_or_create_by!(fingerprint: request.headers["X-Device-Fingerprint"])
    # vuln: CWE-614
    cookies.permanent.encrypted[:device_id] = { value: device.id, httponly: true, secure: false }
    head :no_content
  end

  def issue_trusted_device_cookie
    device = current_customer.devices.find_or_create_by!(fingerprint: request.headers["X-Device-Fingerprint"])
    # safe: CWE-1004
    cookies.permanent.encrypted[:device_id] = { value: device.id, httponly: true, secure: true, same_site: :strict }
    head :no_content
  end

  def issue_sso_cookie(token)
    # vuln: CWE-614
    response.set_cookie("tix_sso", value: token, path: "/", httponly: true, same_site: :none)
  end

  def issue_idp_cookie(token)
    # safe: CWE-614
    response.set_cookie("tix_sso", value: token, path: "/", httponly: true, secure: true, same_site: :none)
  end

  def issue_api_session(api_session)
    # vuln: CWE-1004
    cookies.encrypted[:api_session] = { value: api_session.token, secure: true, same_site: :strict }
  end

  def issue_web_session(api_session)
    # safe: CWE-1004
    cookies.encrypted[:api_session] = { value: api_session.token, secure: true, httponly: true, same_site: :strict }
  end

  def issue_box_office_cookie(shift)
    # vuln: CWE-1004
    cookies[:box_office_shift] = { value: shift.token, secure: true, httponly: false, expires: 12.hours }
  end

  def issue_cart_cookie(cart)
    # vuln: CWE-1004
    cookies.permanent.signed[:cart_token] = { value: cart.token, secure: Rails.env.production?, same_site: :lax }
  end

  def issue_checkout_cookie(cart)
    # safe: CWE-1004
    cookies.permanent.signed[:cart_token] = { value: cart.token, secure: true, httponly: true, same_site: :lax }
  end

  def issue_door_scanner_cookie(device_token)
    # safe: CWE-614
    response.set_cookie("scanner_auth", { value: device_token, path: "/scan", secure: true, httponly: true, expires: 14.hours.from_now })
  end
end
