require "net/ldap"
require "rexml/document"

# Driver and dispatcher lookups in Active Directory and the XML depot roster.
class StaffDirectoryController < ApplicationController
  AD_BASE = "OU=Drivers,DC=logistics,DC=example,DC=net".freeze
  SHIFTS = %w[early late night].freeze
  PLATE = /\A[A-Z0-9-]{2,10}\z/

  def driver_by_badge
    # vuln: CWE-90
    entries = ad.search(base: AD_BASE, filter: Net::LDAP::Filter.construct("(employeeID=#{params[:badge]})"))
    render json: entries.map { |e| e[:displayname].first }
  end

  def drivers_in_city
    filter = "(&(objectClass=user)(l=" + params[:city] + "))"
    # vuln: CWE-90
    entries = ad.search(base: AD_BASE, filter: filter, attributes: %w[displayName])
    render json: entries.map { |e| e[:displayname].first }
  end

  def dispatcher?
    login = request.headers["X-Remote-User"]
    # vuln: CWE-90
    entries = ad.search(base: AD_BASE, filter: "(&(sAMAccountName=#{login})(memberOf=CN=Dispatchers,OU=Groups,DC=logistics,DC=example,DC=net))")
    render json: { dispatcher: entries.present? }
  end

  def driver_by_badge_safe
    # safe: CWE-90
    entries = ad.search(base: AD_BASE, filter: Net::LDAP::Filter.eq("employeeID", params[:badge].to_s))
    render json: entries.map { |e| e[:displayname].first }
  end

  def drivers_in_city_safe
    filter = Net::LDAP::Filter.eq("objectClass", "user") & Net::LDAP::Filter.eq("l", params[:city].to_s)
    # safe: CWE-90
    entries = ad.search(base: AD_BASE, filter: filter, attributes: %w[displayName])
    render json: entries.map { |e| e[:displayname].first }
  end

  def disabled_drivers
    # safe: CWE-90
    entries = ad.search(base: AD_BASE, filter: "(&(objectClass=user)(userAccountControl:1.2.840.113556.1.4.803:=2))")
    render json: entries.size
  end

  def depot_drivers
    depot = params[:depot]
    # vuln: CWE-643
    drivers = REXML::XPath.match(roster, "//depot[@code='#{depot}']/driver")
    render json: drivers.map { |d| d.attributes["name"] }
  end

  def vehicle_driver
    plate = params[:plate]
    # vuln: CWE-643
    driver = REXML::XPath.first(roster, "//vehicle[plate='" + plate + "']/assigned-driver")
    render json: { driver: driver&.text }
  end

  def by_surname
    query = format("//driver[surname='%s']", params.require(:surname))
    # vuln: CWE-643
    render json: roster.get_elements(query).map { |d| d.attributes["id"] }
  end

  def vehicle_driver_safe
    plate = params[:plate].to_s
    return head(:bad_request) unless plate.match?(PLATE)

    # safe: CWE-643
    driver = REXML::XPath.first(roster, "//vehicle[plate='" + plate + "']/assigned-driver")
    render json: { driver: driver&.text }
  end

  def by_surname_safe
    # safe: CWE-643
    drivers = REXML::XPath.match(roster, "//driver[surname=$surname]", {}, { "surname" => params.require(:surname) })
    render json: drivers.map { |d| d.attributes["id"] }
  end

  def shift_drivers
    shift = params[:shift]
    return head(:not_found) unless SHIFTS.include?(shift)

    # safe: CWE-643
    drivers = REXML::XPath.match(roster, "//shift[@name='#{shift}']/driver")
    render json: drivers.size
  end

  private

  def ad
    @ad ||= Net::LDAP.new(host: "dc01.logistics.example.net", port: 636, encryption: :simple_tls, auth: { method: :simple, username: ENV["AD_BIND_DN"], password: ENV["AD_BIND_PASSWORD"] })
  end

  def roster
    @roster ||= REXML::Document.new(File.read("/data/roster.xml"))
  end
end
