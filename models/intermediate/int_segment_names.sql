{#- One row per segment: a readable name, a one-sentence description with the segment's numbers and a
    suggested marketing action, all built from the segment's feature tiers through the rules in the
    naming_rules, rfm_segments and marketing_actions seeds (documented in seeds/_seeds.yml).
    Names: at most the three features that set the segment apart most (median percentile furthest
    from the 50th), at most 40 characters, unique within a run; the RFM vocabulary when the
    segmentation features include recency_days, frequency and monetary.
    Pure SQL over the tiers, so the rules are unit-tested without any clustering. -#}
{%- set max_name_length = 40 -%}

with

assignments as (

    select * from {{ ref('segment_assignments') }}

),

feature_tiers as (

    select * from {{ ref('int_segment_feature_tiers') }}

),

naming_rules as (

    select * from {{ marketing_rules('naming_rules') }}

),

rfm_segments as (

    select * from {{ marketing_rules('rfm_segments') }}

),

marketing_actions as (

    select * from {{ marketing_rules('marketing_actions') }}

),

segments as (

    select
        segment_id,
        count(*) as customer_count,
        {{ dbt.bool_or('is_noise') }} as is_noise
    from assignments
    group by segment_id

),

segment_shares as (

    select
        segment_id,
        customer_count,
        is_noise,
        customer_count * 1.0 / sum(customer_count) over () as customer_share
    from segments

),

feature_rules as (

    -- Per feature: whether the seed has rules for it, and whether it is named when not clustered.
    select
        feature_name,
        {{ dbt.bool_or('coalesce(named_when_not_clustered, false)') }} as named_when_not_clustered
    from naming_rules
    where feature_name != '_default_'
    group by feature_name

),

default_rules as (

    select
        max(case when tier = 'any' then nullif(trim(head_noun), '') end) as default_head_noun,
        max(case when tier = 'average' then nullif(trim(word), '') end) as all_average_word,
        max(case when tier = 'average' then nullif(trim(phrase), '') end) as all_average_phrase
    from naming_rules
    where feature_name = '_default_'

),

rfm_run as (

    -- The RFM vocabulary applies when recency, frequency and monetary are all clustered on.
    select count(distinct feature_name) = 3 as is_rfm
    from feature_tiers
    where is_clustered
        and feature_name in ('recency_days', 'frequency', 'monetary')

),

rule_matches as (

    -- The rule for each segment x named feature: its tier's rule, the one with max_median first
    -- when the segment's median is within it.
    select
        feature_tiers.segment_id,
        feature_tiers.feature_name,
        naming_rules.name_order,
        nullif(trim(naming_rules.word), '') as word,
        nullif(trim(naming_rules.head_noun), '') as head_noun,
        nullif(trim(naming_rules.phrase), '') as phrase,
        row_number() over (
            partition by feature_tiers.segment_id, feature_tiers.feature_name
            order by naming_rules.max_median nulls last
        ) as rule_rank
    from feature_tiers
    inner join naming_rules
        on feature_tiers.feature_name = naming_rules.feature_name
        and feature_tiers.tier = naming_rules.tier
    where naming_rules.max_median is null
        or feature_tiers.segment_median <= naming_rules.max_median

),

named_features as (

    -- The features a name can use: every clustered feature, plus features whose rules say they are
    -- named anyway (age by default). Rule-less features read "High <Label>" / "Low <Label>".
    select
        feature_tiers.segment_id,
        feature_tiers.feature_name,
        feature_tiers.feature_label,
        feature_tiers.tier,
        feature_tiers.percentile,
        abs(feature_tiers.percentile - 0.5) as distinctiveness,
        feature_rules.feature_name is not null as has_rules,
        coalesce(rule_matches.name_order, 1000 + feature_tiers.feature_order) as name_order,
        case
            when feature_rules.feature_name is not null then rule_matches.word
            when feature_tiers.tier in ('high', 'low')
                then upper(left(feature_tiers.tier, 1)) || substr(feature_tiers.tier, 2) || ' ' || feature_tiers.feature_label
        end as word,
        rule_matches.head_noun,
        replace(replace(replace(replace(replace(
            case
                when feature_rules.feature_name is not null then rule_matches.phrase
                when feature_tiers.tier in ('high', 'low')
                    then 'have ' || lower(feature_tiers.feature_label) || ' of {median} on median (all customers: {base_median})'
            end,
            '{index}', {{ readable_number('feature_tiers.feature_index') }}),
            '{median}', {{ readable_number('feature_tiers.segment_median') }}),
            '{base_median}', {{ readable_number('feature_tiers.base_median') }}),
            '{median_ago}', case
                when feature_tiers.segment_median >= 60
                    then {{ readable_number('feature_tiers.segment_median / 30.44') }} || ' months'
                else {{ readable_number('feature_tiers.segment_median') }} || ' days'
            end),
            '{median_percent}', {{ readable_number('100 * feature_tiers.segment_median') }} || '%'
        ) as phrase
    from feature_tiers
    left join feature_rules
        on feature_tiers.feature_name = feature_rules.feature_name
    left join rule_matches
        on feature_tiers.segment_id = rule_matches.segment_id
        and feature_tiers.feature_name = rule_matches.feature_name
        and rule_matches.rule_rank = 1
    where feature_tiers.is_clustered
        or coalesce(feature_rules.named_when_not_clustered, false)

),

head_features as (

    -- The head of the name: the named feature with the highest name_order that has a head noun.
    select
        segment_id,
        feature_name,
        tier,
        head_noun,
        row_number() over (
            partition by segment_id
            order by name_order desc, feature_name
        ) as head_rank
    from named_features
    where head_noun is not null

),

heads as (

    select * from head_features where head_rank = 1

),

distinctive_features as (

    -- Non-average features, most distinctive first; the head counts as one of the three.
    select
        named_features.*,
        heads.feature_name is not null as is_head,
        row_number() over (
            partition by named_features.segment_id
            order by named_features.distinctiveness desc, named_features.name_order, named_features.feature_name
        ) as distinct_rank
    from named_features
    left join heads
        on named_features.segment_id = heads.segment_id
        and named_features.feature_name = heads.feature_name
    where named_features.tier in ('high', 'low')

),

modifiers as (

    select
        distinctive_features.*,
        row_number() over (
            partition by segment_id
            order by distinct_rank
        ) as modifier_rank
    from distinctive_features
    where not is_head
        and word is not null
        and distinct_rank <= 3

),

segment_traits as (

    select
        segment_shares.segment_id,
        segment_shares.customer_count,
        segment_shares.customer_share,
        segment_shares.is_noise,
        coalesce(heads.head_noun, default_rules.default_head_noun, 'Customers') as head_noun,
        not exists (
            select 1 from named_features
            where named_features.segment_id = segment_shares.segment_id
                and named_features.tier in ('high', 'low')
        ) as is_all_average,
        default_rules.all_average_word,
        default_rules.all_average_phrase
    from segment_shares
    cross join default_rules
    left join heads
        on segment_shares.segment_id = heads.segment_id

),

name_variants as (

    -- The name with the m most distinctive modifiers (m = 0..3), words in name_order.
    select
        segment_traits.segment_id,
        word_counts.modifier_count,
        concat_ws(' ',
            case when segment_traits.is_all_average then segment_traits.all_average_word end,
            (
                select {{ dbt.listagg('modifiers.word', "' '", 'order by modifiers.name_order, modifiers.feature_name') }}
                from modifiers
                where modifiers.segment_id = segment_traits.segment_id
                    and modifiers.modifier_rank <= word_counts.modifier_count
            ),
            segment_traits.head_noun
        ) as feature_name_text
    from segment_traits
    cross join (select unnest(range(0, 4)) as modifier_count) as word_counts
    where word_counts.modifier_count <= (
        select count(*) from modifiers where modifiers.segment_id = segment_traits.segment_id
    )

),

feature_names as (

    -- The most modifiers that fit in {{ max_name_length }} characters (the shortest name otherwise).
    select
        segment_id,
        feature_name_text,
        row_number() over (
            partition by segment_id
            order by
                case when length(feature_name_text) <= {{ max_name_length }} then 0 else 1 end,
                case when length(feature_name_text) <= {{ max_name_length }} then -modifier_count else modifier_count end
        ) as variant_rank
    from name_variants

),

rfm_tiers as (

    select
        segment_id,
        max(case when feature_name = 'recency_days' then tier end) as recency_tier,
        max(case when feature_name = 'frequency' then tier end) as frequency_tier,
        max(case when feature_name = 'monetary' then tier end) as monetary_tier
    from feature_tiers
    group by segment_id

),

rfm_names as (

    select
        rfm_tiers.segment_id,
        rfm_segments.rfm_segment,
        row_number() over (partition by rfm_tiers.segment_id order by rfm_segments.rule_order) as rule_rank
    from rfm_tiers
    cross join rfm_run
    inner join rfm_segments
        on rfm_segments.recency_tier in (rfm_tiers.recency_tier, 'any')
        and rfm_segments.frequency_tier in (rfm_tiers.frequency_tier, 'any')
        and rfm_segments.monetary_tier in (rfm_tiers.monetary_tier, 'any')
    where rfm_run.is_rfm
        and rfm_tiers.recency_tier is not null
        and rfm_tiers.frequency_tier is not null
        and rfm_tiers.monetary_tier is not null

),

description_phrases as (

    -- The numbers behind the (up to three) most distinctive features.
    select
        segment_id,
        phrase,
        row_number() over (partition by segment_id order by name_order, feature_name) as phrase_number,
        count(*) over (partition by segment_id) as phrase_count
    from distinctive_features
    where distinct_rank <= 3
        and phrase is not null

),

descriptions as (

    -- "a", "a and b", "a, b and c".
    select
        segment_id,
        {{ dbt.listagg(
            "case
                when phrase_number = 1 then phrase
                when phrase_number = phrase_count then ' and ' || phrase
                else ', ' || phrase
            end",
            "''",
            "order by phrase_number") }} as joined_phrases
    from description_phrases
    group by segment_id

),

base_names as (

    select
        segment_traits.segment_id,
        segment_traits.customer_count,
        segment_traits.customer_share,
        segment_traits.is_noise,
        rfm_names.rfm_segment,
        case
            when segment_traits.is_noise then 'Unclustered (noise)'
            else coalesce(rfm_names.rfm_segment, feature_names.feature_name_text)
        end as base_name,
        case
            when segment_traits.is_noise
                then 'Customers the clustering could not place in any dense group'
            else 'Customers who ' || coalesce(
                nullif(descriptions.joined_phrases, ''),
                segment_traits.all_average_phrase,
                'sit close to the customer average'
            )
        end as description_text
    from segment_traits
    left join feature_names
        on segment_traits.segment_id = feature_names.segment_id
        and feature_names.variant_rank = 1
    left join rfm_names
        on segment_traits.segment_id = rfm_names.segment_id
        and rfm_names.rule_rank = 1
    left join descriptions
        on segment_traits.segment_id = descriptions.segment_id

),

deduplicated_names as (

    -- Names are unique: when two segments would share one, the larger keeps it and the others get
    -- II, III, ... in order of size (then segment_id), so a stable segment keeps a stable name.
    select
        *,
        row_number() over (
            partition by base_name
            order by customer_count desc, segment_id
        ) as name_occurrence
    from base_names

),

trait_signatures as (

    -- What a segment is, for actions: its tier on every clustered feature.
    select
        segment_id,
        string_agg(feature_name || '=' || coalesce(tier, '?'), ',' order by feature_name) as signature
    from feature_tiers
    where is_clustered
    group by segment_id

),

action_matches as (

    -- Every rule a segment satisfies, most specific first (an RFM rule, then two conditions, one).
    select
        base_names.segment_id,
        base_names.customer_count,
        marketing_actions.action_id,
        marketing_actions.marketing_action,
        row_number() over (
            partition by base_names.segment_id
            order by
                case when nullif(trim(marketing_actions.rfm_segment), '') is not null then 3 else 0 end
                + case when nullif(trim(marketing_actions.feature_1), '') is not null then 1 else 0 end
                + case when nullif(trim(marketing_actions.feature_2), '') is not null then 1 else 0 end desc,
                marketing_actions.priority,
                marketing_actions.action_id
        ) as action_rank
    from base_names
    cross join marketing_actions
    left join feature_tiers as first_condition
        on base_names.segment_id = first_condition.segment_id
        and marketing_actions.feature_1 = first_condition.feature_name
    left join feature_tiers as second_condition
        on base_names.segment_id = second_condition.segment_id
        and marketing_actions.feature_2 = second_condition.feature_name
    where (nullif(trim(marketing_actions.rfm_segment), '') is null or marketing_actions.rfm_segment = base_names.rfm_segment)
        and (nullif(trim(marketing_actions.feature_1), '') is null or first_condition.tier = marketing_actions.tier_1)
        and (nullif(trim(marketing_actions.feature_2), '') is null or second_condition.tier = marketing_actions.tier_2)

),

first_choices as (

    select
        action_matches.segment_id,
        action_matches.customer_count,
        action_matches.action_id,
        trait_signatures.signature
    from action_matches
    left join trait_signatures
        on action_matches.segment_id = trait_signatures.segment_id
    where action_matches.action_rank = 1

),

available_actions as (

    -- A rule is taken when a larger segment (then a smaller id) with different traits chose it first.
    select
        action_matches.*,
        row_number() over (partition by action_matches.segment_id order by action_matches.action_rank) as available_rank
    from action_matches
    left join trait_signatures
        on action_matches.segment_id = trait_signatures.segment_id
    where not exists (
        select 1 from first_choices
        where first_choices.action_id = action_matches.action_id
            and first_choices.segment_id != action_matches.segment_id
            and first_choices.signature is distinct from trait_signatures.signature
            and (
                first_choices.customer_count > action_matches.customer_count
                or (first_choices.customer_count = action_matches.customer_count
                    and first_choices.segment_id < action_matches.segment_id)
            )
    )

),

chosen_actions as (

    select
        first_choices.segment_id,
        coalesce(available_actions.marketing_action, fallback.marketing_action) as marketing_action
    from first_choices
    left join available_actions
        on first_choices.segment_id = available_actions.segment_id
        and available_actions.available_rank = 1
    left join action_matches as fallback
        on first_choices.segment_id = fallback.segment_id
        and fallback.action_rank = 1

),

final as (

    select
        deduplicated_names.segment_id,
        deduplicated_names.base_name
        || case deduplicated_names.name_occurrence
            when 1 then ''
            when 2 then ' II'
            when 3 then ' III'
            when 4 then ' IV'
            when 5 then ' V'
            when 6 then ' VI'
            when 7 then ' VII'
            when 8 then ' VIII'
            when 9 then ' IX'
            when 10 then ' X'
            else ' ' || cast(deduplicated_names.name_occurrence as varchar)
        end as segment_name,
        deduplicated_names.description_text
        || ' (' || cast(round(100 * deduplicated_names.customer_share, 1) as varchar) || '% of customers).'
        as segment_description,
        coalesce(
            chosen_actions.marketing_action,
            'Keep in the regular newsletter and test offers to learn what this group responds to.'
        ) as marketing_action
    from deduplicated_names
    left join chosen_actions
        on deduplicated_names.segment_id = chosen_actions.segment_id

)

select * from final
