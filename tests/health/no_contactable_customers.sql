{#- WARN: customers were segmented but none may be contacted (none opted in, or every one has a
    rejected input row): every campaign list, audience and export file is empty. It can be meant
    (a base with no consent yet), so a WARN, not an ERROR; when it is not, the consent column is
    usually read wrongly (opt_in_not_recognised names unknown values). -#}
{{ config(severity='warn') }}
{%- set sql -%}
with

segmented as (

    select count(*) as customers from {{ ref('segment_assignments') }}

),

contactable as (

    select count(*) as customers from {{ ref('int_segment_members_contactable') }}

),

opted_in as (

    select count(*) filter (where marketing_opt_in) as customers from {{ ref('stg_customers') }}

),

final as (

    select
        segmented.customers as segmented_customers,
        opted_in.customers as opted_in_customers,
        printf(
            'no segmented customer may be contacted (%s segmented, %s opted in): every campaign list, audience and export file is empty. Fix: check the consent column (base_customers.marketing_opt_in and unrecognised_opt_in; var customer_columns: {marketing_opt_in: ...}).',
            format('{:,}', segmented.customers),
            format('{:,}', opted_in.customers)
        ) as finding
    from segmented
    cross join contactable
    cross join opted_in
    where segmented.customers > 0
        and contactable.customers = 0

)

select * from final
{%- endset -%}
{{ health_report('no_contactable_customers', sql) }}
