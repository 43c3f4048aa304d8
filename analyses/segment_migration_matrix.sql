-- The migration matrix since the previous build: one row per segment it came from, one column per
-- segment now, as shares of the from-segment (rows sum to 1). New customers are the row "(new)".

{%- set segment_ids = [] -%}
{%- if execute -%}
    {%- set segment_ids = run_query("select distinct to_segment_id from " ~ ref('segment_migrations') ~ " where to_segment_id is not null order by 1").columns[0].values() -%}
{%- endif %}

with

segment_migrations as (

    select * from {{ ref('segment_migrations') }}

),

final as (

    select
        coalesce(from_segment_name, '(new)') as from_segment,
        {%- for segment_id in segment_ids %}
        sum(case when to_segment_id = {{ segment_id }} then share_of_from_segment else 0 end) as {{ adapter.quote('to_segment_' ~ segment_id) }},
        {%- endfor %}
        sum(case when to_segment_id is null then share_of_from_segment else 0 end) as left_input,
        sum(customer_count) as customers
    from segment_migrations
    group by coalesce(from_segment_name, '(new)')

)

select * from final
order by from_segment
