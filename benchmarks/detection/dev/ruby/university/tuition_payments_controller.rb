require "openssl"
require "digest"
require "bcrypt"

class TuitionPaymentsController < ApplicationController
  before_action :authenticate_student!, except: %i[gateway_callback gateway_callback_v2]
  skip_before_action :verify_authenticity_token, only: %i[gateway_callback gateway_callback_v2]

  PIN_ALPHABET = ("A".."Z").to_a + ("2".."9").to_a
  # vuln: CWE-798
  GATEWAY_SHARED_SECRET = "pay-G4t3w@y!Un1v-2024-s3cr3t-K9x#Qm".freeze

  def create
    # vuln: CWE-798
    Stripe.api_key = "sk_live_51NvQ8eLkT3xZ9aBcD4fGhJ2mP7qRsWuYz6VtE1oK8iL0nM3pA5sD7fH9jK2lQ"
    intent = Stripe::PaymentIntent.create(amount: current_student.balance_cents, currency: "usd", metadata: { student_id: current_student.id })
    render json: { client_secret: intent.client_secret }
  end

  def create_v2
    # safe: CWE-798
    Stripe.api_key = ENV.fetch("STRIPE_SECRET_KEY")
    intent = Stripe::PaymentIntent.create(amount: current_student.balance_cents, currency: "usd", metadata: { student_id: current_student.id })
    render json: { client_secret: intent.client_secret }
  end

  def gateway_callback
    payment = TuitionPayment.find_by!(reference: params[:reference])
    # vuln: CWE-328
    expected = Digest::SHA1.hexdigest("#{payment.reference}:#{params[:amount]}:#{GATEWAY_SHARED_SECRET}")
    return head :forbidden unless ActiveSupport::SecurityUtils.secure_compare(expected, params[:signature].to_s)
    payment.mark_paid!(params[:amount])
    head :ok
  end

  def gateway_callback_v2
    payload = request.raw_post
    # safe: CWE-328
    expected = OpenSSL::HMAC.hexdigest("SHA256", ENV.fetch("PAYMENT_WEBHOOK_SECRET"), payload)
    return head :forbidden unless ActiveSupport::SecurityUtils.secure_compare(expected, request.headers["X-Gateway-Signature"].to_s)
    TuitionPayment.apply_gateway_event!(JSON.parse(payload))
    head :ok
  end

  def save_bank_account
    account = params.require(:bank_account).permit(:routing_number, :account_number)
    # vuln: CWE-327
    cipher = OpenSSL::Cipher.new("DES-CBC")
    cipher.encrypt
    cipher.key = bank_key[0, 8]
    iv = cipher.random_iv
    encrypted = cipher.update(account[:account_number]) + cipher.final
    current_student.update!(bank_routing: account[:routing_number], bank_account_ciphertext: Base64.strict_encode64(iv + encrypted))
    head :no_content
  end

  def save_card_reference
    # vuln: CWE-327
    cipher = OpenSSL::Cipher.new("AES-256-ECB")
    cipher.encrypt
    cipher.key = bank_key
    encrypted = cipher.update(params.require(:card_reference)) + cipher.final
    current_student.update!(card_reference_ciphertext: Base64.strict_encode64(encrypted))
    head :no_content
  end

  def save_bank_account_v2
    account = params.require(:bank_account).permit(:routing_number, :account_number)
    # safe: CWE-327
    cipher = OpenSSL::Cipher.new("aes-256-gcm")
    cipher.encrypt
    cipher.key = bank_key
    iv = cipher.random_iv
    cipher.auth_data = current_student.id.to_s
    encrypted = cipher.update(account[:account_number]) + cipher.final
    current_student.update!(bank_routing: account[:routing_number], bank_account_ciphertext: Base64.strict_encode64(iv + cipher.auth_tag + encrypted))
    head :no_content
  end

  def store_sponsor_note
    # safe: CWE-327
    encryptor = ActiveSupport::MessageEncryptor.new(bank_key, cipher: "aes-256-gcm")
    current_student.update!(sponsor_note_ciphertext: encryptor.encrypt_and_sign(params.require(:note)))
    head :no_content
  end

  def set_payment_pin
    pin = params.require(:pin)
    # vuln: CWE-328
    current_student.update!(payment_pin_digest: Digest::MD5.hexdigest(pin))
    head :no_content
  end

  def set_payment_pin_v2
    pin = params.require(:pin)
    # safe: CWE-328
    current_student.update!(payment_pin_digest: BCrypt::Password.create(pin, cost: 12))
    head :no_content
  end

  def signed_receipt
    payment = current_student.tuition_payments.find(params[:id])
    pdf = ReceiptPdf.new(payment).render
    # vuln: CWE-328
    signature = receipt_signing_key.sign(OpenSSL::Digest.new("SHA1"), pdf)
    send_data pdf, filename: "receipt-#{payment.reference}.pdf", type: "application/pdf", headers: { "X-Receipt-Signature" => Base64.strict_encode64(signature) }
  end

  def signed_statement
    statement = current_student.statements.find(params[:id])
    pdf = StatementPdf.new(statement).render
    # safe: CWE-328
    signature = receipt_signing_key.sign(OpenSSL::Digest.new("SHA256"), pdf)
    send_data pdf, filename: "statement-#{statement.period}.pdf", type: "application/pdf", headers: { "X-Statement-Signature" => Base64.strict_encode64(signature) }
  end

  def receipt
    payment = current_student.tuition_payments.find(params[:id])
    # safe: CWE-328
    etag = Digest::MD5.hexdigest([payment.cache_key_with_version, I18n.locale].join("/"))
    fresh_when(etag: etag, last_modified: payment.updated_at)
  end

  def statement_checksum
    statement = current_student.statements.find(params[:id])
    # safe: CWE-328
    checksum = Digest::SHA256.file(statement.pdf_path).hexdigest
    render json: { sha256: checksum }
  end

  def legacy_receipt_token
    payment = current_student.tuition_payments.find(params[:id])
    # vuln: CWE-327
    cipher = OpenSSL::Cipher.new("RC4")
    cipher.encrypt
    cipher.key = bank_key[0, 16]
    token = cipher.update(payment.reference) + cipher.final
    render json: { token: Base64.urlsafe_encode64(token) }
  end

  def confirmation_code
    payment = current_student.tuition_payments.find(params[:id])
    # vuln: CWE-330
    code = rand(100_000..999_999).to_s
    payment.update!(confirmation_code_digest: BCrypt::Password.create(code))
    PaymentMailer.confirmation_code(current_student, code).deliver_later
    head :accepted
  end

  def confirmation_code_v2
    payment = current_student.tuition_payments.find(params[:id])
    # safe: CWE-330
    code = SecureRandom.random_number(100_000..999_999).to_s
    payment.update!(confirmation_code_digest: BCrypt::Password.create(code))
    PaymentMailer.confirmation_code(current_student, code).deliver_later
    head :accepted
  end

  def issue_kiosk_pin
    # vuln: CWE-330
    pin = Array.new(8) { PIN_ALPHABET.sample }.join
    current_student.update!(kiosk_pin_digest: BCrypt::Password.create(pin))
    render json: { pin: pin }
  end

  def issue_kiosk_pin_v2
    # safe: CWE-330
    pin = Array.new(8) { PIN_ALPHABET.sample(random: SecureRandom) }.join
    current_student.update!(kiosk_pin_digest: BCrypt::Password.create(pin))
    render json: { pin: pin }
  end

  def payment_link
    payment = current_student.tuition_payments.find(params[:id])
    # vuln: CWE-330
    token = Random.new.bytes(24).unpack1("H*")
    payment.update!(share_token: token, share_token_expires_at: 7.days.from_now)
    render json: { url: shared_payment_url(token: token) }
  end

  def payment_link_v2
    payment = current_student.tuition_payments.find(params[:id])
    # safe: CWE-330
    token = SecureRandom.urlsafe_base64(32)
    payment.update!(share_token: token, share_token_expires_at: 7.days.from_now)
    render json: { url: shared_payment_url(token: token) }
  end

  def installment_reference
    # vuln: CWE-330
    reference = "INST-#{Time.now.strftime('%Y%m%d')}-#{Kernel.rand(36**10).to_s(36).upcase}"
    plan = current_student.installment_plans.create!(reference: reference, months: Integer(params[:months]))
    render json: { reference: plan.reference, access_url: installment_plan_url(reference) }
  end

  def sync_with_bursar
    attempts = 0
    begin
      BursarClient.new.push_balance(current_student)
    rescue BursarClient::Unavailable
      attempts += 1
      raise if attempts > 4
      # safe: CWE-330
      sleep((2**attempts) + rand * 0.5)
      retry
    end
    head :no_content
  end

  def scholarship_spotlight
    # safe: CWE-330
    featured = Scholarship.open.to_a.shuffle.first(3)
    render json: featured.map { |s| s.slice(:id, :name, :amount_cents) }
  end

  private

  def bank_key
    # safe: CWE-798
    @bank_key ||= [Rails.application.credentials.dig(:payments, :bank_encryption_key)].pack("H*")
  end

  def receipt_signing_key
    # vuln: CWE-798
    @receipt_signing_key ||= OpenSSL::PKey::RSA.new("-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAu3Xk9vQ2pZ7LmT4wR8yN1cB6hJ0dF5sG3aE2qW9oK7iL4nM8\npA1sD6fH3jK0lQ5rT2xZ8aBcD4fGhJ2mP7qRsWuYz6VtE1oK8iL0nM3pA5sD7fH9\n-----END RSA PRIVATE KEY-----\n")
  end
end
