{#- The stamp every export row carries: the dbt invocation that built it and when that build
    started (UTC). Rendered when the model runs, so it is always this build's. -#}

{% macro export_stamp_columns() -%}
    cast({{ quote_literal(run_started_at.strftime('%Y-%m-%d %H:%M:%S.%f')) }} as timestamp) as exported_at,
    {{ quote_literal(invocation_id) }} as run_id
{%- endmacro %}
