{% macro order_categories() %}
    {#- The product categories present in stg_orders, as (value, column-safe name) pairs. -#}
    {%- if not execute or not has_orders_input() -%}{{ return([]) }}{%- endif -%}
    {%- set result = run_query("select distinct category from " ~ ref('stg_orders') ~ " where category is not null order by 1") -%}
    {%- set categories = [] -%}
    {%- for value in result.columns[0].values() -%}
        {%- do categories.append((value, normalize_column_name(value))) -%}
    {%- endfor -%}
    {{ return(categories) }}
{% endmacro %}
