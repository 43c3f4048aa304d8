with

candidates as (

    select * from {{ ref('segmentation_search') }}

),

final as (

    select
        algorithm,
        n_clusters,
        parameters,
        inertia,
        silhouette,
        calinski_harabasz,
        davies_bouldin,
        bic,
        aic,
        noise_share,
        is_selected,
        selection_reason,
        sample_size,
        features
    from candidates

)

select * from final
