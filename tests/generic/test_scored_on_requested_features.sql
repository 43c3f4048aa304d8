{#- WARN (severity set where it is used): rows of a scoring table (customer_segments_scored) scored
    on other features than var segmentation_features now resolves to. Scoring uses the stored
    model's features (column_name, e.g. scoring_features) whatever the vars say, so a changed list
    takes effect only with a refit (a full `dbt build`). One row per stored feature list, named,
    with the count; logged next to dbt's WARN line as the health tests are. -#}
{% test scored_on_requested_features(model, column_name) %}
-- depends_on: {{ ref('int_customer_features') }}
{% set requested = segmentation_features() | join(', ') -%}
{%- set sql -%}
select
    {{ column_name }} as scoring_features,
    count(*) as customer_count,
    printf(
        '%d customers were scored on the stored model''s features (%s), but var segmentation_features now gives %s. Fix: run a full `dbt build` to refit on the new list (scoring never refits).',
        count(*), {{ column_name }}, {{ quote_literal(requested) }}
    ) as finding
from {{ model }}
where lower({{ column_name }}) != lower({{ quote_literal(requested) }})
group by {{ column_name }}
{%- endset -%}
{{ health_report('scored_on_requested_features', sql) }}
{% endtest %}
