{#- WARN: a chart that failed to draw (the build goes on: the chart's file is a note saying so).
    Each failed chart is named with the reason from chart_renders.note, so the console says which
    chart and why, not only that a status value was unexpected. -#}
{{ config(severity='warn') }}
{% set sql %}
select
    chart_name,
    note,
    'chart ' || chart_name || ' failed: ' || coalesce(note, 'no reason recorded')
        || '. The other charts and every table are built; its file in the assets folder is a note. '
        || 'Fix: the reason above names the data or setting at fault; a bug otherwise (please report it).' as finding
from {{ ref('chart_renders') }}
where status = 'failed'
{% endset %}
{{ health_report('chart_failed', sql) }}
