{#- WARN: kept customers whose consent value is no known yes or no (`Subscribed - pending`, `1.5`,
    a typo): they read as not opted in, so no campaign list reaches them. Without this, a consent
    column written in an unknown way made every customer uncontactable and the campaign lists
    empty, in a green build. The five most frequent values are named with their counts. -#}
{{ config(severity='warn') }}
{#- (Not read: a test on base_customers alone would make dbt build hold base_orders, the longest
    step, until it ran; a test on two models holds only the models below both.) -#}
-- depends_on: {{ ref('stg_customers') }}
{{ health_report('opt_in_not_recognised', unrecognised_values_check('unrecognised_opt_in',
    'marketing_opt_in value %s (%s customers) is no known yes or no: it reads as no consent, so no campaign list reaches them. Fix: recode it in the input (known spellings: macros/inputs/parsing.sql, consent_words), or map another column with var customer_columns: {marketing_opt_in: ...}.')) }}
