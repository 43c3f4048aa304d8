{#- WARN: kept customers with a value that is no finite number (`unknown`, `NaN`, `n.a.` in a column
    of numbers) in an extra column the clustering does not read: the value is read as missing and
    the customer kept, where it used to reject the customer and their orders for a column nothing
    used. An extra column the clustering reads (segmentation_features, feature_transforms, a
    derived_features expression) still rejects such rows. The five most frequent values are named
    with their counts. -#}
{{ config(severity='warn') }}
{#- (As opt_in_not_recognised: depends on stg_customers too, so it does not hold base_orders.) -#}
-- depends_on: {{ ref('stg_customers') }}
{{ health_report('extra_value_not_a_number', unrecognised_values_check('unread_extra_values',
    '%s (%s customers): not a finite number, in an extra column the clustering does not read; read as missing, the customers kept. Fix: correct it in the input (a column named in segmentation_features rejects such rows instead).', quoted=false)) }}
