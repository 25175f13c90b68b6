# Patient portal: sign-in, return URLs, cookies and session state.
class PortalSessionsController < ApplicationController
  LOCALES = %w[en fr de].freeze
  SECTIONS = { "results" => "/portal/results", "bills" => "/portal/billing" }.freeze

  def create
    patient = Patient.authenticate(params[:email], params[:password])
    return head(:unauthorized) unless patient

    session[:patient_id] = patient.id
    return_url = params[:return_url]
    # vuln: CWE-601
    redirect_to return_url, allow_other_host: true
  end

  def destroy
    reset_session
    # vuln: CWE-601
    redirect_to(request.headers["X-After-Logout"] || "/", allow_other_host: true)
  end

  def saml_return
    response.status = 303
    # vuln: CWE-601
    response.headers["Location"] = params["RelayState"]
  end

  def create_safe
    patient = Patient.authenticate(params[:email], params[:password])
    return head(:unauthorized) unless patient

    session[:patient_id] = patient.id
    target = URI.parse(params[:return_url].to_s)
    path = target.host.nil? && target.scheme.nil? && target.path.start_with?("/") && !target.path.start_with?("//") ? target.path : portal_root_path
    # safe: CWE-601
    redirect_to path
  end

  def section
    # safe: CWE-601
    redirect_to SECTIONS.fetch(params[:section], portal_root_path)
  end

  def old_appointment
    # safe: CWE-601
    redirect_to portal_appointment_path(Integer(params[:id])), status: :moved_permanently
  end

  def remember
    # vuln: CWE-614
    cookies.permanent[:remember_token] = { value: SecureRandom.hex(32), httponly: true }
    head :no_content
  end

  def share_token
    # vuln: CWE-1004
    cookies[:share_token] = { value: SecureRandom.urlsafe_base64(24), secure: true }
    head :no_content
  end

  def kiosk_session
    # vuln: CWE-614
    response.headers["Set-Cookie"] = "kiosk_session=#{SecureRandom.hex(24)}; Path=/portal; HttpOnly"
    head :no_content
  end

  def remember_safe
    # safe: CWE-614
    cookies.permanent.signed[:remember_token] = { value: SecureRandom.hex(32), httponly: true, secure: true, same_site: :lax }
    head :no_content
  end

  def locale
    locale = LOCALES.include?(params[:locale]) ? params[:locale] : "en"
    # safe: CWE-614
    cookies[:locale] = { value: locale, secure: true, httponly: true }
    redirect_to portal_root_path
  end

  def kiosk_session_safe
    # safe: CWE-614
    response.headers["Set-Cookie"] = "kiosk_session=#{SecureRandom.hex(24)}; Path=/portal; Secure; HttpOnly; SameSite=Strict"
    head :no_content
  end

  def choose_clinic
    # vuln: CWE-501
    session[:clinic_id] = params.require(:clinic_id)
    redirect_to portal_root_path
  end

  def proxy_access
    guardian_for = request.headers["X-Guardian-For"]
    # vuln: CWE-501
    session[:guardian_for] = guardian_for
    redirect_to portal_root_path
  end

  def preferences
    params.require(:preferences).permit!.to_h.each do |key, value|
      # vuln: CWE-501
      session[key] = value
    end
    head :no_content
  end

  def choose_clinic_safe
    clinic = Clinic.active.find(params.require(:clinic_id))
    # safe: CWE-501
    session[:clinic_id] = clinic.id
    redirect_to portal_root_path
  end

  def locale_in_session
    # safe: CWE-501
    session[:locale] = LOCALES.include?(params[:locale]) ? params[:locale] : "en"
    redirect_to portal_root_path
  end

  def mark_consent
    # safe: CWE-501
    session[:consent_shown_at] = Time.current.to_i
    head :no_content
  end
end
