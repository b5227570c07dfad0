"""The figures the docs quote come from the reports that made them.

docs/ODD.md, "What the experiments show", quotes experiment results: each
bullet names the report it quotes (experiments/results/NAME/report.md), and
every number in the bullet must appear in that report as written. So a
regenerated report whose numbers moved fails this test until the docs are
updated with it."""

import re

import pytest

from tests.helpers import ROOT

ODD = (ROOT / "docs" / "ODD.md").read_text()
SECTION = ODD.split("## What the experiments show", 1)[1].split("\n## ", 1)[0]
BULLETS = [b for b in re.split(r"\n(?=- )", SECTION) if b.startswith("- ")]
REPORT = re.compile(r"experiments/results/[\w/]+\.md")
NUMBER = re.compile(r"(?<![\w.])[-−+]?\d[\d,]*(?:\.\d+)?")


def test_the_section_quotes_reports():
    assert len(BULLETS) >= 5
    assert all(REPORT.search(b) for b in BULLETS), "every bullet names its report"


@pytest.mark.parametrize("bullet", BULLETS, ids=lambda b: b[2:40])
def test_every_number_quoted_is_in_the_report_it_names(bullet):
    reports = REPORT.findall(bullet)
    text = " ".join((ROOT / path).read_text() for path in reports)
    prose = REPORT.sub("", bullet)
    numbers = [n.lstrip("+").replace("−", "-") for n in NUMBER.findall(prose)]
    missing = [n for n in numbers if n not in text.replace("−", "-")]
    assert not missing, f"not in {reports}: {missing}"


README = (ROOT / "README.md").read_text()


@pytest.mark.parametrize(
    "section", ["## Forecasting", "## Sensitivity analysis", "## Robust comparison"]
)
def test_the_readme_quotes_its_reports_as_written(section):
    """The README's forecast, sensitivity and robust-comparison results are
    lines of the reports it links, as written."""
    text = README.split(section, 1)[1].split("\n## ", 1)[0]
    reports = REPORT.findall(text)
    assert reports, "the section links its report"
    written = " ".join((ROOT / path).read_text() for path in reports)
    quoted = [line for line in text.splitlines() if line.startswith("| ") and "---" not in line]
    assert quoted, "the section quotes a table"
    assert all(line in written for line in quoted), [q for q in quoted if q not in written]
