{#- WARN: an active SMS campaign (channel sms, text, mms) reaches no one because no contactable
    customer has SMS consent. Usually the customers input's consent column is for email
    (`Accepts Email Marketing`, `Email Opt In`, a newsletter status) and it has no SMS consent
    column: an email opt-in is no consent to texts, so SMS campaigns are empty on purpose, and this
    WARN says why instead of an empty list in a green build. -#}
{{ config(severity='warn') }}
{%- set sql -%}
with

campaigns as (

    select * from {{ marketing_rules('campaigns') }}

),

contactable as (

    select
        count(*) as customers,
        count(*) filter (where may_sms) as sms_customers
    from {{ ref('int_segment_members_contactable') }}

),

basis as (

    select max(sms_consent_basis) as sms_consent_basis
    from {{ ref('base_customers') }}
    where rejection_reason is null

),

sms_campaigns as (

    select string_agg(campaign_id, ', ' order by campaign_id) as campaign_ids
    from campaigns
    where is_active and {{ is_sms_channel('channel') }}

),

final as (

    select
        sms_campaigns.campaign_ids,
        basis.sms_consent_basis,
        printf(
            'SMS campaign(s) %s reach no one: none of the %s contactable customers has SMS consent (%s). Fix: map the SMS consent column: --vars ''{customer_columns: {sms_opt_in: "Accepts SMS Marketing"}}'' (or sms_opt_out: "Do Not Text"); if the consent column covers every channel, map it as the general consent; or set is_active false for these campaigns.',
            sms_campaigns.campaign_ids,
            format('{:,}', contactable.customers),
            case basis.sms_consent_basis
                when 'email_consent_only' then 'the consent column is for email, and the input has no SMS consent column'
                when 'sms_column' then 'every SMS consent value is no, blank or unknown'
                else 'sms_opt_in is false for all of them'
            end
        ) as finding
    from sms_campaigns
    cross join contactable
    cross join basis
    where sms_campaigns.campaign_ids is not null
        and contactable.customers > 0
        and contactable.sms_customers = 0

)

select * from final
{%- endset -%}
{{ health_report('sms_consent_missing', sql) }}
