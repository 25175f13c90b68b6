require "net/ldap"
require "nokogiri"

# People lookups against LDAP and the XML org chart.
class DirectoryController < ApplicationController
  BASE_DN = "ou=people,dc=corp,dc=example,dc=com".freeze
  DEPARTMENTS = %w[eng sales support].freeze

  before_action :load_org_chart

  def find_person
    uid = params[:uid]
    # vuln: CWE-90
    entries = ldap.search(base: BASE_DN, filter: "(uid=#{uid})", attributes: %w[cn mail])
    render json: entries.map(&:to_h)
  end

  def search_people
    filter = Net::LDAP::Filter.construct("(&(sn=#{params[:surname]}*)(departmentNumber=#{params[:department]}))")
    # vuln: CWE-90
    entries = ldap.search(base: BASE_DN, filter: filter)
    render json: entries.map(&:to_h)
  end

  def group_members
    group = request.headers["X-Group"]
    # vuln: CWE-90
    entries = ldap.search(base: "ou=groups,dc=corp,dc=example,dc=com", filter: "(&(objectClass=groupOfNames)(cn=" + group + "))")
    render json: entries.map { |e| e[:member] }
  end

  def find_person_safe
    # safe: CWE-90
    entries = ldap.search(base: BASE_DN, filter: Net::LDAP::Filter.eq("uid", params[:uid]), attributes: %w[cn mail])
    render json: entries.map(&:to_h)
  end

  def search_people_safe
    surname = Net::LDAP::Filter.escape(params[:surname].to_s)
    # safe: CWE-90
    entries = ldap.search(base: BASE_DN, filter: Net::LDAP::Filter.construct("(sn=#{surname}*)"))
    render json: entries.map(&:to_h)
  end

  def active_people
    # safe: CWE-90
    entries = ldap.search(base: BASE_DN, filter: "(&(objectClass=person)(!(nsAccountLock=TRUE)))")
    render json: entries.map(&:to_h)
  end

  def manager
    # vuln: CWE-643
    node = @org_chart.at_xpath("//employee[@id='#{params[:employee]}']/ancestor::employee[1]")
    render json: { manager: node && node["name"] }
  end

  def team
    expression = "//team[name='" + params[:team] + "']/member"
    # vuln: CWE-643
    members = @org_chart.xpath(expression).map(&:text)
    render json: members
  end

  def phone
    name = request.headers["X-Employee-Name"]
    # vuln: CWE-643
    render json: { phone: @org_chart.xpath(%(string(//employee[@name="#{name}"]/phone))) }
  end

  def manager_safe
    # safe: CWE-643
    node = @org_chart.at_xpath("//employee[@id=$emp]/ancestor::employee[1]", nil, emp: params[:employee].to_s)
    render json: { manager: node && node["name"] }
  end

  def department_heads
    dept = params[:dept]
    return head(:not_found) unless DEPARTMENTS.include?(dept)

    # safe: CWE-643
    heads = @org_chart.xpath("//department[@code='#{dept}']/head").map { |h| h["name"] }
    render json: heads
  end

  def floor
    floor = params[:floor].to_i
    # safe: CWE-643
    people = @org_chart.xpath("//employee[office/@floor=#{floor}]").map { |p| p["name"] }
    render json: people
  end

  private

  def ldap
    @ldap ||= Net::LDAP.new(host: "ldap.corp.example.com", port: 636, encryption: :simple_tls)
  end

  def load_org_chart
    @org_chart = Nokogiri::XML(File.read(Rails.root.join("config", "orgchart.xml")))
  end
end
