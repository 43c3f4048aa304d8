"""Config parsing: dbt hands over strings, numbers and lists; bad values name the key and fix."""

from __future__ import annotations

import dataclasses

import pytest

from customer_segmentation.params import SegmentationParams, parse_params


def test_empty_config_gives_documented_defaults():
    params = parse_params({})
    assert params == SegmentationParams()
    assert (params.algorithm, params.n_clusters, params.k_min, params.k_max) == (
        "auto",
        None,
        2,
        10,
    )
    assert (params.random_seed, params.n_init, params.sample_size) == (42, 10, 20000)
    assert (params.linkage, params.covariance_type) == ("ward", "full")
    assert (params.dbscan_eps, params.dbscan_min_samples) == (None, None)
    assert (params.tsne_sample_size, params.linkage_sample_size) == (2000, 2000)


def test_params_are_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        parse_params({}).k_min = 3  # type: ignore[misc]


def test_string_values_from_dbt_yaml_are_parsed():
    params = parse_params(
        {
            "features": "age, annual_income_k,spending_score",
            "algorithm": " KMeans ",
            "n_clusters": "5",
            "k_min": "3",
            "k_max": "8.0",
            "random_seed": "7",
            "dbscan_eps": "0.5",
            "dbscan_min_samples": "auto",
            "linkage": "Average",
            "covariance_type": "diag",
        }
    )
    assert params.features == ("age", "annual_income_k", "spending_score")
    assert params.algorithm == "kmeans"
    assert (params.n_clusters, params.k_min, params.k_max, params.random_seed) == (5, 3, 8, 7)
    assert params.dbscan_eps == 0.5
    assert params.dbscan_min_samples is None
    assert (params.linkage, params.covariance_type) == ("average", "diag")


@pytest.mark.parametrize("unset", [None, "", "None", "null", "auto"])
def test_unset_values_mean_auto_or_default(unset):
    params = parse_params({"n_clusters": unset, "dbscan_eps": unset, "random_seed": None})
    assert params.n_clusters is None
    assert params.dbscan_eps is None
    assert params.random_seed == 42


def test_features_as_list_and_as_jinja_rendered_list_string():
    assert parse_params({"features": ["a", "b", "a"]}).features == ("a", "b")
    assert parse_params({"features": "['a', 'b']"}).features == ("a", "b")
    assert parse_params({"features": ""}).features is None


@pytest.mark.parametrize(
    ("key", "value", "var_name"),
    [
        ("algorithm", "kmedoids", "cluster_algorithm"),
        ("n_clusters", "five", "n_clusters"),
        ("n_clusters", "1", "n_clusters"),
        ("n_clusters", "2.5", "n_clusters"),
        ("k_min", "1", "k_min"),
        ("random_seed", "-3", "random_seed"),
        ("random_seed", "99999999999", "random_seed"),
        ("n_init", "0", "n_init"),
        ("linkage", "centroid", "linkage"),
        ("covariance_type", "banded", "covariance_type"),
        ("dbscan_eps", "-0.1", "dbscan_eps"),
        ("dbscan_eps", "inf", "dbscan_eps"),
        ("dbscan_min_samples", "many", "dbscan_min_samples"),
        ("sample_size", True, "sample_size"),
        ("min_segment_share", "1.5", "min_segment_share"),
    ],
)
def test_bad_value_names_var_value_allowed_and_example(key, value, var_name):
    with pytest.raises(ValueError) as error:
        parse_params({key: value})
    message = str(error.value)
    assert message.startswith(f"var {var_name} = ")
    assert str(value) in message
    assert "allowed" in message and f"Fix: e.g. --vars '{{{var_name}: " in message
    assert "\n" not in message


def test_bad_algorithm_lists_allowed_values_from_the_schema():
    with pytest.raises(ValueError, match="`auto`, `kmeans`, `agglomerative`, `gmm`, `dbscan`"):
        parse_params({"algorithm": "spectral"})


def test_k_max_below_k_min_is_rejected():
    with pytest.raises(ValueError, match="var k_min = 6 .* at most k_max \\(4\\)"):
        parse_params({"k_min": 6, "k_max": "4"})


def test_shares_for_the_clustering_are_parsed():
    params = parse_params({"min_segment_share": "0.05", "max_noise_share": 0.3})
    assert (params.min_segment_share, params.max_noise_share) == (0.05, 0.3)
