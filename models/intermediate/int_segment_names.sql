{#- One row per segment: a provisional name and description. -#}
with

assignments as (

    select * from {{ ref('segment_assignments') }}

),

segments as (

    select distinct segment_id, is_noise from assignments

),

final as (

    select
        segment_id,
        case when is_noise then 'Unclustered (noise)' else 'Segment ' || cast(segment_id as varchar) end as segment_name,
        case when is_noise then 'Customers DBSCAN could not place in any dense group.'
            else 'Customers the model grouped as segment ' || cast(segment_id as varchar) || '.' end as segment_description
    from segments

)

select * from final
