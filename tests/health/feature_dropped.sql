{#- WARN: a feature was requested (it has a row in feature_scaling) but the clustering dropped it
    as constant or all-null (it is missing from the selected candidate's features). Named, with
    the fix: for tenure_days / recency_days on customers-only input, the reference date. -#}
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
            'feature %s was requested but not clustered on: it is constant or all-null after cleaning. %s',
            feature_scaling.feature_name,
            coalesce(
            -- Days are counted to a reference date: the day after the last purchase, which
            -- customers-only input does not have (recency needs orders whatever the date).
            case feature_scaling.feature_name
                when 'recency_days' then {{ "'Fix: recency is counted from each customer''s last order, and this input has no orders: set var orders_path, or drop it from var segmentation_features.'" if not has_input('orders') else 'null' }}
                when 'tenure_days' then {{ "'Fix: tenure is counted from signup_date to a reference date, the day after the last purchase, and this input has no orders: set var as_of_date (e.g. the export''s date).'" if not has_input('orders') and setting('as_of_date') is none else 'null' }}
            end,
            'Fix: check its values in customer_features, or drop it from var segmentation_features.')
        ) as finding
    from feature_scaling
    where feature_scaling.feature_name not in (select feature_name from kept_features)
        and exists (select 1 from segmentation_candidates where is_selected)

)

select * from final
{%- endset -%}
{{ health_report('feature_dropped', sql) }}
