{#- One row per valid customer with the selected features, imputed and scaled by the parameters
    in int_feature_scaling_parameters. Columns: customer_id, then one column per feature. -#}
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
        max(case when feature_name = '{{ feature }}' then impute_value end) as {{ adapter.quote(feature ~ '__impute') }},
        max(case when feature_name = '{{ feature }}' then center end) as {{ adapter.quote(feature ~ '__center') }},
        max(case when feature_name = '{{ feature }}' then scale end) as {{ adapter.quote(feature ~ '__scale') }}{{ ',' if not loop.last }}
        {%- endfor %}
    from parameters

),

scaled as (

    select
        customer_features.customer_id,
        {%- for feature in features %}
        (
            coalesce(cast(customer_features.{{ adapter.quote(feature) }} as double), parameters_wide.{{ adapter.quote(feature ~ '__impute') }})
            - parameters_wide.{{ adapter.quote(feature ~ '__center') }}
        ) / parameters_wide.{{ adapter.quote(feature ~ '__scale') }} as {{ adapter.quote(feature) }}{{ ',' if not loop.last }}
        {%- endfor %}
    from customer_features
    cross join parameters_wide

)

select * from scaled
order by customer_id
