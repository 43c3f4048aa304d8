{#- The campaign contact lists as a marketing tool imports them: one row per campaign x contacted
    customer (holdout left out), best-ranked first. dbt-duckdb's external materialization writes
    the whole table to <exports_path>/campaign_export.parquet (the relation is a view on that file);
    the post-hook writes one CSV and one Parquet file per active campaign to
    <exports_path>/campaigns/<campaign_id>.csv|.parquet. The pre-hook creates the folder.
    var exports_path defaults to "exports" (relative to the project root, where dbt runs). -#}
{{
    config(
        materialized='external',
        location="{{ var('exports_path', 'exports') }}/campaign_export.parquet",
        pre_hook="{{ ensure_directory(exports_path()) }}",
        post_hook="{{ export_campaign_files(this, ref('campaigns')) }}",
    )
}}

with

campaign_targets as (

    select * from {{ ref('campaign_targets') }}

),

campaigns as (

    select * from {{ ref('campaigns') }}

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
        contactable_members.segment_name
    from campaign_targets
    inner join campaigns
        on campaign_targets.campaign_id = campaigns.campaign_id
    inner join contactable_members
        on campaign_targets.customer_id = contactable_members.customer_id
    where not campaign_targets.is_holdout

)

select * from final
order by campaign_id, priority_rank
