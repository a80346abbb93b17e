"""Bios and outcome descriptions are Markdown, rendered to sanitised HTML (no raw HTML, safe links only)."""

from __future__ import annotations

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

# CommonMark without raw HTML; the output is then cleaned by an allow-list (defence in depth).
_MARKDOWN = MarkdownIt("commonmark", {"html": False, "linkify": False}).disable(["image"])
_TAGS = {"p", "br", "strong", "em", "ul", "ol", "li", "a", "code", "pre", "blockquote", "h3", "h4", "hr"}


def render_markdown(text: str) -> Markup:
    """Render `text` as Markdown to HTML that is safe to put in a page."""
    html = _MARKDOWN.render(text or "")
    cleaned = nh3.clean(
        html,
        tags=_TAGS,
        attributes={"a": {"href"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow noopener ugc",
    )
    return Markup(cleaned)  # noqa: S704  (cleaned by nh3's allow-list just above)
