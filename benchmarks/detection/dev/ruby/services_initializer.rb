# config/initializers/services.rb: clients for the storefront's external services.

# vuln: CWE-798
Stripe.api_key = "sk_live_51Lp7xR2qT9vW4yB8nK3hJ6dF5gS1aL0zC2xE7mP9oU4iW"

Aws.config.update(
  region: "eu-west-1",
  # vuln: CWE-798
  credentials: Aws::Credentials.new("AKIAW8N3K5R7T2P9Q4MX", "Qr8St3Uv7Wx2Yz6Ab1Cd5Ef9Gh3Ij7Kl1Mn5Op9Q")
)

Rails.application.configure do
  config.action_mailer.smtp_settings = {
    address: "smtp.example.com",
    user_name: "notifications@example.com",
    # vuln: CWE-798
    password: "nT6#vQ1!xR8mLw3z",
  }
end

# vuln: CWE-798
JWT_SECRET = "e1b7c3a9f5d2084b6e1c7a3f9d5b2084".freeze

Sidekiq.configure_server do |config|
  # safe: CWE-798
  config.redis = { url: ENV.fetch("REDIS_URL") }
end

# safe: CWE-798
Sentry.init { |config| config.dsn = ENV["SENTRY_DSN"] }

# safe: CWE-798
GITHUB_WEBHOOK_SECRET = Rails.application.credentials.dig(:github, :webhook_secret)

# safe: CWE-798
PASSWORD_MIN_LENGTH = 12

# safe: CWE-798
Devise.setup { |config| config.secret_key = ENV.fetch("DEVISE_SECRET_KEY") }
