{#- WARN: more order rows rejected than var warn_rejected_share (default 0.05), up to
    max_rejected_share (above it the error test speaks). -#}
{{ config(severity='warn') }}
{{ rejected_share_check('order', 'base_orders', 'stg_orders', 'warn_rejected_share', 'max_rejected_share') }}
