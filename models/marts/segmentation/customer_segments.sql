with

assignments as (

    select * from {{ ref('segment_assignments') }}

),

segment_names as (

    select * from {{ ref('int_segment_names') }}

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
        fitted_model.algorithm
    from assignments
    inner join segment_names
        on assignments.segment_id = segment_names.segment_id
    cross join fitted_model

)

select * from final
