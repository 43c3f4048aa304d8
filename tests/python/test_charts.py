"""The chart functions and the render CLI, on synthetic tables shaped like the project's marts.

Every chart is validated against the Vega-Lite schema and really rendered by vl-convert.
"""

from __future__ import annotations

import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import altair as alt
import numpy as np
import polars as pl
import pytest
import vl_convert as vlc
from scipy.cluster import hierarchy
from sklearn.cluster import KMeans
from sklearn.datasets import make_blobs
from sklearn.decomposition import PCA
from sklearn.metrics import calinski_harabasz_score, davies_bouldin_score, silhouette_score
from sklearn.mixture import GaussianMixture

from customer_segmentation import charts
from customer_segmentation.charts import in_build, render, report
from customer_segmentation.charts._common import sample_rows

duckdb = pytest.importorskip("duckdb")

FEATURES = ["annual_income_k", "spending_score", "age"]
SEGMENT_NAMES = ["Careful Savers", "Young High Spenders", "Affluent Cautious", "Average Regulars"]
SVG_NS = "{http://www.w3.org/2000/svg}"


def synthetic_tables(n_customers: int = 600, seed: int = 3) -> dict[str, pl.DataFrame]:
    """Return every table the charts read, built from blobs and a real K-Means fit."""
    rng = np.random.default_rng(seed)
    raw, _ = make_blobs(
        n_samples=n_customers,
        centers=[[30, 20, 45], [30, 80, 25], [85, 20, 50], [60, 50, 38]],
        cluster_std=7.0,
        random_state=seed,
    )
    customer_id = [f"C{index:05d}" for index in range(1, n_customers + 1)]
    gender = rng.choice(
        ["Female", "Male", "Other", None], size=n_customers, p=[0.5, 0.42, 0.05, 0.03]
    )
    features = pl.DataFrame(
        {
            "customer_id": customer_id,
            "gender": gender.tolist(),
            "age": np.clip(raw[:, 2].round(), 18, 80).astype(int),
            "annual_income_k": raw[:, 0].round(1),
            "spending_score": np.clip(raw[:, 1].round(), 1, 100).astype(int),
            "source_row_number": np.arange(1, n_customers + 1),
            "is_female": (gender == "Female").astype(int),
            "frequency": rng.poisson(4, n_customers),
            "share_books": rng.random(n_customers),
        }
    ).with_columns(
        share_books=pl.when(pl.Series(rng.random(n_customers) < 0.1))
        .then(None)
        .otherwise(pl.col("share_books"))
    )
    matrix = features.select(FEATURES).to_numpy().astype(float)
    mean, std = matrix.mean(axis=0), matrix.std(axis=0)
    scaled = (matrix - mean) / std
    scaling = pl.DataFrame(
        {
            "feature_name": FEATURES,
            "feature_order": [1, 2, 3],
            "method": ["standard"] * 3,
            "center": mean,
            "scale": std,
            "mean_value": mean,
            "std_pop": std,
        }
    )
    scaled_table = pl.DataFrame({"customer_id": customer_id}).with_columns(
        [pl.Series(name, scaled[:, index]) for index, name in enumerate(FEATURES)]
    )

    rows = []
    search = scaled[:800]  # the search runs on a sample, as in the project
    for k in range(2, 8):
        model = KMeans(n_clusters=k, n_init=4, random_state=seed).fit(search)
        rows.append(
            {
                "algorithm": "kmeans",
                "n_clusters": k,
                "inertia": float(model.inertia_),
                "silhouette": float(silhouette_score(search, model.labels_)),
                "calinski_harabasz": float(calinski_harabasz_score(search, model.labels_)),
                "davies_bouldin": float(davies_bouldin_score(search, model.labels_)),
                "bic": None,
                "is_selected": k == 4,
            }
        )
        mixture = GaussianMixture(n_components=k, random_state=seed).fit(search)
        labels = mixture.predict(search)
        rows.append(
            {
                "algorithm": "gmm",
                "n_clusters": k,
                "inertia": None,
                "silhouette": float(silhouette_score(search, labels)),
                "calinski_harabasz": float(calinski_harabasz_score(search, labels)),
                "davies_bouldin": float(davies_bouldin_score(search, labels)),
                "bic": float(mixture.bic(search)),
                "is_selected": False,
            }
        )
    candidates = pl.DataFrame(rows).with_columns(
        parameters=pl.lit("n_init=4"), selection_reason=pl.lit(None, pl.String)
    )

    model = KMeans(n_clusters=4, n_init=4, random_state=seed).fit(scaled)
    segment_id = model.labels_ + 1
    names = [SEGMENT_NAMES[label] for label in model.labels_]
    customer_segments = pl.DataFrame(
        {
            "customer_id": customer_id,
            "segment_id": segment_id,
            "segment_name": names,
            "membership_probability": 1.0,
            "distance_to_centroid": np.linalg.norm(
                scaled - model.cluster_centers_[model.labels_], axis=1
            ),
            "is_noise": False,
            "algorithm": "kmeans",
        }
    )
    counts = np.bincount(model.labels_, minlength=4)
    profiles = pl.DataFrame(
        {
            "segment_id": np.arange(1, 5),
            "segment_name": SEGMENT_NAMES,
            "segment_description": [f"Segment {name}" for name in SEGMENT_NAMES],
            "customer_count": counts,
            "customer_share": counts / counts.sum(),
        }
    )
    centroids = pl.DataFrame(
        [
            {
                "segment_id": segment + 1,
                "feature_name": name,
                "feature_order": index + 1,
                "algorithm": "kmeans",
                "centroid_scaled": float(model.cluster_centers_[segment, index]),
                "centroid_value": float(
                    model.cluster_centers_[segment, index] * std[index] + mean[index]
                ),
            }
            for segment in range(4)
            for index, name in enumerate(FEATURES)
        ]
    )
    pca = PCA(n_components=2, random_state=seed).fit(scaled)
    projected = pca.transform(scaled)
    ratio = pca.explained_variance_ratio_
    pca_rows = pl.DataFrame(
        {
            "method": "pca",
            "customer_id": customer_id,
            "segment_id": segment_id,
            "dim_1": projected[:, 0],
            "dim_2": projected[:, 1],
            "explained_variance_ratio_1": ratio[0],
            "explained_variance_ratio_2": ratio[1],
        }
    )
    tsne_rows = pca_rows.head(300).with_columns(
        method=pl.lit("tsne"),
        dim_1=pl.col("dim_1") * 7 + pl.Series(rng.normal(0, 1, 300)),
        dim_2=pl.col("dim_2") * 7 + pl.Series(rng.normal(0, 1, 300)),
        explained_variance_ratio_1=pl.lit(None, pl.Float64),
        explained_variance_ratio_2=pl.lit(None, pl.Float64),
    )
    tree = hierarchy.linkage(scaled[:200], method="ward")
    linkage = pl.DataFrame(
        {
            "merge_id": np.arange(len(tree)),
            "left_node": tree[:, 0].astype(np.int64),
            "right_node": tree[:, 1].astype(np.int64),
            "distance": tree[:, 2],
            "merged_size": tree[:, 3].astype(np.int64),
        }
    )
    return {
        "int_customer_features": features,
        "feature_scaling": scaling,
        "int_customer_features_scaled": scaled_table,
        "segmentation_candidates": candidates,
        "customer_segments": customer_segments,
        "segment_profiles": profiles,
        "segment_centroids": centroids,
        "segment_projections": pl.concat([pca_rows, tsne_rows]),
        "segment_linkage": linkage,
        "base_customers": pl.DataFrame(
            {
                "customer_id": [*customer_id, None, "C00001"],
                "rejection_reason": [None] * n_customers
                + ["missing customer_id", "duplicate customer_id"],
            }
        ),
        "base_orders": pl.DataFrame(
            {"order_id": ["O1", "O2", "O3"], "rejection_reason": [None, None, "negative amount"]}
        ),
    }


