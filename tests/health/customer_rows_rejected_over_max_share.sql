{#- ERROR: more customer rows rejected than var max_rejected_share (default 0.5): the segments of
    such a run would describe the wrong customers (usually a wrong column mapping). Stops dbt build
    before the features; customers_rejected still builds. -#}
{{ config(severity='error') }}
{{ rejected_share_check('customer', 'base_customers', 'stg_customers', 'max_rejected_share') }}
