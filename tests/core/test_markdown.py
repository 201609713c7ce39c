"""Safe Markdown: an XSS corpus and the formatting people may use, with exact outputs."""

import time
from html.parser import HTMLParser

import pytest

from saypro.core.markdown import (
    ALLOWED_ATTRIBUTES,
    ALLOWED_TAGS,
    MARKDOWN_MAX_CHARS,
    markdown_as_text,
    render_markdown,
    word_count,
)

REL = 'rel="nofollow noopener noreferrer"'

XSS_CORPUS = [
    ("<script>alert(1)</script>", "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>\n"),
    ("Hello <script>alert(1)</script> world", "<p>Hello &lt;script&gt;alert(1)&lt;/script&gt; world</p>\n"),
    ("<img src=x onerror=alert(1)>", "<p>&lt;img src=x onerror=alert(1)&gt;</p>\n"),
    ('<b onclick="x()">bold', '<p>&lt;b onclick="x()"&gt;bold</p>\n'),
    ("<details open ontoggle=alert(1)>", "<p>&lt;details open ontoggle=alert(1)&gt;</p>\n"),
    ("[click](javascript:alert(1))", "<p>[click](javascript:alert(1))</p>\n"),
    ("[click](JaVaScRiPt:alert(1))", "<p>[click](JaVaScRiPt:alert(1))</p>\n"),
    ("[click](&#106;avascript:alert(1))", "<p>[click](javascript:alert(1))</p>\n"),
    ("[x](vbscript:msgbox)", "<p>[x](vbscript:msgbox)</p>\n"),
    ("[x](file:///etc/passwd)", "<p>[x](file:///etc/passwd)</p>\n"),
    ("<javascript:alert(1)>", "<p>&lt;javascript:alert(1)&gt;</p>\n"),
    ('<a href="javascript:alert(1)">x</a>', '<p>&lt;a href="javascript:alert(1)"&gt;x&lt;/a&gt;</p>\n'),
    (
        "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        "<p>[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)</p>\n",
    ),
    ("![img](data:image/png;base64,AAAA)", "<p></p>\n"),
    ("![tracker](https://evil.example/x.png) after", "<p> after</p>\n"),
    ("<svg onload=alert(1)><circle/></svg>", "<p>&lt;svg onload=alert(1)&gt;&lt;circle/&gt;&lt;/svg&gt;</p>\n"),
    (
        '<iframe src="https://evil.example"></iframe>',
        '<p>&lt;iframe src="https://evil.example"&gt;&lt;/iframe&gt;</p>\n',
    ),
    ("<style>body{}</style>", "<p>&lt;style&gt;body{}&lt;/style&gt;</p>\n"),
    ("<form action=x><input></form>", "<p>&lt;form action=x&gt;&lt;input&gt;&lt;/form&gt;</p>\n"),
    (
        "<<script>script>alert(1)<</script>/script>",
        "<p>&lt;&lt;script&gt;script&gt;alert(1)&lt;&lt;/script&gt;/script&gt;</p>\n",
    ),
    (
        "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
        "<p>&lt;math&gt;&lt;mtext&gt;&lt;table&gt;&lt;mglyph&gt;&lt;style&gt;&lt;img src=x onerror=alert(1)&gt;</p>\n",
    ),
    ("<!-- comment -->text", "<p>&lt;!-- comment --&gt;text</p>\n"),
    (
        '[x](https://e.org "a" onmouseover="b")',
        '<p>[x](https://e.org "a" onmouseover="b")</p>\n',
    ),
    (
        '[x](http://example.org/"onmouseover="alert(1))',
        f'<p><a href="http://example.org/%22onmouseover=%22alert(1)" {REL}>x</a></p>\n',
    ),
    ("[<script>](https://e.org)", f'<p><a href="https://e.org" {REL}>&lt;script&gt;</a></p>\n'),
    ("```\n<script>x</script>\n```", "<pre><code>&lt;script&gt;x&lt;/script&gt;\n</code></pre>\n"),
]


@pytest.mark.parametrize(("text", "expected"), XSS_CORPUS, ids=[str(i) for i in range(len(XSS_CORPUS))])
def test_render_markdown_neutralises(text, expected):
    assert render_markdown(text) == expected


class _TagCollector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


@pytest.mark.parametrize("text", [t for t, _ in XSS_CORPUS], ids=[str(i) for i in range(len(XSS_CORPUS))])
def test_render_markdown_output_has_only_allowed_tags_attributes_and_schemes(text):
    parser = _TagCollector()
    parser.feed(render_markdown(text))

    for tag, attrs in parser.tags:
        assert tag in ALLOWED_TAGS
        assert set(attrs) <= ALLOWED_ATTRIBUTES.get(tag, set()) | ({"rel"} if tag == "a" else set())
        href = attrs.get("href", "")
        scheme = href.split(":", 1)[0].lower() if ":" in href.split("/", 1)[0] else ""
        assert scheme in {"", "http", "https", "mailto"}


