{#- The holdout of every campaign: customers who were targeted but are deliberately not contacted,
    to measure the campaign's lift against. One row per campaign x holdout customer. No email
    column, so the file cannot be mailed by mistake. Written by campaign_export_files to
    <exports_path>/campaign_holdout.parquet and <exports_path>/holdout/<campaign>.csv|.parquet. -#}

with

campaign_targets as (

    select * from {{ ref('campaign_targets') }}

),

campaigns as (

    select * from {{ marketing_rules('campaigns') }}

),

contactable_members as (

    select * from {{ ref('int_segment_members_contactable') }}

),

final as (

    select
        campaign_targets.campaign_id,
        campaigns.campaign_name,
        campaign_targets.priority_rank,
        campaign_targets.customer_id,
        campaign_targets.segment_id,
        contactable_members.segment_name,
        {{ export_stamp_columns() }}
    from campaign_targets
    inner join campaigns
        on campaign_targets.campaign_id = campaigns.campaign_id
    inner join contactable_members
        on campaign_targets.customer_id = contactable_members.customer_id
    where campaign_targets.is_holdout

)

select * from final
order by campaign_id, priority_rank
