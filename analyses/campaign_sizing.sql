-- Campaign sizing: for each campaign, how many customers it reaches, how many are held out, which
-- segments they come from, and how much of the contactable base it covers. Run with
-- `dbt compile -s analysis:campaign_sizing` and paste the SQL, or `dbt show -s campaign_sizing`.

with

campaigns as (

    select * from {{ marketing_rules('campaigns') }}

),

campaign_targets as (

    select * from {{ ref('campaign_targets') }}

),

segment_profiles as (

    select * from {{ ref('segment_profiles') }}

),

contactable_base as (

    select count(*) as contactable_customers from {{ ref('int_segment_members_contactable') }}

),

per_campaign as (

    select
        campaign_id,
        count(*) as targeted,
        count(case when is_holdout then 1 end) as held_out,
        count(case when not is_holdout then 1 end) as contacted,
        count(distinct segment_id) as segments
    from campaign_targets
    group by campaign_id

),

targets_by_segment as (

    select
        campaign_id,
        segment_id,
        count(*) as targeted
    from campaign_targets
    group by campaign_id, segment_id

),

per_campaign_segment as (

    select
        targets_by_segment.campaign_id,
        {{ dbt.listagg(
            "segment_profiles.segment_name || ' (' || cast(targets_by_segment.targeted as varchar) || ')'",
            "', '",
            "order by targets_by_segment.targeted desc, segment_profiles.segment_name") }} as segment_breakdown
    from targets_by_segment
    inner join segment_profiles
        on targets_by_segment.segment_id = segment_profiles.segment_id
    group by targets_by_segment.campaign_id

),

final as (

    select
        campaigns.campaign_id,
        campaigns.campaign_name,
        campaigns.channel,
        campaigns.priority,
        campaigns.is_exclusive,
        campaigns.max_audience_size,
        campaigns.holdout_share,
        coalesce(per_campaign.targeted, 0) as targeted,
        coalesce(per_campaign.contacted, 0) as contacted,
        coalesce(per_campaign.held_out, 0) as held_out,
        coalesce(per_campaign.targeted, 0) * 1.0 / nullif(contactable_base.contactable_customers, 0)
            as share_of_contactable_base,
        per_campaign_segment.segment_breakdown
    from campaigns
    cross join contactable_base
    left join per_campaign
        on campaigns.campaign_id = per_campaign.campaign_id
    left join per_campaign_segment
        on campaigns.campaign_id = per_campaign_segment.campaign_id
    where campaigns.is_active

)

select * from final
order by priority, campaign_id
