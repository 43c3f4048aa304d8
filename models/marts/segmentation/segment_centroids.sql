{#- The final centres: the fitted model's, after the SQL K-Means refinement over everyone
    (int_segment_centroids_refined; the same as the fit when the base fits in the sample). -#}
with

refined as (

    select * from {{ ref('int_segment_centroids_refined') }}
    where is_final

),

fitted_model as (

    select distinct algorithm from {{ ref('segmentation_model') }}

),

scaling as (

    select * from {{ ref('int_feature_scaling_parameters') }}

),

centroids as (

    select
        refined.segment_id,
        refined.feature_name,
        scaling.feature_order,
        fitted_model.algorithm,
        refined.centroid_scaled,
        -- Back to the feature's own units: undo the scaling, then the transform (log1p -> expm1).
        -- A clipped feature's centre is on the clipped scale.
        case
            when scaling.transform = 'log1p' then exp(refined.centroid_scaled * scaling.scale + scaling.center) - 1
            else refined.centroid_scaled * scaling.scale + scaling.center
        end as centroid_value
    from refined
    inner join scaling
        on refined.feature_name = scaling.feature_name
    cross join fitted_model

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
