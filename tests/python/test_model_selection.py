"""Metrics against scikit-learn, the K rule, the auto-algorithm rule and the knee helper."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.cluster import KMeans
from sklearn.datasets import make_blobs
from sklearn.metrics import silhouette_score

from customer_segmentation import model_selection as ms
from customer_segmentation.knee import find_knee


@pytest.fixture(scope="module")
def blobs():
    X, y = make_blobs(400, n_features=3, centers=4, random_state=5)
    return X, y


def test_shared_silhouettes_equal_sklearn_for_many_labelings(blobs):
    X, y = blobs
    rng = np.random.default_rng(0)
    labelings = [y, rng.integers(0, 3, X.shape[0]), rng.integers(0, 9, X.shape[0])]
    scores = ms.silhouettes(X, labelings)
    expected = [silhouette_score(X, labels) for labels in labelings]
    np.testing.assert_allclose(scores, expected, atol=1e-6)


def test_silhouettes_over_several_row_chunks_on_threads_equal_sklearn(monkeypatch):
    # 5,000 rows make three chunks of the shared distance matrix, scored on worker threads.
    X, y = make_blobs(5000, n_features=3, centers=5, random_state=3)
    assert X.shape[0] > ms._CHUNK_BYTES // (8 * X.shape[0])
    labelings = [y, KMeans(3, n_init=1, random_state=0).fit_predict(X)]
    threaded = ms.silhouettes(X, labelings)
    np.testing.assert_allclose(threaded, [silhouette_score(X, lab) for lab in labelings], atol=1e-6)
    monkeypatch.setattr(ms, "_SCORING_THREADS", 1)
    assert ms.silhouettes(X, labelings) == threaded  # the same numbers whatever the thread count


def test_silhouette_progress_reports_rows_scored_in_order_and_changes_nothing():
    X, y = make_blobs(5000, n_features=3, centers=5, random_state=3)
    chunk = ms._CHUNK_BYTES // (8 * X.shape[0])
    done: list[int] = []
    scores = ms.silhouettes(X, [y], progress=done.append)
    assert done == [min(5000, start + chunk) for start in range(0, 5000, chunk)]
    assert len(done) >= 3 and done[-1] == 5000
    assert scores == ms.silhouettes(X, [y])


def test_singleton_clusters_score_zero_like_sklearn():
    X = np.array([[0.0], [0.1], [0.2], [5.0], [9.0]])
    labels = np.array([0, 0, 0, 1, 2])
    assert ms.silhouettes(X, [labels])[0] == pytest.approx(silhouette_score(X, labels), abs=1e-9)


def test_noise_scores_zero_so_silhouette_is_discounted_by_noise_share(blobs):
    X, y = blobs
    labels = y.copy()
    labels[::5] = -1
    clustered = labels >= 0
    honest = ms.silhouettes(X, [labels])[0]
    expected = silhouette_score(X[clustered], labels[clustered]) * clustered.mean()
    assert honest == pytest.approx(expected, abs=1e-6)
    assert honest < silhouette_score(X[clustered], labels[clustered])


def test_silhouette_undefined_for_one_cluster(blobs):
    X, _ = blobs
    assert ms.silhouettes(X, [np.zeros(X.shape[0], dtype=int)]) == [None]


def test_inertia_from_labels_equals_kmeans_inertia(blobs):
    X, _ = blobs
    model = KMeans(n_clusters=4, n_init=5, random_state=0).fit(X)
    assert ms.inertia(X, model.labels_) == pytest.approx(model.inertia_, rel=1e-6)


def test_k_rule_takes_best_silhouette_when_elbow_is_clearly_worse():
    ks = [2, 3, 4, 5, 6]
    inertia = [100.0, 40.0, 30.0, 25.0, 22.0]
    silhouette = [0.40, 0.45, 0.50, 0.52, 0.41]
    choice = ms.choose_k_by_silhouette(ks, silhouette, inertia)
    assert find_knee(ks, inertia)[0] == 3
    assert ks[choice.index] == 5
    assert "highest silhouette" in choice.reason and "elbow at k=3" in choice.reason
    assert choice.others[0].startswith("not selected: silhouette 0.4000")


def test_k_rule_prefers_elbow_within_tolerance_of_best():
    ks = [2, 3, 4, 5, 6]
    inertia = [100.0, 40.0, 30.0, 25.0, 22.0]
    silhouette = [0.40, 0.518, 0.50, 0.52, 0.41]
    choice = ms.choose_k_by_silhouette(ks, silhouette, inertia)
    assert ks[choice.index] == 3
    assert "elbow" in choice.reason and "within" in choice.reason


def test_k_rule_ties_go_to_smaller_k_without_elbow():
    ks = [2, 3, 4]
    choice = ms.choose_k_by_silhouette(ks, [0.3, 0.5, 0.5], [10.0, 5.0, 0.0])
    assert ks[choice.index] == 3


def test_bic_rule_takes_lowest_bic():
    choice = ms.choose_k_by_bic([2, 3, 4], [500.0, 420.0, 430.0])
    assert choice.index == 1 and "lowest BIC" in choice.reason


def test_auto_rule_keeps_kmeans_unless_clearly_beaten():
    chosen, reason, others = ms.choose_algorithm(
        {"kmeans": (0.50, 4, 0.0), "agglomerative": (0.54, 4, 0.0), "gmm": (0.53, 4, 0.0)}
    )
    assert chosen == "kmeans"
    assert "0.05" in reason and "SQL" in reason
    assert others["agglomerative"].startswith("not selected")


def test_auto_rule_switches_when_another_method_beats_kmeans_by_margin():
    chosen, reason, _ = ms.choose_algorithm(
        {"kmeans": (0.40, 4, 0.0), "agglomerative": (0.46, 4, 0.0), "gmm": (0.48, 3, 0.0)}
    )
    assert chosen == "gmm"
    assert "beats kmeans" in reason


@pytest.mark.parametrize(
    ("dbscan", "problem"),
    [((0.90, 3, 0.25), "noise share"), ((0.90, 1, 0.0), "fewer than 2")],
)
def test_dbscan_ineligible_despite_high_silhouette(dbscan, problem):
    chosen, _, others = ms.choose_algorithm({"kmeans": (0.40, 4, 0.0), "dbscan": dbscan})
    assert chosen == "kmeans"
    assert problem in others["dbscan"]


def test_eligible_dbscan_can_win():
    chosen, _, _ = ms.choose_algorithm({"kmeans": (0.40, 4, 0.0), "dbscan": (0.60, 3, 0.1)})
    assert chosen == "dbscan"


def test_dbscan_rule_prefers_knee_eps_then_best_eligible():
    texts = ["eps=0.75", "eps=1", "eps=1.25"]
    ok = ms.choose_dbscan(texts, 1, [3, 3, 2], [0.1, 0.05, 0.0], [0.3, 0.2, 0.4])
    assert ok.index == 1
    fallback = ms.choose_dbscan(texts, 1, [3, 1, 2], [0.1, 0.0, 0.0], [0.3, None, 0.4])
    assert fallback.index == 2


def test_knee_found_by_kneed_and_by_fallback():
    assert find_knee([1, 2, 3, 4, 5, 6], [10, 3, 2, 1.5, 1.2, 1]) == (2.0, "kneed")
    # kneed finds no knee on this S-shaped curve; the point farthest from the chord is x=3.
    assert find_knee(range(7), [9.13, 8.13, 7.29, 6.07, 2.7, 0.41, 0.17]) == (3.0, "chord")
    assert find_knee([1, 2, 3, 4], [8, 6, 4, 2]) == (None, "none")
    assert find_knee([1, 2], [5, 1]) == (None, "none")


def test_k_rule_skips_ineligible_candidates_and_an_ineligible_elbow():
    ks = [2, 3, 4, 5, 6]
    inertia = [100.0, 40.0, 30.0, 25.0, 22.0]
    silhouette = [0.90, 0.52, 0.50, 0.519, 0.41]
    choice = ms.choose_k_by_silhouette(ks, silhouette, inertia, [False, False, True, True, True])
    assert ks[choice.index] == 5 and not choice.fallback
    assert "among eligible" in choice.reason and "elbow at k=3 is not eligible" in choice.reason


def test_k_rule_without_any_eligible_candidate_says_fallback():
    choice = ms.choose_k_by_silhouette([2, 3, 4], [0.9, 0.5, 0.4], [9.0, 4.0, 3.0], [False] * 3)
    assert choice.fallback and choice.index == 0


def test_bic_rule_takes_lowest_eligible_bic():
    choice = ms.choose_k_by_bic([2, 3, 4], [500.0, 420.0, 430.0], [True, False, True])
    assert choice.index == 2 and "eligible" in choice.reason


def test_auto_rule_replaces_an_ineligible_kmeans():
    chosen, reason, others = ms.choose_algorithm(
        {"kmeans": (0.60, 2, 0.0), "agglomerative": (0.45, 4, 0.0)},
        {"kmeans": "smallest segment 0.4% < min_segment_share 2%", "agglomerative": None},
    )
    assert chosen == "agglomerative"
    assert "kmeans is ineligible (smallest segment 0.4%" in reason
    assert others["kmeans"].startswith("not selected: kmeans is ineligible")


def test_parameters_text_is_readable():
    assert ms.parameters_text({"eps": 0.8, "min_samples": 7}) == "eps=0.8, min_samples=7"
