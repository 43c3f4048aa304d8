{#- One row per selected feature: how a value becomes what the clustering sees,
        scaled = (clip(transform(coalesce(value, impute_value))) - center) / scale
    1. missing values are filled with the feature's median (scikit-learn SimpleImputer(median));
    2. transform: log1p when var feature_transforms says so, or (auto) when the feature is
       non-negative and its skewness exceeds var skew_threshold;
    3. clip to [Q1 - f x IQR, Q3 + f x IQR] of the transformed values (f = var outlier_fence; no
       clipping when f = 0 or the IQR is 0);
    4. center / scale of the transformed, clipped values: standard (mean / population std),
       minmax (min / range), robust (median / IQR, as RobustScaler) or none (0 / 1).
    Each stage sorts a feature's values once (filled, then clipped) and every sum adds in that order
    (sorted_sum), so the parameters are bit-identical from run to run and for shuffled input rows;
    quantiles are sort-based anyway. -#}
{%- set features = segmentation_features() -%}
{%- set method = scaling_method() -%}
{%- set transforms = feature_transforms(features) -%}
{%- set fence = outlier_fence() -%}
{%- set skew_limit = skew_threshold() -%}
{%- do validate_clustering_vars() -%}

with

customer_features as (

    select * from {{ ref('int_customer_features') }}

),

feature_values as (

    {%- for feature in features %}
    select
        customer_id,
        cast({{ quote_literal(feature) }} as varchar) as feature_name,
        {{ loop.index }} as feature_order,
        cast({{ quote_literal(transforms[feature]) }} as varchar) as requested_transform,
        cast({{ quote_identifier(feature) }} as double) as raw_value
    from customer_features
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}

),

imputation as (

    select
        feature_name,
        feature_order,
        requested_transform,
        count(raw_value) as non_null_count,
        count(*) - count(raw_value) as imputed_count,
        {{ median_of('raw_value') }} as impute_value
    from feature_values
    group by feature_name, feature_order, requested_transform

),

filled as (

    select
        feature_values.customer_id,
        feature_values.feature_name,
        coalesce(feature_values.raw_value, imputation.impute_value) as filled_value
    from feature_values
    inner join imputation
        on feature_values.feature_name = imputation.feature_name

),

filled_sorted as (

    select
        feature_name,
        count(*) as customer_count,
        min(filled_value) as min_value,
        max(filled_value) as max_value,
        {{ sorted_values('filled_value') }} as sorted_values
    from filled
    group by feature_name

),

filled_means as (

    select
        *,
        {{ sorted_sum('sorted_values') }} / customer_count as mean_value
    from filled_sorted

),

filled_spread as (

    select
        feature_name,
        sqrt({{ sorted_sum('sorted_values', '(v - mean_value) * (v - mean_value)') }} / customer_count) as std_pop
    from filled_means

),

filled_skewness as (

    -- Population (Fisher-Pearson) skewness g1, as scipy.stats.skew(bias=True).
    select
        filled_means.feature_name,
        case
            when filled_spread.std_pop > 0
                then {{ sorted_sum('filled_means.sorted_values', 'power((v - filled_means.mean_value) / filled_spread.std_pop, 3)') }}
                    / filled_means.customer_count
        end as skewness
    from filled_means
    inner join filled_spread
        on filled_means.feature_name = filled_spread.feature_name

),

transform_choice as (

    select
        imputation.feature_name,
        case
            when imputation.requested_transform = 'log1p' and filled_means.min_value < 0
                then error('feature_transforms asks log1p for ' || imputation.feature_name
                    || ', which has negative values (min ' || cast(filled_means.min_value as varchar)
                    || '). Fix: set it to none in var feature_transforms.')
            when imputation.requested_transform = 'log1p' then 'log1p'
            when imputation.requested_transform = 'auto'
                and filled_means.min_value >= 0
                and filled_skewness.skewness > {{ skew_limit }}
                then 'log1p'
            else 'none'
        end as transform
    from imputation
    inner join filled_means
        on imputation.feature_name = filled_means.feature_name
    inner join filled_skewness
        on imputation.feature_name = filled_skewness.feature_name

),

transformed as (

    select
        filled.feature_name,
        {{ transformed_value('filled.filled_value', 'transform_choice.transform') }} as transformed_value
    from filled
    inner join transform_choice
        on filled.feature_name = transform_choice.feature_name

),

