{#- For K-Means and Gaussian mixtures, scoring in SQL from the model-as-data must give every
    customer the segment the fit gave. Agglomerative and DBSCAN are scored by nearest segment mean,
    which is not their own rule, so they are not compared. Returns the customers that disagree. -#}
with

python_assignments as (

    select customer_id, segment_id, algorithm from {{ ref('customer_segments') }}

),

sql_assignments as (

    select customer_id, segment_id from {{ ref('customer_segments_scored') }}

)

select
    python_assignments.customer_id,
    python_assignments.segment_id as python_segment_id,
    sql_assignments.segment_id as sql_segment_id
from python_assignments
left join sql_assignments
    on python_assignments.customer_id = sql_assignments.customer_id
where python_assignments.algorithm in ('kmeans', 'gmm')
    and sql_assignments.segment_id is distinct from python_assignments.segment_id