def write_database(path: Path, tables: dict[str, pl.DataFrame]) -> Path:
    """Write ``tables`` into a new DuckDB file at ``path`` (schema main) and return the path."""
    with duckdb.connect(str(path)) as connection:
        for name, frame in tables.items():
            arrow = frame.to_arrow()  # noqa: F841 (read by DuckDB's replacement scan)
            connection.execute(f'create table main."{name}" as select * from arrow')
    return path


def render_svg(chart: alt.TopLevelMixin) -> ET.Element:
    """Validate the spec, render it with vl-convert, and return the parsed SVG root."""
    spec = chart.to_dict(validate=True)
    svg = vlc.vegalite_to_svg(spec, allowed_base_urls=[])
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG_NS}svg"
    assert float(root.attrib["width"]) > 50 and float(root.attrib["height"]) > 50
    return root


def svg_text(root: ET.Element) -> str:
    return " ".join(text for element in root.iter(f"{SVG_NS}text") for text in element.itertext())


def dataset_rows(chart: alt.TopLevelMixin) -> list[int]:
    """Return the number of rows of each inline dataset in the chart's spec."""
    spec = chart.to_dict(validate=False)
    return [len(values) for values in spec.get("datasets", {}).values()]


@pytest.fixture(scope="module")
def tables() -> dict[str, pl.DataFrame]:
    return synthetic_tables()


