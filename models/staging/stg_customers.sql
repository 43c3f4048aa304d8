{#- A view: a filter and a rename over base_customers, which did the parsing once. -#}
{{ config(materialized='view') }}

{%- set extras = [] -%}
{%- if execute -%}
    {%- for column in adapter.get_columns_in_relation(ref('base_customers')) -%}
        {%- if column.name.startswith(extra_column_prefix()) -%}{%- do extras.append(column.name) -%}{%- endif -%}
    {%- endfor -%}
{%- endif %}

with

base_customers as (

    select * from {{ ref('base_customers') }}

),

valid_customers as (

    select
        customer_id,
        gender,
        -- Completed years: 34.9 (an age a CRM computed from the birth date) is 34, which a
        -- cast would round to 35.
        cast(floor(age) as integer) as age,
        annual_income_k,
        income,
        cast(spending_score as integer) as spending_score,
        signup_date,
        email,
        marketing_opt_in,
        sms_opt_in,
        {%- for column in extras %}
        {{ quote_identifier(column) }} as {{ quote_identifier(column[extra_column_prefix() | length:]) }},
        {%- endfor %}
        source_row_number
    from base_customers
    where rejection_reason is null

)

select * from valid_customers
