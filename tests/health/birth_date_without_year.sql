{#- WARN: kept customers whose age would come from a birthday written without its year (`15.03.`,
    ISO 8601's `--03-15`, `03/15`, `15 March`, as a loyalty app or mailing list asks it): it gives
    no age, so the age is read as missing (imputed) and the customer kept with their orders, where
    such a row used to be rejected as "birth_date is not a date" (its purchases with it) in a green
    build. The five most frequent values are named with their counts. -#}
{{ config(severity='warn') }}
{#- (As birth_date_placeholder: depends on stg_customers too, so it does not hold base_orders.) -#}
-- depends_on: {{ ref('stg_customers') }}
{{ health_report('birth_date_without_year', unrecognised_values_check('birth_date_without_year',
    'birth date %s (%s customers) has no year: it gives no age, so their age is read as missing and imputed, the customers kept with their orders. Fix: none needed; if the age matters for these customers, ask for the year or fill it in the input.')) }}
