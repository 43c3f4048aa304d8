{#- One row naming this build, for the chart footers and the chart_renders table. A SQL model is
    compiled when it runs, so it always names the current invocation; a Python model's config is
    rendered when the project is parsed and, with partial parsing, can name an older build. -#}

{%- set settings = {
    'cluster_algorithm': var('cluster_algorithm'),
    'n_clusters': var('n_clusters'),
    'scaling': var('scaling'),
    'segmentation_features': var('segmentation_features'),
    'feature_transforms': var('feature_transforms', 'auto'),
    'random_seed': var('random_seed'),
    'sample_size': var('sample_size'),
} -%}

with

final as (

    select
        cast({{ quote_literal(invocation_id) }} as varchar) as invocation_id,
        cast({{ quote_literal(run_started_at.strftime('%Y-%m-%d %H:%M:%S')) }} as timestamp)
            as run_started_at,
        cast({{ quote_literal(var('assets_path', 'assets')) }} as varchar) as assets_path,
        cast({{ quote_literal(tojson(settings)) }} as varchar) as settings_json

)

select * from final
