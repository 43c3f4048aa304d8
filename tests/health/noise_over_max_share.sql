{#- WARN: DBSCAN left more than var max_noise_share (default 0.2) of the customers as noise
    (segment 0): they get no real segment. -#}
{{ config(severity='warn') }}
{%- set max_share = setting('max_noise_share') -%}
{%- set sql -%}
with

customer_segments as (

    select * from {{ ref('customer_segments') }}

),

noise as (

    select
        count(*) filter (where is_noise) as noise_customers,
        count(*) as customers,
        count(*) filter (where is_noise) / nullif(count(*), 0) as noise_share
    from customer_segments

),

final as (

    select
        noise_customers,
        customers,
        round(noise_share, 4) as noise_share,
        printf(
            '%d of %d customers (%.1f%%) are DBSCAN noise, above var max_noise_share = %s. Fix: set dbscan_eps larger, dbscan_min_samples smaller, or another cluster_algorithm.',
            noise_customers, customers, 100 * noise_share, {{ quote_literal(max_share) }}
        ) as finding
    from noise
    where noise_share > {{ max_share }}

)

select * from final
{%- endset -%}
{{ health_report('noise_over_max_share', sql) }}
