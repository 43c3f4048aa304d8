{#- Score customers in pure SQL with the fitted model kept as data, wide (one column per feature):
    1. prepare each feature exactly as the fit did, with feature_scaling (macro scaled_value):
       (clip(transform(coalesce(value, impute_value))) - center) / scale
    2. squared euclidean distance to every segment's final centroid (macro nearest_centroid)
    3. the nearest segment wins; ties go to the lowest segment_id.
    4. with `model_relation` (segmentation_model) and a Gaussian mixture fitted, the component
       with the highest posterior instead (macro gmm_posterior, as segment_assignments does).
    For K-Means and Gaussian mixtures this is exactly how segment_assignments assigns (tested for
    every customer). For agglomerative and DBSCAN it is "nearest segment mean", an approximation
    documented in the README.
    `customers_relation` needs customer_id and one column per feature named as in feature_scaling.
    Returns a SELECT of customer_id, segment_id, distance_to_centroid, is_outlier, outlier_features. -#}
{% macro assign_nearest_segment(customers_relation, features, feature_scaling_relation, centroids_relation, model_relation=none) %}
    with

    scaling_wide as (
        {{ scaling_parameters_wide(feature_scaling_relation, features) }}
    ),

    scaled as (
        select
            customers.customer_id,
            {{ scaled_columns('customers', 'scaling_wide', features) }},
            {{ outlier_columns('customers', 'scaling_wide', features) }}
        from {{ customers_relation }} as customers
        cross join scaling_wide
    ),

    centroids as (
        {{ centroids_wide(centroids_relation, features, value_column='centroid_scaled') }}
    ),

    nearest as (
        {{ nearest_centroid('scaled', features, 'centroids') }}
    ),

    mixture as (
        {%- if model_relation is not none %}
        {{ gmm_posterior('scaled', features, model_relation) }}
        {%- else %}
        select
            cast(null as varchar) as customer_id,
            cast(null as bigint) as segment_id,
            cast(null as double) as membership_probability,
            cast(null as double) as squared_distance
        where false
        {%- endif %}
    )

    select
        nearest.customer_id,
        coalesce(mixture.segment_id, nearest.segment_id) as segment_id,
        sqrt(coalesce(mixture.squared_distance, nearest.squared_distance)) as distance_to_centroid,
        scaled.is_outlier,
        scaled.outlier_features
    from nearest
    inner join scaled
        on nearest.customer_id = scaled.customer_id
    left join mixture
        on nearest.customer_id = mixture.customer_id
{% endmacro %}

{% macro customer_outlier_flags(customers_relation, features, feature_scaling_relation) %}
    {#- One row per customer: is_outlier when any feature, after its transform, lies beyond the
        fence recorded in feature_scaling (clip_lower / clip_upper); outlier_features names them. -#}
    with

    scaling_wide as (
        {{ scaling_parameters_wide(feature_scaling_relation, features) }}
    )

    select
        customers.customer_id,
        {{ outlier_columns('customers', 'scaling_wide', features) }}
    from {{ customers_relation }} as customers
    cross join scaling_wide
{% endmacro %}

{% macro scaling_parameters_wide(feature_scaling_relation, features) %}
    {#- The scaling parameters of every feature in one row: <feature>__impute, __transform,
        __clip_lower, __clip_upper, __center, __scale. -#}
    select
        {%- for feature in features %}
        {%- set name = quote_literal(feature) %}
        max(case when feature_name = {{ name }} then impute_value end) as {{ quote_identifier(feature ~ '__impute') }},
        max(case when feature_name = {{ name }} then transform end) as {{ quote_identifier(feature ~ '__transform') }},
        max(case when feature_name = {{ name }} then clip_lower end) as {{ quote_identifier(feature ~ '__clip_lower') }},
        max(case when feature_name = {{ name }} then clip_upper end) as {{ quote_identifier(feature ~ '__clip_upper') }},
        max(case when feature_name = {{ name }} then center end) as {{ quote_identifier(feature ~ '__center') }},
        max(case when feature_name = {{ name }} then scale end) as {{ quote_identifier(feature ~ '__scale') }}{{ ',' if not loop.last }}
        {%- endfor %}
    from {{ feature_scaling_relation }}
{% endmacro %}

{% macro _scaling_arguments(customers, parameters, feature) -%}
    {{ return([
        'cast(' ~ customers ~ '.' ~ quote_identifier(feature) ~ ' as double)',
        parameters ~ '.' ~ quote_identifier(feature ~ '__impute'),
        parameters ~ '.' ~ quote_identifier(feature ~ '__transform'),
        parameters ~ '.' ~ quote_identifier(feature ~ '__clip_lower'),
        parameters ~ '.' ~ quote_identifier(feature ~ '__clip_upper'),
        parameters ~ '.' ~ quote_identifier(feature ~ '__center'),
        parameters ~ '.' ~ quote_identifier(feature ~ '__scale'),
    ]) }}
{%- endmacro %}

{% macro scaled_columns(customers, parameters, features) -%}
    {#- One scaled column per feature, named as the feature (the select list of
        int_customer_features_scaled and of SQL scoring). -#}
    {%- for feature in features %}
    {%- set a = _scaling_arguments(customers, parameters, feature) %}
        {{ scaled_value(a[0], a[1], a[2], a[3], a[4], a[5], a[6]) }} as {{ quote_identifier(feature) }}{{ ',' if not loop.last }}
    {%- endfor %}
{%- endmacro %}

{% macro outlier_columns(customers, parameters, features) -%}
    {#- is_outlier (any feature beyond its fence) and outlier_features (their names, in feature order). -#}
    {%- set flags = [] %}
    {%- for feature in features %}
    {%- set a = _scaling_arguments(customers, parameters, feature) %}
    {%- do flags.append(is_beyond_fence(a[0], a[1], a[2], a[3], a[4])) %}
    {%- endfor %}
        ({{ flags | join(' or ') }}) as is_outlier,
        nullif(concat_ws(', '
        {%- for feature in features %},
            case when {{ flags[loop.index0] }} then {{ quote_literal(feature) }} end
        {%- endfor %}
        ), '') as outlier_features
{%- endmacro %}

{% macro model_version(centroids_relation) -%}
    {#- A fingerprint of the fitted centroids: changes whenever the model is refit differently. -#}
    (
        select md5(string_agg(
            cast(segment_id as varchar) || ':' || feature_name || ':' || cast(round(centroid_scaled, 9) as varchar),
            '|' order by segment_id, feature_name
        ))
        from {{ centroids_relation }}
    )
{%- endmacro %}
