"""The generated dbt docs site in a real browser: the overview shows its text and every chart.

Needs a built site (target/index.html, target/catalog.json and the charts in target/assets/). The
site comes from the ``docs_site_dir`` fixture when a conftest provides one (the end-to-end build),
else from $SEGMENTATION_PROJECT_DIR or the repository root after `make build`; without a site, or
without Debian's chromium, the tests are skipped with the reason.
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import re
import subprocess
import threading
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from html import unescape
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)
REPO_ROOT = Path(__file__).resolve().parents[3]
# Text of docs/overview.md that must appear on the rendered overview page.
OVERVIEW_TEXT = ("Customer segmentation in DuckDB", "This project groups customers into segments")
# Charts the overview embeds (docs/overview.md); each must be served and be an SVG.
OVERVIEW_CHARTS = {
    "segment_scatter",
    "elbow",
    "selection_indices",
    "segment_sizes",
    "centroid_heatmap",
    "segment_boxplots",
}
MODEL_ID = "model.customer_segmentation.customer_segments"


def _site_from(directory: Path) -> Path | None:
    """Return the folder holding index.html and catalog.json: ``directory`` or its target/."""
    for candidate in (directory, directory / "target"):
        if (candidate / "index.html").is_file() and (candidate / "catalog.json").is_file():
            return candidate
    return None


@pytest.fixture(scope="module")
def site_dir(request) -> Path:
    """The generated docs site: the docs_site_dir fixture if any, else a built project."""
    try:
        provided = Path(request.getfixturevalue("docs_site_dir"))
    except pytest.FixtureLookupError:
        provided = None
    if provided is not None:
        site = _site_from(provided)
        if site is None:
            pytest.fail(f"docs_site_dir {provided} has no index.html and catalog.json")
        return site
    project = Path(os.environ.get("SEGMENTATION_PROJECT_DIR") or REPO_ROOT)
    site = _site_from(project)
    if site is None:
        pytest.skip(
            f"no generated docs site under {project}/target (index.html + catalog.json): run "
            "`make build` there, or set SEGMENTATION_PROJECT_DIR to a built project"
        )
    return site


@pytest.fixture(scope="module")
def chromium() -> Path:
    if not CHROMIUM.is_file():
        pytest.skip("install Debian's chromium (apt-get install -y chromium)")
    return CHROMIUM


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 (the base class's name)
        pass


@pytest.fixture(scope="module")
def site_url(site_dir: Path) -> Iterator[str]:
    """Serve the site on 127.0.0.1 on a free port for the module's tests; yield its base URL."""
    handler = functools.partial(_QuietHandler, directory=str(site_dir))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def _run_chromium(chromium: Path, profile: Path, *args: str) -> subprocess.CompletedProcess:
    profile.mkdir(parents=True, exist_ok=True)
    command = [str(chromium), *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=180)


def dump_dom(chromium: Path, url: str, profile: Path) -> str:
    """Return the page's DOM after its scripts ran (the docs site is a single-page app)."""
    result = _run_chromium(chromium, profile, "--virtual-time-budget=15000", "--dump-dom", url)
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


def _visible_text(dom: str) -> str:
    text = re.sub(r"<script\b.*?</script\s*>|<style\b.*?</style\s*>", " ", dom, flags=re.S)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", text)))


def _image_sources(dom: str) -> list[str]:
    return re.findall(r"<img\b[^>]*?\bsrc=\"([^\"]+)\"", dom)


def _fetch(url: str) -> tuple[int, str, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 (local server)
            return response.status, response.headers.get("Content-Type", ""), response.read()
    except urllib.error.HTTPError as error:
        pytest.fail(
            f"{url} answered HTTP {error.code}: the charts were not in assets/ when the docs were "
            "generated (run `make charts` before `dbt docs generate`, as `make build` does)"
        )


@pytest.fixture(scope="module")
def overview_dom(chromium, site_url, tmp_path_factory) -> str:
    return dump_dom(chromium, f"{site_url}/index.html#!/overview", tmp_path_factory.mktemp("dom"))


def test_overview_shows_text_and_charts(overview_dom, site_url):
    text = _visible_text(overview_dom)
    for expected in OVERVIEW_TEXT:
        assert expected in text, f"{expected!r} missing from the rendered overview page"
    charts = {
        match.group(1): source
        for source in _image_sources(overview_dom)
        if (match := re.fullmatch(r"assets/([a-z_]+)\.svg", source))
    }
    assert set(charts) >= OVERVIEW_CHARTS, f"images on the overview: {sorted(charts)}"
    for name, source in charts.items():
        status, content_type, body = _fetch(f"{site_url}/{source}")
        assert status == 200, source
        assert content_type.startswith("image/svg+xml"), (source, content_type)
        root = ET.fromstring(body)
        assert root.tag == "{http://www.w3.org/2000/svg}svg", f"{name} is not an SVG"
        assert float(root.attrib["width"]) > 50 and float(root.attrib["height"]) > 50, name


def test_overview_screenshot(chromium, site_url, tmp_path_factory):
    out = tmp_path_factory.mktemp("shot")
    screenshot = out / "overview.png"
    result = _run_chromium(
        chromium,
        out / "profile",
        f"--screenshot={screenshot}",
        "--window-size=1400,2400",
        "--virtual-time-budget=15000",
        f"{site_url}/index.html#!/overview",
    )
    assert result.returncode == 0, result.stderr[-2000:]
    data = screenshot.read_bytes()
    assert data.startswith(b"\x89PNG")
    assert len(data) > 50_000, "the screenshot is nearly blank"  # text plus charts, not a shell
    keep = os.environ.get("SEGMENTATION_SCREENSHOT_DIR")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        (Path(keep) / "overview.png").write_bytes(data)


def test_model_page_shows_its_description(chromium, site_url, site_dir, tmp_path_factory):
    manifest = json.loads((site_dir / "manifest.json").read_text(encoding="utf-8"))
    description = manifest["nodes"][MODEL_ID]["description"]
    first_words = " ".join(re.sub(r"[`*_\[\]]", "", description).split()[:6])
    assert first_words, f"{MODEL_ID} has no description"
    dom = dump_dom(
        chromium, f"{site_url}/index.html#!/model/{MODEL_ID}", tmp_path_factory.mktemp("model")
    )
    text = _visible_text(dom)
    assert "customer_segments" in text
    assert first_words in text, f"{first_words!r} missing from the customer_segments page"
