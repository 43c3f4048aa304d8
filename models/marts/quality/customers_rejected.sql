with

base_customers as (

    select * from {{ ref('base_customers') }}

),

rejected as (

    select
        source_row_number,
        customer_id,
        {{ raw_value('gender') }} as raw_gender,
        {{ raw_value('age') }} as raw_age,
        {{ raw_value('annual_income_k') }} as raw_annual_income_k,
        {{ raw_value('income') }} as raw_income,
        {{ raw_value('spending_score') }} as raw_spending_score,
        {{ raw_value('signup_date') }} as raw_signup_date,
        {{ raw_value('marketing_opt_in') }} as raw_marketing_opt_in,
        raw_record,
        rejection_reason
    from base_customers
    where rejection_reason is not null

)

select * from rejected
