{#- One row per selected feature: how missing values are filled and how the feature is scaled,
    so that scaled = (coalesce(value, impute_value) - center) / scale. Matches scikit-learn's
    SimpleImputer(strategy="median") followed by StandardScaler (population std) or MinMaxScaler. -#}
{%- set features = segmentation_features() -%}
{%- set method = scaling_method() -%}
{%- do validate_clustering_vars() -%}

with

customer_features as (

    select * from {{ ref('int_customer_features') }}

),

medians as (

    select
        {%- for feature in features %}
        {{ median_of(adapter.quote(feature)) }} as {{ adapter.quote(feature) }}{{ ',' if not loop.last }}
        {%- endfor %}
    from customer_features

),

filled_stats as (

    {%- for feature in features %}
    select
        '{{ feature }}' as feature_name,
        {{ loop.index }} as feature_order,
        count(customer_features.{{ adapter.quote(feature) }}) as non_null_count,
        count(*) - count(customer_features.{{ adapter.quote(feature) }}) as imputed_count,
        max(medians.{{ adapter.quote(feature) }}) as impute_value,
        avg(coalesce(customer_features.{{ adapter.quote(feature) }}, medians.{{ adapter.quote(feature) }})) as mean_value,
        stddev_pop(coalesce(customer_features.{{ adapter.quote(feature) }}, medians.{{ adapter.quote(feature) }})) as std_pop,
        min(coalesce(customer_features.{{ adapter.quote(feature) }}, medians.{{ adapter.quote(feature) }})) as min_value,
        max(coalesce(customer_features.{{ adapter.quote(feature) }}, medians.{{ adapter.quote(feature) }})) as max_value
    from customer_features
    cross join medians
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}

),

parameters as (

    select
        feature_name,
        feature_order,
        '{{ method }}' as method,
        {%- if method == 'standard' %}
        coalesce(mean_value, 0) as center,
        -- A constant feature keeps scale 1 (as scikit-learn does); clustering drops it with a warning.
        case when std_pop > 0 then std_pop else 1 end as scale,
        {%- elif method == 'minmax' %}
        coalesce(min_value, 0) as center,
        case when max_value > min_value then max_value - min_value else 1 end as scale,
        {%- else %}
        cast(0 as double) as center,
        cast(1 as double) as scale,
        {%- endif %}
        impute_value,
        imputed_count,
        non_null_count,
        mean_value,
        std_pop,
        min_value,
        max_value
    from filled_stats

)

select * from parameters
