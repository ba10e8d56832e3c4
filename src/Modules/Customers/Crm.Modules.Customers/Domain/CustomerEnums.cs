namespace Crm.Modules.Customers.Domain;

/// <summary>Whether the customer is a company or other organization (企业客户) or a person (个人客户).</summary>
internal enum CustomerKind
{
    Organization,
    Individual,
}

/// <summary>Kotler's five relationship types (客户关系类型).</summary>
internal enum RelationshipType
{
    /// <summary>基本型: the seller sells and does not follow up.</summary>
    Basic,

    /// <summary>被动型: the seller asks the customer to call with problems.</summary>
    Passive,

    /// <summary>负责型: the seller calls back after the sale to check satisfaction.</summary>
    Responsible,

    /// <summary>能动型: the seller keeps in touch with suggestions for improvement.</summary>
    Proactive,

    /// <summary>伙伴型: seller and customer work together continuously.</summary>
    Partner,
}

/// <summary>The six stages of the customer lifecycle (客户生命周期).</summary>
internal enum LifecycleStage
{
    /// <summary>潜在客户期.</summary>
    Potential,

    /// <summary>开发期.</summary>
    Development,

    /// <summary>成长期.</summary>
    Growth,

    /// <summary>成熟期.</summary>
    Maturity,

    /// <summary>衰退期.</summary>
    Decline,

    /// <summary>终止期.</summary>
    Termination,
}

/// <summary>Where the customer stands with us. <c>archived</c> is the soft delete; <c>merged</c> only redirects to its survivor.</summary>
internal enum CustomerStatus
{
    Active,
    Churned,
    Blacklisted,
    Archived,
    Merged,
}

/// <summary>A contact's role in the buying decision.</summary>
internal enum DecisionRole
{
    /// <summary>决策者: decides.</summary>
    DecisionMaker,

    /// <summary>影响者: shapes the decision.</summary>
    Influencer,

    /// <summary>使用者: uses what is bought.</summary>
    User,

    /// <summary>把关者: controls access to the decision makers.</summary>
    Gatekeeper,
}

/// <summary>The channels a contact can be reached on.</summary>
internal enum ContactChannel
{
    Phone,
    Email,
    Sms,
    Wechat,
    Visit,
    Mail,
}

/// <summary>A contact's consent to be reached on a channel.</summary>
internal enum ConsentState
{
    /// <summary>Never asked or never answered: reachable.</summary>
    Unknown,

    /// <summary>Explicitly agreed.</summary>
    Granted,

    /// <summary>Explicitly refused: never reached on this channel until they grant it again.</summary>
    OptedOut,
}
