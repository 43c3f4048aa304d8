{%- set features = segmentation_features() -%}

with

assignments as (

    select * from {{ ref('segment_assignments') }}

),

segment_names as (

    select * from {{ ref('int_segment_names') }}

),

outlier_flags as (

    {{ customer_outlier_flags(ref('int_customer_features'), features, ref('int_feature_scaling_parameters')) }}

),

fitted_model as (

    select distinct algorithm from {{ ref('segmentation_model') }}

),

final as (

    select
        assignments.customer_id,
        assignments.segment_id,
        segment_names.segment_name,
        assignments.membership_probability,
        assignments.distance_to_centroid,
        assignments.is_noise,
        coalesce(outlier_flags.is_outlier, false) as is_outlier,
        outlier_flags.outlier_features,
        fitted_model.algorithm
    from assignments
    inner join segment_names
        on assignments.segment_id = segment_names.segment_id
    left join outlier_flags
        on assignments.customer_id = outlier_flags.customer_id
    cross join fitted_model

)

select * from final
