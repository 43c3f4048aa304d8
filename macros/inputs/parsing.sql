{#- Small parsing helpers shared by the base models. Portable spellings via dbt's cross-database
    macros where they exist; DuckDB-only syntax stays inside these macros. -#}

{% macro text_value(expression) -%}
    nullif(trim(cast({{ expression }} as varchar)), '')
{%- endmacro %}

{% macro try_cast_value(expression, data_type) -%}
    {#- A cast that yields null instead of failing. dbt's own safe_cast is a plain cast on DuckDB. -#}
    {{ return(adapter.dispatch('try_cast_value')(expression, data_type)) }}
{%- endmacro %}

{% macro default__try_cast_value(expression, data_type) -%}
    {{ dbt.safe_cast(expression, data_type) }}
{%- endmacro %}

{% macro duckdb__try_cast_value(expression, data_type) -%}
    try_cast({{ expression }} as {{ data_type }})
{%- endmacro %}

{% macro parse_number(expression) -%}
    {{ try_cast_value(text_value(expression), 'double') }}
{%- endmacro %}

{% macro parse_date(expression) -%}
    {{ try_cast_value(text_value(expression), 'date') }}
{%- endmacro %}

{% macro is_unparseable(expression, parsed) -%}
    ({{ text_value(expression) }} is not null and {{ parsed }} is null)
{%- endmacro %}

{% macro parse_boolean(expression) -%}
    case
        when lower({{ text_value(expression) }}) in ('true', 't', '1', 'yes', 'y') then true
        when lower({{ text_value(expression) }}) in ('false', 'f', '0', 'no', 'n') then false
    end
{%- endmacro %}

{% macro normalize_gender(expression) -%}
    case
        when lower({{ text_value(expression) }}) in ('m', 'male', 'man') then 'Male'
        when lower({{ text_value(expression) }}) in ('f', 'female', 'woman') then 'Female'
        when {{ text_value(expression) }} is null then null
        else 'Other'
    end
{%- endmacro %}

{% macro row_as_struct(relation_alias) -%}
    {#- The whole input row as one value (DuckDB: a table alias used as a column is a struct). -#}
    {{ relation_alias }}
{%- endmacro %}

{% macro struct_as_json(expression) -%}
    {#- A row kept by row_as_struct as JSON text, so a rejected row keeps every value it arrived with. -#}
    cast(to_json({{ expression }}) as varchar)
{%- endmacro %}

{% macro mapped_column(mapping, standard_name) -%}
    {%- if standard_name in mapping -%}
        {{ adapter.quote(mapping[standard_name]) }}
    {%- else -%}
        cast(null as varchar)
    {%- endif -%}
{%- endmacro %}

{% macro numeric_extra_columns(relation_sql, extras) %}
    {#- The extra (non-standard) input columns whose every non-empty value is a number. -#}
    {%- if not execute or extras | length == 0 -%}{{ return([]) }}{%- endif -%}
    {%- set checks = [] -%}
    {%- for column in extras -%}
        {%- do checks.append(
            "count(" ~ text_value(adapter.quote(column)) ~ ") > 0 and count(*) filter (where "
            ~ is_unparseable(adapter.quote(column), parse_number(adapter.quote(column))) ~ ") = 0") -%}
    {%- endfor -%}
    {%- set row = run_query("select " ~ checks | join(', ') ~ " from " ~ relation_sql).rows[0] -%}
    {%- set numeric = [] -%}
    {%- for column in extras -%}
        {%- if row[loop.index0] -%}{%- do numeric.append(column) -%}{%- endif -%}
    {%- endfor -%}
    {{ return(numeric) }}
{% endmacro %}
