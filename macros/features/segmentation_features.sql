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
                {%- for name in present -%}{%- do counts.append("count(" ~ quote_identifier(name) ~ ")") -%}{%- endfor -%}
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
    {%- if method not in ['standard', 'minmax', 'robust', 'none'] -%}
        {{ exceptions.raise_compiler_error("var scaling = " ~ quote_literal(var('scaling')) ~ " is not supported. Fix: use standard, minmax or none, or robust (median / IQR).") }}
    {%- endif -%}
    {{ return(method) }}
{% endmacro %}

{% macro numeric_setting(name, default, minimum=none, strictly_above=none) %}
    {#- A var that reaches SQL as a number: validated here, returned as a float.
        TODO(h2-trust): replace with setting(name) once the shared var schema lands. -#}
    {%- set raw = var(name, default) -%}
    {%- set text = raw | string | trim -%}
    {%- if raw is boolean or raw is none or not modules.re.fullmatch('[+-]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]+)?', text) -%}
        {{ exceptions.raise_compiler_error("var " ~ name ~ " = " ~ quote_literal(raw) ~ " is not a number. Fix: --vars '{" ~ name ~ ": " ~ default ~ "}'.") }}
    {%- endif -%}
    {%- set value = text | float -%}
    {%- if (minimum is not none and value < minimum) or (strictly_above is not none and value <= strictly_above) -%}
        {{ exceptions.raise_compiler_error("var " ~ name ~ " = " ~ text ~ " is out of range (must be " ~ ("at least " ~ minimum if minimum is not none else "above " ~ strictly_above) ~ "). Fix: --vars '{" ~ name ~ ": " ~ default ~ "}'.") }}
    {%- endif -%}
    {{ return(value) }}
{% endmacro %}

{% macro skew_threshold() %}
    {{ return(numeric_setting('skew_threshold', 1.0, minimum=0)) }}
{% endmacro %}

{% macro outlier_fence() %}
    {#- Clip beyond Q1 - f x IQR / Q3 + f x IQR on the transformed scale; 0 turns the fence off. -#}
    {{ return(numeric_setting('outlier_fence', 3.0, minimum=0)) }}
{% endmacro %}

{% macro feature_transforms(features) %}
    {#- {feature: 'auto' | 'log1p' | 'none'} from var feature_transforms: auto (log1p when the
        feature is non-negative and its skewness exceeds skew_threshold), none, or a mapping
        {feature: log1p | none}; features missing from the mapping stay auto. -#}
    {%- set requested = var('feature_transforms', 'auto') -%}
    {%- set allowed = ['auto', 'log1p', 'none'] -%}
    {%- set chosen = {} -%}
    {%- if requested is mapping -%}
        {%- for name, transform in requested.items() -%}
            {%- if name not in features -%}
                {{ exceptions.raise_compiler_error("var feature_transforms names " ~ quote_literal(name) ~ ", which is not a segmentation feature (" ~ features | join(', ') ~ "). Fix: drop it or correct the name.") }}
            {%- endif -%}
            {%- if (transform | string | trim | lower) not in allowed -%}
                {{ exceptions.raise_compiler_error("var feature_transforms sets " ~ quote_literal(name) ~ " to " ~ quote_literal(transform) ~ ". Fix: use log1p, none or auto, e.g. --vars '{feature_transforms: {monetary: log1p}}'.") }}
            {%- endif -%}
        {%- endfor -%}
        {%- for name in features -%}
            {%- do chosen.update({name: (requested.get(name, 'auto') | string | trim | lower)}) -%}
        {%- endfor -%}
    {%- elif (requested | string | trim | lower) in ['auto', 'none'] -%}
        {%- for name in features -%}{%- do chosen.update({name: requested | string | trim | lower}) -%}{%- endfor -%}
    {%- else -%}
        {{ exceptions.raise_compiler_error("var feature_transforms = " ~ quote_literal(requested) ~ " is not supported. Fix: use auto, none, or a mapping such as --vars '{feature_transforms: {monetary: log1p, age: none}}'.") }}
    {%- endif -%}
    {{ return(chosen) }}
{% endmacro %}

{#- The per-customer preparation shared by the fit (int_customer_features_scaled) and SQL scoring
    (assign_nearest_segment), so both apply exactly the same arithmetic:
    scaled = (clip(transform(coalesce(value, impute_value))) - center) / scale. -#}

{% macro transformed_value(value, transform) -%}
    case when {{ transform }} = 'log1p' then ln(1 + {{ value }}) else {{ value }} end
{%- endmacro %}

{% macro clipped_value(value, clip_lower, clip_upper) -%}
    case
        when {{ clip_lower }} is not null and {{ value }} < {{ clip_lower }} then {{ clip_lower }}
        when {{ clip_upper }} is not null and {{ value }} > {{ clip_upper }} then {{ clip_upper }}
        else {{ value }}
    end
{%- endmacro %}

{% macro prepared_value(value, impute_value, transform, clip_lower, clip_upper) -%}
    {{ clipped_value(transformed_value('coalesce(' ~ value ~ ', ' ~ impute_value ~ ')', transform), clip_lower, clip_upper) }}
{%- endmacro %}

{% macro scaled_value(value, impute_value, transform, clip_lower, clip_upper, center, scale) -%}
    ({{ prepared_value(value, impute_value, transform, clip_lower, clip_upper) }} - {{ center }}) / {{ scale }}
{%- endmacro %}

{% macro is_beyond_fence(value, impute_value, transform, clip_lower, clip_upper) -%}
    coalesce(
        {{ transformed_value('coalesce(' ~ value ~ ', ' ~ impute_value ~ ')', transform) }} < {{ clip_lower }}
        or {{ transformed_value('coalesce(' ~ value ~ ', ' ~ impute_value ~ ')', transform) }} > {{ clip_upper }},
        false
    )
{%- endmacro %}

{% macro ordered_sum(expression) -%}
    {#- A sum that does not depend on row order or on how DuckDB splits the work across threads:
        the values are sorted, then added in that order. (sum / avg / stddev_pop over doubles move by
        ~1e-14 between runs, enough for Ward linkage to flip near-tied merges.) -#}
    list_sum(list_sort(list(cast({{ expression }} as double))))
{%- endmacro %}

{% macro median_of(expression) -%}
    percentile_cont(0.5) within group (order by {{ expression }})
{%- endmacro %}
