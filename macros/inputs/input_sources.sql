{#- Where the pipeline reads its inputs from: the demo seeds, or files named by vars.
    When either customers_path or orders_path is set, no demo data is mixed in. -#}

{% macro has_customers_input() %}
    {{ return(var('customers_path', none) is not none or var('orders_path', none) is none) }}
{% endmacro %}

{% macro has_orders_input() %}
    {{ return(var('orders_path', none) is not none or var('customers_path', none) is none) }}
{% endmacro %}

{% macro input_relation(path_var, demo_seed) %}
    {#- A FROM-clause expression for an input: the demo seed when the path var is unset,
        else the file read as text (CSV) or as stored (Parquet). -#}
    {%- set path = var(path_var, none) -%}
    {%- if path is none -%}
        {{ return(ref(demo_seed)) }}
    {%- endif -%}
    {%- set path = path | string -%}
    {%- if execute -%}
        {%- set found = run_query("select count(*) from glob(" ~ dbt.string_literal(path) ~ ")").columns[0].values()[0] -%}
        {%- if found == 0 -%}
            {{ exceptions.raise_compiler_error(
                "var " ~ path_var ~ " points to '" ~ path ~ "', which does not exist. "
                ~ "Relative paths resolve against the project folder (where dbt runs). "
                ~ "Fix: pass an existing CSV or Parquet file, e.g. --vars '{" ~ path_var ~ ": /full/path/file.csv}'.") }}
        {%- endif -%}
    {%- endif -%}
    {%- set lowered = path | lower -%}
    {%- if lowered.endswith('.parquet') or lowered.endswith('.pq') -%}
        {{ return("read_parquet(" ~ dbt.string_literal(path) ~ ")") }}
    {%- elif lowered.endswith('.csv') or lowered.endswith('.csv.gz') or lowered.endswith('.tsv') or lowered.endswith('.txt') -%}
        {#- Everything as text: bad values must reach the quarantine, not fail the read. -#}
        {{ return("read_csv(" ~ dbt.string_literal(path) ~ ", header = true, all_varchar = true)") }}
    {%- else -%}
        {{ exceptions.raise_compiler_error(
            "var " ~ path_var ~ " = '" ~ path ~ "' is neither a CSV (.csv, .csv.gz, .tsv, .txt) nor a Parquet "
            ~ "(.parquet) file. Fix: convert the file or rename it with the right extension.") }}
    {%- endif -%}
{% endmacro %}
