"""A small HTML layout for the sandbox's github.com pages: one stylesheet, escaped values."""

from __future__ import annotations

from html import escape
from typing import Any

from werkzeug.wrappers import Response

STYLE = """
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.5 -apple-system, "Segoe UI", Helvetica, Arial, sans-serif;
       color: #1f2328; background: #f6f8fa; }
header { background: #24292f; color: #fff; padding: 12px 24px; display: flex; gap: 16px;
         align-items: center; }
header a { color: #fff; font-weight: 600; text-decoration: none; }
header .who { margin-left: auto; opacity: .8; }
main { max-width: 1100px; margin: 24px auto; padding: 0 16px; }
h1 { font-size: 24px; font-weight: 400; margin: 0 0 16px; }
h2 { font-size: 16px; margin: 24px 0 8px; }
a { color: #0969da; }
.box { background: #fff; border: 1px solid #d0d7de; border-radius: 6px; margin-bottom: 16px; }
.box > .head { padding: 8px 16px; background: #f6f8fa; border-bottom: 1px solid #d0d7de;
               border-radius: 6px 6px 0 0; font-weight: 600; display: flex; gap: 8px;
               align-items: center; flex-wrap: wrap; }
.box > .body { padding: 12px 16px; }
table { width: 100%; border-collapse: collapse; }
td, th { text-align: left; padding: 6px 16px; border-top: 1px solid #eaeef2; }
code, pre, .diff { font: 12px/1.5 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
pre { white-space: pre-wrap; margin: 0; }
.markdown table { border-collapse: collapse; margin: 8px 0; }
.markdown th, .markdown td { border: 1px solid #d1d9e0; padding: 4px 8px; }
.muted { color: #59636e; }
.label { display: inline-block; padding: 0 8px; border-radius: 2em; font-size: 12px;
         font-weight: 500; border: 1px solid transparent; }
.success { background: #dafbe1; color: #1a7f37; } .failure { background: #ffebe9; color: #cf222e; }
.neutral, .queued, .skipped, .stale { background: #eaeef2; color: #59636e; }
.in_progress { background: #fff8c5; color: #9a6700; }
.action_required, .timed_out, .cancelled { background: #fff1e5; color: #bc4c00; }
.open { background: #1f883d; color: #fff; } .closed { background: #cf222e; color: #fff; }
.merged { background: #8250df; color: #fff; }
button, .button { background: #f6f8fa; border: 1px solid #d0d7de; border-radius: 6px;
                  padding: 3px 12px; font: inherit; cursor: pointer; color: #1f2328;
                  text-decoration: none; display: inline-block; }
button.primary { background: #1f883d; color: #fff; border-color: #1a7f37; }
form.inline { display: inline; }
input[type=text], select { font: inherit; padding: 3px 8px; border: 1px solid #d0d7de;
                           border-radius: 6px; }
.diff { width: 100%; border-collapse: collapse; }
.diff td { border: 0; padding: 0 8px; white-space: pre-wrap; vertical-align: top; }
.diff td.num { width: 1%; color: #59636e; text-align: right; user-select: none; }
.diff tr.add td { background: #e6ffec; } .diff tr.del td { background: #ffebe9; }
.diff tr.hunk td { background: #ddf4ff; color: #59636e; }
.annotation td { background: #fff; padding: 8px 16px; border-left: 4px solid #d4a72c;
                 font: 14px/1.5 -apple-system, "Segoe UI", Helvetica, Arial, sans-serif;
                 white-space: normal; }
.annotation-failure td { border-left-color: #cf222e; }
.annotation-notice td { border-left-color: #0969da; }
.flash { padding: 8px 16px; background: #ddf4ff; border: 1px solid #54aeff; border-radius: 6px;
         margin-bottom: 16px; }
"""


def e(value: Any) -> str:
    return escape("" if value is None else str(value))


def layout(title: str, body: str, *, who: str | None = None, status: int = 200,
           refresh_seconds: int | None = None) -> Response:
    """A page; ``refresh_seconds`` reloads it by itself (a check run still in progress)."""
    signed_in = f'<span class="who">Signed in as <b>{e(who)}</b></span>' if who else ""
    refresh = (f'<meta http-equiv="refresh" content="{int(refresh_seconds)}">'
               if refresh_seconds else "")
    document = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">{refresh}<title>{e(title)} · GitHub sandbox</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><style>{STYLE}</style></head>
<body><header><a href="/">GitHub sandbox</a>{signed_in}</header><main>{body}</main></body></html>"""
    return Response(document, status=status, content_type="text/html; charset=utf-8")


def markdown(text: str | None) -> str:
    """GitHub-flavoured Markdown as GitHub renders a check run's summary: tables and all,
    raw HTML escaped (the text comes from the App)."""
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": False}).enable("table").render(text or "")


def label(text: str | None, css: str | None = None) -> str:
    return f'<span class="label {e(css or text or "neutral")}">{e(text or "—")}</span>'


def hidden(**fields: Any) -> str:
    return "".join(f'<input type="hidden" name="{e(k)}" value="{e(v)}">'
                   for k, v in fields.items() if v is not None)
