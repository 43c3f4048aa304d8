{#- Layers in their own schemas: a model's custom schema (+schema in dbt_project.yml: staging,
    intermediate) is used as is, not prefixed with the target schema as dbt does by default, so
    users find `staging.stg_customers` and `main.customer_segments`. var layer_schemas: false puts
    every model in the target schema (main), as before. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none or (var('layer_schemas', true) | string | lower) == 'false' -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
