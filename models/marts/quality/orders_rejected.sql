with

base_orders as (

    select * from {{ ref('base_orders') }}

),

customers as (

    select customer_id from {{ ref('stg_customers') }}

),

reasons as (

    select
        base_orders.source_row_number,
        base_orders.order_id,
        base_orders.customer_id,
        base_orders.raw_order_date,
        base_orders.raw_amount,
        base_orders.category,
        base_orders.channel,
        {{ struct_as_json('base_orders.source_row') }} as raw_record,
        coalesce(
            base_orders.rejection_reason,
            case when customers.customer_id is null
                then 'customer_id is not a valid customer (unknown or rejected)' end
        ) as rejection_reason
    from base_orders
    left join customers
        on base_orders.customer_id = customers.customer_id

),

rejected as (

    select * from reasons
    where rejection_reason is not null

)

select * from rejected
