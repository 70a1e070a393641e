"""The documentation stands alone and a newcomer finds all of it from the README.

Every document is one click from the README, every relative link leads to a file that
exists (and to a heading that exists, when it names one), the README stays an index, and
nothing points outside the repository.
"""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
DOCUMENTS = sorted(
    [
        ROOT / "README.md",
        ROOT / "CHANGELOG.md",
        ROOT / "SECURITY.md",
        ROOT / "bench" / "README.md",
        *(ROOT / "docs").rglob("*.md"),
    ]
)


def relative_links(document: Path) -> list[str]:
    return [
        target
        for target in LINK.findall(document.read_text(encoding="utf-8"))
        if not re.match(r"[a-z]+:", target) and not target.startswith("#")
    ]


def heading_anchor(heading: str) -> str:
    """The anchor GitHub gives a Markdown heading."""
    text = heading.strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(document: Path) -> set[str]:
    return {
        heading_anchor(line.lstrip("#"))
        for line in document.read_text(encoding="utf-8").splitlines()
        if line.startswith("#")
    }


def test_every_document_is_one_click_from_the_readme():
    linked = {
        (ROOT / target.split("#")[0]).resolve() for target in relative_links(ROOT / "README.md")
    }
    documents = {path.resolve() for path in DOCUMENTS if path.name != "README.md"}
    documents |= {(ROOT / "bench" / "README.md").resolve(), (ROOT / "LICENSE").resolve()}
    assert sorted(str(path.relative_to(ROOT)) for path in documents - linked) == []


def test_every_relative_link_leads_to_a_file_and_heading_that_exist():
    broken = []
    for document in DOCUMENTS:
        for target in relative_links(document):
            path, _, anchor = target.partition("#")
            linked = (document.parent / path).resolve()
            if not linked.exists():
                broken.append(f"{document.relative_to(ROOT)}: {target}")
            elif anchor and linked.suffix == ".md" and anchor not in anchors(linked):
                broken.append(f"{document.relative_to(ROOT)}: {target} (no such heading)")
    assert broken == []


def test_the_readme_is_an_index_well_under_200_lines():
    assert len((ROOT / "README.md").read_text(encoding="utf-8").splitlines()) < 150


def test_nothing_points_outside_the_repository():
    """A clone has no ../shared/: the programme and the figures are in docs/."""
    folders = ("portal", "tests", "docs", "bench", "deploy", "templates", "migrations", ".ci")
    searched = [path for path in ROOT.iterdir() if path.is_file()] + [
        path
        for folder in folders
        for path in (ROOT / folder).rglob("*")
        if path.is_file() and path.suffix != ".pyc" and path != Path(__file__).resolve()
    ]
    outside = [
        str(path.relative_to(ROOT))
        for path in searched
        if "../shared/" in path.read_text(encoding="utf-8", errors="replace")
    ]
    assert outside == []
