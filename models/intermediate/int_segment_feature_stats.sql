{#- One row per segment x profiled feature: the segment's mean and median in the feature's own
    units next to the whole customer base's mean and population standard deviation. Profiled
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
        count({{ adapter.quote(feature.name) }}) as {{ adapter.quote(feature.name ~ '__count') }},
        avg(cast({{ adapter.quote(feature.name) }} as double)) as {{ adapter.quote(feature.name ~ '__mean') }},
        {{ median_of('cast(' ~ adapter.quote(feature.name) ~ ' as double)') }} as {{ adapter.quote(feature.name ~ '__median') }}{{ ',' if not loop.last }}
        {%- endfor %}
    from segmented_features
    group by segment_id

),

whole_base as (

    select
        count(*) as customer_count{{ ',' if features }}
        {%- for feature in features %}
        avg(cast({{ adapter.quote(feature.name) }} as double)) as {{ adapter.quote(feature.name ~ '__mean') }},
        stddev_pop(cast({{ adapter.quote(feature.name) }} as double)) as {{ adapter.quote(feature.name ~ '__std') }}{{ ',' if not loop.last }}
        {%- endfor %}
    from segmented_features

),

unpivoted as (

    {%- for feature in features %}
    select
        per_segment.segment_id,
        cast('{{ feature.name }}' as varchar) as feature_name,
        cast('{{ feature.label }}' as varchar) as feature_label,
        {{ feature.order }} as feature_order,
        {{ 'true' if feature.is_clustered else 'false' }} as is_clustered,
        per_segment.customer_count as segment_customer_count,
        per_segment.{{ adapter.quote(feature.name ~ '__count') }} as non_null_count,
        per_segment.{{ adapter.quote(feature.name ~ '__mean') }} as segment_mean,
        per_segment.{{ adapter.quote(feature.name ~ '__median') }} as segment_median,
        whole_base.{{ adapter.quote(feature.name ~ '__mean') }} as base_mean,
        whole_base.{{ adapter.quote(feature.name ~ '__std') }} as base_std
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
        cast(null as double) as base_std
    where 1 = 0
    {%- endif %}

)

select * from unpivoted
