{#- WARN: a derived feature gave some customers a value that is no finite number (`monetary /
    frequency` is NaN for a customer without orders; x / 0 is inf) or, for a feature named like a
    standard column with bounds (age 0-120, spending_score 1-100, income and annual_income_k at
    least 0), a value outside them: the value reads as missing (imputed like any gap), the
    customers stay. Staging rejects such a value when it arrives in the input's own column; a
    derived one is the configuration's, so the customer is kept and this names the values. Before,
    NaN went through scaling as the largest value there is; Kaggle's marketing-campaign file has
    Year_Birth 1893, so `age: "2014 - year_birth"` gives 121. The five most frequent values with
    counts. -#}
{{ config(severity='warn') }}
{#- On int_customer_features alone, so a build of the clustering (`+customer_segments`) runs it; it
    holds the models below that table for one small query (a group by of the rows with a value
    here, none at all without derived features). -#}
{{ health_report('derived_value_out_of_range', unrecognised_values_check('derived_out_of_range',
    '%s (%s customers): a derived feature that is no finite number, or outside the range staging accepts for the column it is named after (age 0-120, spending_score 1-100, income and annual_income_k at least 0); read as missing, the customers kept. Fix: correct the input, or guard the expression in var derived_features (e.g. monetary / nullif(frequency, 0); age: "case when year_birth >= 1900 then 2014 - year_birth end").',
    quoted=false, model='int_customer_features')) }}
