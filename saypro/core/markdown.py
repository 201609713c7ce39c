"""Safe Markdown: what people type is rendered once and sanitised before anyone sees it."""

from __future__ import annotations

import re
from html import escape, unescape

import nh3
from markdown_it import MarkdownIt

# CommonMark without raw HTML: anything in angle brackets is shown as text, never parsed.
_md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable("strikethrough")

ALLOWED_TAGS = {
    "p", "br", "strong", "em", "s", "del", "code", "pre", "blockquote",
    "ul", "ol", "li", "a", "h3", "h4", "h5", "h6", "hr",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}

# Markdown parsing of some inputs (thousands of "![" or "[") costs tens of microseconds a
# character; past this length a text is shown as plain paragraphs instead, in linear time.
MARKDOWN_MAX_CHARS = 50_000


def render_markdown(text: str) -> str:
    """Return sanitised HTML for a piece of Markdown.

    Headings are shifted down so a person's `#` never outranks the page's own headings;
    images are dropped (no content from elsewhere), links get rel="nofollow noopener".
    """
    if len(text or "") > MARKDOWN_MAX_CHARS:
        return _plain_paragraphs(text)
    html = _md.render(text or "")
    for level in range(6, 0, -1):
        shifted = min(level + 2, 6)
        html = html.replace(f"<h{level}>", f"<h{shifted}>").replace(f"</h{level}>", f"</h{shifted}>")
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="nofollow noopener noreferrer",
        strip_comments=True,
    )


def _plain_paragraphs(text: str) -> str:
    """Text as escaped paragraphs (blank lines between them), line breaks kept."""
    paragraphs = (p.strip("\n") for p in re.split(r"\n[ \t]*\n", text.replace("\r\n", "\n")))
    return "".join(f"<p>{escape(p).replace(chr(10), '<br>' + chr(10))}</p>\n" for p in paragraphs if p.strip())


def word_count(text: str) -> int:
    """Words as a reader counts them: runs of non-space characters."""
    return len((text or "").split())


def markdown_as_text(text: str, *, limit: int | None = None) -> str:
    """A piece of Markdown as one line of plain text, for places that show no HTML.

    The learning log's list, CSV and xAPI show a short excerpt: `**before**` reads "before",
    list items are joined with "; ", links keep their words. Cut to `limit` characters with
    an ellipsis when longer.
    """
    html = render_markdown(text or "")
    html = re.sub(r"</li>\s*", "; ", html)
    html = re.sub(r"</(p|h\d|blockquote|pre)>|<br\s*/?>|<hr\s*/?>", " ", html)
    plain = unescape(nh3.clean(html, tags=set()))
    plain = re.sub(r"\s+", " ", plain).strip()
    plain = re.sub(r"(;\s*)+$", "", plain).replace(" ;", ";")
    if limit is not None and len(plain) > limit:
        plain = plain[: limit - 1].rstrip() + "…"
    return plain
