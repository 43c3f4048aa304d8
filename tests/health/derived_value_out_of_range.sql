{#- WARN: a derived feature named like a standard column with bounds (age 0-120, spending_score
    1-100, income and annual_income_k at least 0) gave a value outside them for some customers:
    the value reads as missing (imputed like any gap), the customers stay. Staging rejects such a
    value when it arrives in the input's own column; a derived one is the configuration's, so the
    customer is kept and this names the values. Kaggle's marketing-campaign file has Year_Birth
    1893, so `age: "2014 - year_birth"` gives 121. The five most frequent values with counts. -#}
{{ config(severity='warn') }}
{#- On int_customer_features alone, so a build of the clustering (`+customer_segments`) runs it; it
    holds the models below that table for one small query (a group by of the rows with a value
    here, none at all without bounded derived features). -#}
{{ health_report('derived_value_out_of_range', unrecognised_values_check('derived_out_of_range',
    '%s (%s customers): a derived feature outside the range staging accepts for that column (age 0-120, spending_score 1-100, income and annual_income_k at least 0); read as missing, the customers kept. Fix: correct the input, or bound the expression in var derived_features (e.g. age: "case when year_birth >= 1900 then 2014 - year_birth end").',
    quoted=false, model='int_customer_features')) }}
