{#- One row per segment: a readable name, a one-sentence description and a suggested marketing
    action, all built from the segment's feature tiers through the rules in the naming_rules and
    marketing_actions seeds (documented in seeds/_seeds.yml and _int_segments__models.yml).
    Pure SQL over the tiers, so the rules are unit-tested without any clustering. -#}

with

assignments as (

    select * from {{ ref('segment_assignments') }}

),

feature_tiers as (

    select * from {{ ref('int_segment_feature_tiers') }}

),

naming_rules as (

    select * from {{ ref('naming_rules') }}

),

marketing_actions as (

    select * from {{ ref('marketing_actions') }}

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

named_features as (

    -- The features a name is built from: every clustered feature, plus features whose rules say
    -- they are named anyway (age by default). Rule-less features fall back to "High <Label>".
    select
        feature_tiers.segment_id,
        feature_tiers.feature_name,
        feature_tiers.feature_label,
        feature_tiers.tier,
        feature_rules.feature_name is not null as has_rules,
        coalesce(naming_rules.name_order, 1000 + feature_tiers.feature_order) as name_order,
        nullif(trim(naming_rules.word), '') as word,
        nullif(trim(naming_rules.head_noun), '') as head_noun,
        case
            when feature_rules.feature_name is not null then nullif(trim(naming_rules.phrase), '')
            when feature_tiers.tier != 'average'
                then 'have ' || feature_tiers.tier || ' ' || lower(feature_tiers.feature_label)
        end as phrase
    from feature_tiers
    left join feature_rules
        on feature_tiers.feature_name = feature_rules.feature_name
    left join naming_rules
        on feature_tiers.feature_name = naming_rules.feature_name
        and feature_tiers.tier = naming_rules.tier
    where feature_tiers.is_clustered
        or coalesce(feature_rules.named_when_not_clustered, false)

),

head_features as (

    -- The head of the name: the named feature with the highest name_order that has a head noun.
    select
        segment_id,
        feature_name,
        head_noun,
        row_number() over (
            partition by segment_id
            order by name_order desc, feature_name
        ) as head_rank
    from named_features
    where head_noun is not null

),

name_parts as (

    select
        named_features.segment_id,
        {{ dbt.listagg(
            "case when named_features.has_rules and head_features.feature_name is null then named_features.word end",
            "' '",
            "order by named_features.name_order, named_features.feature_name") }} as modifier_words,
        {{ dbt.listagg(
            "case when not named_features.has_rules and named_features.tier != 'average'
                then upper(left(named_features.tier, 1)) || substr(named_features.tier, 2) || ' ' || named_features.feature_label end",
            "' and '",
            "order by named_features.name_order, named_features.feature_name") }} as fallback_words,
        not {{ dbt.bool_or("named_features.tier != 'average'") }} as is_all_average
    from named_features
    left join head_features
        on named_features.segment_id = head_features.segment_id
        and named_features.feature_name = head_features.feature_name
        and head_features.head_rank = 1
    group by named_features.segment_id

),

description_phrases as (

    select
        segment_id,
        phrase,
        row_number() over (partition by segment_id order by name_order, feature_name) as phrase_number,
        count(*) over (partition by segment_id) as phrase_count
    from named_features
    where tier != 'average'
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
        segment_shares.segment_id,
        segment_shares.customer_count,
        segment_shares.customer_share,
        segment_shares.is_noise,
        case
            when segment_shares.is_noise then 'Unclustered (noise)'
            else concat_ws(' ',
                case when coalesce(name_parts.is_all_average, true) then default_rules.all_average_word end,
                nullif(name_parts.modifier_words, ''),
                coalesce(head_features.head_noun, default_rules.default_head_noun, 'Customers'),
                'with ' || nullif(name_parts.fallback_words, '')
            )
        end as base_name,
        case
            when segment_shares.is_noise
                then 'Customers the clustering could not place in any dense group'
            else 'Customers who ' || coalesce(
                nullif(descriptions.joined_phrases, ''),
                default_rules.all_average_phrase,
                'sit close to the customer average'
            )
        end as description_text
    from segment_shares
    cross join default_rules
    left join name_parts
        on segment_shares.segment_id = name_parts.segment_id
    left join head_features
        on segment_shares.segment_id = head_features.segment_id
        and head_features.head_rank = 1
    left join descriptions
        on segment_shares.segment_id = descriptions.segment_id

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

action_matches as (

    select
        segments.segment_id,
        marketing_actions.action_id,
        marketing_actions.priority,
        marketing_actions.marketing_action,
        row_number() over (
            partition by segments.segment_id
            order by marketing_actions.priority, marketing_actions.action_id
        ) as action_rank
    from segments
    cross join marketing_actions
    left join feature_tiers as first_condition
        on segments.segment_id = first_condition.segment_id
        and marketing_actions.feature_1 = first_condition.feature_name
    left join feature_tiers as second_condition
        on segments.segment_id = second_condition.segment_id
        and marketing_actions.feature_2 = second_condition.feature_name
    where (nullif(trim(marketing_actions.feature_1), '') is null or first_condition.tier = marketing_actions.tier_1)
        and (nullif(trim(marketing_actions.feature_2), '') is null or second_condition.tier = marketing_actions.tier_2)

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
            action_matches.marketing_action,
            'Keep in the regular newsletter and test offers to learn what this group responds to.'
        ) as marketing_action
    from deduplicated_names
    left join action_matches
        on deduplicated_names.segment_id = action_matches.segment_id
        and action_matches.action_rank = 1

)

select * from final
