{#- One row per segmented customer who has not yet bought some category their segment buys: the
    category most bought in their segment (highest penetration, then lift) that they have never
    bought. Empty on customers-only input (no orders). -#}
{{ note_when_no_orders('customer_recommendations') }}

with

customer_segments as (

    select * from {{ ref('customer_segments') }}

),

orders as (

    select * from {{ ref('stg_orders') }}

),

segment_recommendations as (

    select * from {{ ref('segment_recommendations') }}

),

bought as (

    -- A category counts as bought when the customer purchased it (a return alone does not).
    select distinct
        orders.customer_id,
        orders.category
    from orders
    where {{ is_purchase_line('orders') }}

),

ranked_categories as (

    -- The segment's categories in recommendation order (highest penetration, then lift, then
    -- name): the same for every customer of the segment, so ranked once here, not per customer.
    select
        segment_id,
        category,
        penetration,
        lift,
        is_over_indexed,
        row_number() over (
            partition by segment_id
            order by penetration desc, lift desc, category
        ) as category_rank
    from segment_recommendations
    where buyers > 0

),

best_unbought as (

    -- Each customer's best-ranked category of their segment that they have not bought: a min
    -- per customer (a window over every customer x category would sort millions of rows).
    select
        customer_segments.customer_id,
        customer_segments.segment_id,
        min(ranked_categories.category_rank) as category_rank
    from customer_segments
    inner join ranked_categories
        on customer_segments.segment_id = ranked_categories.segment_id
    left join bought
        on customer_segments.customer_id = bought.customer_id
        and ranked_categories.category = bought.category
    where bought.customer_id is null
    group by customer_segments.customer_id, customer_segments.segment_id

),

final as (

    select
        cast(best_unbought.customer_id as varchar) as customer_id,
        cast(best_unbought.segment_id as bigint) as segment_id,
        cast(ranked_categories.category as varchar) as recommended_category,
        cast(ranked_categories.penetration as double) as segment_penetration,
        cast(ranked_categories.lift as double) as segment_lift,
        ranked_categories.is_over_indexed
    from best_unbought
    inner join ranked_categories
        on best_unbought.segment_id = ranked_categories.segment_id
        and best_unbought.category_rank = ranked_categories.category_rank

)

select * from final
