{#- Nearest centroid in the scaled space, wide: one column per feature. The k centroids travel as
    one list next to each customer and the closest is taken per row (ties to the lowest segment_id,
    the rule the Python fit uses), so there is no group-by over the customers and no join back to
    them: at 1M customers x 5 centroids x 3 features one pass takes 0.33 s on 2 cores against
    0.58 s for the cross join + group-by per customer it replaced (same distances, same winners),
    and ~4 s for the long (customer x feature) layout before that. -#}

{% macro centroids_wide(model_rows, features, segment_column='segment_id', value_column='value') %}
    {#- One row per segment, one column per feature (null for a feature the model does not use),
        from long rows (segment, feature_name, value) already filtered to centroids. -#}
    select
        {{ segment_column }} as segment_id,
        {%- for feature in features %}
        max(case when feature_name = {{ quote_literal(feature) }} then {{ value_column }} end) as {{ quote_identifier(feature) }}{{ ',' if not loop.last }}
        {%- endfor %}
    from {{ model_rows }}
    group by {{ segment_column }}
{% endmacro %}

{% macro squared_distance(customer, centroid, features) -%}
    {#- Sum over the model's features, in name order, of (customer - centroid)^2. A feature the
        model does not use has a null centroid coordinate and adds 0. -#}
    (
        {%- for feature in features | sort %}
        coalesce(({{ customer }}.{{ quote_identifier(feature) }} - {{ centroid }}.{{ quote_identifier(feature) }})
            * ({{ customer }}.{{ quote_identifier(feature) }} - {{ centroid }}.{{ quote_identifier(feature) }}), 0){{ ' +' if not loop.last }}
        {%- endfor %}
    )
{%- endmacro %}

{% macro nearest_centroid(customers, features, centroids, carry=[]) %}
    {#- customer_id, the `carry` columns of `customers` (e.g. the features, to average them without a
        join back), segment_id and squared_distance of each customer's nearest centroid.
        `customers`: customer_id + one scaled column per feature; `centroids`: centroids_wide. No
        centroids, no rows. The smallest {distance, segment_id} struct wins: by distance, then id. -#}
    select
        customer_id,
        {%- for column in carry %}
        {{ quote_identifier(column) }},
        {%- endfor %}
        struct_extract(nearest, 'segment_id') as segment_id,
        struct_extract(nearest, 'distance') as squared_distance
    from (
        select
            customers.*,
            list_min(list_transform(
                centroid_list.centroids,
                lambda centroid: {'distance': {{ squared_distance('customers', 'centroid', features) }}, 'segment_id': centroid.segment_id}
            )) as nearest
        from {{ customers }} as customers
        cross join (
            select list({
                'segment_id': segment_id
                {%- for feature in features | sort %},
                {{ quote_literal(feature) }}: {{ quote_identifier(feature) }}
                {%- endfor %}
            } order by segment_id) as centroids
            from {{ centroids }}
            having count(*) > 0
        ) as centroid_list
    ) as with_nearest
{% endmacro %}
