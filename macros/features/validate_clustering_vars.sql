{#- Kept for callers of the old name: every var (not only the clustering ones) is now checked by
    validate_vars() in macros/config/, against the schema generated from the package. -#}

{% macro validate_clustering_vars() %}
    {%- do validate_vars() -%}
{% endmacro %}