@pytest.fixture(scope="module")
def customers(tables) -> pl.DataFrame:
    return render.segmented_customers(tables)


def _chart_builders(tables, customers) -> dict[str, Callable[[], alt.TopLevelMixin]]:
    """Each chart of EXPECTED_TEXT by name, built when called: building all sixteen takes about
    2.5 s, which each parametrized case would pay again for the one chart it renders."""
    return {
        "feature_histograms": lambda: charts.feature_histograms(tables["int_customer_features"]),
        "feature_boxplots": lambda: charts.feature_boxplots(tables["int_customer_features"]),
        "segment_boxplots": lambda: charts.feature_boxplots(
            customers, by="segment_name", columns=FEATURES
        ),
        "correlations": lambda: charts.correlation_heatmap(tables["int_customer_features"]),
        "pair_plot": lambda: charts.pair_plot(customers, FEATURES),
        "elbow": lambda: charts.elbow_curve(tables["segmentation_candidates"]),
        "selection_indices": lambda: charts.selection_indices(tables["segmentation_candidates"]),
        "segment_scatter": lambda: charts.segment_scatter(customers, tables["segment_centroids"]),
        "pca_projection": lambda: charts.pca_projection(
            tables["segment_projections"], tables["segment_profiles"]
        ),
        "tsne_projection": lambda: charts.tsne_projection(
            tables["segment_projections"], tables["segment_profiles"]
        ),
        "segment_sizes": lambda: charts.segment_sizes(tables["segment_profiles"]),
        "centroid_heatmap": lambda: charts.centroid_heatmap(
            tables["segment_centroids"], tables["segment_profiles"]
        ),
        "dendrogram": lambda: charts.dendrogram(tables["segment_linkage"], n_segments=4),
        "input_rows": lambda: charts.input_outcomes(input_rows(tables)),
        "silhouette": lambda: charts.silhouette_plot(
            tables["int_customer_features_scaled"], tables["customer_segments"], FEATURES
        ),
        "segment_distances": lambda: charts.segment_distances(
            tables["segment_centroids"], tables["segment_profiles"]
        ),
    }


def input_rows(tables) -> pl.DataFrame:
    """Return the input_rows table the way the chart_renders model counts it (in DuckDB)."""
    with duckdb.connect() as connection:
        return in_build.input_rows(
            connection.from_arrow(tables["base_customers"].to_arrow()),
            connection.from_arrow(tables["base_orders"].to_arrow()),
        )


EXPECTED_TEXT = {
    "feature_histograms": ["Annual income (k$)", "Share of spend on books ("],
    "feature_boxplots": ["Female", "Male", "Unknown", "Spending score (1-100)"],
    "segment_boxplots": ["Young High Spenders", "Age (years)"],
    "correlations": ["Correlation", "Number of orders"],
    "pair_plot": ["Annual income (k$)", "Age (years)", "Careful Savers"],
    "elbow": ["Number of segments", "chosen", "Chosen: 4 segments with K-Means"],
    "selection_indices": [
        "Silhouette",
        "Davies-Bouldin",
        "BIC, Gaussian mixture",
        "Gaussian mixture",
    ],
    "segment_scatter": ["Annual income (k$)", "Spending score (1-100)", "Affluent Cautious"],
    "pca_projection": ["Principal component 1 (", "% of the variation)"],
    "tsne_projection": ["t-SNE dimension 1"],
    "segment_sizes": ["Average Regulars", "Customers"],
    "centroid_heatmap": ["Annual income (k$)", "Careful Savers"],
    "dendrogram": ["cut into 4 groups", "Distance at which groups merge", "Group 1"],
    "input_rows": ["customers: 602 rows read = 600 kept + 2 rejected", "missing customer_id"],
    "silhouette": ["mean 0.", "Silhouette", "Careful Savers"],
    "segment_distances": ["Closest pair:", "Young High Spenders"],
}


