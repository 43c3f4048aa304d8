{#- Writing campaign lists to files (DuckDB COPY; warehouse-specific, so kept in macros). -#}

{% macro exports_path() %}
    {#- Folder the exports are written to, relative to the project root (var exports_path). -#}
    {{ return((var('exports_path', 'exports') | string).rstrip('/')) }}
{% endmacro %}

{% macro ensure_directory(path) %}
    {#- Creates the folder (and its parent) if missing: DuckDB has no mkdir, but a partitioned COPY of
        zero rows creates its target folder and writes nothing. -#}
    {%- set parts = path.split('/') -%}
    {%- set statements = [] -%}
    {%- for index in range(1, parts | length + 1) -%}
        {%- set prefix = parts[:index] | join('/') -%}
        {%- if prefix not in ['', '.', '..'] and not prefix.endswith('/..') -%}
            {%- do statements.append("copy (select 1 as partition_key, 1 as placeholder where 1 = 0) to " ~ dbt.string_literal(prefix)
                ~ " (format csv, partition_by (partition_key), overwrite_or_ignore true)") -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(statements | join(';\n')) }}
{% endmacro %}

{% macro export_campaign_files(relation, campaigns_relation) %}
    {#- One CSV and one Parquet file per active campaign, exports/campaigns/<campaign_id>.csv|.parquet,
        with the columns of `relation` (the contact list of that campaign; header only when empty). -#}
    {%- if not execute -%}{{ return('') }}{%- endif -%}
    {%- set folder = exports_path() ~ '/campaigns' -%}
    {%- set campaign_ids = run_query("select campaign_id from " ~ campaigns_relation ~ " where is_active order by campaign_id").columns[0].values() -%}
    {%- set statements = [ensure_directory(folder)] -%}
    {%- for campaign_id in campaign_ids -%}
        {%- set safe_name = modules.re.sub('[^A-Za-z0-9_.-]+', '_', campaign_id | string) -%}
        {%- set query = "select * from " ~ relation ~ " where campaign_id = " ~ dbt.string_literal(campaign_id) ~ " order by priority_rank" -%}
        {%- do statements.append("copy (" ~ query ~ ") to " ~ dbt.string_literal(folder ~ '/' ~ safe_name ~ '.csv') ~ " (format csv, header true)") -%}
        {%- do statements.append("copy (" ~ query ~ ") to " ~ dbt.string_literal(folder ~ '/' ~ safe_name ~ '.parquet') ~ " (format parquet)") -%}
    {%- endfor -%}
    {{ return(statements | join(';\n')) }}
{% endmacro %}
