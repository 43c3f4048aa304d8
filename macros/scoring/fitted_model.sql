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

{% macro fitted_features(feature_scaling_relation, customers_relation, centroids_relation) %}
    {#- The features the stored model was fitted on (feature_scaling, in feature_order), which a
        scoring model must use whatever the vars say now: the model is data, and scaling a new
        customer on other features than the centroids have would give a segment, silently wrong.
        Stops the run when the current input (`customers_relation`, its features) does not have a
        feature the model segments on (one with a centroid in `centroids_relation`): no such
        numeric column, or null for every customer, as a standard column absent from the input
        comes through staging. Scoring everyone with the fit's fill value for it would move
        customers between segments with no error. A fitted feature the clustering dropped
        (constant or all-null at fit, no centroid) may stay empty: it adds nothing to a distance.
        Warns (a log line; under `dbt build` also the WARN test scored_on_requested_features)
        when var segmentation_features now resolves to another list: no refit happens here.
        Empty at parse time. -#}
    {%- if not execute -%}{{ return([]) }}{%- endif -%}
    {%- set fitted = run_query("select feature_name from " ~ feature_scaling_relation ~ " order by feature_order").columns[0].values() | list -%}
    {#- No rows: `dbt run --empty` (every model built with no rows); the vars' list stands in. -#}
    {%- if fitted | length == 0 -%}{{ return(segmentation_features()) }}{%- endif -%}
    {%- set available = [] -%}
    {%- for column in adapter.get_columns_in_relation(customers_relation) -%}
        {%- if column.is_number() -%}{%- do available.append(column.name | lower) -%}{%- endif -%}
    {%- endfor -%}
    {%- set absent = [] -%}
    {%- for feature in fitted -%}{%- if feature | lower not in available -%}{%- do absent.append(feature) -%}{%- endif -%}{%- endfor -%}
    {%- if absent -%}
        {{ exceptions.raise_compiler_error(_missing_feature_message(absent, fitted, centroids_relation, "no numeric column", "")) }}
    {%- endif -%}
    {%- if flags.WHICH in ['build', 'run'] -%}
        {%- set used = run_query("select distinct feature_name from " ~ centroids_relation).columns[0].values() | map('lower') | list -%}
        {%- set counts = [] -%}
        {%- for feature in fitted -%}{%- do counts.append("count(" ~ quote_identifier(feature) ~ ")") -%}{%- endfor -%}
        {%- set row = run_query("select count(*), " ~ counts | join(', ') ~ " from " ~ customers_relation).rows[0] -%}
        {%- set empty = [] -%}
        {%- for feature in fitted -%}
            {%- if row[0] > 0 and row[loop.index] == 0 and feature | lower in used -%}{%- do empty.append(feature) -%}{%- endif -%}
        {%- endfor -%}
        {%- if empty -%}
            {{ exceptions.raise_compiler_error(_missing_feature_message(empty, fitted, centroids_relation,
                "no value of", " (the column is absent from the input, or empty for all " ~ _thousands(row[0]) ~ " of its customers)")) }}
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

{% macro _missing_feature_message(missing, fitted, centroids_relation, what, detail) %}
    {#- The error of fitted_features when the input lacks features of the stored model. -#}
    {%- set version = run_query("select " ~ model_version(centroids_relation)).columns[0].values()[0] or 'n/a' -%}
    {{ return(this.identifier ~ ": nothing scored. The current input has " ~ what ~ " " ~ missing | join(', ') ~ detail
        ~ ", a feature of the stored model (version " ~ version[:12] ~ ", fitted on " ~ fitted | join(', ')
        ~ "); scoring every customer with the fit's fill value instead would move customers between segments. "
        ~ "Fix: provide " ~ ('the column' if missing | length == 1 else 'the columns')
        ~ " in the input (var customer_columns maps a header of another name), or refit on this input with a full `dbt build` "
        ~ "(var segmentation_features without " ~ missing | join(', ') ~ ").") }}
{% endmacro %}
