{#- WARN: a segment (DBSCAN noise aside) holds less than var min_segment_share of the customers
    (default 0.02): too small to act on, often one outlier group. -#}
{{ config(severity='warn') }}
{%- set min_share = setting('min_segment_share') -%}
{%- set sql -%}
with

customer_segments as (

    select * from {{ ref('customer_segments') }}

),

segment_sizes as (

    select
        segment_id,
        any_value(segment_name) as segment_name,
        count(*) as customer_count,
        count(*) / sum(count(*)) over () as customer_share
    from customer_segments
    where not is_noise
    group by segment_id

),

final as (

    select
        segment_id,
        segment_name,
        customer_count,
        round(customer_share, 4) as customer_share,
        printf(
            'segment %d (%s) holds %d customers, %.2f%% of the segmented base, below var min_segment_share = %s. Fix: fewer segments (n_clusters), other features, or lower min_segment_share.',
            segment_id, segment_name, customer_count, 100 * customer_share, {{ quote_literal(min_share) }}
        ) as finding
    from segment_sizes
    where customer_share < {{ min_share }}

)

select * from final
{%- endset -%}
{{ health_report('segment_smaller_than_min_share', sql) }}
