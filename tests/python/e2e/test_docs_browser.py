"""The docs site of a plain `dbt build` + `dbt docs generate --no-compile`, in headless Chromium.

The project is copied to a temporary folder with its asset folder emptied, built and documented
there, and served over HTTP. Every chart must be on its page and carry the footer of that build
(its dbt invocation id); the interactive segment explorer must open from disk with the network
blocked, and its segment selector must change the scatter. Without Debian's chromium the tests
are skipped with the reason.
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
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from html import unescape
from pathlib import Path

import duckdb
import pytest

from .conftest import DemoProject

pytestmark = [pytest.mark.browser, pytest.mark.dbt]

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
# No network at all: every host resolves nowhere and any proxy use fails.
OFFLINE_FLAGS = ("--proxy-server=127.0.0.1:9", "--host-resolver-rules=MAP * ~NOTFOUND")
PROJECT = "model.customer_segmentation."
# Where each chart is shown: the overview and the model pages (doc blocks in docs/charts.md).
PAGES = {
    "overview": {
        "input_rows",
        "elbow",
        "selection_indices",
        "silhouette",
        "segment_scatter",
        "segment_sizes",
        "centroid_heatmap",
        "segment_boxplots",
        "segment_distances",
    },
    PROJECT + "int_customer_features": {"feature_histograms", "feature_boxplots", "correlations"},
    PROJECT + "segmentation_candidates": {"elbow", "selection_indices"},
    PROJECT + "customer_segments": {"segment_scatter", "pair_plot", "segment_sizes", "silhouette"},
    PROJECT + "segment_centroids": {"centroid_heatmap", "segment_distances"},
    PROJECT + "segment_projections": {"pca_projection", "tsne_projection"},
    PROJECT + "segment_linkage": {"dendrogram"},
    PROJECT + "audiences": {"segment_sizes"},
    PROJECT + "segment_profiles": {"centroid_heatmap", "segment_sizes", "segment_boxplots"},
    PROJECT + "customers_rejected": {"input_rows"},
    PROJECT + "orders_rejected": {"input_rows"},
}
OVERVIEW_TEXT = (
    "Customer segmentation in DuckDB",
    "1. The data: rows read, kept and rejected",
    "2. How the number of segments and the method were chosen",
    "3. The segments",
    "4. What to do with them",
)
MODEL_ID = PROJECT + "customer_segments"


@pytest.fixture(scope="module")
def built_project(demo_project: DemoProject) -> tuple[Path, str]:
    """The shared demo project after `dbt build` and `dbt docs generate --no-compile` (conftest),
    and the dbt invocation id of that build."""
    return demo_project.project, demo_project.invocation_id


@pytest.fixture(scope="module")
def site_dir(built_project) -> Path:
    site = built_project[0] / "target"
    assert (site / "index.html").is_file() and (site / "catalog.json").is_file()
    return site


@pytest.fixture(scope="module")
def chromium() -> Path:
    if not CHROMIUM.is_file():
        pytest.skip("install Debian's chromium (apt-get install -y chromium)")
    return CHROMIUM


# A page of the test server's own, not of the site: it opens the docs site once in a frame,
# goes to each page of PAGES in turn as a reader's click does (the app's own hash routes), and
# keeps the page's body, scripts left out, in a <textarea data-page="...">. Loading the app costs
# Chromium about 4 s of CPU (its 2 MB manifest and catalog), a route change a fraction of that.
EVERY_PAGE_PATH = "/__every_page__.html"
SETTLE_MS = 1000  # virtual time: Chromium skips ahead once the page is idle and nothing loads
EVERY_PAGE_HTML = """<!doctype html><html><body>
<iframe id="app" src="index.html" style="width:1400px;height:2400px"></iframe>
<script>
const routes = ROUTES;
const frame = document.getElementById("app");
function capture(page) {
  const body = frame.contentDocument.body.cloneNode(true);
  body.querySelectorAll("script, style").forEach((element) => element.remove());
  const box = document.createElement("textarea");
  box.setAttribute("data-page", page);
  box.textContent = body.outerHTML;
  document.body.appendChild(box);
}
function visit(i) {
  if (i === routes.length) { document.body.setAttribute("data-done", "1"); return; }
  frame.contentWindow.location.hash = routes[i][1];
  setTimeout(() => { capture(routes[i][0]); visit(i + 1); }, SETTLE_MS);
}
frame.addEventListener("load", () => setTimeout(() => visit(0), SETTLE_MS), {once: true});
</script></body></html>
"""


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 (the base class's name)
        pass

    def do_GET(self) -> None:  # noqa: N802 (the base class's name)
        if self.path != EVERY_PAGE_PATH:
            return super().do_GET()
        routes = [[page, _route(page)] for page in sorted(PAGES)]
        body = (
            EVERY_PAGE_HTML.replace("ROUTES", json.dumps(routes))
            .replace("SETTLE_MS", str(SETTLE_MS))
            .encode("utf-8")
        )
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


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
        pytest.fail(f"{url} answered HTTP {error.code}: the file was not in the asset folder")


def _charts_on(dom: str) -> set[str]:
    return {
        match.group(1)
        for source in _image_sources(dom)
        if (match := re.fullmatch(r"assets/([a-z_]+)\.svg", source))
    }


def _route(page: str) -> str:
    return "#!/overview" if page == "overview" else f"#!/model/{page}"


@pytest.fixture(scope="module")
def page_dom(chromium, site_url, tmp_path_factory) -> Callable[[str], str]:
    """Return the body of a page of PAGES as the docs app shows it, every page read in one
    Chromium run per worker (EVERY_PAGE_HTML): 4 s of CPU instead of 4 s per page."""
    budget = SETTLE_MS * (len(PAGES) + 1) + 30_000
    result = _run_chromium(
        chromium,
        tmp_path_factory.mktemp("pages"),
        f"--virtual-time-budget={budget}",
        "--dump-dom",
        site_url + EVERY_PAGE_PATH,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert 'data-done="1"' in result.stdout, "Chromium stopped before every page was read"
    bodies = {
        page: unescape(body)
        for page, body in re.findall(
            r'<textarea data-page="([^"]+)">(.*?)</textarea>', result.stdout, flags=re.S
        )
    }
    assert set(bodies) == set(PAGES), sorted(set(PAGES) - set(bodies))
    for page, body in bodies.items():
        # The page read is the page asked for, not the one before it still on screen.
        heading = _visible_text(re.search(r"<h1\b.*?</h1\s*>", body, flags=re.S).group(0))
        if page == "overview":
            assert OVERVIEW_TEXT[0] in heading, heading
        else:
            assert heading.split()[0] == page.rsplit(".", 1)[1], (page, heading)
    return bodies.__getitem__


@pytest.fixture(scope="module")
def overview_dom(page_dom) -> str:
    return page_dom("overview")


def test_overview_tells_the_story_and_links_the_report(overview_dom, site_url):
    text = _visible_text(overview_dom)
    positions = [text.find(expected) for expected in OVERVIEW_TEXT]
    assert all(position >= 0 for position in positions), dict(
        zip(OVERVIEW_TEXT, positions, strict=True)
    )
    assert positions == sorted(positions), "the overview sections are out of reading order"
    assert re.search(r'href="assets/segment_explorer\.html"', overview_dom)
    status, content_type, body = _fetch(f"{site_url}/assets/segment_explorer.html")
    assert status == 200 and content_type.startswith("text/html")
    assert b"vegaEmbed" in body and b"<script src=" not in body  # libraries inlined


@pytest.mark.parametrize("page", sorted(PAGES))
def test_every_chart_on_its_page_with_this_builds_footer(site_url, built_project, page_dom, page):
    dom = page_dom(page)
    shown = _charts_on(dom)
    assert shown >= PAGES[page], f"missing on {page}: {sorted(PAGES[page] - shown)}"
    _, invocation_id = built_project
    for name in sorted(PAGES[page]):
        status, content_type, body = _fetch(f"{site_url}/assets/{name}.svg")
        assert status == 200 and content_type.startswith("image/svg+xml"), (name, content_type)
        root = ET.fromstring(body)
        assert root.tag == "{http://www.w3.org/2000/svg}svg", f"{name} is not an SVG"
        assert float(root.attrib["width"]) > 50 and float(root.attrib["height"]) > 50, name
        footer = " ".join(
            "".join(element.itertext())
            for element in root.iter("{http://www.w3.org/2000/svg}text")
            if "Built " in "".join(element.itertext())
        )
        assert f"dbt invocation {invocation_id}" in footer, f"{name}: footer {footer!r}"


def test_pages_cover_every_chart(built_project):
    from customer_segmentation.charts.render import CHART_FILES

    assert {chart.name for chart in CHART_FILES} == set().union(*PAGES.values())


def test_report_opens_offline_and_selector_changes_the_scatter(
    chromium, site_dir, built_project, tmp_path_factory
):
    report = site_dir / "assets" / "segment_explorer.html"
    _, invocation_id = built_project
    assert invocation_id in report.read_text(encoding="utf-8")
    with duckdb.connect(
        str(built_project[0].parent / "warehouse.duckdb"), read_only=True
    ) as connection:
        segment = connection.execute(
            "select segment_name from segment_profiles order by customer_count limit 1"
        ).fetchone()[0]
    doms = {}
    for label, fragment in (("all", ""), ("one", "#segment=" + urllib.parse.quote(segment))):
        result = _run_chromium(
            chromium,
            tmp_path_factory.mktemp("report"),
            *OFFLINE_FLAGS,
            "--virtual-time-budget=20000",
            "--dump-dom",
            report.as_uri() + fragment,
        )
        assert result.returncode == 0, result.stderr[-2000:]
        doms[label] = result.stdout
    for dom in doms.values():
        assert 'data-ready="1"' in dom, "the report did not render offline"
        assert dom.count("<path") > 500, "the scatter has no points"
    faded = {label: dom.count('fill="#cfcfcf"') for label, dom in doms.items()}
    assert faded["all"] == 0
    assert faded["one"] > 100, "selecting a segment did not fade the other customers"


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


def test_model_page_shows_its_description(site_dir, page_dom):
    manifest = json.loads((site_dir / "manifest.json").read_text(encoding="utf-8"))
    description = manifest["nodes"][MODEL_ID]["description"]
    first_words = " ".join(re.sub(r"[`*_\[\]]", "", description).split()[:6])
    assert first_words, f"{MODEL_ID} has no description"
    dom = page_dom(MODEL_ID)
    text = _visible_text(dom)
    assert "customer_segments" in text
    assert first_words in text, f"{first_words!r} missing from the customer_segments page"
