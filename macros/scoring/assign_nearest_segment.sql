{#- Score customers in pure SQL with the fitted model kept as data:
    1. prepare each feature exactly as the fit did, with feature_scaling (macro scaled_value):
       (clip(transform(coalesce(value, impute_value))) - center) / scale
    2. squared euclidean distance to every segment's centroid_scaled in segment_centroids
    3. the nearest segment wins; ties go to the lowest segment_id.
    For K-Means this is exactly how the fitted model assigns (tested for every customer). For the
    other methods it is "nearest segment mean", an approximation documented in the README.
    `customers_relation` needs customer_id and one column per feature named as in feature_scaling.
    Returns a SELECT of customer_id, segment_id, distance_to_centroid, is_outlier. -#}
{% macro assign_nearest_segment(customers_relation, features, feature_scaling_relation, centroids_relation) %}
    with

    customers_long as (
        {{ features_long(customers_relation, features) }}
    ),

    scaled_long as (
        select
            customers_long.customer_id,
            customers_long.feature_name,
            {{ scaled_value('customers_long.feature_value', 'scaling.impute_value', 'scaling.transform',
                'scaling.clip_lower', 'scaling.clip_upper', 'scaling.center', 'scaling.scale') }} as scaled_value,
            {{ is_beyond_fence('customers_long.feature_value', 'scaling.impute_value', 'scaling.transform',
                'scaling.clip_lower', 'scaling.clip_upper') }} as is_beyond_fence
        from customers_long
        inner join {{ feature_scaling_relation }} as scaling
            on customers_long.feature_name = scaling.feature_name
    ),

    outlier_flags as (
        select
            customer_id,
            bool_or(is_beyond_fence) as is_outlier
        from scaled_long
        group by customer_id
    ),

    squared_distances as (
        select
            scaled_long.customer_id,
            centroids.segment_id,
            sum(
                (scaled_long.scaled_value - centroids.centroid_scaled)
                * (scaled_long.scaled_value - centroids.centroid_scaled)
            ) as squared_distance
        from scaled_long
        inner join {{ centroids_relation }} as centroids
            on scaled_long.feature_name = centroids.feature_name
        group by scaled_long.customer_id, centroids.segment_id
    ),

    ranked as (
        select
            customer_id,
            segment_id,
            squared_distance,
            row_number() over (
                partition by customer_id order by squared_distance, segment_id
            ) as distance_rank
        from squared_distances
    )

    select
        ranked.customer_id,
        ranked.segment_id,
        sqrt(ranked.squared_distance) as distance_to_centroid,
        outlier_flags.is_outlier
    from ranked
    inner join outlier_flags
        on ranked.customer_id = outlier_flags.customer_id
    where ranked.distance_rank = 1
{% endmacro %}

{% macro customer_outlier_flags(customers_relation, features, feature_scaling_relation) %}
    {#- One row per customer: is_outlier when any feature, after its transform, lies beyond the
        fence recorded in feature_scaling (clip_lower / clip_upper); outlier_features names them. -#}
    with

    customers_long as (
        {{ features_long(customers_relation, features) }}
    ),

    flagged as (
        select
            customers_long.customer_id,
            customers_long.feature_name,
            scaling.feature_order,
            {{ is_beyond_fence('customers_long.feature_value', 'scaling.impute_value', 'scaling.transform',
                'scaling.clip_lower', 'scaling.clip_upper') }} as is_beyond_fence
        from customers_long
        inner join {{ feature_scaling_relation }} as scaling
            on customers_long.feature_name = scaling.feature_name
    )

    select
        customer_id,
        bool_or(is_beyond_fence) as is_outlier,
        string_agg(case when is_beyond_fence then feature_name end, ', ' order by feature_order) as outlier_features
    from flagged
    group by customer_id
{% endmacro %}

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

{% macro features_long(customers_relation, features) %}
    {#- One row per customer x feature (customer_id, feature_name, feature_value): the shape the
        scoring and outlier macros join to feature_scaling and segment_centroids. -#}
    {%- for feature in features %}
    select
        customer_id,
        cast({{ quote_literal(feature) }} as varchar) as feature_name,
        cast({{ quote_identifier(feature) }} as double) as feature_value
    from {{ customers_relation }}
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
{% endmacro %}
