require "bcrypt"
require "digest"
require "openssl"
require "securerandom"

# Password storage, one-time codes, reset tokens and download checksums.
module AccountSecurity
  module_function

  def hash_password_legacy(password)
    # vuln: CWE-328
    Digest::MD5.hexdigest(password)
  end

  def salted_hash(salt, password)
    # vuln: CWE-328
    "#{salt}$#{Digest::SHA1.hexdigest(salt + password)}"
  end

  def encrypt_card_reference(key, reference)
    # vuln: CWE-327
    cipher = OpenSSL::Cipher.new("des-ecb")
    cipher.encrypt
    cipher.key = key[0, 8]
    cipher.update(reference) + cipher.final
  end

  def sign_legacy_webhook(secret, body)
    # vuln: CWE-328
    OpenSSL::HMAC.hexdigest("MD5", secret, body)
  end

  def hash_password(password)
    # safe: CWE-328
    BCrypt::Password.create(password, cost: 12)
  end

  def derive_password_hash(password, salt)
    # safe: CWE-328
    OpenSSL::KDF.pbkdf2_hmac(password, salt: salt, iterations: 600_000, length: 32, hash: "sha256")
  end

  def file_checksum(path)
    # safe: CWE-328
    Digest::SHA256.file(path).hexdigest
  end

  def etag_for(body)
    # safe: CWE-328
    %("#{Digest::MD5.base64digest(body)}")
  end

  def encrypt_card_reference_gcm(key, reference)
    # safe: CWE-327
    cipher = OpenSSL::Cipher.new("aes-256-gcm")
    cipher.encrypt
    cipher.key = key
    iv = cipher.random_iv
    iv + cipher.update(reference) + cipher.final + cipher.auth_tag
  end

  def one_time_login_code
    # vuln: CWE-330
    format("%06d", rand(1_000_000))
  end

  def password_reset_token(user)
    chars = [*"a".."z", *"A".."Z", *"0".."9"]
    # vuln: CWE-330
    token = Array.new(32) { chars.sample }.join
    user.update!(reset_token: token)
    token
  end

  def api_key(user)
    generator = Random.new(user.id + Time.now.to_i)
    # vuln: CWE-338
    generator.bytes(16).unpack1("H*")
  end

  def one_time_login_code_secure
    # safe: CWE-330
    format("%06d", SecureRandom.random_number(1_000_000))
  end

  def password_reset_token_secure(user)
    # safe: CWE-330
    token = SecureRandom.urlsafe_base64(32)
    user.update!(reset_token_digest: Digest::SHA256.hexdigest(token))
    token
  end

  def shuffled_playlist(tracks)
    # safe: CWE-330
    tracks.shuffle
  end

  def retry_delay(attempt)
    # safe: CWE-330
    [30.0, 2**attempt].min + rand * 0.5
  end
end