@pytest.mark.parametrize("name", sorted(EXPECTED_TEXT))
def test_chart_validates_and_renders(tables, customers, name):
    chart = _chart_builders(tables, customers)[name]()
    assert charts.placeholder_reason(chart) is None
    text = svg_text(render_svg(chart))
    for expected in EXPECTED_TEXT[name]:
        assert expected in text, f"{expected!r} not in the {name} SVG"


def test_render_files_match_the_chart_list(tables):
    assert set(render.chart_builders(tables)) == set(EXPECTED_TEXT)
    assert [chart.name for chart in render.CHART_FILES] == list(render.chart_builders(tables))


def test_pandas_frames_are_accepted(tables):
    chart = charts.segment_sizes(tables["segment_profiles"].to_pandas())
    assert charts.placeholder_reason(chart) is None
    render_svg(chart)


def test_scatter_markers_are_drawn_per_customer(tables, customers):
    root = render_svg(charts.segment_scatter(customers, tables["segment_centroids"]))
    marks = [
        group
        for group in root.iter(f"{SVG_NS}g")
        if {"mark-symbol", "role-mark"} <= set(group.attrib.get("class", "").split())
    ]
    drawn = sum(len(list(group)) for group in marks)
    assert drawn == customers.height + 4  # every customer, plus one diamond per centre


def test_elbow_marks_the_selected_k(tables):
    spec = charts.elbow_curve(tables["segmentation_candidates"]).to_dict()
    rows = next(iter(spec["datasets"].values()))
    selected = [row for row in rows if row["is_selected"]]
    assert [(row["algorithm_label"], row["n_clusters"]) for row in selected] == [("K-Means", 4)]


def test_bic_panel_only_when_a_mixture_was_tried(tables):
    kmeans_only = tables["segmentation_candidates"].filter(pl.col("algorithm") == "kmeans")
    text = svg_text(render_svg(charts.selection_indices(kmeans_only)))
    assert "Silhouette" in text
    assert "BIC" not in text


def test_dendrogram_uses_scipy_truncation(tables):
    matrix = charts.segments.linkage_matrix(tables["segment_linkage"])
    lines, labels = charts.segments.dendrogram_table(matrix, leaves=30)
    assert len(labels) == 30
    assert len(lines) == 3 * 29  # three strokes per merge among the 30 leaves
    assert sum(int(label) for label in labels["label"]) == 200  # every sampled customer


# --- sampling --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def big_tables() -> dict[str, pl.DataFrame]:
    return synthetic_tables(n_customers=12_000, seed=5)


def test_sample_rows_is_capped_and_deterministic():
    frame = pl.DataFrame({"customer_id": [f"C{i:06d}" for i in range(10_000)][::-1], "x": 1})
    first = sample_rows(frame, 3000)
    assert first.height == 3000
    assert first.equals(sample_rows(frame.sample(fraction=1.0, shuffle=True, seed=1), 3000))
    assert first["customer_id"].is_sorted()
    assert not first.equals(sample_rows(frame, 3000, seed=7))
    assert sample_rows(frame.head(10), 3000).height == 10


def test_big_inputs_stay_under_altairs_row_limit(big_tables):
    customers = render.segmented_customers(big_tables)
    projections = big_tables["segment_projections"]
    profiles = big_tables["segment_profiles"]
    capped = {
        "pair_plot": (charts.pair_plot(customers, FEATURES), 1500),
        "segment_scatter": (
            charts.segment_scatter(customers, big_tables["segment_centroids"]),
            3000,
        ),
        "pca_projection": (charts.pca_projection(projections, profiles), 3000),
        "histograms": (charts.feature_histograms(big_tables["int_customer_features"]), 300),
        "boxplots": (charts.feature_boxplots(big_tables["int_customer_features"]), 100),
    }
    for name, (chart, limit) in capped.items():
        assert charts.placeholder_reason(chart) is None, name
        assert max(dataset_rows(chart)) <= limit, name
    render_svg(capped["segment_scatter"][0])


