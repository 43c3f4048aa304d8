{#- WARN: a feature was requested (it has a row in feature_scaling) but the clustering dropped it
    as constant or all-null (it is missing from the selected candidate's features). Named. -#}
{{ config(severity='warn') }}
{%- set sql -%}
with

feature_scaling as (

    select * from {{ ref('feature_scaling') }}

),

segmentation_candidates as (

    select * from {{ ref('segmentation_candidates') }}

),

kept_features as (

    {{ selected_candidate_features() }}

),

final as (

    select
        feature_scaling.feature_name,
        printf(
            'feature %s was requested but not clustered on: it is constant or all-null after cleaning. Fix: check its values in customer_features, or drop it from var segmentation_features.',
            feature_scaling.feature_name
        ) as finding
    from feature_scaling
    where feature_scaling.feature_name not in (select feature_name from kept_features)
        and exists (select 1 from segmentation_candidates where is_selected)

)

select * from final
{%- endset -%}
{{ health_report('feature_dropped', sql) }}
