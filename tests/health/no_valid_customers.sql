{#- ERROR: no valid customer at all (a header-only file, or every row rejected). Nothing after
    staging can mean anything, so dbt build stops here. -#}
{{ config(severity='error') }}
{%- set sql -%}
with

input_rows as (

    select rejection_reason from {{ ref('base_customers') }}

),

kept_customers as (

    select count(*) as rows_kept from {{ ref('stg_customers') }}

),

totals as (

    select
        count(*) as rows_read,
        count(rejection_reason) as rows_rejected,
        coalesce(mode(rejection_reason), 'none') as top_reason
    from input_rows

),

final as (

    select
        totals.rows_read,
        totals.rows_rejected,
        kept_customers.rows_kept,
        printf(
            'no valid customers: %d customer rows read, %d rejected (most common reason: %s). Fix: check customers_path / customers_relation and the header mapping (var customer_columns); see base_customers.',
            totals.rows_read, totals.rows_rejected, totals.top_reason
        ) as finding
    from totals
    cross join kept_customers
    where kept_customers.rows_kept = 0

)

select * from final
{%- endset -%}
{{ health_report('no_valid_customers', sql) }}
