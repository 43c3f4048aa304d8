{#- The features profiled per segment: the segmentation features first (in their order), then every
    other numeric column of int_customer_features (behaviour, preferences, extra input columns)
    that is not in non_feature_columns() and varies: a column that is null or one value for
    everyone (the behaviour columns of a customers-only input are 0 / null) describes no segment.
    is_female is left out (segment_profiles has the gender mix). Returns a list of
    {name, label, is_clustered, order}. Empty at parse time. -#}
{% macro profile_features() %}
    {%- if not execute -%}{{ return([]) }}{%- endif -%}
    {%- set relation = ref('int_customer_features') -%}
    {%- set clustered = segmentation_features() -%}
    {%- set candidates = [] -%}
    {%- for column in adapter.get_columns_in_relation(relation) -%}
        {%- if column.is_number() and is_feature_column(column.name) and column.name != 'is_female' and column.name not in clustered -%}
            {%- do candidates.append(column.name) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- set others = [] -%}
    {%- if candidates -%}
        {%- set checks = [] -%}
        {%- for name in candidates -%}
            {%- do checks.append("coalesce(min(" ~ quote_identifier(name) ~ ") < max(" ~ quote_identifier(name) ~ "), false)") -%}
        {%- endfor -%}
        {%- set row = run_query("select count(*), " ~ checks | join(', ') ~ " from " ~ relation).rows[0] -%}
        {%- for name in candidates -%}
            {#- With no rows at all (dbt run --empty) every column is kept, so the schema is the full one. -#}
            {%- if row[0] == 0 or row[loop.index] -%}{%- do others.append(name) -%}{%- endif -%}
        {%- endfor -%}
    {%- endif -%}
    {%- set features = [] -%}
    {%- for name in clustered + others -%}
        {%- do features.append({
            'name': name,
            'label': name.replace('_', ' ') | title,
            'is_clustered': name in clustered,
            'order': loop.index,
        }) -%}
    {%- endfor -%}
    {{ return(features) }}
{% endmacro %}

{% macro segment_tier_threshold() %}
    {#- t in var segment_tier_threshold, (0, 3] by the var schema: tiers cut at the Phi(t) / 1 - Phi(t) percentiles. -#}
    {{ return(setting('segment_tier_threshold')) }}
{% endmacro %}

{% macro segment_tier_band() %}
    {#- {lower, upper}: the percentiles of the customer base where tiers change, Phi(-t) and Phi(t)
        for t = segment_tier_threshold (Phi = standard normal CDF; erf by Abramowitz-Stegun 7.1.26,
        error < 2e-7). t = 0.5 gives 0.3085 / 0.6915. -#}
    {%- set t = segment_tier_threshold() -%}
    {%- set y = t / 1.4142135623730951 -%}
    {%- set k = 1 / (1 + 0.3275911 * y) -%}
    {%- set poly = k * (0.254829592 + k * (-0.284496736 + k * (1.421413741 + k * (-1.453152027 + k * 1.061405429)))) -%}
    {%- set erf = 1 - poly * (2.718281828459045 ** (-(y * y))) -%}
    {%- set upper = 0.5 * (1 + erf) -%}
    {{ return({'lower': 1 - upper, 'upper': upper}) }}
{% endmacro %}

{% macro note_when_no_orders(model_name) %}
    {#- Logs why an order-based model builds empty on customers-only input. -#}
    {%- if execute and not has_input('orders') -%}
        {%- do log("Note: " ~ model_name ~ " needs orders; the input has customers only (neither var orders_path nor orders_relation is set), so it builds empty.", info=true) -%}
    {%- endif -%}
{% endmacro %}

{% macro readable_number(expression) -%}
    {#- A number as a marketer writes it: whole above 10 ("16", "1240"), one decimal below ("0.4"). -#}
    case
        when {{ expression }} is null or isnan({{ expression }}) then 'n/a'
        when abs({{ expression }}) >= 9.95 then cast(cast(round({{ expression }}) as bigint) as varchar)
        else regexp_replace(format('{:.1f}', cast({{ expression }} as double)), '\.0$', '')
    end
{%- endmacro %}
