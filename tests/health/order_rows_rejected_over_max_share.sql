{#- ERROR: more order rows rejected than var max_rejected_share (default 0.5). Stops dbt build
    before the features; orders_rejected still builds. -#}
{{ config(severity='error') }}
{{ rejected_share_check('order', 'base_orders', 'stg_orders', 'max_rejected_share') }}
