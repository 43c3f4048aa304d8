{#- Every order input row, numbered, parsed, with the reasons it cannot be used (null when it can).
    Whether its customer is a valid one is checked later, in stg_orders / orders_rejected. -#}
{%- set columns = {} -%}
{%- if has_orders_input() -%}
    {%- set source_sql = input_relation('orders_path', 'demo_orders') -%}
    {%- set columns = map_input_columns(source_sql, order_column_synonyms(), 'order_columns', ['customer_id', 'order_date', 'amount']) -%}
{%- endif -%}

with

{% if has_orders_input() -%}
source as (

    select * from {{ source_sql }}

),

numbered as (

    select
        row_number() over () as source_row_number,
        {{ row_as_struct('source') }} as source_row,
        source.*
    from source

),

parsed as (

    select
        source_row_number,
        source_row,
        {%- if 'order_id' in columns %}
        {{ text_value(mapped_column(columns, 'order_id')) }} as order_id,
        {%- else %}
        -- No order id in the input: the row number identifies the order.
        cast(source_row_number as varchar) as order_id,
        {%- endif %}
        {{ text_value(mapped_column(columns, 'customer_id')) }} as customer_id,
        {{ text_value(mapped_column(columns, 'order_date')) }} as raw_order_date,
        {{ text_value(mapped_column(columns, 'amount')) }} as raw_amount,
        {{ parse_date(mapped_column(columns, 'order_date')) }} as order_date,
        {{ parse_number(mapped_column(columns, 'amount')) }} as amount,
        coalesce(lower({{ text_value(mapped_column(columns, 'category')) }}), 'unknown') as category,
        coalesce(lower({{ text_value(mapped_column(columns, 'channel')) }}), 'unknown') as channel
    from numbered

),

{%- else -%}
parsed as (

    -- Customers-only input: no orders, and so no behaviour features.
    select
        cast(null as bigint) as source_row_number,
        cast(null as varchar) as source_row,
        cast(null as varchar) as order_id,
        cast(null as varchar) as customer_id,
        cast(null as varchar) as raw_order_date,
        cast(null as varchar) as raw_amount,
        cast(null as date) as order_date,
        cast(null as double) as amount,
        cast(null as varchar) as category,
        cast(null as varchar) as channel
    where false

),
{%- endif %}

occurrences as (

    select
        *,
        row_number() over (partition by order_id order by source_row_number) as id_occurrence
    from parsed

),

checked as (

    select
        *,
        nullif(concat_ws('; ',
            case when order_id is null then 'missing order_id' end,
            case when order_id is not null and id_occurrence > 1
                then 'duplicate order_id (the first row with this id is kept)' end,
            case when customer_id is null then 'missing customer_id' end,
            case when raw_order_date is null then 'missing order_date' end,
            case when {{ is_unparseable('raw_order_date', 'order_date') }} then 'order_date is not a date' end,
            case when raw_amount is null then 'missing amount' end,
            case when {{ is_unparseable('raw_amount', 'amount') }} then 'amount is not a number' end,
            case when amount < 0 then 'negative amount' end
        ), '') as rejection_reason
    from occurrences

),

final as (

    select
        source_row_number,
        -- The input row as it arrived; the *_rejected models turn it into JSON text (doing that
        -- for every row of a large input would be slow).
        source_row,
        order_id,
        customer_id,
        raw_order_date,
        raw_amount,
        order_date,
        amount,
        category,
        channel,
        id_occurrence,
        rejection_reason
    from checked

)

select * from final
