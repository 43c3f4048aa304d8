{#- One row per segment: size and share; mean, median, index, z-score, percentile and tier of every
    profiled feature in its own units (columns avg_/median_/index_/z_/pct_/tier_<feature>); gender mix;
    and, when the input has orders, revenue share, top categories and preferred channel (null when
    there are no orders at all). -#}
{%- set features = profile_features() -%}

with

customer_segments as (

    select * from {{ ref('customer_segments') }}

),

customer_features as (

    select * from {{ ref('int_customer_features') }}

),

feature_tiers as (

    select * from {{ ref('int_segment_feature_tiers') }}

),

segment_names as (

    select * from {{ ref('int_segment_names') }}

),

orders as (

    select * from {{ ref('stg_orders') }}

),

order_input as (

    select count(*) > 0 as has_orders from orders

),

segment_sizes as (

    select
        customer_segments.segment_id,
        {{ dbt.bool_or('customer_segments.is_noise') }} as is_noise,
        count(*) as customer_count,
        avg(case when customer_features.gender = 'Female' then 1.0 else 0.0 end) as female_share,
        avg(case when customer_features.gender = 'Male' then 1.0 else 0.0 end) as male_share,
        avg(case when customer_features.gender = 'Other' then 1.0 else 0.0 end) as other_gender_share,
        avg(case when customer_features.gender is null then 1.0 else 0.0 end) as unknown_gender_share,
        avg(case when customer_features.marketing_opt_in then 1.0 else 0.0 end) as opted_in_share,
        -- Orders and revenue from each customer's frequency and monetary: the features' purchase
        -- rule, with no second pass (and no distinct count) over the order lines.
        sum(customer_features.frequency) as order_count,
        {{ exact_sum('customer_features.monetary') }} as revenue
    from customer_segments
    inner join customer_features
        on customer_segments.customer_id = customer_features.customer_id
    group by customer_segments.segment_id

),

features_wide as (

    select
        segment_id{{ ',' if features }}
        {%- for feature in features %}
        max(case when feature_name = {{ quote_literal(feature.name) }} then segment_mean end) as {{ quote_identifier('avg_' ~ feature.name) }},
        max(case when feature_name = {{ quote_literal(feature.name) }} then segment_median end) as {{ quote_identifier('median_' ~ feature.name) }},
        max(case when feature_name = {{ quote_literal(feature.name) }} then feature_index end) as {{ quote_identifier('index_' ~ feature.name) }},
        max(case when feature_name = {{ quote_literal(feature.name) }} then z_score end) as {{ quote_identifier('z_' ~ feature.name) }},
        max(case when feature_name = {{ quote_literal(feature.name) }} then percentile end) as {{ quote_identifier('pct_' ~ feature.name) }},
        max(case when feature_name = {{ quote_literal(feature.name) }} then tier end) as {{ quote_identifier('tier_' ~ feature.name) }}{{ ',' if not loop.last }}
        {%- endfor %}
    from feature_tiers
    group by segment_id

),

segment_orders as (

    -- Purchases only: a returned line is neither an order nor revenue.
    select
        customer_segments.segment_id,
        orders.category,
        orders.channel,
        orders.amount
    from orders
    inner join customer_segments
        on orders.customer_id = customer_segments.customer_id
    where {{ is_purchase_line('orders') }}

),

category_ranks as (

    select
        segment_id,
        category,
        row_number() over (partition by segment_id order by sum(amount) desc, category) as category_rank
    from segment_orders
    where category is not null
        and category != 'unknown'
    group by segment_id, category

),

top_categories as (

    select
        segment_id,
        {{ dbt.listagg('category', "', '", 'order by category_rank') }} as top_categories
    from category_ranks
    where category_rank <= 3
    group by segment_id

),

channel_ranks as (

    select
        segment_id,
        channel,
        row_number() over (partition by segment_id order by sum(amount) desc, channel) as channel_rank
    from segment_orders
    where channel is not null
        and channel != 'unknown'
    group by segment_id, channel

),

order_profile as (

    -- Customers-only input (no orders at all): the order columns stay, null.
    select
        segment_sizes.segment_id,
        case when order_input.has_orders then segment_sizes.order_count end as order_count,
        case when order_input.has_orders then segment_sizes.revenue end as revenue,
        case when order_input.has_orders then segment_sizes.revenue
            / nullif(sum(segment_sizes.revenue) over (), 0) end as revenue_share,
        top_categories.top_categories,
        channel_ranks.channel as preferred_channel
    from segment_sizes
    cross join order_input
    left join top_categories
        on segment_sizes.segment_id = top_categories.segment_id
    left join channel_ranks
        on segment_sizes.segment_id = channel_ranks.segment_id
        and channel_ranks.channel_rank = 1

),


final as (

    select
        segment_sizes.segment_id,
        segment_names.segment_name,
        segment_names.segment_description,
        segment_names.marketing_action,
        segment_sizes.is_noise,
        segment_sizes.customer_count,
        segment_sizes.customer_count * 1.0 / sum(segment_sizes.customer_count) over () as customer_share,
        {%- for feature in features %}
        features_wide.{{ quote_identifier('avg_' ~ feature.name) }},
        features_wide.{{ quote_identifier('median_' ~ feature.name) }},
        features_wide.{{ quote_identifier('index_' ~ feature.name) }},
        features_wide.{{ quote_identifier('z_' ~ feature.name) }},
        features_wide.{{ quote_identifier('pct_' ~ feature.name) }},
        features_wide.{{ quote_identifier('tier_' ~ feature.name) }},
        {%- endfor %}
        segment_sizes.female_share,
        segment_sizes.male_share,
        segment_sizes.other_gender_share,
        segment_sizes.unknown_gender_share,
        segment_sizes.opted_in_share,
        cast(order_profile.order_count as bigint) as order_count,
        cast(order_profile.revenue as double) as revenue,
        cast(order_profile.revenue_share as double) as revenue_share,
        order_profile.top_categories,
        order_profile.preferred_channel
    from segment_sizes
    inner join segment_names
        on segment_sizes.segment_id = segment_names.segment_id
    left join features_wide
        on segment_sizes.segment_id = features_wide.segment_id
    left join order_profile
        on segment_sizes.segment_id = order_profile.segment_id

)

select * from final
order by segment_id
