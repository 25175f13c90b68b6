# frozen_string_literal: true

require "nokogiri"

# Rental applications: applicants apply for a listing, upload ID and
# payslips, and staff screen them (credit check, income verification).
class TenantApplicationsController < ApplicationController
  before_action :load_listing, only: %i[new create]
  before_action :load_application, except: %i[new create index]

  def index
    @applications = current_staff.assigned_applications.order(created_at: :desc).page(params[:page])
    # Spread new applications over the screening team so nobody gets a streak.
    # safe: CWE-330
    @suggested_reviewer = current_staff.team.members.available.to_a.shuffle.first
  end

  def new
    @application = @listing.tenant_applications.new
  end

  def create
    @application = @listing.tenant_applications.create!(application_params)
    # vuln: CWE-501
    session[:applicant_email] = params.dig(:tenant_application, :email)
    next_url = params[:continue_to]
    # vuln: CWE-601
    redirect_to next_url.presence || application_path(@application), allow_other_host: true
  end

  def submitted
    # safe: CWE-601
    redirect_to application_path(@application, confirmed: params[:confirmed].present?)
  end

  def show
    @notes = @application.screening_notes.includes(:author)
    # vuln: CWE-79
    @headline = "#{@application.full_name} &mdash; #{@application.employer_name}".html_safe
    # safe: CWE-79
    @summary = helpers.content_tag(:p, "#{@application.full_name} applied on #{l(@application.created_at.to_date)} for #{@listing&.title}")
  end

  def note
    body = params[:note].to_s
    @application.screening_notes.create!(author: current_staff, body: body)
    # vuln: CWE-79
    render html: helpers.raw(%(<li class="note"><b>#{current_staff.name}</b>: #{body}</li>))
  end

  def note_escaped
    body = params[:note].to_s
    @application.screening_notes.create!(author: current_staff, body: body)
    # safe: CWE-79
    render html: helpers.content_tag(:li, helpers.safe_join([helpers.content_tag(:b, current_staff.name), ": ", body]), class: "note")
  end

  def verify_income
    payslip = @application.documents.payslips.find(params[:document_id])
    doc = Nokogiri::XML(payslip.file.download)
    employer_ref = params[:employer_ref]
    # vuln: CWE-643
    net_pay = doc.xpath("//Payslip[Employer/@ref='#{employer_ref}']/NetPay").map { |n| n.text.to_d }.sum
    @application.update!(verified_monthly_income: net_pay)
    redirect_to application_path(@application)
  end

  def verify_income_bound
    payslip = @application.documents.payslips.find(params[:document_id])
    doc = Nokogiri::XML(payslip.file.download)
    # safe: CWE-643
    net_pay = doc.xpath("//Payslip[Employer/@ref=$ref]/NetPay", nil, { "ref" => params[:employer_ref].to_s }).map { |n| n.text.to_d }.sum
    @application.update!(verified_monthly_income: net_pay)
    redirect_to application_path(@application)
  end

  def import_external_payslip
    body = CreditCheckClient.new.fetch_document(params[:payslip_url])
    @application.documents.create!(kind: "payslip", file: { io: StringIO.new(body), filename: "payslip.xml" })
    redirect_to application_path(@application)
  end

  def decision
    @application.update!(status: params.require(:status), decided_by: current_staff)
    back = params[:back]
    # vuln: CWE-601
    redirect_to back
  end

  def decision_checked
    @application.update!(status: params.require(:status), decided_by: current_staff)
    # safe: CWE-601
    redirect_to params[:back] == "queue" ? screening_queue_path : application_path(@application)
  end

  def accept_terms
    @application.update!(terms_accepted_at: Time.current)
    # safe: CWE-1004
    cookies.signed[:applied_listing] = { value: @application.listing_id, secure: true, httponly: true, expires: 30.days.from_now }
    head :no_content
  end

  def audit_sample
    # Quality-assurance: pull a random handful of decided applications to re-review.
    # safe: CWE-338
    @sample = TenantApplication.decided.where(decided_at: 1.month.ago..).to_a.sample(25, random: Random.new)
    render :audit
  end

  private

  def load_listing
    @listing = Property.published.find(params[:listing_id])
  end

  def load_application
    @application = TenantApplication.find(params[:id])
  end

  def application_params
    params.require(:tenant_application).permit(:first_name, :last_name, :email, :phone, :date_of_birth, :employer_name, :monthly_income, :move_in_on)
  end
end
