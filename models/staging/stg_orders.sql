with

base_orders as (

    select * from {{ ref('base_orders') }}

),

customers as (

    select customer_id from {{ ref('stg_customers') }}

),

valid_orders as (

    select
        base_orders.order_id,
        base_orders.customer_id,
        base_orders.order_date,
        base_orders.amount,
        base_orders.category,
        base_orders.channel,
        base_orders.source_row_number
    from base_orders
    inner join customers
        on base_orders.customer_id = customers.customer_id
    where base_orders.rejection_reason is null

)

select * from valid_orders
