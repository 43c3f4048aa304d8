{#- One row per valid customer: the segment of the fitted model, in SQL for
    K-Means: the nearest final centroid of int_segment_centroids_refined (ties to the lowest
    segment_id: exactly the Python fit's rule);
    Gaussian mixtures: the component with the highest posterior, from the stored precision
    matrices and log normalisers (log joint = log_normaliser - (x - mean)' P (x - mean) / 2), with
    its posterior probability; ties to the lowest segment_id, as numpy's argmax;
    and from int_segment_assignments_python for agglomerative and DBSCAN (nearest exemplar). -#}
{%- set features = segmentation_features() -%}
-- depends_on: {{ ref('int_customer_features') }}

with

customers as (

    select * from {{ ref('int_customer_features_scaled') }}

),

fitted_model as (

    select distinct algorithm from {{ ref('segmentation_model') }}

),

final_centroids as (

    select refined.*
    from {{ ref('int_segment_centroids_refined') }} as refined
    cross join fitted_model
    where refined.is_final
        and fitted_model.algorithm = 'kmeans'

),

kmeans_centroids as (

    {{ centroids_wide('final_centroids', features, value_column='centroid_scaled') }}

),

kmeans_nearest as (

    {{ nearest_centroid('customers', features, 'kmeans_centroids') }}

),

gmm_posterior as (

    {{ gmm_posterior('customers', features, ref('segmentation_model')) }}

),

python_assigned as (

    select * from {{ ref('int_segment_assignments_python') }}

),

final as (

    select
        cast(customer_id as varchar) as customer_id,
        cast(segment_id as bigint) as segment_id,
        cast(1.0 as double) as membership_probability,
        sqrt(squared_distance) as distance_to_centroid,
        false as is_noise
    from kmeans_nearest

    union all

    select
        cast(customer_id as varchar) as customer_id,
        cast(segment_id as bigint) as segment_id,
        cast(membership_probability as double) as membership_probability,
        sqrt(squared_distance) as distance_to_centroid,
        false as is_noise
    from gmm_posterior

    union all

    select
        customer_id,
        segment_id,
        membership_probability,
        distance_to_centroid,
        is_noise
    from python_assigned

)

select * from final
