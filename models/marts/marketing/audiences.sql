{#- One row per audience an activation tool can sync: one per active campaign (its treatment
    group) and one per non-noise segment (its contactable members). -#}

with

campaigns as (

    select * from {{ marketing_rules('campaigns') }}

),

segment_names as (

    select * from {{ ref('int_segment_names') }}

),

segment_assignments as (

    select * from {{ ref('segment_assignments') }}

),

campaign_targets as (

    select * from {{ ref('campaign_targets') }}

),

audience_memberships as (

    select * from {{ ref('audience_memberships') }}

),

member_counts as (

    select
        audience_id,
        count(*) as member_count
    from audience_memberships
    group by audience_id

),

holdout_counts as (

    select
        'campaign_' || campaign_id as audience_id,
        count(*) as holdout_count
    from campaign_targets
    where is_holdout
    group by campaign_id

),

noise_segments as (

    select segment_id
    from segment_assignments
    group by segment_id
    having {{ dbt.bool_or('is_noise') }}

),

campaign_audiences as (

    select
        'campaign_' || campaign_id as audience_id,
        campaign_name as audience_name,
        'campaign' as audience_type,
        campaign_id,
        cast(null as bigint) as segment_id,
        channel,
        offer as audience_description
    from campaigns
    where is_active

),

segment_audiences as (

    select
        'segment_' || cast(segment_names.segment_id as varchar) as audience_id,
        segment_names.segment_name as audience_name,
        'segment' as audience_type,
        cast(null as varchar) as campaign_id,
        segment_names.segment_id,
        cast(null as varchar) as channel,
        segment_names.segment_description as audience_description
    from segment_names
    left join noise_segments
        on segment_names.segment_id = noise_segments.segment_id
    where noise_segments.segment_id is null

),

all_audiences as (

    select * from campaign_audiences
    union all
    select * from segment_audiences

),

final as (

    select
        cast(all_audiences.audience_id as varchar) as audience_id,
        cast(all_audiences.audience_name as varchar) as audience_name,
        cast(all_audiences.audience_type as varchar) as audience_type,
        cast(all_audiences.campaign_id as varchar) as campaign_id,
        cast(all_audiences.segment_id as bigint) as segment_id,
        cast(all_audiences.channel as varchar) as channel,
        cast(all_audiences.audience_description as varchar) as audience_description,
        cast(coalesce(member_counts.member_count, 0) as bigint) as member_count,
        cast(coalesce(holdout_counts.holdout_count, 0) as bigint) as holdout_count,
        cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S") }}' as timestamp) as refreshed_at
    from all_audiences
    left join member_counts
        on all_audiences.audience_id = member_counts.audience_id
    left join holdout_counts
        on all_audiences.audience_id = holdout_counts.audience_id

)

select * from final
