{#- WARN: the customers input has no consent column, opt-in or opt-out (or there is no customers
    input), so every customer counts as opted in, and campaign lists and export files are built
    from them. A Shopify orders export's `Accepts Marketing` (an orders input) is not read as
    consent: without this WARN, people who declined marketing reached the export files in a
    green build. It can be meant (a base where everyone consented), so a WARN. -#}
{{ config(severity='warn') }}
{%- set sql -%}
with

base_customers as (

    select * from {{ ref('base_customers') }}

),

contactable as (

    select count(*) as customers from {{ ref('int_segment_members_contactable') }}

),

consent as (

    select
        count(*) as kept_customers,
        coalesce(bool_or(has_consent_column), false) as has_consent_column
    from base_customers
    where rejection_reason is null

),

final as (

    select
        consent.kept_customers,
        contactable.customers as contactable_customers,
        printf(
            'the input has no consent column: all %s customers count as opted in, and %s of them may be in the campaign lists and export files. Fix: if the data says who declined, map that column: --vars ''{customer_columns: {marketing_opt_in: "Accepts Marketing"}}'' or an opt-out column: {marketing_opt_out: "Unsubscribed"}; if everyone consented, this WARN is the reminder.',
            format('{:,}', consent.kept_customers),
            format('{:,}', contactable.customers)
        ) as finding
    from consent
    cross join contactable
    where not consent.has_consent_column
        and contactable.customers > 0

)

select * from final
{%- endset -%}
{{ health_report('consent_column_missing', sql) }}
