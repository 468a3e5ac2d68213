"""The README is for the admin who lands on it, and the docs must not rot:
a short README, and no relative link in it or in docs/ leading nowhere."""

import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

REPO = Path(__file__).resolve().parents[2]
README = REPO / "README.md"
PAGES = [README, *sorted((REPO / "docs").glob("*.md"))]
README_LIMIT = 8000
# Inline Markdown links and images: [text](target) / ![alt](target "title").
LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
# Fenced code blocks hold shell and zone files, not links (nor headings).
FENCE = re.compile(r"^```.*?^```", re.M | re.S)
HEADING = re.compile(r"^#+\s+(.*?)\s*$", re.M)


def relative_links(page: Path) -> list[str]:
    text = FENCE.sub("", page.read_text(encoding="utf-8"))
    targets = (match.group(1) for match in LINK.finditer(text))
    return [t for t in targets if not urlsplit(t).scheme]


def target_file(page: Path, link: str) -> Path:
    path = unquote(urlsplit(link).path)
    return (page.parent / path).resolve() if path else page


def anchors(page: Path) -> set[str]:
    """The fragments GitHub gives a page's headings: lower case, punctuation dropped, spaces to hyphens."""
    text = FENCE.sub("", page.read_text(encoding="utf-8"))
    return {re.sub(r"[^\w\- ]", "", title.lower()).replace(" ", "-") for title in HEADING.findall(text)}


def leads_nowhere(page: Path, link: str) -> bool:
    target, fragment = target_file(page, link), urlsplit(link).fragment
    if not target.exists():
        return True
    return bool(fragment) and target.suffix == ".md" and unquote(fragment) not in anchors(target)


def test_readme_is_short_enough_to_read():
    length = len(README.read_text(encoding="utf-8"))
    assert length <= README_LIMIT, f"README.md has {length} characters; move detail into docs/ (limit {README_LIMIT})"


@pytest.mark.parametrize("page", PAGES, ids=lambda page: str(page.relative_to(REPO)))
def test_every_relative_link_leads_to_a_file_and_heading(page):
    broken = [link for link in relative_links(page) if leads_nowhere(page, link)]
    assert broken == [], f"{page.relative_to(REPO)} links to files or headings that do not exist"


def test_every_docs_page_is_reachable_from_the_readme():
    reached, todo = {README}, [README]
    while todo:
        page = todo.pop()
        for link in relative_links(page):
            target = target_file(page, link)
            if target.suffix == ".md" and target in PAGES and target not in reached:
                reached.add(target)
                todo.append(target)
    orphans = [str(page.relative_to(REPO)) for page in PAGES if page not in reached]
    assert orphans == [], "docs pages no link from the README leads to"


def test_readme_names_the_command_ci_runs():
    # .ci/run must run the README's test command, so what the README promises is what CI proves.
    assert "make test" in README.read_text(encoding="utf-8")
    assert "\nmake test\n" in (REPO / ".ci/run").read_text(encoding="utf-8")
