{#- A view: a filter over base_orders, which parsed every line once and checked its customer. -#}
{{ config(materialized='view') }}

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
        source_row_number
    from base_orders
    where rejection_reason is null

)

select * from kept_lines
