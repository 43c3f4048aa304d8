{#- Which features the clustering uses, and how they are scaled. -#}

{% macro default_feature_sets() %}
    {#- Used when segmentation_features is auto: the first set with data (values that vary) in at
        least two of its features wins; when none has two, the first with any. Income in plain units stands in for
        annual_income_k (never both). So a customers file with age alone beside order lines is
        clustered on its buying behaviour, not on age in one dimension. -#}
    {{ return([
        ['age', 'annual_income_k', 'income', 'spending_score'],
        ['recency_days', 'frequency', 'monetary'],
    ]) }}
{% endmacro %}

{% macro varying_columns(relation, names) %}
    {#- The columns of `names` whose values vary in `relation` (in the order given), in one query:
        a column of nulls or of one value separates no one. -#}
    {%- if names | length == 0 -%}{{ return([]) }}{%- endif -%}
    {%- set checks = [] -%}
    {%- for name in names -%}{%- do checks.append("coalesce(min(" ~ quote_identifier(name) ~ ") < max(" ~ quote_identifier(name) ~ "), false)") -%}{%- endfor -%}
    {%- set row = run_query("select " ~ checks | join(', ') ~ " from " ~ relation).rows[0] -%}
    {%- set varying = [] -%}
    {%- for name in names -%}{%- if row[loop.index0] -%}{%- do varying.append(name) -%}{%- endif -%}{%- endfor -%}
    {{ return(varying) }}
{% endmacro %}

{% macro requested_features() %}
    {#- 'auto' or the list of feature names (validated by the var schema: a non-empty list). -#}
    {%- set requested = setting('segmentation_features') -%}
    {%- if requested == 'auto' -%}{{ return('auto') }}{%- endif -%}
    {{ return(requested) }}
{% endmacro %}

{% macro segmentation_features() %}
    {#- The resolved feature list (in order). Fails naming the available numeric columns when a
        requested feature does not exist or is not numeric. Empty at parse time. -#}
    {%- if not execute -%}{{ return([]) }}{%- endif -%}
    {%- set relation = ref('int_customer_features') -%}
    {%- set numeric = [] -%}
    {%- set text = [] -%}
    {%- set identifiers = [] -%}
    {%- for column in adapter.get_columns_in_relation(relation) -%}
        {%- if is_identifier_column(column.name) and column.name not in non_feature_columns() -%}{%- do identifiers.append(column.name) -%}
        {%- elif not column.is_number() -%}{%- do text.append(column.name) -%}
        {%- elif is_feature_column(column.name) -%}{%- do numeric.append(column.name) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- set requested = requested_features() -%}
    {%- if requested == 'auto' -%}
        {#- Jinja loops cannot reassign outer variables: collect the result in a namespace. -#}
        {%- set chosen = namespace(features=none, fallback=none) -%}
        {%- for feature_set in default_feature_sets() -%}
            {%- set present = [] -%}
            {%- for name in feature_set -%}{%- if name in numeric -%}{%- do present.append(name) -%}{%- endif -%}{%- endfor -%}
            {%- if present and chosen.features is none -%}
                {#- Data = values that vary: a column of nulls, or of zeros (the behaviour features
                    of customers-only input), separates no one. -#}
                {%- set checks = [] -%}
                {%- for name in present -%}{%- do checks.append("coalesce(min(" ~ quote_identifier(name) ~ ") < max(" ~ quote_identifier(name) ~ "), false)") -%}{%- endfor -%}
                {%- set row = run_query("select count(*), " ~ checks | join(', ') ~ " from " ~ relation).rows[0] -%}
                {%- set with_data = [] -%}
                {#- With no rows at all (dbt run --empty) the first set present is used as is. -#}
                {%- for name in present -%}{%- if row[0] == 0 or row[loop.index] -%}{%- do with_data.append(name) -%}{%- endif -%}{%- endfor -%}
                {%- if 'annual_income_k' in with_data and 'income' in with_data -%}{%- do with_data.remove('income') -%}{%- endif -%}
                {%- if with_data | length >= 2 or (with_data and row[0] == 0) -%}
                    {%- set chosen.features = with_data -%}
                {%- elif with_data and chosen.fallback is none -%}
                    {%- set chosen.fallback = with_data -%}
                {%- endif -%}
            {%- endif -%}
        {%- endfor -%}
        {%- if chosen.features is none -%}{%- set chosen.features = chosen.fallback -%}{%- endif -%}
        {%- if chosen.features is none -%}
            {#- Name only the columns whose values vary: an all-null column (age in a file without
                it) is no suggestion. -#}
            {%- set varying = varying_columns(relation, numeric) -%}
            {%- set customers = run_query("select count(*) from " ~ relation).rows[0][0] -%}
            {{ exceptions.raise_compiler_error("segmentation_features is auto, but none of the default features has data: each is missing, or the same for all "
                ~ customers ~ " customers, so it separates no one. Numeric columns whose values vary: " ~ (varying | join(', ') or 'none')
                ~ (" (nothing in this input tells customers apart: every order line a return, or one order of the same amount each? See stg_orders, orders_rejected and the base models' console lines)" if not varying else "")
                ~ ". Fix: --vars '{segmentation_features: [...]}' with columns that vary.") }}
        {%- endif -%}
        {{ return(chosen.features) }}
    {%- endif -%}
    {%- for name in requested -%}
        {%- if name in identifiers -%}
            {{ exceptions.raise_compiler_error("segmentation_features includes '" ~ name ~ "', which is an identifier or a code (an id, a postal code or a phone number carried as an extra column), not a quantity to cluster on. Numeric features available: " ~ numeric | join(', ') ~ ". Fix: drop it from var segmentation_features.") }}
        {%- elif name in text -%}
            {{ exceptions.raise_compiler_error("segmentation_features includes '" ~ name ~ "', which is not numeric. Numeric features available: " ~ numeric | join(', ') ~ ". Fix: drop it from var segmentation_features (gender is available as is_female).") }}
        {%- elif name not in numeric -%}
            {{ exceptions.raise_compiler_error("segmentation_features includes '" ~ name ~ "', which int_customer_features does not have. Numeric features available: " ~ numeric | join(', ') ~ ". Fix: correct var segmentation_features (behaviour features need orders).") }}
        {%- endif -%}
    {%- endfor -%}
    {{ return(requested) }}
{% endmacro %}

{% macro scaling_method() %}
    {#- standard | minmax | robust | none (var scaling, checked by the one validator). -#}
    {{ return(setting('scaling')) }}
{% endmacro %}

{% macro skew_threshold() %}
    {{ return(setting('skew_threshold')) }}
{% endmacro %}

{% macro outlier_fence() %}
    {#- Clip beyond Q1 - f x IQR / Q3 + f x IQR on the transformed scale; 0 turns the fence off. -#}
    {{ return(setting('outlier_fence')) }}
{% endmacro %}

{% macro feature_transforms(features) %}
    {#- {feature: 'auto' | 'log1p' | 'none'} from var feature_transforms: auto (log1p when the
        feature is non-negative and its skewness exceeds skew_threshold), none, or a mapping
        {feature: log1p | none | auto}; features missing from the mapping stay auto. The values are
        checked by the var schema; only the names depend on the data and are checked here. -#}
    {%- set requested = setting('feature_transforms') -%}
    {%- set chosen = {} -%}
    {%- if requested is mapping -%}
        {%- for name in requested -%}
            {%- if name not in features -%}
                {{ exceptions.raise_compiler_error("var feature_transforms names " ~ quote_literal(name) ~ ", which is not a segmentation feature (" ~ features | join(', ') ~ "). Fix: drop it or correct the name.") }}
            {%- endif -%}
        {%- endfor -%}
        {%- for name in features -%}
            {%- do chosen.update({name: requested.get(name, 'auto')}) -%}
        {%- endfor -%}
    {%- else -%}
        {%- for name in features -%}{%- do chosen.update({name: requested}) -%}{%- endfor -%}
    {%- endif -%}
    {{ return(chosen) }}
{% endmacro %}

{#- The per-customer preparation shared by the fit (int_customer_features_scaled) and SQL scoring
    (assign_nearest_segment, via scaled_columns), so both apply exactly the same arithmetic:
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

{% macro sorted_values(expression) -%}
    {#- Aggregate: the group's values as doubles, sorted; add them with sorted_sum, so that a sum
        does not depend on row order or on how DuckDB splits the work across threads (sum / avg /
        stddev_pop over doubles move by ~1e-14 between runs, enough for Ward linkage to flip
        near-tied merges). Sort once, then add several expressions in that order. -#}
    list_sort(list(cast({{ expression }} as double)))
{%- endmacro %}

{% macro sorted_sum(sorted_list, expression='v') -%}
    {#- The sum of `expression` (in terms of `v`, one value of the list) over a list from
        sorted_values, added in the list's order: the same result whatever the row order or thread
        split. Other columns of the row may appear in `expression`. -#}
    {%- if expression == 'v' -%}
    list_sum({{ sorted_list }})
    {%- else -%}
    list_sum(list_transform({{ sorted_list }}, lambda v: {{ expression }}))
    {%- endif -%}
{%- endmacro %}

{% macro exact_sum(expression, width=38) -%}
    {#- A sum of money that is the same whatever the row order or thread split: each value rounded to
        6 decimals, added exactly in DECIMAL, returned as double. Cheaper than sorting:
        1M customers x 10 lines, 0.8 s against 0.65 s for a plain double sum and 2.2 s for
        list_sum(list_sort(list(x))). `width` 18 (values below 1e12, see exact_sum_width) casts to
        64-bit decimals, about a third cheaper than 38 (values below 1e32); the sum is DECIMAL(38, 6)
        either way, so the result is the same. -#}
    cast({{ decimal_sum(expression, width) }} as double)
{%- endmacro %}

{% macro exact_amount(expression, width=38) -%}
    {#- A line's value as exact_sum adds it (rounded to 6 decimals, in DECIMAL): cast once per line
        when several sums read it (exact_sum_where), not once in each sum. -#}
    cast({{ expression }} as decimal({{ width }}, 6))
{%- endmacro %}

{% macro exact_sum_where(exact_column, condition) -%}
    {#- exact_sum of an exact_amount column over the rows where `condition` holds, 0 when none
        does. A FILTER clause rather than `sum(case when ... else 0 end)`: at 10M order lines the
        customer aggregate of int_customer_features (monetary, six category sums, online) took
        3.0-3.1 s against 3.7-4.0 s with a cast and a case in every sum, the sums identical.
        FILTER is DuckDB's and Postgres' (elsewhere: sum(case when condition then x end)). -#}
    cast(coalesce(sum({{ exact_column }}) filter (where {{ condition }}), 0) as double)
{%- endmacro %}

{% macro decimal_sum(expression, width=38) -%}
    {#- exact_sum before its cast back to double: for sums that are added up again (sums of sums
        stay exact and order-free only in DECIMAL). -#}
    sum(cast({{ expression }} as decimal({{ width }}, 6)))
{%- endmacro %}

{% macro exact_sum_width(relation, column) -%}
    {#- 18 when every value of `column` in `relation` is below 1e12 in magnitude (DECIMAL(18, 6)
        holds it), else 38. DuckDB answers max() of a stored column from its statistics (~1 ms at
        10M lines). Outside execution (parse, docs) 38, which reads any value. -#}
    {%- if not execute -%}{{ return(38) }}{%- endif -%}
    {%- set largest = run_query('select max(abs(' ~ quote_identifier(column) ~ ')) from ' ~ relation).columns[0].values()[0] -%}
    {{ return(18 if largest is none or largest < 1e12 else 38) }}
{%- endmacro %}

{% macro median_of(expression) -%}
    percentile_cont(0.5) within group (order by {{ expression }})
{%- endmacro %}
