{% macro require_fitted_model(relations) %}
    {#- Stops a run of a scoring model when the fitted model it reads (feature_scaling,
        segment_centroids, ...) is not in the warehouse yet, e.g. `dbt build --selector
        score_new_customers` on a new warehouse, with the fix instead of DuckDB's catalog error.
        Checked when dbt runs the model, not when it only compiles it (docs generate). -#}
    {%- if not execute or flags.WHICH not in ['build', 'run'] -%}{{ return('') }}{%- endif -%}
    {%- set missing = [] -%}
    {%- for relation in relations -%}
        {%- if load_relation(relation) is none -%}{%- do missing.append(relation.identifier) -%}{%- endif -%}
    {%- endfor -%}
    {%- if missing -%}
        {{ exceptions.raise_compiler_error(
            this.identifier ~ " scores customers against the fitted model, and this warehouse has none yet (missing: "
            ~ missing | join(', ') ~ "). Fix: run `dbt build` once to fit the model; then "
            ~ "`dbt build --selector score_new_customers` scores new arrivals against it.") }}
    {%- endif -%}
    {{ return('') }}
{% endmacro %}
