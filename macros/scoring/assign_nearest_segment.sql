{#- Score customers in pure SQL with the fitted model kept as data:
    1. fill and scale each feature with feature_scaling: (coalesce(value, impute_value) - center) / scale
    2. squared euclidean distance to every segment's centroid_scaled in segment_centroids
    3. the nearest segment wins; ties go to the lowest segment_id.
    For K-Means this is exactly how the fitted model assigns (tested for every customer). For the
    other methods it is "nearest segment mean", an approximation documented in the README.
    `customers_relation` needs customer_id and one column per feature named as in feature_scaling.
    Returns a SELECT of customer_id, segment_id, distance_to_centroid. -#}
{% macro assign_nearest_segment(customers_relation, features, feature_scaling_relation, centroids_relation) %}
    with

    customers_long as (
        {%- for feature in features %}
        select
            customer_id,
            '{{ feature }}' as feature_name,
            cast({{ adapter.quote(feature) }} as double) as feature_value
        from {{ customers_relation }}
        {% if not loop.last %}union all{% endif %}
        {%- endfor %}
    ),

    scaled_long as (
        select
            customers_long.customer_id,
            customers_long.feature_name,
            (coalesce(customers_long.feature_value, scaling.impute_value) - scaling.center) / scaling.scale
                as scaled_value
        from customers_long
        inner join {{ feature_scaling_relation }} as scaling
            on customers_long.feature_name = scaling.feature_name
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
        customer_id,
        segment_id,
        sqrt(squared_distance) as distance_to_centroid
    from ranked
    where distance_rank = 1
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
