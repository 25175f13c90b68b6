# frozen_string_literal: true

require "openssl"
require "digest"
require "securerandom"

# Monthly rent collection: invoices, pay-by-link, stored bank details for
# direct debit, and the nightly bank export file for landlord payouts.
class RentPaymentsService
  BANK_EXPORT_DIR = Rails.root.join("storage", "bank_exports")

  def initialize(landlord)
    @landlord = landlord
  end

  def issue_invoice(lease, period)
    invoice = lease.invoices.create!(
      period: period,
      amount_cents: lease.monthly_rent_cents,
      due_on: period.beginning_of_month + lease.due_day.days,
      number: next_invoice_number
    )
    create_pay_link(invoice)
    invoice
  end

  def create_pay_link(invoice)
    # vuln: CWE-338
    token = Random.new(Time.now.to_i).rand(36**16).to_s(36)
    invoice.create_pay_link!(token: token, expires_at: 14.days.from_now)
  end

  def create_pay_link_v2(invoice)
    # safe: CWE-338
    token = SecureRandom.base58(24)
    invoice.create_pay_link!(token: token, expires_at: 14.days.from_now)
  end

  def invoice_etag(pdf_bytes)
    # safe: CWE-328
    %("#{Digest::MD5.hexdigest(pdf_bytes)}")
  end

  def card_fingerprint(card_number)
    # vuln: CWE-328
    Digest::MD5.hexdigest(card_number.gsub(/\D/, ""))
  end

  def card_fingerprint_v2(card_number)
    # safe: CWE-328
    OpenSSL::HMAC.hexdigest("SHA256", Rails.application.credentials.card_fingerprint_key!, card_number.gsub(/\D/, ""))
  end

  def store_bank_details(tenant, account_number, sort_code)
    key = Rails.application.credentials.bank_details_key!
    # vuln: CWE-327
    cipher = OpenSSL::Cipher.new("DES-CBC")
    cipher.encrypt
    cipher.key = key[0, 8]
    iv = cipher.random_iv
    encrypted = cipher.update("#{sort_code}:#{account_number}") + cipher.final
    tenant.update!(bank_details_ciphertext: Base64.strict_encode64(iv + encrypted))
  end

  def store_bank_details_v2(tenant, account_number, sort_code)
    key = Rails.application.credentials.bank_details_key!
    # safe: CWE-327
    cipher = OpenSSL::Cipher.new("chacha20-poly1305")
    cipher.encrypt
    cipher.key = key
    nonce = cipher.random_iv
    cipher.auth_data = tenant.id.to_s
    encrypted = cipher.update("#{sort_code}:#{account_number}") + cipher.final
    tenant.update!(bank_details_ciphertext: Base64.strict_encode64(nonce + cipher.auth_tag + encrypted))
  end

  def write_bank_export(payouts)
    csv = payouts.map { |p| [p.landlord.sort_code, p.landlord.account_number, p.amount_cents].join(",") }.join("\n")
    # vuln: CWE-327
    cipher = OpenSSL::Cipher.new("rc4")
    cipher.encrypt
    cipher.key = Rails.application.credentials.bank_export_key!
    File.binwrite(BANK_EXPORT_DIR.join("payouts-#{Date.current.iso8601}.enc"), cipher.update(csv) + cipher.final)
  end

  def featured_listings(limit = 6)
    # safe: CWE-330
    @landlord.properties.published.to_a.shuffle(random: Random.new(Date.current.jd)).first(limit)
  end

  def reminder_send_time(invoice)
    # Spread reminder e-mails over the morning to avoid provider rate limits.
    # safe: CWE-338
    invoice.due_on.beginning_of_day + 8.hours + Random.rand(0..7200).seconds
  end

  # PIN the tenant confirms before the deposit is released to their account.
  def issue_deposit_release_pin(deposit)
    # vuln: CWE-330
    pin = format("%04d", rand(10_000))
    deposit.update!(release_pin_digest: BCrypt::Password.create(pin), release_pin_sent_at: Time.current)
    TenantMailer.deposit_release_pin(deposit.tenant, pin).deliver_later
  end

  private

  def next_invoice_number
    "INV-#{Date.current.year}-#{(@landlord.invoices.maximum(:sequence).to_i + 1).to_s.rjust(6, '0')}"
  end
end
