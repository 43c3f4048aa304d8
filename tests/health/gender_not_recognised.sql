{#- WARN: kept customers whose gender value is no known spelling (`U`, `unbekannt`, a typo): they
    read as Other, so is_female is false for them and segment_profiles counts them in
    other_gender_share. The five most frequent values are named with their counts. -#}
{{ config(severity='warn') }}
{%- set sql -%}
with

base_customers as (

    select * from {{ ref('base_customers') }}

),

unrecognised as (

    select
        unrecognised_gender,
        count(*) as customers,
        row_number() over (order by count(*) desc, unrecognised_gender) as value_rank
    from base_customers
    where rejection_reason is null
        and unrecognised_gender is not null
    group by unrecognised_gender

),

final as (

    select
        unrecognised_gender,
        customers,
        printf(
            'gender value %s (%s customers) is no known spelling of female, male or another gender: it reads as Other. Fix: recode it in the input (known spellings: macros/inputs/parsing.sql, gender_words), or leave it if Other is meant.',
            '''' || unrecognised_gender || '''',
            format('{:,}', customers)
        ) as finding
    from unrecognised
    where value_rank <= 5

)

select * from final
{%- endset -%}
{{ health_report('gender_not_recognised', sql) }}
