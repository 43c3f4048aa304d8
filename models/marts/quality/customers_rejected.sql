with

base_customers as (

    select * from {{ ref('base_customers') }}

),

rejected as (

    select
        source_row_number,
        customer_id,
        raw_gender,
        raw_age,
        raw_annual_income_k,
        raw_income,
        raw_spending_score,
        raw_signup_date,
        raw_marketing_opt_in,
        raw_record,
        rejection_reason
    from base_customers
    where rejection_reason is not null

)

select * from rejected
