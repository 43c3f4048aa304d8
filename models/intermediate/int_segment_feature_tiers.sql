{#- One row per segment x profiled feature, with the segment's index, z-score, percentile and tier
    against the whole customer base. Rule (documented in _int_segments__models.yml):
      feature_index = segment mean / base mean (1 = same as everyone),
      z_score       = (segment mean - base mean) / base population std (0 when the std is 0),
      percentile    = where the segment's median sits among all customers (0 to 1),
      tier          = high when percentile >= Phi(t), low when percentile <= 1 - Phi(t), else average,
    with t = var segment_tier_threshold (default 0.5: the 31st / 69th percentiles, the cut-offs a
    +/- 0.5 standard deviation rule has on a normal feature, but immune to skew and outliers).
    A missing or NaN statistic gets no tier (null). -#}
{%- set band = segment_tier_band() -%}

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
        base_median,
        base_std,
        segment_mean / nullif(base_mean, 0) as feature_index,
        case
            when segment_mean is null or isnan(segment_mean) or isnan(base_mean) or isnan(base_std) then null
            when base_std > 0 then (segment_mean - base_mean) / base_std
            else 0
        end as z_score,
        segment_median_percentile as percentile
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
        base_median,
        base_std,
        feature_index,
        z_score,
        percentile,
        case
            when percentile is null or isnan(percentile) then null
            when percentile >= {{ band.upper }} then 'high'
            when percentile <= {{ band.lower }} then 'low'
            else 'average'
        end as tier
    from scored

)

select * from final
