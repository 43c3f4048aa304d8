{#- The bounded sample every Python model reads: at most var sample_size customers of
    int_customer_features_scaled (same columns), drawn in SQL so the Python step never loads the
    whole base. The draw depends only on random_seed and the ids (md5 order), not on row order or
    thread split. When the base has at most sample_size customers the sample is everyone, so small
    inputs such as the Kaggle file are clustered exactly as before the sample existed. -#}
{%- set seed_prefix = quote_literal(setting('random_seed') ~ ':') -%}

with

scaled as (

    select * from {{ ref('int_customer_features_scaled') }}

),

final as (

    select *
    from scaled
    order by md5({{ seed_prefix }} || scaled.customer_id), scaled.customer_id
    limit {{ setting('sample_size') | int }}

)

select * from final
