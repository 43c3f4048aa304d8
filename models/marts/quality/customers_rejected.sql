{#- the consents a duplicate must agree on, and the input columns (raw_values keys) each is read
    from (`_also`: the further columns of a consent read from several, base_customers) -#}
{%- set consent_columns = {'marketing_opt_in': ['marketing_opt_in', 'marketing_opt_in_also', 'marketing_opt_out', 'marketing_opt_out_also'],
                           'sms_opt_in': ['sms_opt_in', 'sms_opt_in_also', 'sms_opt_out', 'sms_opt_out_also']} -%}
with

base_customers as (

    select * from {{ ref('base_customers') }}

),

kept as (

    -- Only the kept rows of ids that also have a rejected row: the join stays as small as the
    -- quarantine (every kept row: 0.07-0.12 s at 1M customers; these: 0.005 s).
    select customer_id, email, marketing_opt_in, sms_opt_in
    from base_customers
    where rejection_reason is null
        and customer_id in (
            select customer_id from base_customers where rejection_reason is not null
        )

),

rejected as (

    select
        base_customers.source_row_number,
        base_customers.customer_id,
        {{ raw_value('gender') }} as raw_gender,
        {{ raw_value('age') }} as raw_age,
        {{ raw_value('annual_income_k') }} as raw_annual_income_k,
        {{ raw_value('income') }} as raw_income,
        {{ raw_value('spending_score') }} as raw_spending_score,
        {{ raw_value('signup_date') }} as raw_signup_date,
        {{ raw_value('marketing_opt_in') }} as raw_marketing_opt_in,
        base_customers.raw_record,
        base_customers.rejection_reason,
        -- Whether this row keeps its customer id out of every campaign: any rejected row does,
        -- except a plain duplicate (the same id again, nothing else wrong) that agrees with the
        -- kept row on both consents (marketing and SMS) and email, as a customers file with one
        -- row per order repeats each repeat buyer (blocking those left every repeat buyer out of
        -- every campaign). A blank consent or email on the repeat says nothing (Shopify writes
        -- them on an order's first line only), so it does not disagree. A consent is blank when
        -- all its columns (opt-in and opt-out, every one where several read as it) are blank; an
        -- SMS consent that comes from no column of its own (sms_consent_basis) is never compared:
        -- the marketing consent is.
        base_customers.customer_id is not null and not coalesce(
            base_customers.rejection_reason = 'duplicate customer_id (the first row with this id is kept)'
            and kept.customer_id is not null
            {%- for consent, columns in consent_columns.items() %}
            and (({% for column in columns %}{{ raw_value(column, 'base_customers.raw_values') }} is null{{ ' and ' if not loop.last }}{% endfor %})
                 or base_customers.{{ consent }} = kept.{{ consent }})
            {%- endfor %}
            and (base_customers.email is null or base_customers.email = kept.email),
            false
        ) as blocks_contact
    from base_customers
    left join kept
        on base_customers.customer_id = kept.customer_id
    where base_customers.rejection_reason is not null

)

select * from rejected
