{#- The features profiled per segment: the segmentation features first (in their order), then every
    other numeric column of int_customer_features (behaviour, preferences, extra input columns).
    Returns a list of {name, label, is_clustered, order}. Empty at parse time. -#}
{% macro profile_features() %}
    {%- if not execute -%}{{ return([]) }}{%- endif -%}
    {%- set clustered = segmentation_features() -%}
    {%- set others = [] -%}
    {%- for column in adapter.get_columns_in_relation(ref('int_customer_features')) -%}
        {%- if column.is_number() and column.name not in ['source_row_number', 'is_female'] and column.name not in clustered -%}
            {%- do others.append(column.name) -%}
        {%- endif -%}
    {%- endfor -%}
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
    {#- |z| at or above which a segment is high / low on a feature (var segment_tier_threshold). -#}
    {%- set threshold = var('segment_tier_threshold', 0.5) -%}
    {%- if threshold is string -%}{%- set threshold = threshold | float -%}{%- endif -%}
    {%- if threshold <= 0 -%}
        {{ exceptions.raise_compiler_error("var segment_tier_threshold = " ~ threshold ~ " must be positive (default 0.5 standard deviations).") }}
    {%- endif -%}
    {{ return(threshold) }}
{% endmacro %}

{% macro note_when_no_orders(model_name) %}
    {#- Logs why an order-based model builds empty on customers-only input. -#}
    {%- if execute and not has_orders_input() -%}
        {%- do log("Note: " ~ model_name ~ " needs orders; the input has customers only (var orders_path unset while customers_path is set), so it builds empty.", info=true) -%}
    {%- endif -%}
{% endmacro %}
