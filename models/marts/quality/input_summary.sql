{#- What happened to every input row: one row per input x outcome (kept, return, discount, rejected: <reason>).
    Built from the outputs (stg_* and *_rejected), so a data test comparing its totals with the rows
    read (base_*) proves that no row is lost between reading and staging. -#}
{%- set has_is_return = 'is_return' in order_line_columns() -%}
{%- set has_is_discount = 'is_discount' in order_line_columns() -%}

with

customers_kept as (

    select * from {{ ref('stg_customers') }}

),

customers_rejected as (

    select * from {{ ref('customers_rejected') }}

),

orders_kept as (

    select * from {{ ref('stg_orders') }}

),

orders_rejected as (

    select * from {{ ref('orders_rejected') }}

),

outcomes as (

    select 'customers' as input, 'kept' as outcome from customers_kept
    union all
    select 'customers' as input, 'rejected: ' || rejection_reason as outcome from customers_rejected
    union all
    select
        'orders' as input,
        {%- if has_is_return %}
        case when is_return then 'return'{{ " when is_discount then 'discount'" if has_is_discount }} else 'kept' end as outcome
        {%- else %}
        'kept' as outcome
        {%- endif %}
    from orders_kept
    union all
    select 'orders' as input, 'rejected: ' || rejection_reason as outcome from orders_rejected

),

counted as (

    select
        input,
        outcome,
        count(*) as row_count
    from outcomes
    group by input, outcome

),

final as (

    select
        cast(input as varchar) as input,
        cast(outcome as varchar) as outcome,
        cast(row_count as bigint) as row_count,
        cast(row_count / sum(row_count) over (partition by input) as double) as row_share
    from counted

)

select * from final
