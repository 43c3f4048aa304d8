{#- One row per valid customer with the selected features, filled, transformed, clipped and scaled
    by the parameters in int_feature_scaling_parameters (macro scaled_columns, shared with SQL scoring).
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

    {{ scaling_parameters_wide('parameters', features) }}

),

scaled as (

    select
        customer_features.customer_id,
        {{ scaled_columns('customer_features', 'parameters_wide', features) }}
    from customer_features
    cross join parameters_wide

)

select * from scaled
order by customer_id
