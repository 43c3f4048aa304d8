{#- Every var is checked against the one schema when dbt parses the project, before any command
    (build, run, seed, test, compile, docs generate) builds anything: a wrong value stops dbt with
    one line naming the var, the value, what is allowed and an example. Returns no rows. -#}
{%- do validate_vars() -%}

select 1 as vars_checked
where false
