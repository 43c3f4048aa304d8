with

base_customers as (

    select * from {{ ref('base_customers') }}

),

{%- set extras = [] -%}
{%- if execute -%}
    {%- set standard = ['source_row_number', 'raw_record', 'customer_id', 'raw_gender', 'raw_age',
        'raw_annual_income_k', 'raw_spending_score', 'raw_signup_date', 'raw_marketing_opt_in', 'gender',
        'age', 'annual_income_k', 'spending_score', 'signup_date', 'email', 'marketing_opt_in',
        'id_occurrence', 'rejection_reason'] -%}
    {%- for column in adapter.get_columns_in_relation(ref('base_customers')) -%}
        {%- if column.name not in standard -%}{%- do extras.append(column.name) -%}{%- endif -%}
    {%- endfor -%}
{%- endif %}

valid_customers as (

    select
        customer_id,
        gender,
        cast(age as integer) as age,
        annual_income_k,
        cast(spending_score as integer) as spending_score,
        signup_date,
        email,
        marketing_opt_in,
        {%- for column in extras %}
        {{ adapter.quote(column) }},
        {%- endfor %}
        source_row_number
    from base_customers
    where rejection_reason is null

)

select * from valid_customers
