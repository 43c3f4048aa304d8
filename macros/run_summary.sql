{#- The few lines a user should read at the end of `dbt build` / `dbt run` (on-run-end hook in
    dbt_project.yml): what happened to the input rows and what the segmentation chose. Reads only
    tables this invocation built, so a partial run (`--select`) or `dbt seed` prints what it has
    (or nothing) and never fails on a missing table. -#}

{% macro run_summary(results) %}
    {%- if not execute or flags.WHICH not in ['build', 'run'] -%}{{ return('') }}{%- endif -%}
    {%- set built = {} -%}
    {%- for result in results or [] -%}
        {%- if result.node is defined and result.node.resource_type == 'model' and (result.status | string) in ['success', 'RunStatus.Success'] -%}
            {%- do built.update({result.node.name: api.Relation.create(
                database=result.node.database, schema=result.node.schema, identifier=result.node.alias)}) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- for result in results or [] -%}
        {%- set hint = input_read_failure_hint(result) -%}
        {%- if hint -%}{%- do exceptions.warn(hint) -%}{%- endif -%}
    {%- endfor -%}
    {%- set lines = [] -%}
    {%- if 'input_summary' in built -%}
        {%- do lines.extend(_input_summary_lines(built['input_summary'])) -%}
    {%- endif -%}
    {%- if 'customer_segments' in built -%}
        {%- set row = run_query("select count(*) as customers, count(distinct segment_id) as segments from " ~ built['customer_segments']).rows[0] -%}
        {%- do lines.append("customers segmented: " ~ _thousands(row['customers']) ~ " in " ~ row['segments'] ~ " segments") -%}
    {%- endif -%}
    {%- if 'segmentation_candidates' in built -%}
        {%- set chosen = run_query("select algorithm, n_clusters, silhouette from " ~ built['segmentation_candidates'] ~ " where is_selected limit 1").rows -%}
        {%- if chosen | length > 0 -%}
            {%- set silhouette = chosen[0]['silhouette'] -%}
            {%- do lines.append("chosen: " ~ chosen[0]['algorithm'] ~ ", k=" ~ chosen[0]['n_clusters'] ~ ", silhouette "
                ~ ('n/a' if silhouette is none else '%.3f' | format(silhouette | float))) -%}
        {%- endif -%}
    {%- endif -%}
    {%- if 'customer_segments_scored' in built -%}
        {%- set row = run_query("select count(*) as customers, max(model_version) as model_version from " ~ built['customer_segments_scored']).rows[0] -%}
        {%- do lines.append("customers scored in SQL: " ~ _thousands(row['customers']) ~ " (model version " ~ (row['model_version'] or 'n/a')[:12] ~ ")") -%}
        {%- if 'int_customer_features' in built and 'feature_scaling' not in built -%}
            {%- do lines.extend(_scoring_fill_lines(built['customer_segments_scored'], built['int_customer_features'])) -%}
        {%- endif -%}
    {%- endif -%}
    {%- if 'audiences' in built -%}
        {%- do lines.extend(_campaign_lines(built['audiences'])) -%}
    {%- endif -%}
    {%- if lines | length > 0 -%}
        {%- do log("Run summary", info=true) -%}
        {%- for line in lines -%}{%- do log("  " ~ line, info=true) -%}{%- endfor -%}
    {%- endif -%}
    {{ return('') }}
{% endmacro %}

