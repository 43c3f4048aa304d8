{#- One row per segment: size, share and the average of every feature in its own units. -#}
{%- set features = segmentation_features() -%}

with

customer_segments as (

    select * from {{ ref('customer_segments') }}

),

customer_features as (

    select * from {{ ref('int_customer_features') }}

),

segment_names as (

    select * from {{ ref('int_segment_names') }}

),

per_segment as (

    select
        customer_segments.segment_id,
        count(*) as customer_count,
        {%- for feature in features %}
        avg(customer_features.{{ adapter.quote(feature) }}) as {{ adapter.quote('avg_' ~ feature) }},
        {%- endfor %}
        sum(case when customer_features.gender = 'Female' then 1 else 0 end) * 1.0 / count(*) as female_share
    from customer_segments
    inner join customer_features
        on customer_segments.customer_id = customer_features.customer_id
    group by customer_segments.segment_id

),

final as (

    select
        per_segment.segment_id,
        segment_names.segment_name,
        segment_names.segment_description,
        per_segment.customer_count,
        per_segment.customer_count * 1.0 / sum(per_segment.customer_count) over () as customer_share,
        {%- for feature in features %}
        per_segment.{{ adapter.quote('avg_' ~ feature) }},
        {%- endfor %}
        per_segment.female_share
    from per_segment
    inner join segment_names
        on per_segment.segment_id = segment_names.segment_id

)

select * from final
order by segment_id
