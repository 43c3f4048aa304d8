{#- One row per customer at risk: in a valuable segment (average spend per customer at least the
    base average: monetary index >= var retention_min_segment_index, default 1) and silent for more
    than var retention_overdue_factor (default 2) times their segment's usual purchase interval (the
    median, over the segment's repeat buyers, of each one's average days between orders). Ranked by
    value at risk = the customer's annualised spend (monetary x 365 / max(tenure_days, 365)). Empty on
    customers-only input (no orders). -#}
{{ note_when_no_orders('retention_watchlist') }}
{%- set overdue_factor = setting('retention_overdue_factor') -%}
{%- set min_segment_index = setting('retention_min_segment_index') -%}

with

customer_segments as (

    select * from {{ ref('customer_segments') }}

),

customer_features as (

    select * from {{ ref('int_customer_features') }}

),

orders as (

    select * from {{ ref('stg_orders') }}

),

feature_tiers as (

    select * from {{ ref('int_segment_feature_tiers') }}

),

contactable as (

    -- The channels each customer may be contacted on, as the campaign lists read them: consent
    -- that no blocking rejected row and no other record with the same email took back.
    select customer_id, may_email, may_sms from {{ ref('int_segment_members_contactable') }}

),

purchase_days as (

    -- Each day a customer purchased on (a return is not a visit that resets the clock): a plain
    -- distinct over the lines, cheaper than count(distinct) per customer (2.1 -> 1.6 s at 10M).
    select distinct
        orders.customer_id,
        orders.order_date
    from orders
    where {{ is_purchase_line('orders') }}

),

customer_intervals as (

    -- Average days between purchases, for customers who purchased on at least two different days.
    select
        customer_id,
        {{ dbt.datediff('min(order_date)', 'max(order_date)', 'day') }} * 1.0
            / (count(*) - 1) as average_interval_days
    from purchase_days
    group by customer_id
    having count(*) >= 2

),

segment_intervals as (

    select
        customer_segments.segment_id,
        {{ median_of('customer_intervals.average_interval_days') }} as usual_interval_days,
        count(*) as repeat_buyers
    from customer_intervals
    inner join customer_segments
        on customer_intervals.customer_id = customer_segments.customer_id
    group by customer_segments.segment_id

),

valuable_segments as (

    select
        segment_id,
        feature_index as segment_value_index
    from feature_tiers
    where feature_name = 'monetary'
        and feature_index >= {{ min_segment_index }}

),

at_risk as (

    select
        customer_segments.customer_id,
        customer_segments.segment_id,
        customer_segments.segment_name,
        customer_features.recency_days,
        customer_features.frequency,
        customer_features.monetary,
        segment_intervals.usual_interval_days,
        valuable_segments.segment_value_index,
        customer_features.recency_days / nullif(segment_intervals.usual_interval_days, 0) as overdue_ratio,
        customer_features.monetary * 365.0
            / greatest(coalesce(customer_features.tenure_days, 365), 365) as value_at_risk,
        -- Not the customer's own opt-in alone: a repeat row that took consent back blocks them.
        contactable.may_email as is_contactable,
        contactable.may_sms
    from customer_segments
    inner join customer_features
        on customer_segments.customer_id = customer_features.customer_id
    left join contactable
        on customer_segments.customer_id = contactable.customer_id
    inner join valuable_segments
        on customer_segments.segment_id = valuable_segments.segment_id
    inner join segment_intervals
        on customer_segments.segment_id = segment_intervals.segment_id
    where not coalesce(customer_segments.is_noise, false)
        and customer_features.frequency > 0
        and customer_features.recency_days
            > {{ overdue_factor }} * segment_intervals.usual_interval_days

),

final as (

    select
        cast(customer_id as varchar) as customer_id,
        cast(segment_id as bigint) as segment_id,
        cast(segment_name as varchar) as segment_name,
        cast(row_number() over (order by value_at_risk desc, customer_id) as bigint) as watch_rank,
        cast(value_at_risk as double) as value_at_risk,
        cast(recency_days as bigint) as recency_days,
        cast(usual_interval_days as double) as usual_interval_days,
        cast(overdue_ratio as double) as overdue_ratio,
        cast(frequency as bigint) as frequency,
        cast(monetary as double) as monetary,
        coalesce(is_contactable, false) as is_contactable,
        coalesce(may_sms, false) as may_sms,
        cast(
            'No order for ' || cast(recency_days as varchar) || ' days, '
            || cast(round(overdue_ratio, 1) as varchar) || ' times the usual '
            || cast(cast(round(usual_interval_days) as integer) as varchar) || '-day gap between orders in "'
            || segment_name || '", a segment worth '
            || cast(round(segment_value_index, 1) as varchar) || ' times the average customer'
            as varchar
        ) as reason
    from at_risk

)

select * from final
