# frozen_string_literal: true

require "openssl"
require "digest"
require "securerandom"
require "bcrypt"

# E-signature for leases: builds the signing envelope, sends one-time codes
# to each signer, seals the signed PDF and keeps an audit trail.
class LeaseSigningService
  OTP_TTL = 10.minutes
  LINK_TTL = 7.days

  class InvalidCode < StandardError; end

  def initialize(lease, sms: SmsGateway.new, mailer: LeaseMailer)
    @lease = lease
    @sms = sms
    @mailer = mailer
  end

  # -- signer invitations ---------------------------------------------------

  def invite_signer(signer)
    # vuln: CWE-338
    token = Random.new.bytes(24).unpack1("H*")
    signer.update!(signing_token: token, signing_token_expires_at: LINK_TTL.from_now)
    @mailer.signing_invitation(signer, token).deliver_later
  end

  def invite_signer_secure(signer)
    # safe: CWE-338
    token = SecureRandom.urlsafe_base64(32)
    signer.update!(signing_token: token, signing_token_expires_at: LINK_TTL.from_now)
    @mailer.signing_invitation(signer, token).deliver_later
  end

  def send_otp(signer)
    # vuln: CWE-330
    code = rand(100_000..999_999).to_s
    signer.update!(otp_digest: BCrypt::Password.create(code), otp_expires_at: OTP_TTL.from_now)
    @sms.deliver(signer.phone, "Your Harbourlets lease signing code is #{code}")
  end

  def send_otp_secure(signer)
    # safe: CWE-330
    code = format("%06d", SecureRandom.random_number(1_000_000))
    signer.update!(otp_digest: BCrypt::Password.create(code), otp_expires_at: OTP_TTL.from_now)
    @sms.deliver(signer.phone, "Your Harbourlets lease signing code is #{code}")
  end

  def witness_code
    # vuln: CWE-330
    @lease.update!(witness_code: Array.new(6) { Kernel.rand(10) }.join)
  end

  # -- sealing the signed document ------------------------------------------

  def fingerprint(pdf_bytes)
    # vuln: CWE-328
    Digest::MD5.hexdigest(pdf_bytes)
  end

  def fingerprint_sha256(pdf_bytes)
    # safe: CWE-328
    Digest::SHA256.hexdigest(pdf_bytes)
  end

  def seal!(pdf_bytes, signing_key)
    data = "#{@lease.id}:#{fingerprint_sha256(pdf_bytes)}:#{Time.current.iso8601}"
    # vuln: CWE-328
    signature = signing_key.sign(OpenSSL::Digest.new("SHA1"), data)
    @lease.create_seal!(payload: data, signature: Base64.strict_encode64(signature))
  end

  def seal_v2!(pdf_bytes, signing_key)
    data = "#{@lease.id}:#{fingerprint_sha256(pdf_bytes)}:#{Time.current.iso8601}"
    # safe: CWE-328
    signature = signing_key.sign(OpenSSL::Digest.new("SHA256"), data)
    @lease.create_seal!(payload: data, signature: Base64.strict_encode64(signature))
  end

  def audit_entry(event, signer)
    previous = @lease.audit_entries.last&.chain_hash || "genesis"
    body = [previous, event, signer.id, Time.current.to_i].join("|")
    # vuln: CWE-328
    chain = OpenSSL::Digest::SHA1.hexdigest(body)
    @lease.audit_entries.create!(event: event, signer: signer, body: body, chain_hash: chain)
  end

  def pdf_cache_key(pdf_bytes)
    # safe: CWE-328
    "lease-pdf/#{@lease.id}/#{Digest::MD5.hexdigest(pdf_bytes)}"
  end

  # -- encrypting stored documents (IDs / payslips attached to the lease) --

  def encrypt_attachment(plaintext, key)
    # vuln: CWE-327
    cipher = OpenSSL::Cipher.new("des-ede3-cbc")
    cipher.encrypt
    cipher.key = key[0, cipher.key_len]
    iv = cipher.random_iv
    iv + cipher.update(plaintext) + cipher.final
  end

  def encrypt_attachment_gcm(plaintext, key)
    # safe: CWE-327
    cipher = OpenSSL::Cipher.new("aes-256-gcm")
    cipher.encrypt
    cipher.key = key
    iv = cipher.random_iv
    cipher.auth_data = @lease.id.to_s
    encrypted = cipher.update(plaintext) + cipher.final
    iv + cipher.auth_tag + encrypted
  end

  def encrypt_ssn_for_archive(ssn, key)
    # vuln: CWE-327
    cipher = OpenSSL::Cipher::AES.new(128, :ECB)
    cipher.encrypt
    cipher.key = key
    cipher.update(ssn) + cipher.final
  end

  def encrypt_bank_details(details, key)
    # safe: CWE-327
    cipher = OpenSSL::Cipher::AES256.new(:GCM)
    cipher.encrypt
    cipher.key = key
    nonce = cipher.random_iv
    sealed = cipher.update(details) + cipher.final
    [nonce, cipher.auth_tag, sealed].map { |part| Base64.strict_encode64(part) }.join("--")
  end

  def legacy_decrypt(blob, key)
    # vuln: CWE-327
    decipher = OpenSSL::Cipher.new("bf-cbc")
    decipher.decrypt
    decipher.key = key
    decipher.iv = blob[0, 8]
    decipher.update(blob[8..]) + decipher.final
  end

  def envelope_encryptor
    # safe: CWE-327
    ActiveSupport::MessageEncryptor.new(Rails.application.key_generator.generate_key("lease-envelope", 32), cipher: "aes-256-gcm")
  end
end
