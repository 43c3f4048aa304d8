{#- K-Means refinement over every customer, in SQL. The Python fit sees only the sample
    (int_customer_features_sample); when the base is larger, var kmeans_refine_steps Lloyd steps
    move each centre to the mean of the customers nearest to it, over everyone: per step one pass
    that finds each customer's nearest centre (macro nearest_centroid) and one group-by per centre
    (work any warehouse distributes). Iteration 0 is the fitted model;
    the last iteration is what segment_centroids publishes and what assigns and scores customers.
    Other algorithms, and bases no larger than the sample (the fit already saw everyone and stopped
    at a Lloyd fixed point), keep iteration 0 only. Means are exact decimal sums (12 decimals), so
    the result does not depend on row order or thread split. -#}
{{ config(post_hook="{{ log_kmeans_refinement() }}") }}
{%- set features = segmentation_features() | sort -%}
{%- set steps = setting('kmeans_refine_steps') | int -%}
-- depends_on: {{ ref('int_customer_features') }}

with

customers as (

    select * from {{ ref('int_customer_features_scaled') }}

),

customer_sample as (

    select * from {{ ref('int_customer_features_sample') }}

),

fitted_model as (

    select * from {{ ref('segmentation_model') }}

),

refinement as (

    select
        (select count(*) from customers) > (select count(*) from customer_sample)
        and (select min(algorithm) from fitted_model) = 'kmeans' as is_needed

),

fitted_centroids as (

    select * from fitted_model where parameter = 'centroid'

),

centroids_0 as materialized (

    select
        *,
        cast(null as bigint) as member_count,
        cast(null as double) as centroid_shift
    from ({{ centroids_wide('fitted_centroids', features) }}) as fitted

),
{%- for step in range(1, steps + 1) %}

nearest_{{ step }} as (

    {{ nearest_centroid('(select customers.* from customers where (select is_needed from refinement))', features, 'centroids_' ~ (step - 1), carry=features) }}

),

means_{{ step }} as (

    select
        segment_id,
        {%- for feature in features %}
        -- exact: each scaled value rounded to 12 decimals, added in DECIMAL(38, 12)
        cast(sum(cast({{ quote_identifier(feature) }} as decimal(38, 12))) as double) / count(*) as {{ quote_identifier(feature) }},
        {%- endfor %}
        count(*) as member_count
    from nearest_{{ step }}
    group by segment_id

),

centroids_{{ step }} as materialized (

    -- A centre left without members stays where it was; a feature the model does not use stays null.
    select
        previous.segment_id,
        {%- for feature in features %}
        {%- set name = quote_identifier(feature) %}
        case when previous.{{ name }} is not null then coalesce(means.{{ name }}, previous.{{ name }}) end as {{ name }},
        {%- endfor %}
        coalesce(means.member_count, 0) as member_count,
        sqrt({{ squared_distance('previous', 'means', features) }}) as centroid_shift
    from centroids_{{ step - 1 }} as previous
    left join means_{{ step }} as means
        on previous.segment_id = means.segment_id

),
{%- endfor %}

iterations as (

    select 0 as iteration, * from centroids_0
    {%- for step in range(1, steps + 1) %}
    union all
    select {{ step }} as iteration, * from centroids_{{ step }}
    where (select is_needed from refinement)
    {%- endfor %}

),

centroids_long as (

    {%- for feature in features %}
    select
        iteration,
        segment_id,
        cast({{ quote_literal(feature) }} as varchar) as feature_name,
        {{ quote_identifier(feature) }} as centroid_scaled,
        member_count,
        centroid_shift
    from iterations
    where {{ quote_identifier(feature) }} is not null
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}

),

final as (

    select
        iteration,
        segment_id,
        feature_name,
        centroid_scaled,
        member_count,
        centroid_shift,
        iteration = max(iteration) over () as is_final
    from centroids_long

)

select * from final