def test_same_customers_in_every_scatter(big_tables):
    customers = render.segmented_customers(big_tables)
    scatter = sample_rows(customers)["customer_id"]
    pca = sample_rows(big_tables["segment_projections"].filter(pl.col("method") == "pca"))
    assert scatter.equals(pca["customer_id"])


# --- missing inputs --------------------------------------------------------------------------


def _reason(chart) -> str:
    reason = charts.placeholder_reason(chart)
    assert reason, "expected a placeholder"
    render_svg(chart)
    return reason


def test_missing_inputs_give_placeholders(tables, customers, caplog):
    projections = tables["segment_projections"]
    only_pca = projections.filter(pl.col("method") == "pca")
    with caplog.at_level("WARNING", logger="customer_segmentation.charts"):
        assert "t-SNE" in _reason(charts.tsne_projection(only_pca, tables["segment_profiles"]))
    assert "t-SNE" in caplog.text
    assert "segment_linkage" in _reason(charts.dendrogram(None))
    assert "two clustering features" in _reason(charts.segment_scatter(customers, None, ["age"]))
    assert "two clustering features" in _reason(charts.pair_plot(customers, ["age"]))
    assert "two numeric features" in _reason(charts.correlation_heatmap(customers, ["age"]))
    assert "segmentation_candidates" in _reason(charts.elbow_curve(None))
    assert "empty" in _reason(charts.segment_sizes(tables["segment_profiles"].head(0)))
    gmm_only = tables["segmentation_candidates"].filter(pl.col("algorithm") == "gmm")
    assert "inertia" in _reason(charts.elbow_curve(gmm_only))
    broken = tables["segment_linkage"].with_columns(left_node=pl.lit(10**6))
    assert "not a valid" in _reason(charts.dendrogram(broken))


def test_single_feature_still_draws_exploration(tables):
    one = tables["int_customer_features"].select("customer_id", "gender", "age")
    for chart in (charts.feature_histograms(one), charts.feature_boxplots(one)):
        assert charts.placeholder_reason(chart) is None
        render_svg(chart)


def test_segment_names_fall_back_to_ids(tables):
    chart = charts.centroid_heatmap(tables["segment_centroids"], None)
    assert "Segment 1" in svg_text(render_svg(chart))


# --- the render CLI --------------------------------------------------------------------------


def _assert_svg_file(path: Path) -> ET.Element:
    assert path.is_file(), f"{path} was not written"
    root = ET.parse(path).getroot()
    assert root.tag == f"{SVG_NS}svg"
    return root


