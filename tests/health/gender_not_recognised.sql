{#- WARN: kept customers whose gender value is no known spelling (`U`, `unbekannt`, a typo): they
    read as Other, so is_female is false for them and segment_profiles counts them in
    other_gender_share. The five most frequent values are named with their counts. -#}
{{ config(severity='warn') }}
{#- (Not read: a test on base_customers alone would make dbt build hold base_orders, the longest
    step, until it ran; a test on two models holds only the models below both.) -#}
-- depends_on: {{ ref('stg_customers') }}
{{ health_report('gender_not_recognised', unrecognised_values_check('unrecognised_gender',
    'gender value %s (%s customers) is no known spelling of female, male or another gender: it reads as Other. Fix: recode it in the input (known spellings: macros/inputs/parsing.sql, gender_words), or leave it if Other is meant.')) }}
