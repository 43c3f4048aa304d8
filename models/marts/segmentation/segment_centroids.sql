with

fitted_model as (

    select * from {{ ref('segmentation_model') }}

),

scaling as (

    select * from {{ ref('int_feature_scaling_parameters') }}

),

centroids as (

    select
        fitted_model.segment_id,
        fitted_model.feature_name,
        scaling.feature_order,
        fitted_model.algorithm,
        fitted_model.value as centroid_scaled,
        -- Back to the feature's own units: undo the scaling, then the transform (log1p -> expm1).
        -- A clipped feature's centre is on the clipped scale.
        case
            when scaling.transform = 'log1p' then exp(fitted_model.value * scaling.scale + scaling.center) - 1
            else fitted_model.value * scaling.scale + scaling.center
        end as centroid_value
    from fitted_model
    inner join scaling
        on fitted_model.feature_name = scaling.feature_name
    where fitted_model.parameter = 'centroid'

),

final as (

    select
        segment_id,
        feature_name,
        feature_order,
        algorithm,
        centroid_scaled,
        centroid_value
    from centroids

)

select * from final