{% macro _input_summary_lines(relation) %}
    {#- One line per input: rows read, kept, returns and discounts (orders), rejected, and the top three rejection reasons. -#}
    {%- set query -%}
        with ranked as (
            select
                input,
                outcome,
                row_count,
                sum(row_count) over (partition by input) as rows_read,
                sum(case when outcome = 'kept' then row_count else 0 end) over (partition by input) as rows_kept,
                sum(case when outcome = 'return' then row_count else 0 end) over (partition by input) as rows_returned,
                sum(case when outcome = 'discount' then row_count else 0 end) over (partition by input) as rows_discounted,
                sum(case when outcome like 'rejected: %' then row_count else 0 end) over (partition by input) as rows_rejected,
                row_number() over (
                    partition by input, outcome like 'rejected: %'
                    order by row_count desc, outcome
                ) as reason_rank
            from {{ relation }}
        )
        select
            input,
            max(rows_read) as rows_read,
            max(rows_kept) as rows_kept,
            max(rows_returned) as rows_returned,
            max(rows_discounted) as rows_discounted,
            max(rows_rejected) as rows_rejected,
            string_agg(
                case when outcome like 'rejected: %' and reason_rank <= 3
                    then substr(outcome, 11) || ' (' || row_count || ')' end,
                '; ' order by reason_rank
            ) as top_reasons
        from ranked
        group by input
        order by input
    {%- endset -%}
    {%- set lines = [] -%}
    {%- for row in run_query(query).rows -%}
        {#- Returns are order lines; a customers line has none to count. -#}
        {%- set returns = (_thousands(row['rows_returned']) ~ " returns, ") if row['input'] == 'orders' else '' -%}
        {#- Discount lines (an input with descriptions): neither kept purchases nor returns. -#}
        {%- set returns = returns ~ ((_thousands(row['rows_discounted']) ~ " discounts, ") if row['rows_discounted'] else '') -%}
        {%- set line = row['input'] ~ ": " ~ _thousands(row['rows_read']) ~ " rows read, " ~ _thousands(row['rows_kept']) ~ " kept, "
            ~ returns ~ _thousands(row['rows_rejected']) ~ " rejected" -%}
        {%- if row['top_reasons'] -%}{%- set line = line ~ " (top reasons: " ~ row['top_reasons'] ~ ")" -%}{%- endif -%}
        {%- do lines.append(line) -%}
    {%- endfor -%}
    {{ return(lines) }}
{% endmacro %}

{% macro _scoring_fill_lines(scored_relation, features_relation) %}
    {#- A scoring run against a stored model (feature_scaling not rebuilt): the features of the
        model with values missing in the current input, whose customers were scored with the fit's
        fill value (feature_scaling.impute_value). A feature missing for every customer stops the
        run instead (macro fitted_features), so one missing everywhere here is one the clustering
        dropped at fit (no centroid: it adds nothing) and is left out; a mostly empty one is seen. -#}
    {%- set listed = run_query("select max(scoring_features) from " ~ scored_relation).columns[0].values()[0] -%}
    {%- if not listed -%}{{ return([]) }}{%- endif -%}
    {%- set features = listed.split(', ') -%}
    {%- set counts = [] -%}
    {%- for feature in features -%}{%- do counts.append("count(*) - count(" ~ quote_identifier(feature) ~ ")") -%}{%- endfor -%}
    {%- set row = run_query("select count(*), " ~ counts | join(', ') ~ " from " ~ features_relation).rows[0] -%}
    {%- set filled = [] -%}
    {%- for feature in features -%}
        {%- if row[loop.index] > 0 and row[loop.index] < row[0] -%}
            {%- do filled.append(feature ~ " " ~ _thousands(row[loop.index]) ~ " of " ~ _thousands(row[0])
                ~ " (" ~ '%.1f' | format(100 * row[loop.index] / row[0]) ~ "%)") -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if not filled -%}{{ return([]) }}{%- endif -%}
    {{ return(["values missing in the input, scored with the fit's fill value: " ~ filled | join('; ')]) }}
{% endmacro %}

{% macro _thousands(value) %}
    {{ return('{:,}'.format(value | int)) }}
{% endmacro %}

{% macro _campaign_lines(relation) %}
    {#- Active campaigns, their contacts and holdouts, and the ones that target no one (their
        segment ids or traits match no segment of this build, or, for an at-risk campaign, no one
        is on the retention watchlist): their export files are empty, which a marketer should know. -#}
    {%- set rows = run_query("select campaign_id, audience_name, member_count, holdout_count from " ~ relation
        ~ " where audience_type = 'campaign' order by campaign_id").rows -%}
    {%- if rows | length == 0 -%}{{ return([]) }}{%- endif -%}
    {%- set totals = namespace(contacts=0, holdout=0) -%}
    {%- set nobody = [] -%}
    {%- for row in rows -%}
        {%- set totals.contacts = totals.contacts + row['member_count'] -%}
        {%- set totals.holdout = totals.holdout + row['holdout_count'] -%}
        {%- if row['member_count'] + row['holdout_count'] == 0 -%}{%- do nobody.append(row['campaign_id'] ~ ' ' ~ row['audience_name']) -%}{%- endif -%}
    {%- endfor -%}
    {%- set lines = ["campaigns: " ~ rows | length ~ " active, " ~ _thousands(totals.contacts) ~ " contacts (campaign x customer), "
        ~ _thousands(totals.holdout) ~ " in holdouts"] -%}
    {%- if nobody -%}
        {%- do lines.append("campaigns targeting no one (empty export files; see the campaigns seed): " ~ nobody | join(', ')) -%}
    {%- endif -%}
    {{ return(lines) }}
{% endmacro %}
