with

base_orders as (

    select * from {{ ref('base_orders') }}

),

rejected as (

    select
        source_row_number,
        order_id,
        customer_id,
        {{ raw_value('order_date') }} as raw_order_date,
        {{ raw_value('quantity') }} as raw_quantity,
        {{ raw_value('unit_price') }} as raw_unit_price,
        {{ raw_value('amount') }} as raw_amount,
        category,
        channel,
        raw_record,
        rejection_reason
    from base_orders
    where rejection_reason is not null

)

select * from rejected
