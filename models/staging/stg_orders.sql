{#- A view: a filter over base_orders, which parsed every line once and checked its customer. -#}
{{ config(materialized='view') }}
{#- refunded_amount only when the orders input has a refund column (base_orders). -#}
{%- set has_refunds = execute and 'refunded_amount' in adapter.get_columns_in_relation(ref('base_orders')) | map(attribute='name') | map('lower') | list %}

with

base_orders as (

    select * from {{ ref('base_orders') }}

),

kept_lines as (

    select
        order_id,
        customer_id,
        order_date,
        quantity,
        unit_price,
        amount,
        is_return,
        category,
        channel,
        {%- if has_refunds %}
        refunded_amount,
        {%- endif %}
        source_row_number
    from base_orders
    where rejection_reason is null

)

select * from kept_lines
