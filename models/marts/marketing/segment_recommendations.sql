{#- One row per segment x product category: how much more (or less) likely the segment's customers
    are to buy the category than the whole base (lift), and which categories it over-indexes on.
    Empty when the input has no orders (stg_orders is then empty). -#}
{{ note_when_no_orders('segment_recommendations') }}
{%- set min_lift = setting('recommendation_min_lift') -%}

with

customer_segments as (

    select * from {{ ref('customer_segments') }}

),

orders as (

    select * from {{ ref('stg_orders') }}

),

segment_sizes as (

    select
        segment_id,
        count(*) as segment_customers,
        sum(count(*)) over () as base_customers
    from customer_segments
    group by segment_id

),

customer_category_spend as (

    -- Each customer's purchases per category, then their segment: the order lines are aggregated
    -- before the join (3.5M customer x category rows at 10M lines, not 10M joined rows). Exact
    -- decimal sums through to the shares (spend is cast to double at the end), so spend, shares and
    -- lifts are the same on every run.
    select
        customer_segments.segment_id,
        spend.customer_id,
        spend.category,
        spend.spend
    from (
        select
            orders.customer_id,
            orders.category,
            {{ decimal_sum('orders.amount') }} as spend
        from orders
        where orders.category is not null
            and orders.category != 'unknown'
            and {{ is_purchase_line('orders') }}
        group by orders.customer_id, orders.category
    ) as spend
    inner join customer_segments
        on spend.customer_id = customer_segments.customer_id

),

segment_category as (

    select
        segment_id,
        category,
        count(*) as buyers,
        sum(spend) as spend
    from customer_category_spend
    group by segment_id, category

),

base_category as (

    select
        category,
        sum(buyers) as base_buyers,
        sum(spend) as base_spend
    from segment_category
    group by category

),

segment_category_grid as (

    -- Every segment x every category, so a category a segment never buys shows lift 0.
    select
        segment_sizes.segment_id,
        segment_sizes.segment_customers,
        segment_sizes.base_customers,
        base_category.category,
        base_category.base_buyers,
        base_category.base_spend,
        coalesce(segment_category.buyers, 0) as buyers,
        coalesce(segment_category.spend, 0) as spend
    from segment_sizes
    cross join base_category
    left join segment_category
        on segment_sizes.segment_id = segment_category.segment_id
        and base_category.category = segment_category.category

),

measured as (

    select
        segment_id,
        category,
        buyers,
        spend,
        buyers * 1.0 / segment_customers as penetration,
        base_buyers * 1.0 / base_customers as base_penetration,
        spend / nullif(sum(spend) over (partition by segment_id), 0) as spend_share,
        base_spend / nullif(sum(base_spend) over (partition by segment_id), 0) as base_spend_share
    from segment_category_grid

),

final as (

    select
        cast(segment_id as bigint) as segment_id,
        cast(category as varchar) as category,
        cast(buyers as bigint) as buyers,
        cast(spend as double) as spend,
        cast(penetration as double) as penetration,
        cast(base_penetration as double) as base_penetration,
        cast(penetration / nullif(base_penetration, 0) as double) as lift,
        cast(spend_share as double) as spend_share,
        cast(spend_share / nullif(base_spend_share, 0) as double) as spend_lift,
        coalesce(penetration / nullif(base_penetration, 0) >= {{ min_lift }}, false) as is_over_indexed,
        cast(row_number() over (
            partition by segment_id
            order by penetration / nullif(base_penetration, 0) desc nulls last, category
        ) as bigint) as lift_rank
    from measured

)


select * from final
