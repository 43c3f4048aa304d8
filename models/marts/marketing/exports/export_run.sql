{#- One row: the dbt invocation that builds the exports and when it started. Every export file
    carries these two values, and exports/manifest.json names the run its files belong to.
    A view, so it is rendered by every run (a parse-time config would keep an old invocation id). -#}
{{ config(materialized='view') }}

with

final as (

    select
        {{ quote_literal(invocation_id) }} as run_id,
        cast({{ quote_literal(run_started_at.strftime('%Y-%m-%d %H:%M:%S.%f')) }} as timestamp) as exported_at

)

select * from final
