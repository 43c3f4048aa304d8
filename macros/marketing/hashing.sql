{#- A deterministic pseudo-random number in [0, 1) from a text key: the first 12 hex digits of its
    MD5 (dbt.hash) read as an integer, divided by 16^12. The same key gives the same number on every
    run and every machine (unlike DuckDB's hash(), which may change between versions). The hex
    conversion is warehouse-specific, so it lives here. -#}
{% macro stable_unit_interval(key_expression) -%}
    {{ return(adapter.dispatch('stable_unit_interval')(key_expression)) }}
{%- endmacro %}

{% macro default__stable_unit_interval(key_expression) -%}
    (cast(('0x' || left({{ dbt.hash(key_expression) }}, 12)) as ubigint) / 281474976710656.0)
{%- endmacro %}
