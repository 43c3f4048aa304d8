{#- One row per valid customer: demographics, spending score, and (when orders exist) RFM
    behaviour and preferences. Missing values stay null here; the scaling step imputes them
    by a documented rule and counts them in feature_scaling. -#}
{%- set categories = order_categories() -%}

with

customers as (

    select * from {{ ref('stg_customers') }}

),

{% if has_orders_input() -%}
orders as (

    select * from {{ ref('stg_orders') }}

),

reference_date as (

    {%- if var('as_of_date', none) is not none %}
    select cast('{{ var("as_of_date") }}' as date) as as_of_date
    {%- else %}
    -- Recency is measured from the day after the last order in the data, so reruns are stable.
    select {{ dbt.dateadd('day', 1, 'max(order_date)') }} as as_of_date from orders
    {%- endif %}

),

behaviour as (

    select
        orders.customer_id,
        min(orders.order_date) as first_order_date,
        max(orders.order_date) as last_order_date,
        count(*) as frequency,
        sum(orders.amount) as monetary,
        avg(orders.amount) as avg_order_value,
        {%- for value, name in categories %}
        sum(case when orders.category = '{{ value }}' then orders.amount else 0 end)
            / nullif(sum(orders.amount), 0) as {{ adapter.quote('share_' ~ name) }},
        {%- endfor %}
        sum(case when orders.channel = 'online' then orders.amount else 0 end)
            / nullif(sum(orders.amount), 0) as online_share
    from orders
    group by orders.customer_id

),

{% endif -%}

features as (

    select
        customers.*,
        case customers.gender when 'Female' then 1 when 'Male' then 0 end as is_female
        {%- if has_orders_input() %},
        {{ dbt.datediff('behaviour.last_order_date', 'reference_date.as_of_date', 'day') }} as recency_days,
        coalesce(behaviour.frequency, 0) as frequency,
        coalesce(behaviour.monetary, 0) as monetary,
        behaviour.avg_order_value,
        {{ dbt.datediff('coalesce(customers.signup_date, behaviour.first_order_date)', 'reference_date.as_of_date', 'day') }} as tenure_days,
        {%- for value, name in categories %}
        behaviour.{{ adapter.quote('share_' ~ name) }},
        {%- endfor %}
        behaviour.online_share
        {%- endif %}
    from customers
    {%- if has_orders_input() %}
    cross join reference_date
    left join behaviour
        on customers.customer_id = behaviour.customer_id
    {%- endif %}

)

select * from features
