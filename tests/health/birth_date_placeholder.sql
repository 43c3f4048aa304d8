{#- WARN: kept customers whose age came from a birth date that stands for "unknown" (before 1901,
    as 1900-01-01, Excel's 1899-12-30 or SQL Server's 1753-01-01, or in the year 9999): no one
    alive was born then, so the age is read as missing (imputed) and the customer kept with their
    orders, where such a row used to be rejected as "age outside 0-120". The five most frequent
    dates are named with their counts. -#}
{{ config(severity='warn') }}
{#- (As gender_not_recognised: depends on stg_customers too, so it does not hold base_orders.) -#}
-- depends_on: {{ ref('stg_customers') }}
{{ health_report('birth_date_placeholder', unrecognised_values_check('placeholder_birth_date',
    'birth date %s (%s customers) stands for unknown: their age is read as missing and imputed, the customers kept. Fix: none needed; if the age matters for these customers, fill it in the input.', quoted=false)) }}
