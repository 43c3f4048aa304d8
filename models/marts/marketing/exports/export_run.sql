{#- One row: the build that wrote the export files (run_id = dbt's invocation_id, exported_at =
    its start, UTC) and how many rows it exported. Downstream of both export tables, so any build
    that refreshes them refreshes this row too; exports/manifest.json names the same run. -#}

with

campaign_export as (

    select * from {{ ref('campaign_export') }}

),

campaign_holdout_export as (

    select * from {{ ref('campaign_holdout_export') }}

),

campaigns as (

    select * from {{ marketing_rules('campaigns') }}

),

final as (

    select
        {{ export_stamp_columns() }},
        (select count(*) from campaign_export) as contact_rows,
        (select count(*) from campaign_holdout_export) as holdout_rows,
        -- campaign_export_files writes a file for each, even an empty one (a dbt Python model
        -- cannot ref a node named by a var, so it reads the active campaigns from here)
        (
            select coalesce(list(campaign_id order by campaign_id), [])
            from campaigns
            where is_active
        ) as active_campaign_ids
    {%- if flags.EMPTY %}
    -- dbt run --empty: no real run to export, so campaign_export_files keeps the previous files
    where false
    {%- endif %}

)

select * from final
