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

candidates as (

    select
        customer_segments.customer_id,
        customer_segments.segment_id,
        segment_recommendations.category,
        segment_recommendations.penetration,
        segment_recommendations.lift,
        segment_recommendations.is_over_indexed,
        row_number() over (
            partition by customer_segments.customer_id
            order by segment_recommendations.penetration desc, segment_recommendations.lift desc,
                segment_recommendations.category
        ) as candidate_rank
    from customer_segments
    inner join segment_recommendations
        on customer_segments.segment_id = segment_recommendations.segment_id
    left join bought
        on customer_segments.customer_id = bought.customer_id
        and segment_recommendations.category = bought.category
    where bought.customer_id is null
        and segment_recommendations.buyers > 0

),

final as (

    select
        cast(customer_id as varchar) as customer_id,
        cast(segment_id as bigint) as segment_id,
        cast(category as varchar) as recommended_category,
        cast(penetration as double) as segment_penetration,
        cast(lift as double) as segment_lift,
        is_over_indexed
    from candidates
    where candidate_rank = 1

)


select * from final
