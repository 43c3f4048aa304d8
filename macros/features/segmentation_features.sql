{#- Which features the clustering uses, and how they are scaled. -#}

{% macro default_feature_sets() %}
    {#- Used when segmentation_features is auto: the first set with any data wins. -#}
    {{ return([
        ['age', 'annual_income_k', 'spending_score'],
        ['recency_days', 'frequency', 'monetary'],
    ]) }}
{% endmacro %}

{% macro requested_features() %}
    {%- set requested = var('segmentation_features', 'auto') -%}
    {%- if requested is string -%}
        {%- if requested | trim | lower == 'auto' -%}{{ return('auto') }}{%- endif -%}
        {%- set requested = requested.split(',') -%}
    {%- endif -%}
    {%- set cleaned = [] -%}
    {%- for name in requested -%}
        {%- if name | string | trim and (name | string | trim) not in cleaned -%}{%- do cleaned.append(name | string | trim) -%}{%- endif -%}
    {%- endfor -%}
    {%- if cleaned | length == 0 -%}
        {{ exceptions.raise_compiler_error("var segmentation_features is empty. Fix: list feature columns, e.g. --vars '{segmentation_features: [annual_income_k, spending_score]}', or use auto.") }}
    {%- endif -%}
    {{ return(cleaned) }}
{% endmacro %}

{% macro segmentation_features() %}
    {#- The resolved feature list (in order). Fails naming the available numeric columns when a
        requested feature does not exist or is not numeric. Empty at parse time. -#}
    {%- if not execute -%}{{ return([]) }}{%- endif -%}
    {%- set relation = ref('int_customer_features') -%}
    {%- set numeric = [] -%}
    {%- set text = [] -%}
    {%- for column in adapter.get_columns_in_relation(relation) -%}
        {%- if column.name in ['source_row_number'] -%}
        {%- elif column.is_number() -%}{%- do numeric.append(column.name) -%}
        {%- else -%}{%- do text.append(column.name) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- set requested = requested_features() -%}
    {%- if requested == 'auto' -%}
        {#- Jinja loops cannot reassign outer variables: collect the result in a namespace. -#}
        {%- set chosen = namespace(features=none) -%}
        {%- for feature_set in default_feature_sets() -%}
            {%- set present = [] -%}
            {%- for name in feature_set -%}{%- if name in numeric -%}{%- do present.append(name) -%}{%- endif -%}{%- endfor -%}
            {%- if present and chosen.features is none -%}
                {%- set counts = [] -%}
                {%- for name in present -%}{%- do counts.append("count(" ~ adapter.quote(name) ~ ")") -%}{%- endfor -%}
                {%- set row = run_query("select count(*), " ~ counts | join(', ') ~ " from " ~ relation).rows[0] -%}
                {%- set with_data = [] -%}
                {#- With no rows at all (dbt run --empty) the first set present is used as is. -#}
                {%- for name in present -%}{%- if row[0] == 0 or row[loop.index] > 0 -%}{%- do with_data.append(name) -%}{%- endif -%}{%- endfor -%}
                {%- if with_data -%}{%- set chosen.features = with_data -%}{%- endif -%}
            {%- endif -%}
        {%- endfor -%}
        {%- if chosen.features is none -%}
            {{ exceptions.raise_compiler_error("segmentation_features is auto, but none of the default features has data. Numeric columns available: " ~ numeric | join(', ') ~ ". Fix: --vars '{segmentation_features: [...]}'.") }}
        {%- endif -%}
        {{ return(chosen.features) }}
    {%- endif -%}
    {%- for name in requested -%}
        {%- if name in text -%}
            {{ exceptions.raise_compiler_error("segmentation_features includes '" ~ name ~ "', which is not numeric. Numeric features available: " ~ numeric | join(', ') ~ ". Fix: drop it from var segmentation_features (gender is available as is_female).") }}
        {%- elif name not in numeric -%}
            {{ exceptions.raise_compiler_error("segmentation_features includes '" ~ name ~ "', which int_customer_features does not have. Numeric features available: " ~ numeric | join(', ') ~ ". Fix: correct var segmentation_features (behaviour features need orders).") }}
        {%- endif -%}
    {%- endfor -%}
    {{ return(requested) }}
{% endmacro %}

{% macro scaling_method() %}
    {%- set method = var('scaling', 'standard') | string | trim | lower -%}
    {%- if method not in ['standard', 'minmax', 'none'] -%}
        {{ exceptions.raise_compiler_error("var scaling = '" ~ var('scaling') ~ "' is not supported. Fix: use standard, minmax or none.") }}
    {%- endif -%}
    {{ return(method) }}
{% endmacro %}

{% macro median_of(expression) -%}
    percentile_cont(0.5) within group (order by {{ expression }})
{%- endmacro %}
