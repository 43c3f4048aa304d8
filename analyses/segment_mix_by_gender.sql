-- Segment mix by gender: how each gender spreads over the segments, and the gender mix of each
-- segment (to spot segments where a creative or channel should differ).

with

customer_segments as (

    select * from {{ ref('customer_segments') }}

),

customers as (

    select * from {{ ref('stg_customers') }}

),

counts as (

    select
        customer_segments.segment_id,
        customer_segments.segment_name,
        coalesce(customers.gender, 'Unknown') as gender,
        count(*) as customers
    from customer_segments
    inner join customers
        on customer_segments.customer_id = customers.customer_id
    group by customer_segments.segment_id, customer_segments.segment_name, coalesce(customers.gender, 'Unknown')

),

final as (

    select
        segment_id,
        segment_name,
        gender,
        customers,
        customers * 1.0 / sum(customers) over (partition by segment_id) as share_of_segment,
        customers * 1.0 / sum(customers) over (partition by gender) as share_of_gender,
        (customers * 1.0 / sum(customers) over (partition by segment_id))
            / (sum(customers) over (partition by gender) * 1.0 / sum(customers) over ()) as gender_index
    from counts

)

select * from final
order by segment_id, gender
