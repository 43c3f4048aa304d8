with

parameters as (

    select * from {{ ref('int_feature_scaling_parameters') }}

),

final as (

    select
        feature_name,
        feature_order,
        method,
        transform,
        skewness,
        clip_lower,
        clip_upper,
        outlier_count,
        center,
        scale,
        impute_value,
        imputed_count,
        non_null_count,
        mean_value,
        std_pop,
        min_value,
        max_value
    from parameters

)

select * from final
