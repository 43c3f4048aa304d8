{% macro marketing_rules(name) -%}
    {#- The seed (or model) holding a set of marketing rules: `campaigns`, `naming_rules`,
        `marketing_actions` or `rfm_segments`. Var <name>_seed names the node (default: the
        package's own seed), so a host project points the package at its own seed or model
        (`campaigns_seed: my_campaigns`) with lineage and without disabling ours. dbt renders
        this at parse time, so the var must be set in dbt_project.yml or --vars. Two places cannot
        call it: generic test arguments in YAML (dbt records a ref there only when written as
        ref(...), so they say ref(var('campaigns_seed', 'campaigns'))) and dbt Python models (whose
        refs must be literals: campaign_export_files reads the active campaigns from export_run);
        unit tests that feed the package's seed rows are disabled when the var names another node. -#}
    {%- set rule_sets = ['campaigns', 'naming_rules', 'marketing_actions', 'rfm_segments'] -%}
    {%- if name not in rule_sets -%}
        {{ exceptions.raise_compiler_error(
            "marketing_rules('" ~ name ~ "'): unknown rule set; use one of " ~ rule_sets | join(', ')
        ) }}
    {%- endif -%}
    {{ return(ref(var(name ~ '_seed', name))) }}
{%- endmacro %}

{% macro sms_channel_words() %}
    {#- Campaign channels (campaigns.channel, lower case, trimmed) that send a text message: such a
        campaign takes only customers with SMS consent (base_customers.sms_opt_in). -#}
    {{ return(['sms', 'text', 'text message', 'texting', 'mms', 'sms/mms']) }}
{% endmacro %}

{% macro is_sms_channel(expression) -%}
    coalesce(lower(trim({{ expression }})) in ({{ quote_literals(sms_channel_words()) }}), false)
{%- endmacro %}
