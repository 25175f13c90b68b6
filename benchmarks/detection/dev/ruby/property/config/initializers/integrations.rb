# frozen_string_literal: true

# Third-party integrations used by the rental platform: payments, document
# storage, notifications, GitHub (infra automation) and JWTs for the partner API.

require "aws-sdk-s3"
require "stripe"
require "slack-ruby-client"
require "octokit"

module Harbourlets
  module Integrations
    # Rent payments (card + ACH).
    # vuln: CWE-798
    Stripe.api_key = "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"
    Stripe.api_version = "2024-06-20"

    # Connect platform key used for landlord payouts.
    # safe: CWE-798
    STRIPE_CONNECT_KEY = ENV.fetch("STRIPE_CONNECT_SECRET_KEY")

    # Tenant documents (IDs, payslips, inspection photos) live in S3.
    # vuln: CWE-798
    DOCUMENTS_CREDENTIALS = Aws::Credentials.new("AKIAJZC64M741X2OY2NM", "vBzTctYK5Docc3JzDi9H6rZI/tkGsxX2gPbNYmdK")

    # Listing photos bucket, separate IAM user.
    # safe: CWE-798
    PHOTOS_CREDENTIALS = Aws::Credentials.new(Rails.application.credentials.dig(:aws, :photos, :access_key_id), Rails.application.credentials.dig(:aws, :photos, :secret_access_key))

    Aws.config.update(region: ENV.fetch("AWS_REGION", "eu-west-1"), credentials: DOCUMENTS_CREDENTIALS)

    Slack.configure do |config|
      # vuln: CWE-798
      config.token = "xoxb-418087059690-7583569695204-aBDXNAHZomM7jDitMKzbRxZu"
    end

    def self.ops_slack_client
      # safe: CWE-798
      Slack::Web::Client.new(token: Vault.logical.read("secret/data/harbourlets/slack").data.dig(:data, :ops_bot_token))
    end

    def self.infra_github
      # vuln: CWE-798
      Octokit::Client.new(access_token: "ghp_qKIvcdqDCSUtcLxHT4ukNUDtByIynuGktQdW")
    end

    def self.docs_github
      # safe: CWE-798
      Octokit::Client.new(access_token: ENV["GITHUB_DOCS_TOKEN"])
    end

    # Partner API tokens (listing syndication partners authenticate with these).
    module PartnerJwt
      # vuln: CWE-798
      SIGNING_SECRET = "hl-partner-jwt-7f3c9a1e5b2d8046-prod"

      def self.issue(partner)
        JWT.encode({ sub: partner.id, scope: partner.scopes, exp: 1.hour.from_now.to_i }, SIGNING_SECRET, "HS256")
      end

      def self.issue_v2(partner)
        # safe: CWE-798
        JWT.encode({ sub: partner.id, scope: partner.scopes, exp: 1.hour.from_now.to_i }, Rails.application.credentials.partner_jwt_secret!, "HS256")
      end
    end

    # Read replica used by the reporting jobs.
    # vuln: CWE-798
    REPORTING_DATABASE_URL = "postgres://reporting_ro:Rep0rt1ng-Ro-2024x@reporting-replica.internal.harbourlets.example:5432/harbourlets_production"

    # safe: CWE-798
    ANALYTICS_DATABASE_URL = ENV.fetch("ANALYTICS_DATABASE_URL")

    # SAML signing key for the owner-portal SSO.
    # vuln: CWE-798
    SAML_SP_PRIVATE_KEY = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQDNAZqI3i+ZWYwJ\nx+qqP+JuqeUp6k/kWgnxfm6VgNry5WEh/1YOHJDfg/tbfDzyeiRk3Qq7N2aVf8Lw\nT4cYpD9mE1sR6uB0hX5jG2nK7oL3iW8vZ9qA4fC1dE6bM0yN5tR2gS7kU3xH8pJz\n-----END PRIVATE KEY-----\n"

    # safe: CWE-798
    SAML_SP_PRIVATE_KEY_V2 = OpenSSL::PKey::RSA.new(File.read(ENV.fetch("SAML_SP_KEY_PATH")), ENV["SAML_SP_KEY_PASSPHRASE"])
  end
end
