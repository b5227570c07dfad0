"""The dashboard (sim/dashboard/app.py) served on a free local port and driven in headless
Chromium: shared by the browser test and benchmarks/dashboard.py.

Chromium is Debian's (`apt-get install chromium`), driven by Playwright;
Playwright's own browser download is not used. Without network access
Chromium must not try to reach Google's services: hence the flags.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
SERVER_FLAGS = ["--no-open", "--production", "--no-check-version", "--host", "127.0.0.1", "--port"]
VIEWPORT = {"width": 1600, "height": 1000}


def missing() -> str | None:
    """Why the dashboard cannot be tested here, or None."""
    for module, extra in (("solara", "dashboard"), ("playwright", "test")):
        if importlib.util.find_spec(module) is None:
            return f'{module} is not installed: pip install -e ".[{extra}]"'
    if not CHROMIUM.exists():
        return f"no Chromium at {CHROMIUM}: apt-get install -y chromium"
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def dashboard(log: Path, timeout: float = 120.0) -> Iterator[str]:
    """`solara run sim/dashboard/app.py` on a free port of 127.0.0.1; yields its URL."""
    port = free_port()
    with log.open("w") as out:
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "solara",
                "run",
                "sim/dashboard/app.py",
                *SERVER_FLAGS,
                str(port),
            ],
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
            # the server runs in this interpreter's venv: a VIRTUAL_ENV of another
            # (a shell's activation) makes IPython warn in the server log
            env={k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"},
        )
        url = f"http://127.0.0.1:{port}/"
        try:
            deadline = time.monotonic() + timeout
            while True:
                if server.poll() is not None:
                    raise RuntimeError(f"the dashboard server exited: see {log}")
                try:
                    with urllib.request.urlopen(url, timeout=5):
                        break
                except OSError:
                    if time.monotonic() > deadline:
                        raise TimeoutError(f"no dashboard at {url} after {timeout} s") from None
                    time.sleep(0.5)
            yield url
        finally:
            server.terminate()
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()


@contextlib.contextmanager
def page(url: str, viewport: dict[str, int] = VIEWPORT) -> Iterator:
    """A Playwright page of Debian's headless Chromium, at `url`, once the
    dashboard shows week 0."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        try:
            tab = browser.new_page(viewport=viewport)
            tab.goto(url)
            week(tab, 0, timeout=120)
            yield tab
        finally:
            browser.close()


def week(tab, number: int, timeout: float = 30, at_least: bool = False) -> int:
    """Wait until the week counter shows `number` (or more); the week shown."""
    shown = "parseInt(document.querySelector('.week-counter')?.textContent.split(' ')[1])"
    test = ">=" if at_least else "==="
    tab.wait_for_function(f"{shown} {test} {number}", timeout=timeout * 1000)
    return int(tab.locator(".week-counter").inner_text().split()[1])


def step(tab, weeks_before: int) -> float:
    """Press Step; seconds until the page shows the next week."""
    started = time.perf_counter()
    tab.get_by_role("button", name="Step").click()
    week(tab, weeks_before + 1)
    return time.perf_counter() - started


def chart_image(tab, name: str) -> bytes:
    """A PNG of one chart as the browser draws it (sim/dashboard/app.py names them)."""
    from playwright.sync_api import Error

    chart = tab.locator(f".chart-{name}")
    for _ in range(4):
        try:
            chart.locator("canvas, svg").first.wait_for(timeout=30_000)
            return chart.screenshot()
        except Error:  # redrawn while being photographed: the canvas was replaced
            time.sleep(0.5)
    chart.locator("canvas, svg").first.wait_for(timeout=30_000)
    return chart.screenshot()
