{#- WARN: kept customers whose SMS consent value is no known yes or no: they read as not opted in
    to texts, so no SMS campaign reaches them (the twin of opt_in_not_recognised). -#}
{{ config(severity='warn') }}
{#- (Not read: on stg_customers as well, so dbt build does not hold base_orders until it ran.) -#}
-- depends_on: {{ ref('stg_customers') }}
{{ health_report('sms_opt_in_not_recognised', unrecognised_values_check('unrecognised_sms_opt_in',
    'sms_opt_in value %s (%s customers) is no known yes or no: it reads as no SMS consent, so no SMS campaign reaches them. Fix: recode it in the input (known spellings: macros/inputs/parsing.sql, consent_words), or map another column with var customer_columns: {sms_opt_in: ...}.')) }}
