{#- 2-D coordinates for charts. pca: every customer projected in SQL on the axes Python computed
    from the sample (segment_pca_axes): dim = sum over features of (value - feature_mean) x loading.
    tsne: the sampled customers segment_tsne placed (t-SNE cannot place customers it did not see). -#}
{%- set features = segmentation_features() | sort -%}
-- depends_on: {{ ref('int_customer_features') }}

with

customers as (

    select * from {{ ref('int_customer_features_scaled') }}

),

axes as (

    select * from {{ ref('segment_pca_axes') }}

),

tsne as (

    select * from {{ ref('segment_tsne') }}

),

assignments as (

    select * from {{ ref('segment_assignments') }}

),

axes_wide as (

    select
        {%- for feature in features %}
        {%- set name = quote_literal(feature) %}
        max(case when feature_name = {{ name }} then feature_mean end) as {{ quote_identifier(feature ~ '__mean') }},
        max(case when feature_name = {{ name }} then loading_1 end) as {{ quote_identifier(feature ~ '__loading_1') }},
        max(case when feature_name = {{ name }} then loading_2 end) as {{ quote_identifier(feature ~ '__loading_2') }},
        {%- endfor %}
        max(explained_variance_ratio_1) as explained_variance_ratio_1,
        max(explained_variance_ratio_2) as explained_variance_ratio_2
    from axes
    having count(*) > 0

),

pca as (

    select
        'pca' as method,
        customers.customer_id,
        {%- for dim in [1, 2] %}
        (
            {%- for feature in features %}
            coalesce((customers.{{ quote_identifier(feature) }} - axes_wide.{{ quote_identifier(feature ~ '__mean') }})
                * axes_wide.{{ quote_identifier(feature ~ '__loading_' ~ dim) }}, 0){{ ' +' if not loop.last }}
            {%- endfor %}
        ) as dim_{{ dim }},
        {%- endfor %}
        axes_wide.explained_variance_ratio_1,
        axes_wide.explained_variance_ratio_2
    from customers
    cross join axes_wide

),

tsne_rows as (

    select
        'tsne' as method,
        customer_id,
        dim_1,
        dim_2,
        cast(null as double) as explained_variance_ratio_1,
        cast(null as double) as explained_variance_ratio_2
    from tsne

),

projected as (

    select * from pca
    union all
    select * from tsne_rows

),

final as (

    select
        cast(projected.method as varchar) as method,
        cast(projected.customer_id as varchar) as customer_id,
        assignments.segment_id,
        projected.dim_1,
        projected.dim_2,
        projected.explained_variance_ratio_1,
        projected.explained_variance_ratio_2
    from projected
    left join assignments
        on projected.customer_id = assignments.customer_id

)

select * from final
