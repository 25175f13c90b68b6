"""The one package through which the product talks to GitHub."""
