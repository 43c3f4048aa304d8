{#- WARN: kept customers whose consent value is no known yes or no (`Subscribed - pending`, `1.5`,
    a typo): they read as not opted in, so no campaign list reaches them. Without this, a consent
    column written in an unknown way made every customer uncontactable and the campaign lists
    empty, in a green build. The five most frequent values are named with their counts. -#}
{{ config(severity='warn') }}
{%- set sql -%}
with

base_customers as (

    select * from {{ ref('base_customers') }}

),

unrecognised as (

    select
        unrecognised_opt_in,
        count(*) as customers,
        row_number() over (order by count(*) desc, unrecognised_opt_in) as value_rank
    from base_customers
    where rejection_reason is null
        and unrecognised_opt_in is not null
    group by unrecognised_opt_in

),

final as (

    select
        unrecognised_opt_in,
        customers,
        printf(
            'marketing_opt_in value %s (%s customers) is no known yes or no: it reads as no consent, so no campaign list reaches them. Fix: recode it in the input (known spellings: macros/inputs/parsing.sql, consent_words), or map another column with var customer_columns: {marketing_opt_in: ...}.',
            '''' || unrecognised_opt_in || '''',
            format('{:,}', customers)
        ) as finding
    from unrecognised
    where value_rank <= 5

)

select * from final
{%- endset -%}
{{ health_report('opt_in_not_recognised', sql) }}
