{#- One row per segmented customer who may be contacted (opted in, no rejected input row that
    blocks contact: customers_rejected.blocks_contact), with the
    contact priority score documented in _int_segments__models.yml. -#}

with

assignments as (

    select * from {{ ref('segment_assignments') }}

),

segment_names as (

    select * from {{ ref('int_segment_names') }}

),

customer_features as (

    select * from {{ ref('int_customer_features') }}

),

customers_rejected as (

    select * from {{ ref('customers_rejected') }}

),

rejected_ids as (

    -- A customer id that also has a rejected input row (a broken or conflicting duplicate) is not
    -- contacted; a plain duplicate agreeing on consent and email does not block (blocks_contact).
    select distinct customer_id
    from customers_rejected
    where blocks_contact

),

base as (

    select coalesce(max(frequency), 0) > 0 as has_purchases
    from customer_features

),

percentiles as (

    -- Over every segmented customer, before anyone is excluded, so scores do not depend on consent.
    select
        assignments.customer_id,
        assignments.segment_id,
        assignments.is_noise,
        customer_features.email,
        customer_features.marketing_opt_in,
        -- Value is spend when anyone in the base has purchases; on customers-only input (monetary 0
        -- for everyone) the spending score stands in and recency is neutral.
        case
            when not base.has_purchases then case
                when customer_features.spending_score is null then 0.5
                else percent_rank() over (
                    partition by customer_features.spending_score is null
                    order by customer_features.spending_score
                ) end
            when customer_features.monetary is null then 0.5
            else percent_rank() over (
                partition by customer_features.monetary is null
                order by customer_features.monetary
            )
        end as value_percentile,
        -- Most recent buyer = 1; customers who never ordered (null recency) = 0.
        case
            when not base.has_purchases then 0.5
            when customer_features.recency_days is null then 0.0
            else percent_rank() over (
                partition by customer_features.recency_days is null
                order by customer_features.recency_days desc
            )
        end as recency_percentile,
        coalesce(assignments.membership_probability, 1.0) * (1 - case
            when assignments.distance_to_centroid is null then 0.5
            else percent_rank() over (
                partition by assignments.segment_id, assignments.distance_to_centroid is null
                order by assignments.distance_to_centroid
            )
        end) as segment_fit
    from assignments
    inner join customer_features
        on assignments.customer_id = customer_features.customer_id
    cross join base

),

contactable as (

    select percentiles.*
    from percentiles
    left join rejected_ids
        on percentiles.customer_id = rejected_ids.customer_id
    where percentiles.marketing_opt_in
        and rejected_ids.customer_id is null

),

final as (

    select
        contactable.customer_id,
        contactable.segment_id,
        segment_names.segment_name,
        contactable.is_noise,
        contactable.email,
        cast(contactable.value_percentile as double) as value_percentile,
        cast(contactable.recency_percentile as double) as recency_percentile,
        cast(contactable.segment_fit as double) as segment_fit,
        cast(
            0.6 * contactable.value_percentile
            + 0.2 * contactable.recency_percentile
            + 0.2 * contactable.segment_fit
            as double
        ) as priority_score
    from contactable
    inner join segment_names
        on contactable.segment_id = segment_names.segment_id

)

select * from final
