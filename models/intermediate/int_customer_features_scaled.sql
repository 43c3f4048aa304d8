{#- One row per valid customer with the selected features, filled, transformed, clipped and scaled
    by the parameters in int_feature_scaling_parameters (macro scaled_value, shared with SQL scoring).
    Columns: customer_id, then one column per feature. -#}
{%- set features = segmentation_features() -%}

with

customer_features as (

    select * from {{ ref('int_customer_features') }}

),

parameters as (

    select * from {{ ref('int_feature_scaling_parameters') }}

),

parameters_wide as (

    select
        {%- for feature in features %}
        {%- set name = quote_literal(feature) %}
        max(case when feature_name = {{ name }} then impute_value end) as {{ quote_identifier(feature ~ '__impute') }},
        max(case when feature_name = {{ name }} then transform end) as {{ quote_identifier(feature ~ '__transform') }},
        max(case when feature_name = {{ name }} then clip_lower end) as {{ quote_identifier(feature ~ '__clip_lower') }},
        max(case when feature_name = {{ name }} then clip_upper end) as {{ quote_identifier(feature ~ '__clip_upper') }},
        max(case when feature_name = {{ name }} then center end) as {{ quote_identifier(feature ~ '__center') }},
        max(case when feature_name = {{ name }} then scale end) as {{ quote_identifier(feature ~ '__scale') }}{{ ',' if not loop.last }}
        {%- endfor %}
    from parameters

),

scaled as (

    select
        customer_features.customer_id,
        {%- for feature in features %}
        {%- set p = 'parameters_wide.' %}
        {{ scaled_value(
            'cast(customer_features.' ~ quote_identifier(feature) ~ ' as double)',
            p ~ quote_identifier(feature ~ '__impute'),
            p ~ quote_identifier(feature ~ '__transform'),
            p ~ quote_identifier(feature ~ '__clip_lower'),
            p ~ quote_identifier(feature ~ '__clip_upper'),
            p ~ quote_identifier(feature ~ '__center'),
            p ~ quote_identifier(feature ~ '__scale')
        ) }} as {{ quote_identifier(feature) }}{{ ',' if not loop.last }}
        {%- endfor %}
    from customer_features
    cross join parameters_wide

)

select * from scaled
order by customer_id
