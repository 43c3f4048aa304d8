{#- Generic data tests for the marketing marts. -#}

{% test only_contactable_customers(model, column_name, customers, rejected, campaigns=none, campaign_column='campaign_id', campaign_prefix='', flag_column=none) %}
{#- Every customer in the model has consent for the channel it is listed for and no rejected input
    row that blocks contact (customers_rejected.blocks_contact). With `campaigns`, a row whose
    campaign_column is campaign_prefix || campaign_id of an SMS campaign (sms_channel_words) needs
    SMS consent (sms_opt_in), any other row marketing consent (marketing_opt_in): an email campaign
    never holds a customer who refused email, an SMS campaign never one who refused texts. Without
    `campaigns`, every row needs marketing consent. With `flag_column`, only the rows where that
    boolean column is true are checked (retention_watchlist.is_contactable: a list that keeps
    customers who may not be contacted, flagged). (dbt's `where` config wraps the model in a
    subquery this test's alias cannot follow.) -#}
select targeted.{{ column_name }} as customer_id
from {{ model }} as targeted
left join {{ customers }} as customers
    on targeted.{{ column_name }} = customers.customer_id
{%- if campaigns is not none %}
left join {{ campaigns }} as campaigns
    on targeted.{{ quote_identifier(campaign_column) }} = {{ quote_literal(campaign_prefix) }} || campaigns.campaign_id
{%- endif %}
where {% if flag_column is not none %}coalesce(targeted.{{ quote_identifier(flag_column) }}, false) and ({% endif %}customers.customer_id is null
    {%- if campaigns is not none %}
    or not coalesce(case
        when {{ is_sms_channel('campaigns.channel') }} then customers.sms_opt_in
        else customers.marketing_opt_in
    end, false)
    {%- else %}
    or not coalesce(customers.marketing_opt_in, false)
    {%- endif %}
    or targeted.{{ column_name }} in (
        select customer_id from {{ rejected }} where blocks_contact
    ){% if flag_column is not none %}){% endif %}
{% endtest %}

{% test emails_only_with_marketing_consent(model, column_name, customers) %}
{#- No row carries an email unless its customer consented to marketing and no customer record with
    that email (stg_customers writes it trimmed, in lower case) lacks that consent: a customer
    reached by SMS only, or one whose other record opted out, is never given an email a tool
    could mail. -#}
select targeted.customer_id, targeted.{{ column_name }} as email
from {{ model }} as targeted
left join {{ customers }} as customers
    on targeted.customer_id = customers.customer_id
where targeted.{{ column_name }} is not null
    and (
        not coalesce(customers.marketing_opt_in, false)
        or targeted.{{ column_name }} in (
            select email from {{ customers }}
            where email is not null and not coalesce(marketing_opt_in, false)
        )
    )
{% endtest %}

{% test holdout_share_matches(model, campaigns, tolerance_sigmas=4) %}
{#- Per campaign, the observed holdout share is within tolerance_sigmas binomial standard errors
    (plus one customer) of the seed's holdout_share. -#}
with observed as (
    select
        campaign_id,
        count(*) as audience,
        avg(case when is_holdout then 1.0 else 0.0 end) as observed_share
    from {{ model }}
    group by campaign_id
)
select
    observed.campaign_id,
    observed.audience,
    observed.observed_share,
    campaigns.holdout_share
from observed
inner join {{ campaigns }} as campaigns
    on observed.campaign_id = campaigns.campaign_id
where abs(observed.observed_share - campaigns.holdout_share)
    > {{ tolerance_sigmas }} * sqrt(campaigns.holdout_share * (1 - campaigns.holdout_share) / observed.audience)
      + 1.0 / observed.audience
{% endtest %}

{% test exclusive_campaigns_disjoint(model, campaigns) %}
{#- No customer is in two campaigns that are both exclusive. -#}
select targets.customer_id, count(*) as exclusive_campaigns
from {{ model }} as targets
inner join {{ campaigns }} as campaigns
    on targets.campaign_id = campaigns.campaign_id
where campaigns.is_exclusive
group by targets.customer_id
having count(*) > 1
{% endtest %}

{% test audience_within_cap(model, campaigns) %}
{#- No campaign has more targets than its max_audience_size. -#}
select targets.campaign_id, count(*) as audience, max(campaigns.max_audience_size) as cap
from {{ model }} as targets
inner join {{ campaigns }} as campaigns
    on targets.campaign_id = campaigns.campaign_id
group by targets.campaign_id
having count(*) > max(campaigns.max_audience_size)
{% endtest %}

{% test sums_to_per_group(model, column_name, group_by, total=1, tolerance=0.000001) %}
{#- Within each group, the column sums to `total` (e.g. shares per segment). -#}
select {{ group_by | join(', ') }}, sum({{ column_name }}) as column_total
from {{ model }}
group by {{ group_by | join(', ') }}
having abs(sum({{ column_name }}) - {{ total }}) > {{ tolerance }}
{% endtest %}

{% test sms_campaigns_only_sms_consent(model, campaigns, customers) %}
{#- No customer of an SMS campaign lacks SMS consent (stg_customers.sms_opt_in): an email opt-in
    is no consent to texts. -#}
select targets.campaign_id, targets.customer_id
from {{ model }} as targets
inner join {{ campaigns }} as campaigns
    on targets.campaign_id = campaigns.campaign_id
left join {{ customers }} as customers
    on targets.customer_id = customers.customer_id
where {{ is_sms_channel('campaigns.channel') }}
    and not coalesce(customers.sms_opt_in, false)
{% endtest %}
