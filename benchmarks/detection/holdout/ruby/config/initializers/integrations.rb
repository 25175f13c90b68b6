# frozen_string_literal: true

# Third-party integrations: payments, storage, notifications, SSO and the
# reporting replica. Values differ per environment.

module TixHub
  module Integrations
    module_function

    def credentials
      Rails.application.credentials
    end
  end
end

# --- Payments ---------------------------------------------------------------

# vuln: CWE-798
Stripe.api_key = ENV.fetch("STRIPE_SECRET_KEY", "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")
# safe: CWE-798
Paystream.configure { |c| c.api_key = ENV.fetch("PAYSTREAM_API_KEY") }
Stripe.max_network_retries = 2

# --- Storage (ticket PDFs, exports, backups) ----------------------------------

Aws.config.update(
  region: "eu-west-1",
  # vuln: CWE-798
  credentials: Aws::Credentials.new("AKIAKXWNREK8PK3YR9OU", "hDeOZIiBOB+Y6sHrFH2ZUCr+lgotu2iXW7GboIRo")
)

BackupStore.configure do |c|
  c.bucket = "tixhub-backups-prod"
  # safe: CWE-798
  c.credentials = Aws::Credentials.new(TixHub::Integrations.credentials.dig(:aws, :access_key_id), TixHub::Integrations.credentials.dig(:aws, :secret_access_key))
end

# --- Release notes bot / GitHub ---------------------------------------------

Rails.application.config.x.github = ActiveSupport::OrderedOptions.new
Rails.application.config.x.github.repo = "tixhub/venue-integrations"
# vuln: CWE-798
Rails.application.config.x.github.client = Octokit::Client.new(access_token: "ghp_sBkDa9U4UqGWlG6g3Ot1OGMmjxWkI9X7H6aM")

# --- Ops notifications --------------------------------------------------------

# vuln: CWE-798
SLACK_BOT_TOKEN = "xoxb-5701543039117-1822782489638-WUSmTtzQPxC5HChpoevbLJoL"
# safe: CWE-798
SLACK_SIGNING_SECRET = ENV["SLACK_SIGNING_SECRET"]
OPS_CHANNEL = "#tix-ops-alerts"

# --- Customer session tokens (mobile app) -------------------------------------

Rails.application.config.x.jwt = ActiveSupport::OrderedOptions.new
Rails.application.config.x.jwt.algorithm = "HS256"
Rails.application.config.x.jwt.ttl = 2.hours
# vuln: CWE-798
Rails.application.config.x.jwt.secret = "oaeTOdoe5c3veGprQFnIiU74KKEpYEZAmggQBwBAD3UdRPPgdzUvZ3gpmmICiBlr"
# safe: CWE-798
Rails.application.config.x.jwt.refresh_secret = Rails.application.credentials.jwt_refresh_secret!

# --- Reporting replica ----------------------------------------------------------

# vuln: CWE-798
REPORTING_DATABASE_URL = "postgres://reporting:Pq7v!Tix9Rep@reporting-db.tixhub.internal:5432/tixhub_reports"
# safe: CWE-798
ANALYTICS_DATABASE_URL = ENV.fetch("ANALYTICS_DATABASE_URL") { "postgres://localhost:5432/tixhub_analytics_dev" }

# --- Identity provider (SAML) -----------------------------------------------------

Rails.application.config.x.sso = ActiveSupport::OrderedOptions.new
Rails.application.config.x.sso.idp_sso_url = "https://login.tixhub-id.example/saml/sso"
Rails.application.config.x.sso.sp_entity_id = "https://tixhub.example/saml/metadata"
# vuln: CWE-798
Rails.application.config.x.sso.sp_private_key = "-----BEGIN RSA PRIVATE KEY-----\ndj/f7BNxztzbjBkMpv+K1gP4F+3A2TwqaHx7Nt1m5w8qYQD8Y0PtyMh0SWyy9bv+yI6pt3wnMEs39w6UvIoPv1AODJV6gOvahygO9YIU2S8RmBGs3DxnHvHjkT+UmAqeF\nGuolZCFUO9CNKu3UD1DZSGrpUx1UO3A7xICdZ//kP8ZEok2gUMh7lnhEeE+XkgocNWLtE2c+/zOp4cCqtGNTO6pGvDgIkMd4xu+jSdFSJo1t1c0=\n-----END RSA PRIVATE KEY-----\n"
# safe: CWE-798
Rails.application.config.x.sso.idp_client_secret = Rails.application.credentials.dig(:sso, :client_secret)
