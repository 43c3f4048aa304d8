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

{% macro fitted_features(feature_scaling_relation, customers_relation) %}
    {#- The features the stored model was fitted on (feature_scaling, in feature_order), which a
        scoring model must use whatever the vars say now: the model is data, and scaling a new
        customer on other features than the centroids have would give a segment, silently wrong.
        Stops when `customers_relation` (the features of the current input) lacks one of them;
        warns when one of them is null for every customer (all scored on the fill value) and when
        var segmentation_features now resolves to another list (no refit happens here).
        Empty at parse time. -#}
    {%- if not execute -%}{{ return([]) }}{%- endif -%}
    {%- set fitted = run_query("select feature_name from " ~ feature_scaling_relation ~ " order by feature_order").columns[0].values() | list -%}
    {#- No rows: `dbt run --empty` (every model built with no rows); the vars' list stands in. -#}
    {%- if fitted | length == 0 -%}{{ return(segmentation_features()) }}{%- endif -%}
    {%- set available = [] -%}
    {%- for column in adapter.get_columns_in_relation(customers_relation) -%}
        {%- if column.is_number() -%}{%- do available.append(column.name | lower) -%}{%- endif -%}
    {%- endfor -%}
    {%- set missing = [] -%}
    {%- for feature in fitted -%}{%- if feature | lower not in available -%}{%- do missing.append(feature) -%}{%- endif -%}{%- endfor -%}
    {%- if missing -%}
        {{ exceptions.raise_compiler_error(
            this.identifier ~ ": the stored model was fitted on " ~ fitted | join(', ') ~ ", and the current input has no numeric "
            ~ missing | join(', ') ~ ". Fix: score an input with the columns of the fit (or the same customer_columns var), "
            ~ "or refit with a full `dbt build`.") }}
    {%- endif -%}
    {%- if flags.WHICH in ['build', 'run'] -%}
        {%- set counts = [] -%}
        {%- for feature in fitted -%}{%- do counts.append("count(" ~ quote_identifier(feature) ~ ")") -%}{%- endfor -%}
        {%- set row = run_query("select count(*), " ~ counts | join(', ') ~ " from " ~ customers_relation).rows[0] -%}
        {%- set empty = [] -%}
        {%- for feature in fitted -%}{%- if row[0] > 0 and row[loop.index] == 0 -%}{%- do empty.append(feature) -%}{%- endif -%}{%- endfor -%}
        {%- if empty -%}
            {%- do exceptions.warn(this.identifier ~ ": no customer of the current input has " ~ empty | join(', ')
                ~ ", a feature of the stored model: every customer is scored with the fit's fill value for it "
                ~ "(feature_scaling.impute_value). Check the input's columns (var customer_columns).") -%}
        {%- endif -%}
        {%- set requested = segmentation_features() -%}
        {%- if requested | map('lower') | list != fitted | map('lower') | list -%}
            {%- do exceptions.warn(this.identifier ~ ": var segmentation_features now gives " ~ requested | join(', ')
                ~ ", but the stored model was fitted on " ~ fitted | join(', ') ~ "; customers are scored on the fitted ones. "
                ~ "Run a full `dbt build` to refit on the new list.") -%}
        {%- endif -%}
    {%- endif -%}
    {{ return(fitted) }}
{% endmacro %}
