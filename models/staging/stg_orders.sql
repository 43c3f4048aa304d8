{#- A view: a filter over base_orders, which parsed every line once and checked its customer. -#}
{{ config(materialized='view') }}
{#- refunded_amount only when the orders input has a refund column, is_discount only when it has a
    description column, discount_amount only when it has an order discount column (base_orders). -#}
{%- set base_columns = adapter.get_columns_in_relation(ref('base_orders')) | map(attribute='name') | map('lower') | list if execute else [] %}
{%- set has_refunds = 'refunded_amount' in base_columns %}
{%- set has_discounts = 'is_discount' in base_columns %}
{%- set has_order_discounts = 'discount_amount' in base_columns %}

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
        {%- if has_discounts %}
        is_discount,
        {%- endif %}
        {%- if has_refunds %}
        refunded_amount,
        {%- endif %}
        {%- if has_order_discounts %}
        discount_amount,
        {%- endif %}
        source_row_number
    from base_orders
    where rejection_reason is null

)

select * from kept_lines
