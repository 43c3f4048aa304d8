{#- WARN: the income column's values do not fit its unit. annual_income_k is in thousands (the
    Kaggle header `Annual Income (k$)`): a median of 1,000 or more means a typical customer earns a
    million a year or more, so the column is in plain units (42,000 under a `(k$)` header, and
    the profiles read "earn 131275k a year"). income is in plain units (`Income`, `Einkommen`): a
    median under 1,000 a year is no income, so the column is in thousands. Either way every
    profile and segment name built on it is off by a thousand. Named, with the median and the fix.
    Reads customer_features (the public table), so it holds no model on the way to the segments. -#}
{{ config(severity='warn') }}
{%- set sql -%}
with

customer_features as (

    select * from {{ ref('customer_features') }}

),

medians as (

    select
        median(annual_income_k) as annual_income_k_median,
        median(income) as income_median
    from customer_features

),

final as (

    select
        'annual_income_k' as feature_name,
        annual_income_k_median as median_value,
        printf(
            'annual_income_k (income in thousands) has a median of %s: a typical customer would earn %s thousand a year, so the column holds plain currency units. Fix: map it as income (plain units), e.g. --vars ''{customer_columns: {income: "<the income header>"}}'', or divide it by 1,000 in your input.',
            format('{:,.0f}', annual_income_k_median), format('{:,.0f}', annual_income_k_median)
        ) as finding
    from medians
    where annual_income_k_median >= 1000

    union all

    select
        'income' as feature_name,
        income_median as median_value,
        printf(
            'income (plain currency units) has a median of %s a year, which is no income: the column holds thousands. Fix: map it as annual_income_k (thousands), e.g. --vars ''{customer_columns: {annual_income_k: "<the income header>"}}'', or multiply it by 1,000 in your input.',
            format('{:,.2f}', income_median)
        ) as finding
    from medians
    where income_median < 1000

)

select * from final
{%- endset -%}
{{ health_report('income_units_look_wrong', sql) }}
