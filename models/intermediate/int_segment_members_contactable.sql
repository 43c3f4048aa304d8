{#- One row per segmented customer who may be contacted on some channel (no rejected input row that
    blocks contact: customers_rejected.blocks_contact), with the channels they may be contacted on:
    may_email (the marketing consent: email and every channel but SMS) and may_sms (the SMS
    consent); a consent no other record with the same email took back (one record per email).
    email is null unless the customer may be emailed. With the contact priority score documented
    in _int_segments__models.yml. -#}

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
    -- contacted; a plain duplicate agreeing on both consents and email does not block
    -- (blocks_contact).
    select distinct customer_id
    from customers_rejected
    where blocks_contact

),

base as (

    select coalesce(max(frequency), 0) > 0 as has_purchases
    from customer_features

),

segmented as (

    select
        assignments.customer_id,
        assignments.segment_id,
        assignments.is_noise,
        assignments.membership_probability,
        assignments.distance_to_centroid,
        customer_features.email,
        customer_features.marketing_opt_in,
        customer_features.sms_opt_in,
        customer_features.recency_days,
        base.has_purchases,
        -- Value is spend when anyone in the base has purchases; on customers-only input (monetary 0
        -- for everyone) the spending score stands in. One key for both, so one window ranks it
        -- (a window per case sorted every customer twice: 2.0 -> 1.5 s for this model's query at
        -- 1M customers).
        case
            when base.has_purchases then cast(customer_features.monetary as double)
            else cast(customer_features.spending_score as double)
        end as value_key
    from assignments
    inner join customer_features
        on assignments.customer_id = customer_features.customer_id
    cross join base

),

percentiles as (

    -- Over every segmented customer, before anyone is excluded, so scores do not depend on consent.
    select
        customer_id,
        segment_id,
        is_noise,
        email,
        marketing_opt_in,
        sms_opt_in,
        case
            when value_key is null then 0.5
            else percent_rank() over (partition by value_key is null order by value_key)
        end as value_percentile,
        -- Most recent buyer = 1; customers who never ordered (null recency) = 0; neutral (0.5) on
        -- customers-only input.
        case
            when not has_purchases then 0.5
            when recency_days is null then 0.0
            else percent_rank() over (
                partition by recency_days is null
                order by recency_days desc
            )
        end as recency_percentile,
        coalesce(membership_probability, 1.0) * (1 - case
            when distance_to_centroid is null then 0.5
            else percent_rank() over (
                partition by segment_id, distance_to_centroid is null
                order by distance_to_centroid
            )
        end) as segment_fit
    from segmented

),

shared_emails as (

    -- The emails more than one customer record holds (a CRM with one person under two ids, the
    -- email in another case: stg_customers writes it trimmed and in lower case), and whether one of
    -- those records has no marketing (has_opt_out) or no SMS consent (has_sms_opt_out). An
    -- unsubscribe is the person's, not the record's: such a person was mailed (or texted) through
    -- the other record, and listed twice when both had opted in. Usually no rows, so the dedupe
    -- below sorts only these customers' rows, not everyone's.
    select
        email,
        bool_or(not coalesce(marketing_opt_in, false)) as has_opt_out,
        bool_or(not coalesce(sms_opt_in, false)) as has_sms_opt_out
    from customer_features
    where email is not null
    group by email
    having count(*) > 1

),

channels as (

    -- Consent per channel: the marketing consent for email and every channel but SMS, the SMS
    -- consent (base_customers.sms_opt_in) for texts. Before, the lists were built on the marketing
    -- consent alone: a customer who said yes to texts and no to email was in no SMS campaign.
    select
        percentiles.*,
        coalesce(percentiles.marketing_opt_in, false)
            and not coalesce(shared_emails.has_opt_out, false) as may_email,
        coalesce(percentiles.sms_opt_in, false)
            and not coalesce(shared_emails.has_sms_opt_out, false) as may_sms,
        shared_emails.email is not null as email_is_shared
    from percentiles
    left join rejected_ids
        on percentiles.customer_id = rejected_ids.customer_id
    left join shared_emails
        on percentiles.email = shared_emails.email
    where rejected_ids.customer_id is null

),

contactable as (

    select *
    from channels
    where may_email or may_sms

),

scored as (

    select
        contactable.customer_id,
        contactable.segment_id,
        segment_names.segment_name,
        contactable.is_noise,
        -- the dedupe key; final keeps it only for customers who may be emailed
        contactable.email,
        contactable.may_email,
        contactable.may_sms,
        contactable.email_is_shared,
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

),

deduplicated as (

    -- One contact per email: of the records that share one, the one of highest priority, so no
    -- list or export holds a person twice.
    select * exclude (email_is_shared)
    from scored
    where email_is_shared
    qualify row_number() over (partition by email order by priority_score desc, customer_id) = 1

),

deduplicated_all as (

    select * exclude (email_is_shared)
    from scored
    where not email_is_shared
    union all
    select * from deduplicated

),

final as (

    -- No email for a customer who may not be emailed (SMS consent only): every list and export
    -- takes the email from here, so none carries one such a customer could be mailed at.
    select * replace (case when may_email then email end as email)
    from deduplicated_all

)

select * from final
