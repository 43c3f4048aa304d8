{#- Segments assigned in pure SQL from feature_scaling + segment_centroids (and, for a Gaussian
    mixture, the precision rows of segmentation_model), no Python. Incremental:
    a run scores customers that arrived since the last run, re-scores those whose feature values
    changed (features_hash) and everyone whose stored model_version differs from the current
    centroids (i.e. after a refit); customers no longer in
    the input are removed by the post-hook. A run whose input lacks a feature the stored model
    segments on stops before scoring anyone (macro fitted_features). Run it on its own with
    `dbt build --selector score_new_customers` to score new customers without refitting. -#}
{{
    config(
        materialized='incremental',
        unique_key='customer_id',
        on_schema_change='sync_all_columns',
        post_hook="delete from {{ this }} where customer_id not in (select customer_id from {{ ref('int_customer_features') }})",
    )
}}
{{ require_fitted_model([ref('feature_scaling'), ref('segment_centroids'), ref('segmentation_model')]) }}
{%- set features = fitted_features(ref('feature_scaling'), ref('int_customer_features'), ref('segment_centroids')) -%}

with

customer_features as (

    select * from {{ ref('int_customer_features') }}

),

centroids as (

    select * from {{ ref('segment_centroids') }}

),

current_version as (

    select {{ model_version(ref('segment_centroids')) }} as model_version

),

features_hashed as (

    -- A hash of the customer's values of the fitted features: a customer whose features changed
    -- since the last run (a new purchase moves recency, frequency, monetary) is scored again.
    select
        customer_features.*,
        hash(
            {%- for feature in features %}
            {{ quote_identifier(feature) }}{{ ',' if not loop.last }}
            {%- endfor %}
        ) as features_hash
    from customer_features

),

customers_to_score as (

    select features_hashed.*
    from features_hashed
    {%- if is_incremental() %}
    left join {{ this }} as already_scored
        on features_hashed.customer_id = already_scored.customer_id
    cross join current_version
    where already_scored.customer_id is null
        or already_scored.model_version != current_version.model_version
        or already_scored.features_hash is distinct from features_hashed.features_hash
    {%- endif %}

),

assigned as (

    {{ assign_nearest_segment('customers_to_score', features, ref('feature_scaling'), 'centroids', ref('segmentation_model')) }}

),

final as (

    select
        assigned.customer_id,
        assigned.segment_id,
        assigned.distance_to_centroid,
        assigned.is_outlier,
        assigned.outlier_features,
        current_version.model_version,
        cast({{ quote_literal(features | join(', ')) }} as varchar) as scoring_features,
        customers_to_score.features_hash,
        current_timestamp as scored_at
    from assigned
    inner join customers_to_score
        on assigned.customer_id = customers_to_score.customer_id
    cross join current_version

)

select * from final
