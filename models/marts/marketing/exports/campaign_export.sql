{#- The campaign contact lists as a marketing tool imports them: one row per campaign x contacted
    customer (holdout left out), best-ranked first, stamped with the run that exported them.
    campaign_export_files writes it to <exports_path>/campaign_export.parquet and one CSV and one
    Parquet file per active campaign under <exports_path>/campaigns/. -#}

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
        campaigns.channel,
        campaigns.offer,
        campaign_targets.priority_rank,
        campaign_targets.customer_id,
        contactable_members.email,
        campaign_targets.segment_id,
        contactable_members.segment_name,
        {{ export_stamp_columns() }}
    from campaign_targets
    inner join campaigns
        on campaign_targets.campaign_id = campaigns.campaign_id
    inner join contactable_members
        on campaign_targets.customer_id = contactable_members.customer_id
    where not campaign_targets.is_holdout

)

select * from final
order by campaign_id, priority_rank
