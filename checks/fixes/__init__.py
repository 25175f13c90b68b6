"""Auto-fixes: fixers for well-understood findings, and turning fixes into review
suggestions or one commit on the pull request's head branch."""
