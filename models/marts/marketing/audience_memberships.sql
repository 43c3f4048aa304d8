{#- One row per audience x customer, in the shape activation (reverse-ETL) tools sync from a
    warehouse: campaign audiences hold each campaign's treatment group (holdout left out, so no tool
    can contact the control group); segment audiences hold every member of a segment with marketing
    consent (noise excluded). email is null for a customer who may not be emailed (an SMS
    campaign's members with SMS consent only). -#}

with

campaign_targets as (

    select * from {{ ref('campaign_targets') }}

),

contactable_members as (

    select * from {{ ref('int_segment_members_contactable') }}

),

campaign_members as (

    select
        'campaign_' || campaign_targets.campaign_id as audience_id,
        campaign_targets.customer_id,
        contactable_members.email,
        campaign_targets.segment_id,
        campaign_targets.priority_rank
    from campaign_targets
    inner join contactable_members
        on campaign_targets.customer_id = contactable_members.customer_id
    where not campaign_targets.is_holdout

),

segment_members as (

    select
        'segment_' || cast(segment_id as varchar) as audience_id,
        customer_id,
        email,
        segment_id,
        row_number() over (
            partition by segment_id
            order by priority_score desc, customer_id
        ) as priority_rank
    from contactable_members
    -- A segment audience names no channel: the marketing consent, as for every channel but SMS
    -- (a customer who consented to texts only is in the SMS campaigns' audiences alone).
    where not coalesce(is_noise, false)
        and may_email

),

unioned as (

    select * from campaign_members
    union all
    select * from segment_members

),

final as (

    select
        -- one key for reverse-ETL upserts; unique because (audience_id, customer_id) is (tested)
        cast(audience_id || ':' || customer_id as varchar) as membership_key,
        cast(audience_id as varchar) as audience_id,
        cast(customer_id as varchar) as customer_id,
        cast(email as varchar) as email,
        cast(segment_id as bigint) as segment_id,
        cast(priority_rank as bigint) as priority_rank,
        cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S") }}' as timestamp) as refreshed_at
    from unioned

)

select * from final
