{#- WARN: var outlier_fence clipped more than 5% of the customers on a feature the clustering uses
    (feature_scaling.outlier_count). The fence (Q1 - f x IQR, Q3 + f x IQR of the transformed
    values) is there for a few impossible values: at the default f = 3 it lies 4.7 standard
    deviations out on a normal feature (about 2 customers in a million beyond it) and clips under 1%
    of an exponential one. Above 5% it cuts into a real group (the whales of a heavy-tailed income),
    which then sits on the fence alike and merges into another segment. Named, with the count, the
    share and the fence in the feature's own units. Reads feature_scaling and the selected
    candidate (a few rows each). -#}
{{ config(severity='warn') }}
{%- set max_clipped_share = 0.05 -%}
{%- set fence = setting('outlier_fence') -%}
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

clipped as (

    select
        feature_name,
        transform,
        outlier_count,
        imputed_count + non_null_count as customer_count,
        outlier_count / nullif(imputed_count + non_null_count, 0) as clipped_share,
        -- the fence in the feature's own units (clip_lower / clip_upper are on the transformed scale)
        case when transform = 'log1p' then exp(clip_lower) - 1 else clip_lower end as fence_lower,
        case when transform = 'log1p' then exp(clip_upper) - 1 else clip_upper end as fence_upper
    from feature_scaling
    where feature_name in (select feature_name from clustered_features)

),

final as (

    select
        feature_name,
        outlier_count,
        customer_count,
        round(clipped_share, 4) as clipped_share,
        printf(
            'the outlier fence clipped %s of %s customers (%.1f%%) on %s, over %d%%: every value outside [%s, %s] is set to the nearer bound (var outlier_fence = %s x IQR%s), so a group of customers with very high or low %s looks alike to the clustering and merges into another segment. Fix: raise var outlier_fence (0 = off)%s.',
            format('{:,}', outlier_count), format('{:,}', customer_count), 100 * clipped_share, feature_name,
            {{ (100 * max_clipped_share) | int }}, cast(round(fence_lower, 2) as varchar), cast(round(fence_upper, 2) as varchar), {{ quote_literal(fence) }},
            case when transform = 'log1p' then ' of log1p(' || feature_name || ')' else '' end,
            feature_name,
            case
                when transform = 'log1p' then ''
                else ', or transform it: var feature_transforms: {' || feature_name || ': log1p}'
            end
        ) as finding
    from clipped
    where clipped_share > {{ max_clipped_share }}

)

select * from final
{%- endset -%}
{{ health_report('outlier_fence_clips_many', sql) }}
