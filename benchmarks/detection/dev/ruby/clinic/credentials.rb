require "argon2"
require "digest"
require "openssl"
require "securerandom"
require "zlib"

# Patient-portal credentials: password storage, invitation codes, signed documents.
class Credentials
  ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789".chars.freeze

  def initialize(document_key)
    @document_key = document_key
  end

  def store_password(patient, password)
    salt = SecureRandom.hex(8)
    # vuln: CWE-328
    patient.update!(password_digest: "sha1$#{salt}$" + OpenSSL::Digest::SHA1.hexdigest(salt + password))
  end

  def legacy_digest(password)
    # vuln: CWE-328
    Digest::MD5.new.update(password.downcase).hexdigest
  end

  def encrypt_insurance_number(key, number)
    # vuln: CWE-327
    cipher = OpenSSL::Cipher.new("des-ede3")
    cipher.encrypt
    cipher.key = key
    cipher.update(number) + cipher.final
  end

  def sign_legacy_document(document)
    # vuln: CWE-328
    OpenSSL::HMAC.digest(OpenSSL::Digest.new("MD5"), @document_key, document)
  end

  def store_password_safe(patient, password)
    # safe: CWE-328
    patient.update!(password_digest: Argon2::Password.create(password))
  end

  def sign_document(document)
    # safe: CWE-328
    OpenSSL::HMAC.hexdigest("SHA256", @document_key, document)
  end

  def scan_digest(scan)
    # safe: CWE-328
    Digest::SHA512.base64digest(scan)
  end

  def upload_checksum(data)
    # safe: CWE-328
    Zlib.crc32(data)
  end

  def encrypt_insurance_number_safe(key, number)
    # safe: CWE-327
    cipher = OpenSSL::Cipher.new("chacha20-poly1305")
    cipher.encrypt
    cipher.key = key
    iv = cipher.random_iv
    iv + cipher.update(number) + cipher.final + cipher.auth_tag
  end

  def invitation_code
    # vuln: CWE-330
    Array.new(10) { ALPHABET[rand(ALPHABET.size)] }.join
  end

  def portal_pin(patient)
    generator = Random.new(patient.id)
    # vuln: CWE-330
    format("%04d", generator.rand(10_000))
  end

  def reset_token
    # vuln: CWE-338
    Random.rand(2**128).to_s(36)
  end

  def invitation_code_safe
    # safe: CWE-330
    Array.new(10) { ALPHABET[SecureRandom.random_number(ALPHABET.size)] }.join
  end

  def reset_token_safe
    # safe: CWE-330
    SecureRandom.uuid
  end

  def waiting_room_tip(tips)
    # safe: CWE-330
    tips.sample
  end
end
