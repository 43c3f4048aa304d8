{#- WARN: more than half of the kept order lines (at least 20) read as returns. A shop's file
    has a few returns; a ledger that writes sales as negative credits (`Document Type` Invoice
    with -120.00) reads every sale as a return: the customers with credit notes then look like the
    best buyers ("Champions"), in a green build. Named, with the counts and what made them returns
    (a negative value, the status, the order id prefix). Reads stg_orders once. -#}
{{ config(severity='warn') }}
{%- set max_return_share = 0.5 -%}
{%- set sql -%}
with

stg_orders as (

    select * from {{ ref('stg_orders') }}

),

lines as (

    select
        count(*) as line_count,
        count(*) filter (where is_return) as return_count
    from stg_orders

),

final as (

    select
        line_count,
        return_count,
        printf(
            '%.1f%% of the kept order lines read as returns (%s of %s), over %d%%: a ledger or accounting export that writes sales as negative amounts (credits) reads every sale as a return. Fix: if sales are negative in the file, give them their sign in a view (-amount) as orders_relation; if a status or order id prefix marks them, check vars cancellation_values and cancellation_prefix (the console line of base_orders lists the statuses read as returns).',
            100.0 * return_count / line_count, format('{:,}', return_count), format('{:,}', line_count),
            {{ (100 * max_return_share) | int }}
        ) as finding
    from lines
    where line_count >= 20 and return_count > {{ max_return_share }} * line_count

)

select * from final
{%- endset -%}
{{ health_report('order_lines_mostly_returns', sql) }}