def test_cli_writes_every_named_chart(tmp_path, tables, capsys):
    database = write_database(tmp_path / "built.duckdb", tables)
    out = tmp_path / "assets"
    assert render.main(["--database", str(database), "--out", str(out)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == len(render.CHART_FILES) + 1
    # The interactive explorer is written too, as chart_renders writes it inside dbt.
    assert lines[-1] == f"{out / 'segment_explorer.html'}  drawn"
    assert "vegaEmbed" in (out / "segment_explorer.html").read_text(encoding="utf-8")
    for chart in render.CHART_FILES:
        root = _assert_svg_file(out / f"{chart.name}.svg")
        assert "Not available" not in svg_text(root), chart.name
        assert any(line.startswith(str(out / f"{chart.name}.svg")) for line in lines)
    assert all(" kB" in line or " MB" in line for line in lines[:-1])


def test_cli_reads_only_the_customers_of_the_clustering_sample(tmp_path, tables, caplog):
    """Like chart_renders inside dbt, the command line reads the customer-grain tables only for
    the customers of int_customer_features_sample, so it does not grow with the base."""
    sampled = tables["int_customer_features"]["customer_id"].gather_every(3)
    with_sample = {**tables, "int_customer_features_sample": pl.DataFrame({"customer_id": sampled})}
    database = write_database(tmp_path / "built.duckdb", with_sample)
    with caplog.at_level("INFO", logger=render.__name__):
        read = render.load_tables(database)
    assert f"{sampled.len():,} of {tables['int_customer_features'].height:,}" in caplog.text
    for name in render.CUSTOMER_GRAIN:
        if tables.get(name) is not None:
            assert set(read[name]["customer_id"]) <= set(sampled), name
            assert (
                read[name].height
                == tables[name].filter(pl.col("customer_id").is_in(sampled.implode())).height
            ), name
    assert read["segment_profiles"].equals(tables["segment_profiles"])  # aggregates: whole base
    everyone = render.load_tables(write_database(tmp_path / "no_sample.duckdb", tables))
    assert everyone["int_customer_features"].height == tables["int_customer_features"].height


def test_tables_in_a_schema_whose_name_has_a_quote_are_read(tmp_path, tables):
    """Schema names come from the file, so they reach SQL quoted, never as code."""
    database = tmp_path / "quoted.duckdb"
    with duckdb.connect(str(database)) as connection:
        connection.execute('create schema "we""ird"')
        for name in ("int_customer_features", "customer_segments"):
            arrow = tables[name].to_arrow()  # noqa: F841 (read by DuckDB's replacement scan)
            connection.execute(f'create table "we""ird"."{name}" as select * from arrow')
    read = render.load_tables(database, 'we"ird')
    assert read["int_customer_features"].height == tables["int_customer_features"].height
    assert read["customer_segments"].height == tables["customer_segments"].height


def test_cli_writes_placeholders_before_clustering(tmp_path, tables, capsys):
    early = {name: tables[name] for name in ("int_customer_features", "feature_scaling")}
    database = write_database(tmp_path / "early.duckdb", early)
    out = tmp_path / "assets"
    assert render.main(["--database", str(database), "--out", str(out)]) == 0
    output = capsys.readouterr().out
    assert output.count("placeholder:") == len(render.CHART_FILES) - 3
    assert "Not available" in svg_text(_assert_svg_file(out / "dendrogram.svg"))
    assert "Not available" not in svg_text(_assert_svg_file(out / "feature_histograms.svg"))


def test_cli_renders_big_charts_as_png(tmp_path, tables, capsys):
    database = write_database(tmp_path / "built.duckdb", tables)
    out = tmp_path / "assets"
    (out).mkdir()
    (out / "elbow.png").write_bytes(b"stale")
    assert render.main(["--database", str(database), "--out", str(out), "--max-svg-kb", "60"]) == 0
    output = capsys.readouterr().out
    assert "as PNG" in output
    png = out / "pair_plot.png"
    assert png.read_bytes().startswith(b"\x89PNG")
    root = _assert_svg_file(out / "pair_plot.svg")
    image = root.find(f"{SVG_NS}image")
    assert image is not None and image.attrib["href"].startswith("data:image/png;base64,")
    assert not (out / "elbow.png").exists()  # small charts stay SVG; stale PNGs are removed


def _run_cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "customer_segmentation.charts", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=120,
    )


def test_cli_missing_database_exits_2(tmp_path):
    missing = tmp_path / "nowhere.duckdb"
    result = _run_cli("--out", str(tmp_path / "assets"), env={"DBT_DUCKDB_PATH": str(missing)})
    assert result.returncode == 2
    assert str(missing) in result.stderr
    assert "make build" in result.stderr and "DBT_DUCKDB_PATH" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "assets").exists()


