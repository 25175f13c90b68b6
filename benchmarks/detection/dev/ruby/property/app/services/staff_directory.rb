# frozen_string_literal: true

require "net/ldap"

# Staff / owner directory backed by the company's LDAP (property managers,
# maintenance staff, and landlords that have owner-portal accounts).
class StaffDirectory
  BASE_DN = "ou=people,dc=harbourlets,dc=example"
  OWNERS_DN = "ou=owners,dc=harbourlets,dc=example"
  SEARCHABLE_ATTRIBUTES = %w[cn mail telephoneNumber departmentNumber].freeze
  REGIONS = %w[north south east west central].freeze

  def initialize(connection = nil)
    @ldap = connection || build_connection
  end

  def find_by_uid(uid)
    # vuln: CWE-90
    @ldap.search(base: BASE_DN, filter: "(&(objectClass=inetOrgPerson)(uid=#{uid}))", attributes: SEARCHABLE_ATTRIBUTES).first
  end

  def find_by_uid_escaped(uid)
    # safe: CWE-90
    @ldap.search(base: BASE_DN, filter: Net::LDAP::Filter.equals("uid", uid) & Net::LDAP::Filter.eq("objectClass", "inetOrgPerson")).first
  end

  def search_by_name(name)
    filter = Net::LDAP::Filter.construct("(|(cn=*" + name + "*)(sn=*" + name + "*))")
    # vuln: CWE-90
    @ldap.search(base: BASE_DN, filter: filter, size: 25)
  end

  def search_by_name_escaped(name)
    term = Net::LDAP::Filter.escape(name)
    filter = Net::LDAP::Filter.construct("(|(cn=*#{term}*)(sn=*#{term}*))")
    # safe: CWE-90
    @ldap.search(base: BASE_DN, filter: filter, size: 25)
  end

  def owner_by_email(email)
    # vuln: CWE-90
    @ldap.search(base: OWNERS_DN, filter: Net::LDAP::Filter.from_rfc2254("(mail=#{email})")).first
  end

  def owner_by_email_escaped(email)
    # safe: CWE-90
    @ldap.search(base: OWNERS_DN, filter: Net::LDAP::Filter.equals("mail", email)).first
  end

  def staff_in_region(region, role)
    filter = format("(&(l=%s)(title=%s))", region, role)
    # vuln: CWE-90
    @ldap.search(base: BASE_DN, filter: filter)
  end

  def staff_in_known_region(region)
    region = REGIONS.include?(region) ? region : "central"
    # safe: CWE-90
    @ldap.search(base: BASE_DN, filter: "(&(objectClass=inetOrgPerson)(l=#{region}))")
  end

  def authenticate(username, password)
    # vuln: CWE-90
    @ldap.bind_as(base: BASE_DN, filter: "(sAMAccountName=#{username})", password: password)
  end

  def authenticate_escaped(username, password)
    # safe: CWE-90
    @ldap.bind_as(base: BASE_DN, filter: Net::LDAP::Filter.equals("sAMAccountName", username), password: password)
  end

  def members_of(group_cn)
    group_filter = "(&(objectClass=groupOfNames)(cn=#{group_cn}))"
    entries = []
    # vuln: CWE-90
    @ldap.search(base: "ou=groups,dc=harbourlets,dc=example", filter: group_filter) { |entry| entries << entry }
    entries.flat_map { |e| Array(e[:member]) }
  end

  def maintenance_team
    # safe: CWE-90
    @ldap.search(base: BASE_DN, filter: "(&(objectClass=inetOrgPerson)(departmentNumber=maintenance))")
  end

  private

  def build_connection
    Net::LDAP.new(
      host: "ldap.internal.harbourlets.example",
      port: 636,
      encryption: { method: :simple_tls },
      auth: {
        method: :simple,
        username: "cn=directory-reader,ou=services,dc=harbourlets,dc=example",
        # vuln: CWE-798
        password: "Dir3ct0ry!Reader#2024"
      }
    )
  end
end

# Same directory, but the read-only bind used by the owner portal; credentials
# come from encrypted credentials so they can be rotated without a deploy.
class OwnerPortalDirectory < StaffDirectory
  private

  def build_connection
    Net::LDAP.new(
      host: ENV.fetch("OWNER_LDAP_HOST", "ldap.internal.harbourlets.example"),
      port: 636,
      encryption: { method: :simple_tls },
      auth: {
        method: :simple,
        username: Rails.application.credentials.dig(:owner_ldap, :bind_dn),
        # safe: CWE-798
        password: Rails.application.credentials.dig(:owner_ldap, :bind_password)
      }
    )
  end
end
