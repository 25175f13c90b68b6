"""`python -m github_sandbox --port 8900`: run the sandbox standalone for demos."""

from __future__ import annotations

import argparse

from .server import SandboxServer


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Run the local GitHub sandbox.")
    parser.add_argument("--port", type=int, default=8900)
    parser.add_argument("--key-dir", default="var/sandbox",
                        help="where the App key and secrets are kept across restarts")
    parser.add_argument("--webhook-url", help="where to deliver webhooks")
    parser.add_argument("--setup-url", help="where the install page redirects")
    parser.add_argument("--callback-url", help="the OAuth redirect URL")
    parser.add_argument("--no-seed", action="store_true", help="start with no demo data")
    args = parser.parse_args(argv)

    server = SandboxServer(port=args.port, seed=not args.no_seed, key_dir=args.key_dir)
    server.app.webhook_url = args.webhook_url
    server.app.setup_url = args.setup_url
    server.app.callback_url = args.callback_url
    server.start()
    print(f"GitHub sandbox on {server.url}")
    for key, value in server.env().items():
        print(f"{key}={value}")
    server.serve_until_stopped()

if __name__ == "__main__":
    main()
