{#- WARN: more customer rows rejected than var warn_rejected_share (default 0.05), up to
    max_rejected_share (above it the error test speaks). -#}
{{ config(severity='warn') }}
{{ rejected_share_check('customer', 'base_customers', 'stg_customers', 'warn_rejected_share', 'max_rejected_share') }}
