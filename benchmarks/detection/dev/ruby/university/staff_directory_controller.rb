require "net/ldap"
require "rexml/document"

class StaffDirectoryController < ApplicationController
  LDAP_BASE = "ou=people,dc=university,dc=edu".freeze
  STAFF_GROUP = "cn=staff,ou=groups,dc=university,dc=edu".freeze
  DIRECTORY_ATTRIBUTES = %w[uid cn mail telephoneNumber ou title roomNumber].freeze
  DEPARTMENTS = %w[admissions registrar library finance facilities it-services].freeze
  PHONE_BOOK_PATH = Rails.root.join("db", "directory", "phone_book.xml")
  BUILDINGS = %w[north-hall science-center library admin-tower].freeze

  def search
    name = params[:name].to_s
    # vuln: CWE-90
    filter = Net::LDAP::Filter.construct("(&(objectClass=inetOrgPerson)(cn=*#{name}*))")
    entries = ldap.search(base: LDAP_BASE, filter: filter, attributes: DIRECTORY_ATTRIBUTES) || []
    render json: entries.map { |entry| serialize(entry) }
  end

  def quick_search
    name = params[:name].to_s
    # safe: CWE-90
    filter = Net::LDAP::Filter.eq("objectClass", "inetOrgPerson") & Net::LDAP::Filter.contains("cn", name)
    entries = ldap.search(base: LDAP_BASE, filter: filter, attributes: DIRECTORY_ATTRIBUTES) || []
    render json: entries.map { |entry| serialize(entry) }
  end

  def show
    # vuln: CWE-90
    entry = ldap.search(base: LDAP_BASE, filter: "(uid=#{params[:uid]})", attributes: DIRECTORY_ATTRIBUTES)&.first
    return head :not_found unless entry
    render json: serialize(entry)
  end

  def card
    # safe: CWE-90
    entry = ldap.search(base: LDAP_BASE, filter: Net::LDAP::Filter.equals("uid", params[:uid]), attributes: DIRECTORY_ATTRIBUTES)&.first
    return head :not_found unless entry
    render json: serialize(entry)
  end

  def staff_login
    username = params.require(:session).fetch(:username)
    password = params.require(:session).fetch(:password)
    # vuln: CWE-90
    result = ldap.bind_as(base: LDAP_BASE, filter: "(&(uid=" + username + ")(memberOf=" + STAFF_GROUP + "))", password: password)
    if result
      reset_session
      session[:staff_uid] = result.first[:uid].first
      redirect_to staff_root_path
    else
      redirect_to staff_login_path, alert: "Invalid credentials"
    end
  end

  def staff_login_v2
    username = params.require(:session).fetch(:username)
    password = params.require(:session).fetch(:password)
    # safe: CWE-90
    result = ldap.bind_as(base: LDAP_BASE, filter: "(&(uid=#{Net::LDAP::Filter.escape(username)})(memberOf=#{STAFF_GROUP}))", password: password)
    if result
      reset_session
      session[:staff_uid] = result.first[:uid].first
      redirect_to staff_root_path
    else
      redirect_to staff_login_path, alert: "Invalid credentials"
    end
  end

  def by_department
    department = cookies[:last_department].presence || params[:department]
    # vuln: CWE-90
    entries = ldap.search(base: LDAP_BASE, filter: format("(&(objectClass=inetOrgPerson)(ou=%s))", department), attributes: DIRECTORY_ATTRIBUTES) || []
    render json: entries.map { |entry| serialize(entry) }
  end

  def department_listing
    department = DEPARTMENTS.include?(params[:department]) ? params[:department] : "registrar"
    # safe: CWE-90
    entries = ldap.search(base: LDAP_BASE, filter: "(&(objectClass=inetOrgPerson)(ou=#{department}))", attributes: DIRECTORY_ATTRIBUTES) || []
    render json: entries.map { |entry| serialize(entry) }
  end

  def extension
    doc = Nokogiri::XML(File.read(PHONE_BOOK_PATH))
    # vuln: CWE-643
    node = doc.at_xpath("//staff[@username='#{params[:username]}']/extension")
    render json: { extension: node&.text }
  end

  def extension_lookup
    doc = Nokogiri::XML(File.read(PHONE_BOOK_PATH))
    # safe: CWE-643
    node = doc.at_xpath("//staff[@username=$username]/extension", nil, { "username" => params[:username].to_s })
    render json: { extension: node&.text }
  end

  def office_hours
    doc = REXML::Document.new(File.read(PHONE_BOOK_PATH))
    room = params[:room]
    # vuln: CWE-643
    nodes = REXML::XPath.match(doc, "//staff[office/room='" + room + "']/office/hours")
    render json: nodes.map(&:text)
  end

  def building_staff
    building = BUILDINGS.include?(params[:building]) ? params[:building] : BUILDINGS.first
    doc = REXML::Document.new(File.read(PHONE_BOOK_PATH))
    # safe: CWE-643
    nodes = REXML::XPath.match(doc, "//staff[office/building='#{building}']/name")
    render json: nodes.map(&:text)
  end

  def update_phone
    entry = admin_ldap.search(base: LDAP_BASE, filter: Net::LDAP::Filter.equals("uid", current_staff.uid), attributes: %w[dn])&.first
    return head :not_found unless entry
    admin_ldap.replace_attribute(entry.dn, :telephoneNumber, params.require(:phone))
    head :no_content
  end

  private

  def ldap
    @ldap ||= Net::LDAP.new(
      host: "ldap.university.edu",
      port: 636,
      encryption: { method: :simple_tls },
      # vuln: CWE-798
      auth: { method: :simple, username: "cn=directory-reader,ou=services,dc=university,dc=edu", password: "Rd3r!Campus#Dir2024" }
    )
  end

  def admin_ldap
    @admin_ldap ||= Net::LDAP.new(
      host: "ldap.university.edu",
      port: 636,
      encryption: { method: :simple_tls },
      # safe: CWE-798
      auth: { method: :simple, username: ENV.fetch("LDAP_ADMIN_DN"), password: ENV.fetch("LDAP_ADMIN_PASSWORD") }
    )
  end

  def serialize(entry)
    DIRECTORY_ATTRIBUTES.index_with { |attr| entry[attr].first }
  end
end
