{#- Check the clustering vars when the SQL compiles, so a typo stops the build with one clear line
    instead of a Python traceback from inside the clustering step. The package checks again
    (for direct use of its API). -#}

{% macro _is_int(value) %}
    {{ return(modules.re.match('^-?[0-9]+$', value | string | trim) is not none) }}
{% endmacro %}

{% macro _fail_var(name, value, allowed) %}
    {{ exceptions.raise_compiler_error(
        "var " ~ name ~ " = '" ~ value ~ "' is not valid: " ~ allowed ~ ". Fix: --vars '{" ~ name ~ ": ...}' with a valid value.") }}
{% endmacro %}

{% macro validate_clustering_vars() %}
    {%- set choices = {
        'cluster_algorithm': ['auto', 'kmeans', 'agglomerative', 'dbscan', 'gmm'],
        'linkage': ['ward', 'complete', 'average', 'single'],
        'covariance_type': ['full', 'tied', 'diag', 'spherical'],
    } -%}
    {%- for name, allowed in choices.items() -%}
        {%- if (var(name) | string | trim | lower) not in allowed -%}
            {{ _fail_var(name, var(name), "use one of " ~ allowed | join(', ')) }}
        {%- endif -%}
    {%- endfor -%}
    {%- set n_clusters = var('n_clusters') | string | trim | lower -%}
    {%- if n_clusters != 'auto' and not (_is_int(n_clusters) and n_clusters | int >= 1) -%}
        {{ _fail_var('n_clusters', var('n_clusters'), "use auto or a whole number of segments >= 1") }}
    {%- endif -%}
    {%- for name, minimum in [('k_min', 2), ('k_max', 2), ('random_seed', 0), ('n_init', 1), ('sample_size', 100), ('tsne_sample_size', 0), ('linkage_sample_size', 2)] -%}
        {%- if not _is_int(var(name)) or (var(name) | int) < minimum -%}
            {{ _fail_var(name, var(name), "use a whole number >= " ~ minimum) }}
        {%- endif -%}
    {%- endfor -%}
    {%- if (var('k_min') | int) > (var('k_max') | int) -%}
        {{ _fail_var('k_min', var('k_min'), "k_min must not exceed k_max (" ~ var('k_max') ~ ")") }}
    {%- endif -%}
    {%- set eps = var('dbscan_eps') | string | trim | lower -%}
    {%- if eps != 'auto' and not (modules.re.match('^[0-9]*[.]?[0-9]+([eE][-+]?[0-9]+)?$', eps) is not none and eps | float > 0) -%}
        {{ _fail_var('dbscan_eps', var('dbscan_eps'), "use auto or a positive number") }}
    {%- endif -%}
    {%- set min_samples = var('dbscan_min_samples') | string | trim | lower -%}
    {%- if min_samples != 'auto' and not (_is_int(min_samples) and min_samples | int >= 1) -%}
        {{ _fail_var('dbscan_min_samples', var('dbscan_min_samples'), "use auto or a whole number >= 1") }}
    {%- endif -%}
{% endmacro %}
