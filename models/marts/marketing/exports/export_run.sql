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

final as (

    select
        {{ export_stamp_columns() }},
        (select count(*) from campaign_export) as contact_rows,
        (select count(*) from campaign_holdout_export) as holdout_rows
    {%- if flags.EMPTY %}
    -- dbt run --empty: no real run to export, so campaign_export_files keeps the previous files
    where false
    {%- endif %}

)

select * from final
