# frozen_string_literal: true

require "net/ldap"

# Staff and promoter directory backed by the corporate LDAP server.
# Used by the box office (badge look-ups at the door), the promoter portal
# (account managers) and the admin SSO login.
class StaffDirectory
  BASE_DN = "ou=people,dc=tixhub,dc=internal"
  GROUPS_DN = "ou=groups,dc=tixhub,dc=internal"
  ATTRS = %w[uid cn mail telephoneNumber title departmentNumber employeeNumber badgeId].freeze

  Entry = Struct.new(:uid, :name, :email, :phone, :title, :department, keyword_init: true)

  class << self
    def connection
      Net::LDAP.new(
        host: "ldap.tixhub.internal",
        port: 636,
        encryption: { method: :simple_tls },
        # vuln: CWE-798
        auth: { method: :simple, username: "cn=svc-ticketing,ou=services,dc=tixhub,dc=internal", password: "Vr8#qLm2!tixBind2024" }
      )
    end

    def readonly_connection
      Net::LDAP.new(
        host: ENV.fetch("LDAP_HOST", "ldap.tixhub.internal"),
        port: 636,
        encryption: { method: :simple_tls },
        # safe: CWE-798
        auth: { method: :simple, username: ENV.fetch("LDAP_BIND_DN"), password: ENV.fetch("LDAP_BIND_PASSWORD") }
      )
    end
  end

  def initialize(ldap = self.class.readonly_connection)
    @ldap = ldap
  end

  def find_by_username(username)
    # vuln: CWE-90
    results = @ldap.search(base: BASE_DN, filter: "(&(objectClass=inetOrgPerson)(uid=#{username}))", attributes: ATTRS)
    to_entry(results&.first)
  end

  def lookup(username)
    # safe: CWE-90
    results = @ldap.search(base: BASE_DN, filter: Net::LDAP::Filter.equals("uid", username) & Net::LDAP::Filter.eq("objectClass", "inetOrgPerson"), attributes: ATTRS)
    to_entry(results&.first)
  end

  def find_by_email(email)
    # vuln: CWE-90
    filter = Net::LDAP::Filter.construct("(&(objectClass=inetOrgPerson)(mail=" + email + "))")
    to_entry(@ldap.search(base: BASE_DN, filter: filter, attributes: ATTRS)&.first)
  end

  def lookup_email(email)
    # safe: CWE-90
    filter = Net::LDAP::Filter.construct("(&(objectClass=inetOrgPerson)(mail=#{Net::LDAP::Filter.escape(email)}))")
    to_entry(@ldap.search(base: BASE_DN, filter: filter, attributes: ATTRS)&.first)
  end

  # Admin SSO fallback: bind as the user to check their password.
  def authenticate(login, password)
    return nil if password.blank?

    # vuln: CWE-90
    entry = @ldap.bind_as(base: BASE_DN, filter: "(uid=#{login})", password: password)
    entry && to_entry(entry.first)
  end

  def verify_credentials(login, password)
    return nil if password.blank?

    # safe: CWE-90
    entry = @ldap.bind_as(base: BASE_DN, filter: Net::LDAP::Filter.equals("uid", login), password: password)
    entry && to_entry(entry.first)
  end

  def member_of?(uid, group)
    user_dn = "uid=#{uid},#{BASE_DN}"
    filter = "(&(objectClass=groupOfNames)(cn=" + group + ")(member=" + user_dn + "))"
    # vuln: CWE-90
    @ldap.search(base: GROUPS_DN, filter: filter, return_result: false)
  end

  def in_group?(uid, group)
    filter = Net::LDAP::Filter.eq("objectClass", "groupOfNames") &
             Net::LDAP::Filter.equals("cn", group) &
             Net::LDAP::Filter.equals("member", "uid=#{uid},#{BASE_DN}")
    # safe: CWE-90
    @ldap.search(base: GROUPS_DN, filter: filter, return_result: false)
  end

  # Promoter portal: "find your account manager" autocomplete.
  def autocomplete(prefix)
    # safe: CWE-90
    results = @ldap.search(base: BASE_DN, filter: Net::LDAP::Filter.begins("cn", prefix), attributes: %w[cn mail title], size: 10)
    Array(results).map { |e| to_entry(e) }
  end

  def search_by_department(department, title)
    # vuln: CWE-90
    rfc = Net::LDAP::Filter.from_rfc2254(format("(&(departmentNumber=%s)(title=*%s*))", department, title))
    Array(@ldap.search(base: BASE_DN, filter: rfc, attributes: ATTRS)).map { |e| to_entry(e) }
  end

  # Door scanners send the staff badge number read from the NFC card.
  def find_by_badge(badge_number)
    # vuln: CWE-90
    Array(@ldap.search(base: BASE_DN, filter: "(badgeId=#{badge_number})", attributes: ATTRS)).map { |e| to_entry(e) }.first
  end

  def find_by_badge_number(badge_number)
    badge = Integer(badge_number, 10)
    # safe: CWE-90
    Array(@ldap.search(base: BASE_DN, filter: "(badgeId=#{badge})", attributes: ATTRS)).map { |e| to_entry(e) }.first
  end

  private

  def to_entry(ldap_entry)
    return nil if ldap_entry.nil?

    Entry.new(
      uid: ldap_entry[:uid].first,
      name: ldap_entry[:cn].first,
      email: ldap_entry[:mail].first,
      phone: ldap_entry[:telephonenumber].first,
      title: ldap_entry[:title].first,
      department: ldap_entry[:departmentnumber].first
    )
  end
end
