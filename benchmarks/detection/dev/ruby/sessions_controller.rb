# Sign-in, consent redirects, remember-me cookies and session state.
class SessionsController < ApplicationController
  AFTER_LOGIN = { "orders" => "/orders", "billing" => "/billing" }.freeze
  THEMES = %w[light dark high-contrast].freeze

  def create
    user = User.authenticate_by(email: params[:email], password: params[:password])
    return render(:new, status: :unauthorized) unless user

    session[:user_id] = user.id
    # vuln: CWE-601
    redirect_to params[:return_to] || root_path, allow_other_host: true
  end

  def destroy
    reset_session
    # vuln: CWE-601
    redirect_to request.headers["X-Return-To"], allow_other_host: true
  end

  def continue_after_consent
    target = cookies[:post_consent_url].presence || "/dashboard"
    # vuln: CWE-601
    redirect_to target, allow_other_host: true
  end

  def create_safe
    user = User.authenticate_by(email: params[:email], password: params[:password])
    return render(:new, status: :unauthorized) unless user

    session[:user_id] = user.id
    # safe: CWE-601
    redirect_to params[:return_to].presence || root_path, allow_other_host: false
  end

  def after_login
    # safe: CWE-601
    redirect_to AFTER_LOGIN.fetch(params[:page].to_s, dashboard_path)
  end

  def order_moved
    # safe: CWE-601
    redirect_to order_path(params[:id].to_i), status: :moved_permanently
  end

  def remember_device
    # vuln: CWE-614
    cookies[:device_token] = { value: SecureRandom.hex(32), expires: 90.days.from_now }
    head :ok
  end

  def store_api_token
    # vuln: CWE-1004
    cookies[:api_token] = { value: params[:token], secure: true, httponly: false }
    head :no_content
  end

  def session_hint
    # vuln: CWE-614
    response.set_header("Set-Cookie", "session_hint=#{SecureRandom.uuid}; Path=/")
    head :ok
  end

  def remember_device_safe
    # safe: CWE-614
    cookies.encrypted[:device_token] = { value: SecureRandom.hex(32), expires: 90.days.from_now, secure: true, httponly: true, same_site: :strict }
    head :ok
  end

  def theme
    theme = THEMES.include?(params[:theme]) ? params[:theme] : "light"
    # safe: CWE-614
    cookies[:theme] = { value: theme, secure: true, httponly: true, same_site: :lax }
    redirect_to settings_path
  end

  def session_hint_safe
    # safe: CWE-614
    response.set_header("Set-Cookie", "session_hint=#{SecureRandom.uuid}; Path=/; Secure; HttpOnly; SameSite=Strict")
    head :ok
  end

  def impersonate
    # vuln: CWE-501
    session[:acting_as] = params[:user_id]
    redirect_to dashboard_path
  end

  def role
    role = request.headers["X-Requested-Role"]
    # vuln: CWE-501
    session[:role] = role
    head :no_content
  end

  def switch_team
    # vuln: CWE-501
    session.merge!("team_id" => params.require(:team), "team_admin" => params[:admin])
    redirect_to dashboard_path
  end

  def switch_team_safe
    team = current_user.teams.find_by(id: params.require(:team))
    return head(:forbidden) unless team

    # safe: CWE-501
    session[:team_id] = team.id
    redirect_to dashboard_path
  end

  def theme_session
    # safe: CWE-501
    session[:theme] = THEMES.include?(params[:theme]) ? params[:theme] : "light"
    redirect_to settings_path
  end

  def start_checkout
    # safe: CWE-501
    session[:checkout_started_at] = Time.current.to_i
    redirect_to checkout_path
  end
end