FORMATTING = [
    ("# Title", "<h3>Title</h3>\n"),
    ("## Section", "<h4>Section</h4>\n"),
    ("### Three", "<h5>Three</h5>\n"),
    ("#### Four", "<h6>Four</h6>\n"),
    ("###### Six", "<h6>Six</h6>\n"),
    ("**bold** _em_ ~~gone~~ `code`", "<p><strong>bold</strong> <em>em</em> <s>gone</s> <code>code</code></p>\n"),
    ("> quote", "<blockquote>\n<p>quote</p>\n</blockquote>\n"),
    ("1. one\n2. two", "<ol>\n<li>one</li>\n<li>two</li>\n</ol>\n"),
    ("3. three\n4. four", '<ol start="3">\n<li>three</li>\n<li>four</li>\n</ol>\n'),
    ("- a\n- b", "<ul>\n<li>a</li>\n<li>b</li>\n</ul>\n"),
    ("a\\\nb", "<p>a<br>\nb</p>\n"),
    ("---", "<hr>\n"),
    ('[a](https://example.org "t")', f'<p><a href="https://example.org" title="t" {REL}>a</a></p>\n'),
    ("<https://example.org>", f'<p><a href="https://example.org" {REL}>https://example.org</a></p>\n'),
    ("mail <mailto:a@b.org>", f'<p>mail <a href="mailto:a@b.org" {REL}>mailto:a@b.org</a></p>\n'),
    ("[x](/reflections/3/)", f'<p><a href="/reflections/3/" {REL}>x</a></p>\n'),
    ("Raw <b>HTML</b> & co", "<p>Raw &lt;b&gt;HTML&lt;/b&gt; &amp; co</p>\n"),
    ("مرحبا بالعالم — שלום", "<p>مرحبا بالعالم — שלום</p>\n"),
    ("Emoji 🎉👩🏽\u200d💻 ok", "<p>Emoji 🎉👩🏽\u200d💻 ok</p>\n"),
    ("", ""),
]


@pytest.mark.parametrize(("text", "expected"), FORMATTING, ids=[str(i) for i in range(len(FORMATTING))])
def test_render_markdown_formatting(text, expected):
    assert render_markdown(text) == expected


def test_render_markdown_none_is_empty():
    assert render_markdown(None) == ""


def test_render_markdown_long_ordinary_text_is_rendered_as_markdown():
    text = "**Practice** " + "word " * (MARKDOWN_MAX_CHARS // 5 - 10)

    html = render_markdown(text)

    assert html.startswith("<p><strong>Practice</strong> word word")
    assert html.endswith("word</p>\n")


@pytest.mark.parametrize("unit", ["[", "![", "*a", "word "])
def test_render_markdown_100k_characters_is_fast_and_keeps_the_text(unit):
    text = unit * (100_000 // len(unit))

    started = time.perf_counter()
    html = render_markdown(text)
    elapsed = time.perf_counter() - started

    assert elapsed < 1.0
    assert html == f"<p>{text}</p>\n"


def test_render_markdown_long_text_keeps_paragraphs_and_escapes():
    text = "<script>x</script>\n\n" + "a" * MARKDOWN_MAX_CHARS + "\nsecond line"

    html = render_markdown(text)

    assert html == f"<p>&lt;script&gt;x&lt;/script&gt;</p>\n<p>{'a' * MARKDOWN_MAX_CHARS}<br>\nsecond line</p>\n"


@pytest.mark.parametrize(
    ("text", "expected"),
    [("", 0), (None, 0), ("one", 1), ("  two   words \n", 2), ("مرحبا بالعالم", 2), ("🎉 🎉", 2)],
)
def test_word_count(text, expected):
    assert word_count(text) == expected


@pytest.mark.parametrize(
    ("markdown", "text"),
    [
        (
            "Agree on what *done* looks like **before** handing work over.",
            "Agree on what done looks like before handing work over.",
        ),
        (
            "- Listen for the feeling\n- Reflect it back\n- Then ask",
            "Listen for the feeling; Reflect it back; Then ask",
        ),
        ("# Plan\n\nA [link](https://example.org) & <b>tags</b> as typed", "Plan A link & <b>tags</b> as typed"),
        ("", ""),
    ],
)
def test_markdown_as_text_keeps_the_words_and_drops_the_marks(markdown, text):
    assert markdown_as_text(markdown) == text


def test_markdown_as_text_cuts_long_text_with_an_ellipsis():
    assert markdown_as_text("word " * 100, limit=20) == "word word word word…"