fences as (

    select
        feature_name,
        percentile_cont(0.25) within group (order by transformed_value) as transformed_q1,
        percentile_cont(0.75) within group (order by transformed_value) as transformed_q3
    from transformed
    group by feature_name

),

clip_bounds as (

    -- With an IQR of 0 (e.g. most customers bought once) a fence would flatten the feature: no clipping.
    select
        feature_name,
        case when {{ fence }} > 0 and transformed_q3 > transformed_q1
            then transformed_q1 - {{ fence }} * (transformed_q3 - transformed_q1) end as clip_lower,
        case when {{ fence }} > 0 and transformed_q3 > transformed_q1
            then transformed_q3 + {{ fence }} * (transformed_q3 - transformed_q1) end as clip_upper
    from fences

),

clipped as (

    select
        transformed.feature_name,
        transformed.transformed_value,
        {{ clipped_value('transformed.transformed_value', 'clip_bounds.clip_lower', 'clip_bounds.clip_upper') }} as clipped_value
    from transformed
    inner join clip_bounds
        on transformed.feature_name = clip_bounds.feature_name

),

clipped_stats as (

    select
        clipped.feature_name,
        count(*) filter (
            where clipped.transformed_value < clip_bounds.clip_lower
                or clipped.transformed_value > clip_bounds.clip_upper
        ) as outlier_count,
        count(*) as customer_count,
        {{ sorted_values('clipped.clipped_value') }} as sorted_values,
        min(clipped.clipped_value) as clipped_min,
        max(clipped.clipped_value) as clipped_max,
        percentile_cont(0.25) within group (order by clipped.clipped_value) as clipped_q1,
        percentile_cont(0.5) within group (order by clipped.clipped_value) as clipped_median,
        percentile_cont(0.75) within group (order by clipped.clipped_value) as clipped_q3
    from clipped
    inner join clip_bounds
        on clipped.feature_name = clip_bounds.feature_name
    group by clipped.feature_name

),

clipped_means as (

    select
        feature_name,
        customer_count,
        sorted_values,
        {{ sorted_sum('sorted_values') }} / customer_count as clipped_mean
    from clipped_stats

),

clipped_spread as (

    select
        feature_name,
        clipped_mean,
        sqrt({{ sorted_sum('sorted_values', '(v - clipped_mean) * (v - clipped_mean)') }} / customer_count) as clipped_std
    from clipped_means

),

parameters as (

    select
        imputation.feature_name,
        imputation.feature_order,
        cast({{ quote_literal(method) }} as varchar) as method,
        {%- if method == 'standard' %}
        coalesce(clipped_spread.clipped_mean, 0) as center,
        -- A constant feature keeps scale 1 (as scikit-learn does); clustering drops it with a warning.
        case when clipped_spread.clipped_std > 0 then clipped_spread.clipped_std else 1 end as scale,
        {%- elif method == 'minmax' %}
        coalesce(clipped_stats.clipped_min, 0) as center,
        case when clipped_stats.clipped_max > clipped_stats.clipped_min
            then clipped_stats.clipped_max - clipped_stats.clipped_min else 1 end as scale,
        {%- elif method == 'robust' %}
        coalesce(clipped_stats.clipped_median, 0) as center,
        case when clipped_stats.clipped_q3 > clipped_stats.clipped_q1
            then clipped_stats.clipped_q3 - clipped_stats.clipped_q1 else 1 end as scale,
        {%- else %}
        cast(0 as double) as center,
        cast(1 as double) as scale,
        {%- endif %}
        imputation.impute_value,
        imputation.imputed_count,
        imputation.non_null_count,
        filled_means.mean_value,
        filled_spread.std_pop,
        filled_means.min_value,
        filled_means.max_value,
        transform_choice.transform,
        filled_skewness.skewness,
        clip_bounds.clip_lower,
        clip_bounds.clip_upper,
        clipped_stats.outlier_count
    from imputation
    inner join filled_means on imputation.feature_name = filled_means.feature_name
    inner join filled_spread on imputation.feature_name = filled_spread.feature_name
    inner join filled_skewness on imputation.feature_name = filled_skewness.feature_name
    inner join transform_choice on imputation.feature_name = transform_choice.feature_name
    inner join clip_bounds on imputation.feature_name = clip_bounds.feature_name
    inner join clipped_stats on imputation.feature_name = clipped_stats.feature_name
    inner join clipped_spread on imputation.feature_name = clipped_spread.feature_name

)

select * from parameters
order by feature_order
