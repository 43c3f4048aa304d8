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

gmm_rows as (

    select segmentation_model.*
    from {{ ref('segmentation_model') }} as segmentation_model
    where segmentation_model.algorithm = 'gmm'

),

gmm_components as (

    select
        segment_id,
        max(case when parameter = 'log_normaliser' then value end) as log_normaliser,
        {%- for feature in features %}
        max(case when parameter = 'centroid' and feature_name = {{ quote_literal(feature) }} then value end) as {{ quote_identifier(feature) }},
        {%- for other in features %}
        max(case when parameter = 'precision' and feature_name = {{ quote_literal(feature) }} and feature_name_2 = {{ quote_literal(other) }} then value end)
            as {{ quote_identifier('precision__' ~ loop.index0 ~ '__' ~ feature) }},
        {%- endfor %}
        {%- endfor %}
        count(*) as parameter_rows
    from gmm_rows
    group by segment_id

),

gmm_log_joint as (

    select
        customers.customer_id,
        gmm_components.segment_id,
        gmm_components.log_normaliser - 0.5 * (
            {%- for feature in features | sort %}
            {%- set outer = loop %}
            {%- for other in features | sort %}
            coalesce(
                (customers.{{ quote_identifier(feature) }} - gmm_components.{{ quote_identifier(feature) }})
                * gmm_components.{{ quote_identifier('precision__' ~ features.index(other) ~ '__' ~ feature) }}
                * (customers.{{ quote_identifier(other) }} - gmm_components.{{ quote_identifier(other) }}),
                0){{ ' +' if not (outer.last and loop.last) }}
            {%- endfor %}
            {%- endfor %}
        ) as log_joint,
        {{ squared_distance('customers', 'gmm_components', features) }} as squared_distance
    from customers
    cross join gmm_components

),

gmm_posterior as (

    select
        customer_id,
        arg_max(segment_id, {'log_joint': log_joint, 'lower_id_first': -segment_id}) as segment_id,
        -- posterior of the best component = 1 / sum over components of exp(log_joint - best)
        1.0 / sum(exp(log_joint - max_log_joint)) as membership_probability,
        arg_max(squared_distance, {'log_joint': log_joint, 'lower_id_first': -segment_id}) as squared_distance
    from (
        select *, max(log_joint) over (partition by customer_id) as max_log_joint
        from gmm_log_joint
    ) as scored
    group by customer_id

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
