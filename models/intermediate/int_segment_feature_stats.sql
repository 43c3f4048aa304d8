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

customer_values as (

    {%- for feature in features %}
    select
        cast({{ quote_literal(feature.name) }} as varchar) as feature_name,
        cast({{ quote_identifier(feature.name) }} as double) as feature_value
    from segmented_features
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
    {%- if not features %}
    select cast(null as varchar) as feature_name, cast(null as double) as feature_value
    where 1 = 0
    {%- endif %}

),

median_percentiles as (

    -- Share of customers below the segment's median, ties counted half (a mid-rank percentile).
    select
        unpivoted.segment_id,
        unpivoted.feature_name,
        (
            count(*) filter (where customer_values.feature_value < unpivoted.segment_median)
            + 0.5 * count(*) filter (where customer_values.feature_value = unpivoted.segment_median)
        ) / nullif(count(customer_values.feature_value), 0) as segment_median_percentile
    from unpivoted
    inner join customer_values
        on unpivoted.feature_name = customer_values.feature_name
    where unpivoted.segment_median is not null
        and not isnan(unpivoted.segment_median)
    group by unpivoted.segment_id, unpivoted.feature_name

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
