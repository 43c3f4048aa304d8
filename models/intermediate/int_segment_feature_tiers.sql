{#- One row per segment x profiled feature, with the segment's index and tier against the whole
    customer base. Rule (documented in _int_segments__models.yml):
      feature_index = segment mean / base mean (1 = same as everyone),
      z_score       = (segment mean - base mean) / base population std (0 when the std is 0),
      tier          = high when z_score >= t, low when z_score <= -t, else average,
    with t = var segment_tier_threshold (default 0.5 standard deviations). -#}
{%- set threshold = segment_tier_threshold() -%}

with

feature_stats as (

    select * from {{ ref('int_segment_feature_stats') }}

),

scored as (

    select
        segment_id,
        feature_name,
        feature_label,
        feature_order,
        is_clustered,
        segment_customer_count,
        non_null_count,
        segment_mean,
        segment_median,
        base_mean,
        base_std,
        segment_mean / nullif(base_mean, 0) as feature_index,
        case
            when segment_mean is null then null
            when base_std > 0 then (segment_mean - base_mean) / base_std
            else 0
        end as z_score
    from feature_stats

),

final as (

    select
        segment_id,
        feature_name,
        feature_label,
        feature_order,
        is_clustered,
        segment_customer_count,
        non_null_count,
        segment_mean,
        segment_median,
        base_mean,
        base_std,
        feature_index,
        z_score,
        case
            when z_score >= {{ threshold }} then 'high'
            when z_score <= -{{ threshold }} then 'low'
            else 'average'
        end as tier
    from scored

)

select * from final
