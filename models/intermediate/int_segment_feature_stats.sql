{#- One row per segment x profiled feature: the segment's mean and median in the feature's own
    units next to the whole customer base's mean, median and population standard deviation, and
    where the segment's median sits among all customers (segment_median_percentile: the share of
    customers with a smaller value, ties counted half, 0 to 1). Profiled
    features are the segmentation features plus every other numeric customer feature (macro
    profile_features), so the profile can describe traits the clustering did not use (e.g. age). -#}
{%- set features = profile_features() -%}

with

assignments as (

    select * from {{ ref('segment_assignments') }}

),

customer_features as (

    select * from {{ ref('int_customer_features') }}

),

segmented_features as (

    select
        assignments.segment_id,
        customer_features.*
    from assignments
    inner join customer_features
        on assignments.customer_id = customer_features.customer_id

),

per_segment as (

    select
        segment_id,
        count(*) as customer_count{{ ',' if features }}
        {%- for feature in features %}
        count({{ quote_identifier(feature.name) }}) as {{ quote_identifier(feature.name ~ '__count') }},
        avg(cast({{ quote_identifier(feature.name) }} as double)) as {{ quote_identifier(feature.name ~ '__mean') }},
        {{ median_of('cast(' ~ quote_identifier(feature.name) ~ ' as double)') }} as {{ quote_identifier(feature.name ~ '__median') }}{{ ',' if not loop.last }}
        {%- endfor %}
    from segmented_features
    group by segment_id

),

whole_base as (

    select
        count(*) as customer_count{{ ',' if features }}
        {%- for feature in features %}
        avg(cast({{ quote_identifier(feature.name) }} as double)) as {{ quote_identifier(feature.name ~ '__mean') }},
        {{ median_of('cast(' ~ quote_identifier(feature.name) ~ ' as double)') }} as {{ quote_identifier(feature.name ~ '__median') }},
        stddev_pop(cast({{ quote_identifier(feature.name) }} as double)) as {{ quote_identifier(feature.name ~ '__std') }}{{ ',' if not loop.last }}
        {%- endfor %}
    from segmented_features

),

unpivoted as (

    {%- for feature in features %}
    select
        per_segment.segment_id,
        cast({{ quote_literal(feature.name) }} as varchar) as feature_name,
        cast({{ quote_literal(feature.label) }} as varchar) as feature_label,
        {{ feature.order }} as feature_order,
        {{ 'true' if feature.is_clustered else 'false' }} as is_clustered,
        per_segment.customer_count as segment_customer_count,
        per_segment.{{ quote_identifier(feature.name ~ '__count') }} as non_null_count,
        per_segment.{{ quote_identifier(feature.name ~ '__mean') }} as segment_mean,
        per_segment.{{ quote_identifier(feature.name ~ '__median') }} as segment_median,
        whole_base.{{ quote_identifier(feature.name ~ '__mean') }} as base_mean,
        whole_base.{{ quote_identifier(feature.name ~ '__median') }} as base_median,
        whole_base.{{ quote_identifier(feature.name ~ '__std') }} as base_std
    from per_segment
    cross join whole_base
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
    {%- if not features %}
    select
        cast(null as bigint) as segment_id,
        cast(null as varchar) as feature_name,
        cast(null as varchar) as feature_label,
        cast(null as integer) as feature_order,
        cast(null as boolean) as is_clustered,
        cast(null as bigint) as segment_customer_count,
        cast(null as bigint) as non_null_count,
        cast(null as double) as segment_mean,
        cast(null as double) as segment_median,
        cast(null as double) as base_mean,
        cast(null as double) as base_median,
        cast(null as double) as base_std
    where 1 = 0
    {%- endif %}

),

median_counts as (

    -- Every segmented customer against every segment's medians: one pass over customers x segments
    -- (5M rows at 1M customers and 5 segments) with two counters per feature, not every customer's
    -- value of every feature joined to every segment's median of it (75M rows): 1.6 s -> 1.05 s at 1M.
    select
        per_segment.segment_id
        {%- for feature in features %}
        {%- set value = 'cast(segmented_features.' ~ quote_identifier(feature.name) ~ ' as double)' %}
        {%- set median = 'per_segment.' ~ quote_identifier(feature.name ~ '__median') %},
        count(*) filter (where {{ value }} < {{ median }}) as {{ quote_identifier(feature.name ~ '__below') }},
        count(*) filter (where {{ value }} = {{ median }}) as {{ quote_identifier(feature.name ~ '__equal') }},
        count({{ value }}) as {{ quote_identifier(feature.name ~ '__values') }}
        {%- endfor %}
    from segmented_features
    cross join per_segment
    group by per_segment.segment_id

),

median_percentiles as (

    -- Share of customers below the segment's median, ties counted half (a mid-rank percentile);
    -- none when the median is null or NaN (DuckDB sorts NaN above every number).
    {%- for feature in features %}
    {%- set median = 'per_segment.' ~ quote_identifier(feature.name ~ '__median') %}
    select
        median_counts.segment_id,
        cast({{ quote_literal(feature.name) }} as varchar) as feature_name,
        (
            median_counts.{{ quote_identifier(feature.name ~ '__below') }}
            + 0.5 * median_counts.{{ quote_identifier(feature.name ~ '__equal') }}
        ) / nullif(median_counts.{{ quote_identifier(feature.name ~ '__values') }}, 0) as segment_median_percentile
    from median_counts
    inner join per_segment
        on median_counts.segment_id = per_segment.segment_id
    where {{ median }} is not null
        and not isnan({{ median }})
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
    {%- if not features %}
    select cast(null as bigint) as segment_id, cast(null as varchar) as feature_name,
        cast(null as double) as segment_median_percentile
    where 1 = 0
    {%- endif %}

),

final as (

    select
        unpivoted.*,
        median_percentiles.segment_median_percentile
    from unpivoted
    left join median_percentiles
        on unpivoted.segment_id = median_percentiles.segment_id
        and unpivoted.feature_name = median_percentiles.feature_name

)

select * from final