def test_cli_checks_the_path_before_importing_the_chart_libraries(tmp_path):
    # A wrong path is the commonest mistake: it fails at once, not after Altair, scikit-learn and
    # polars have imported (2-5 s); the package's chart functions still import on first use.
    code = (
        "import sys; from customer_segmentation.charts.cli import main; "
        f"status = main(['--database', {str(tmp_path / 'nowhere.duckdb')!r}]); "
        "print(status, sorted(m for m in ('altair', 'sklearn', 'polars') if m in sys.modules)); "
        "from customer_segmentation import charts; print(callable(charts.segment_sizes))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["2 []", "True"]
    assert "no DuckDB file at" in result.stderr and "make build" in result.stderr


def test_cli_locked_database_exits_2(tmp_path, tables):
    database = write_database(
        tmp_path / "busy.duckdb", {"segment_profiles": tables["segment_profiles"]}
    )
    with duckdb.connect(str(database)):  # a writer in this process holds the lock
        result = _run_cli("--database", str(database), "--out", str(tmp_path / "assets"))
    assert result.returncode == 2
    assert "locked" in result.stderr and str(database) in result.stderr
    assert f"process {os.getpid()}" in result.stderr
    assert "Traceback" not in result.stderr


def test_charts_package_does_not_import_duckdb():
    package = Path(charts.__file__).parent
    importers = [
        path.name
        for path in package.glob("*.py")
        if "import duckdb" in path.read_text(encoding="utf-8")
    ]
    assert importers == ["render.py"]


def test_footer_grows_the_svg_and_names_the_build(tables):
    svg = vlc.vegalite_to_svg(charts.segment_sizes(tables["segment_profiles"]).to_dict())
    stamp = render.BuildStamp("inv-123", "2026-01-02 03:04:05", {"algorithm": "kmeans"})
    stamped = render.add_footer(svg, stamp.footer())
    before, after = ET.fromstring(svg), ET.fromstring(stamped)
    assert float(after.attrib["height"]) > float(before.attrib["height"])
    assert "Built 2026-01-02 03:04:05 UTC · dbt invocation inv-123 · algorithm kmeans" in (
        svg_text(after)
    )
    # On a narrow chart the footer wraps, between words only: the id stays whole and readable.
    narrow = '<svg xmlns="http://www.w3.org/2000/svg" width="120" height="80"></svg>'
    long_id = "995da4ec-5a05-4579-8287-13461850d04e"
    footer = f"Built 2026-11-29 00:52:42 UTC · dbt invocation {long_id} · algorithm kmeans · k 5"
    wrapped = ET.fromstring(render.add_footer(narrow, footer))
    assert len(list(wrapped.iter(f"{SVG_NS}tspan"))) > 1
    assert footer in "".join(wrapped.itertext())


def test_scatter_uses_the_features_that_separate_segments():
    rng = np.random.default_rng(0)
    segment = np.repeat(["A", "B", "C"], 200)
    frame = pl.DataFrame(
        {
            "segment_name": segment,
            "noise": rng.normal(size=600),
            "weak": rng.normal(size=600) + (segment == "A") * 0.5,
            "strong": rng.normal(size=600) + (segment == "B") * 6 - (segment == "C") * 6,
        }
    )
    assert charts.separating_features(frame, ["noise", "weak", "strong"]) == [
        "strong",
        "weak",
        "noise",
    ]


def test_centre_labels_do_not_overlap():
    import pandas as pd

    from customer_segmentation.charts.segments import place_labels

    centres = pd.DataFrame(
        {
            "segment_name": [f"Segment name number {i}" for i in range(6)],
            "x": [50.0] * 6,
            "y": [50.0 + i for i in range(6)],
        }
    )
    placed = place_labels(centres, [0, 100], [0, 100], 600, 420)
    boxes = []
    for row in placed.itertuples():
        px, py = row.label_x / 100 * 600, (1 - row.label_y / 100) * 420
        half = (7.0 * len(row.segment_name) + 6) / 2
        boxes.append((px - half, py - 8, px + half, py + 8))
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            assert a[2] < b[0] or a[0] > b[2] or a[3] < b[1] or a[1] > b[3], (a, b)


def test_in_build_render_with_one_feature_says_so_and_never_fails(tmp_path, tables):
    """The chart_renders path on real DuckDB relations, with degenerate data (one feature)."""
    one = dict(tables)
    one["feature_scaling"] = tables["feature_scaling"].filter(pl.col("feature_order") == 1)
    one["int_customer_features_scaled"] = tables["int_customer_features_scaled"].select(
        "customer_id", FEATURES[0]
    )
    one["segment_centroids"] = tables["segment_centroids"].filter(
        pl.col("feature_name") == FEATURES[0]
    )
    database = write_database(tmp_path / "one.duckdb", one)
    assets = tmp_path / "assets"
    settings = '{"cluster_algorithm": "kmeans", "n_clusters": 4}'
    with duckdb.connect(str(database)) as connection:
        connection.execute(
            "create table build_context as select 'inv-42' as invocation_id, "
            "timestamp '2026-01-02 03:04:05' as run_started_at, ? as assets_path, "
            "? as settings_json",
            [str(assets), settings],
        )
        relations = {name: connection.sql(f'select * from "{name}"') for name in one}
        relations["build_context"] = connection.sql("select * from build_context")
        said: list[str] = []
        result = in_build.render_charts(relations, tmp_path / "elsewhere", log=said.append)
    by_name = result.set_index("chart_name")
    # One console line: how many files, by status, and where.
    counts = by_name["status"].value_counts()
    assert (
        len(said) == 1 and said[0].startswith(f"{len(by_name)} files ") and str(assets) in said[0]
    )
    assert f"{counts['drawn']} drawn, {counts['not_available']} not available" in said[0]
    assert set(by_name.index) == {c.name for c in render.CHART_FILES} | {"segment_explorer"}
    assert (by_name["invocation_id"] == "inv-42").all()
    assert by_name.loc["segment_scatter", "status"] == "not_available"
    assert "at least two clustering features" in by_name.loc["segment_scatter", "note"]
    assert by_name.loc["segment_explorer", "status"] == "not_available"
    assert by_name.loc["segment_sizes", "status"] == "drawn"
    assert by_name.loc["segment_sizes", "rows_drawn"] == 4
    assert "failed" not in set(by_name["status"])
    for name in ("segment_scatter", "segment_sizes"):
        # The footer may wrap anywhere between words: compare with whitespace collapsed.
        text = " ".join(svg_text(_assert_svg_file(assets / f"{name}.svg")).split())
        assert "dbt invocation inv-42" in text and "chosen kmeans k=4" in text


def test_report_is_self_contained_and_escapes_names(tmp_path, tables):
    tricky = dict(tables)
    tricky["segment_profiles"] = tables["segment_profiles"].with_columns(
        segment_name=pl.when(pl.col("segment_id") == 1)
        .then(pl.lit("</script><b>x"))
        .otherwise(pl.col("segment_name"))
    )
    tricky["customer_segments"] = tables["customer_segments"].with_columns(
        segment_name=pl.when(pl.col("segment_id") == 1)
        .then(pl.lit("</script><b>x"))
        .otherwise(pl.col("segment_name"))
    )
    written = report.write_report(tricky, tmp_path, render.BuildStamp("inv-7", "2026-01-01", {}))
    html = (tmp_path / "segment_explorer.html").read_text(encoding="utf-8")
    assert written.status == "drawn" and written.rows_drawn > 600
    assert "<script src" not in html and "cdn.jsdelivr" not in html
    assert html.count("</script>") == 2  # the bundle's and ours: no name closes a tag early
    assert "<\\/script><b>x" in html and "dbt invocation inv-7" in html


def test_vega_bundle_is_cached_per_vl_convert_version_and_rebuilt_when_broken(
    tmp_path, monkeypatch
):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    cache = tmp_path / "customer-segmentation" / f"vl-convert-{vlc.__version__}-bundle.js"
    fresh = vlc.javascript_bundle()
    assert report.vega_bundle() == fresh and cache.read_text(encoding="utf-8") == fresh
    cache.write_text("// cut short", encoding="utf-8")  # e.g. a disk that filled up
    assert report.vega_bundle() == fresh and cache.read_text(encoding="utf-8") == fresh
    assert [p.name for p in cache.parent.iterdir()] == [cache.name]  # no temp file left behind


def test_a_derived_feature_named_as_a_built_in_label_reads_keeps_the_charts_drawing(tables):
    """`derived_features: {total_spend: ...}` beside monetary, whose label is "Total spend": the
    two columns got one label, and the correlations chart (and every chart showing both) failed."""
    assert charts.feature_label("total_spend") == "Total spend (total_spend)"
    assert charts.feature_label("monetary") == "Total spend"
    assert charts.feature_label("spend") == "Spend"  # no clash: the plain label
    features = tables["int_customer_features"].with_columns(
        monetary=pl.col("age") * 10.0, total_spend=pl.col("age") * 9.0 + 1
    )
    chart = charts.correlation_heatmap(features, ["age", "monetary", "total_spend"])
    assert charts.placeholder_reason(chart) is None
    render_svg(chart)
    histograms = charts.feature_histograms(features, ["monetary", "total_spend"])
    assert charts.placeholder_reason(histograms) is None
    render_svg(histograms)
