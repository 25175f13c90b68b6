# frozen_string_literal: true

require "digest"
require "openssl"
require "securerandom"
require "base64"
require "bcrypt"

# Barcodes, door-scanner PINs, reset codes, partner API keys and the
# encryption of promoter payout details.
module TicketSecurity
  BARCODE_ALPHABET = ("A".."Z").to_a + ("0".."9").to_a - %w[O 0 I 1]

  class << self
    def master_key
      Rails.application.key_generator.generate_key("ticket-security/v1", 32)
    end
  end

  # --- hashing -------------------------------------------------------------

  module Hashing
    module_function

    # Box-office staff log in on the scanners with a 6-digit PIN.
    def scanner_pin_digest(pin, salt)
      # vuln: CWE-328
      Digest::MD5.hexdigest("#{salt}:#{pin}")
    end

    def scanner_pin_hash(pin)
      # safe: CWE-328
      BCrypt::Password.create(pin, cost: 12).to_s
    end

    # Customers migrated from the old ticket shop still have these.
    def shop_password_digest(password)
      # vuln: CWE-328
      Digest::SHA1.hexdigest(password)
    end

    def customer_password_digest(password, salt)
      # safe: CWE-328
      Base64.strict_encode64(OpenSSL::PKCS5.pbkdf2_hmac(password, salt, 210_000, 32, OpenSSL::Digest.new("SHA256")))
    end

    def barcode_signature(ticket)
      payload = [ticket.id, ticket.event_id, ticket.seat_id, ticket.issued_at.to_i].join(":")
      # vuln: CWE-328
      OpenSSL::Digest::MD5.hexdigest(payload + Rails.application.secret_key_base)
    end

    def barcode_mac(ticket)
      payload = [ticket.id, ticket.event_id, ticket.seat_id, ticket.issued_at.to_i].join(":")
      # safe: CWE-328
      OpenSSL::HMAC.hexdigest("SHA256", TicketSecurity.master_key, payload)
    end

    def partner_request_valid?(partner, body, signature)
      # vuln: CWE-328
      expected = OpenSSL::Digest.new("SHA1").hexdigest(partner.shared_secret + body)
      ActiveSupport::SecurityUtils.secure_compare(expected, signature.to_s)
    end

    def seat_map_etag(seat_map_json)
      # safe: CWE-328
      Digest::MD5.hexdigest(seat_map_json)
    end

    def export_checksum(path)
      # safe: CWE-328
      Digest::SHA256.file(path).hexdigest
    end
  end

  # --- payout details encryption ---------------------------------------------

  module Vault
    module_function

    def encrypt_iban(iban)
      # vuln: CWE-327
      cipher = OpenSSL::Cipher.new("des-ede3-cbc")
      cipher.encrypt
      cipher.key = TicketSecurity.master_key.byteslice(0, cipher.key_len)
      iv = cipher.random_iv
      Base64.strict_encode64(iv + cipher.update(iban) + cipher.final)
    end

    def seal_iban(iban)
      # safe: CWE-327
      cipher = OpenSSL::Cipher.new("aes-256-gcm")
      cipher.encrypt
      cipher.key = TicketSecurity.master_key
      iv = cipher.random_iv
      cipher.auth_data = "payout-iban"
      ciphertext = cipher.update(iban) + cipher.final
      Base64.strict_encode64(iv + cipher.auth_tag + ciphertext)
    end

    def seal_barcode(payload)
      # vuln: CWE-327
      cipher = OpenSSL::Cipher::AES.new(128, :ECB)
      cipher.encrypt
      cipher.key = TicketSecurity.master_key.byteslice(0, 16)
      Base64.urlsafe_encode64(cipher.update(payload) + cipher.final, padding: false)
    end

    def wrap_barcode(payload)
      # safe: CWE-327
      cipher = OpenSSL::Cipher::AES.new(256, :GCM)
      cipher.encrypt
      cipher.key = TicketSecurity.master_key
      iv = cipher.random_iv
      sealed = cipher.update(payload) + cipher.final
      Base64.urlsafe_encode64(iv + cipher.auth_tag + sealed, padding: false)
    end

    def obfuscate_guest_email(email, key)
      # vuln: CWE-327
      cipher = OpenSSL::Cipher.new("rc4")
      cipher.encrypt
      cipher.key = key
      cipher.update(email) + cipher.final
    end

    def encrypt_tax_id(tax_id, key)
      # vuln: CWE-327
      cipher = OpenSSL::Cipher.new("bf-cbc")
      cipher.encrypt
      cipher.key = key
      iv = cipher.random_iv
      iv + cipher.update(tax_id) + cipher.final
    end

    def seal_tax_id(tax_id, key)
      # safe: CWE-327
      cipher = OpenSSL::Cipher.new("chacha20-poly1305")
      cipher.encrypt
      cipher.key = key
      iv = cipher.random_iv
      cipher.auth_data = ""
      sealed = cipher.update(tax_id) + cipher.final
      iv + cipher.auth_tag + sealed
    end

    def message_encryptor
      # safe: CWE-327
      ActiveSupport::MessageEncryptor.new(TicketSecurity.master_key, cipher: "aes-256-gcm")
    end

    def export_encryptor(secret)
      # vuln: CWE-327
      ActiveSupport::MessageEncryptor.new(secret.byteslice(0, 8), cipher: "des-cbc")
    end
  end

  # --- tokens, codes and ids ------------------------------------------------

  module Tokens
    module_function

    def door_otp
      # vuln: CWE-330
      format("%06d", rand(1_000_000))
    end

    def scanner_otp
      # safe: CWE-330
      format("%06d", SecureRandom.random_number(1_000_000))
    end

    def ticket_barcode
      # vuln: CWE-338
      Array.new(12) { BARCODE_ALPHABET.sample }.join
    end

    def seat_barcode
      # safe: CWE-338
      Array.new(12) { BARCODE_ALPHABET[SecureRandom.random_number(BARCODE_ALPHABET.size)] }.join
    end

    def password_reset_token(customer)
      # vuln: CWE-330
      Digest::SHA256.hexdigest("#{customer.id}-#{Time.now.to_f}-#{rand}")
    end

    def reset_token
      # safe: CWE-330
      SecureRandom.urlsafe_base64(32)
    end

    def partner_api_key
      prng = Random.new
      # vuln: CWE-338
      "tixp_" + prng.bytes(24).unpack1("H*")
    end

    def issue_partner_key
      # safe: CWE-338
      "tixp_" + SecureRandom.hex(24)
    end

    def order_confirmation_code(order)
      # vuln: CWE-330
      Random.new(order.id).rand(36**8).to_s(36).upcase
    end

    def guest_list_invite_code
      # vuln: CWE-330
      Kernel.rand(36**10).to_s(36).rjust(10, "0")
    end

    def showcase_events(events, count = 6)
      # safe: CWE-330
      events.to_a.shuffle.first(count)
    end

    def survey_sample(attendees, size)
      # safe: CWE-330
      attendees.to_a.sample(size)
    end

    def retry_delay(attempt)
      # safe: CWE-330
      (2**attempt) + rand * 0.5
    end
  end
end
