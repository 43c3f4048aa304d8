{#- Gaussian-mixture scoring in SQL: each customer's most probable component (ties to the lowest
    segment_id, as numpy's argmax) and its posterior probability, from the rows the fit stores in
    segmentation_model: centroid (mean), precision (inverse covariance) and log_normaliser
    (log weight - (d log 2 pi + log det covariance) / 2), so that
    log joint = log_normaliser - (x - mean)' precision (x - mean) / 2 (what the package computes
    with Cholesky solves; equal to 1e-9, tested). Returns customer_id, segment_id,
    membership_probability, squared_distance (to the component mean); no rows unless the model
    is a gmm. `customers`: customer_id + one scaled column per feature. -#}
{% macro gmm_posterior(customers, features, model_relation) %}
    with

    gmm_rows as (

        select segmentation_model.*
        from {{ model_relation }} as segmentation_model
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
        from {{ customers }} as customers
        cross join gmm_components

    )

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
{% endmacro %}
