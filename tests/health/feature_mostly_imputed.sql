{#- WARN: a feature the clustering uses had more than 20% of its values missing, each filled with
    the feature's median (feature_scaling.impute_value). The filled customers form one spike of
    identical values: past a fifth of the base it is as large as an average segment of a
    five-segment solution, so K-Means can give it a segment of its own ("no age" against "has
    age"), and it narrows the feature's spread (the std by about 10% at 20%), which skews the
    skewness test of the transform and the fence. Named, with the share and the fill value.
    Reads feature_scaling and the selected candidate (a few rows each). -#}
{{ config(severity='warn') }}
{%- set max_imputed_share = 0.2 -%}
{%- set sql -%}
with

feature_scaling as (

    select * from {{ ref('feature_scaling') }}

),

segmentation_candidates as (

    select * from {{ ref('segmentation_candidates') }}

),

clustered_features as (

    {{ selected_candidate_features() }}

),

imputed as (

    select
        feature_name,
        impute_value,
        imputed_count,
        imputed_count + non_null_count as customer_count,
        imputed_count / nullif(imputed_count + non_null_count, 0) as imputed_share
    from feature_scaling
    where feature_name in (select feature_name from clustered_features)

),

final as (

    select
        feature_name,
        imputed_count,
        customer_count,
        round(imputed_share, 4) as imputed_share,
        printf(
            'feature %s is missing for %.1f%% of the customers clustered (%s of %s), over %d%%: each was filled with its median (%s), so the segments can split on has-a-value / has-none instead of on %s. Fix: drop %s from var segmentation_features, or fill the values in the input (a wrong column mapping? var customer_columns; for order features: customers without purchases).',
            feature_name, 100 * imputed_share, format('{:,}', imputed_count), format('{:,}', customer_count),
            {{ (100 * max_imputed_share) | int }}, cast(round(impute_value, 4) as varchar), feature_name, feature_name
        ) as finding
    from imputed
    where imputed_share > {{ max_imputed_share }}

)

select * from final
{%- endset -%}
{{ health_report('feature_mostly_imputed', sql) }}
