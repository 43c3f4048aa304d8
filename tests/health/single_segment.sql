{#- WARN: every segmented customer is in one segment: no segmentation to act on. -#}
{{ config(severity='warn') }}
{%- set sql -%}
with

customer_segments as (

    select * from {{ ref('customer_segments') }}

),

segments as (

    select
        count(distinct segment_id) filter (where not is_noise) as segment_count,
        count(*) as customers
    from customer_segments

),

final as (

    select
        segment_count,
        customers,
        printf(
            'all %d segmented customers are in one segment. Fix: check that the features vary (feature_scaling), set n_clusters, or add customers.',
            customers
        ) as finding
    from segments
    where segment_count = 1

)

select * from final
{%- endset -%}
{{ health_report('single_segment', sql) }}
