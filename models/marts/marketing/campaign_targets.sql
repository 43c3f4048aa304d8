{#- One row per campaign x targeted customer. Steps: active campaigns -> segments they target (ids
    and/or traits from the campaigns seed) -> contactable members of those segments with consent
    for the campaign's channel (may_sms for SMS, may_email for the rest; only those on the
    retention watchlist when target_at_risk_only) -> exclusive
    campaigns resolved by campaign priority -> ranked by priority score -> capped -> holdout drawn
    from a hash of campaign, customer and var random_seed. Rules in _marketing__models.yml. -#}

with

campaigns as (

    select * from {{ marketing_rules('campaigns') }}

),

contactable_members as (

    select * from {{ ref('int_segment_members_contactable') }}

),

feature_tiers as (

    select * from {{ ref('int_segment_feature_tiers') }}

),

retention_watchlist as (

    select * from {{ ref('retention_watchlist') }}

),

active_campaigns as (

    select
        campaign_id,
        campaign_name,
        channel,
        offer,
        nullif(replace(trim(target_segment_ids), ' ', ''), '') as target_segment_ids,
        nullif(trim(target_feature_1), '') as target_feature_1,
        target_tier_1,
        nullif(trim(target_feature_2), '') as target_feature_2,
        target_tier_2,
        priority,
        coalesce(holdout_share, 0) as holdout_share,
        max_audience_size,
        coalesce(is_exclusive, false) as is_exclusive,
        coalesce(target_at_risk_only, false) as target_at_risk_only
    from campaigns
    where is_active

),

segments as (

    select distinct
        segment_id,
        is_noise
    from contactable_members

),

targeted_segments as (

    -- A segment is targeted when it is listed (or no list is given) and has every trait given.
    -- Noise is targeted only when listed by id.
    select
        active_campaigns.campaign_id,
        segments.segment_id
    from active_campaigns
    cross join segments
    left join feature_tiers as first_trait
        on segments.segment_id = first_trait.segment_id
        and active_campaigns.target_feature_1 = first_trait.feature_name
    left join feature_tiers as second_trait
        on segments.segment_id = second_trait.segment_id
        and active_campaigns.target_feature_2 = second_trait.feature_name
    where (
            ('|' || active_campaigns.target_segment_ids || '|')
                like ('%|' || cast(segments.segment_id as varchar) || '|%')
            or (active_campaigns.target_segment_ids is null and not coalesce(segments.is_noise, false))
        )
        and (active_campaigns.target_feature_1 is null or first_trait.tier = active_campaigns.target_tier_1)
        and (active_campaigns.target_feature_2 is null or second_trait.tier = active_campaigns.target_tier_2)

),

eligible as (

    select
        active_campaigns.campaign_id,
        active_campaigns.priority,
        active_campaigns.is_exclusive,
        active_campaigns.holdout_share,
        active_campaigns.max_audience_size,
        contactable_members.customer_id,
        contactable_members.segment_id,
        contactable_members.priority_score
    from targeted_segments
    inner join active_campaigns
        on targeted_segments.campaign_id = active_campaigns.campaign_id
    inner join contactable_members
        on targeted_segments.segment_id = contactable_members.segment_id
    left join retention_watchlist
        on contactable_members.customer_id = retention_watchlist.customer_id
    where (not active_campaigns.target_at_risk_only
            or retention_watchlist.customer_id is not null)
        -- Consent for the campaign's channel: an SMS campaign takes the customers with SMS consent
        -- (whatever their email consent: the email consent is no consent to texts, nor is its
        -- absence a refusal of them), every other campaign those with marketing consent.
        and case
            when {{ is_sms_channel('active_campaigns.channel') }} then contactable_members.may_sms
            else contactable_members.may_email
        end

),

exclusive_choice as (

    -- A customer eligible for several exclusive campaigns keeps only the one with the best
    -- (smallest) priority, then the smallest campaign_id. Non-exclusive campaigns are unaffected.
    select
        *,
        row_number() over (
            partition by customer_id, is_exclusive
            order by priority, campaign_id
        ) as exclusive_choice
    from eligible

),

exclusivity_resolved as (

    select *
    from exclusive_choice
    where not is_exclusive
        or exclusive_choice = 1

),

ranked as (

    select
        *,
        row_number() over (
            partition by campaign_id
            order by priority_score desc, customer_id
        ) as priority_rank
    from exclusivity_resolved

),

capped as (

    select *
    from ranked
    where max_audience_size is null
        or priority_rank <= max_audience_size

),

holdout_drawn as (

    select
        *,
        {{ stable_unit_interval("campaign_id || '|' || customer_id || '|' || " ~ quote_literal(setting('random_seed'))) }} as holdout_draw
    from capped

),

final as (

    select
        holdout_drawn.campaign_id,
        holdout_drawn.customer_id,
        holdout_drawn.segment_id,
        cast(holdout_drawn.priority_rank as bigint) as priority_rank,
        holdout_drawn.priority_score,
        cast(holdout_drawn.holdout_draw as double) as holdout_draw,
        holdout_drawn.holdout_draw < holdout_drawn.holdout_share as is_holdout
    from holdout_drawn

)

select * from final
