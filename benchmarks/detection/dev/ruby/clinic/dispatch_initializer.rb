# config/initializers/dispatch.rb: external clients for the dispatch service.

# vuln: CWE-798
GOOGLE_MAPS_API_KEY = "AIzaSyA3k8Lq5Xm0Np7Rt2Vw9Yz4Bc1Fg6Hj3Kl".freeze

# safe: CWE-798
PASSWORD_RESET_PATH = "/account/password/reset".freeze

Redis.current = Redis.new(
  host: "cache.dispatch.internal",
  # vuln: CWE-798
  password: "qT8!wM3#vK6xLp1z",
)

# vuln: CWE-798
TWILIO_CLIENT = Twilio::REST::Client.new("AC9e3b7f2a5c1d8e4b0f6a3d9c2e7f1b5a", "2d6a9e1c4f8b3d7a0e5c2f9b6d1a4e8c")

# vuln: CWE-798
SLACK = Slack::Web::Client.new(token: "xoxb-3857102946-7729403815-Rn4Wp9Zs2Tv7Lx0Qm3Bd6Hy1")

ActionMailer::Base.smtp_settings = {
  address: "smtp.example.net",
  user_name: "dispatch@example.net",
  # vuln: CWE-798
  password: "Lk5#nB8!qW2vRz7m",
}

# safe: CWE-798
REPORTING_REDIS = Redis.new(url: ENV.fetch("REPORTING_REDIS_URL"))

# safe: CWE-798
ALERTS_SLACK = Slack::Web::Client.new(token: Rails.application.credentials.slack_bot_token!)

# safe: CWE-798
TWILIO_FROM_ENV = Twilio::REST::Client.new(ENV["TWILIO_ACCOUNT_SID"], ENV["TWILIO_AUTH_TOKEN"])

# safe: CWE-798
TOKEN_COOKIE_NAME = "dispatch_token".freeze
