with

base_orders as (

    select * from {{ ref('base_orders') }}

),

rejected as (

    select
        source_row_number,
        order_id,
        customer_id,
        raw_order_date,
        raw_quantity,
        raw_unit_price,
        raw_amount,
        category,
        channel,
        raw_record,
        rejection_reason
    from base_orders
    where rejection_reason is not null

)

select * from rejected
