using System.Globalization;
using Crm.SharedKernel.Outbox;

namespace Crm.Modules.Customers.Contracts;

/// <summary>The timeline kinds the Customers module writes; other modules bring their own (order, case, call, ...).</summary>
public static class CustomerTimelineKinds
{
    public const string Created = "created";
    public const string Ownership = "ownership";
    public const string Status = "status";
    public const string Stage = "stage";
    public const string KeyAccount = "keyAccount";
    public const string Credit = "credit";
    public const string FollowUp = "followUp";
    public const string Merge = "merge";
    public const string Balance = "balance";
}

/// <summary>A customer was put on the blacklist (黑名单).</summary>
public sealed record CustomerBlacklisted : IntegrationEvent, ICustomerTimelineEvent
{
    public CustomerBlacklisted(DateTimeOffset occurredAt)
        : base(occurredAt)
    {
    }

    /// <summary>The customer.</summary>
    public required Guid CustomerId { get; init; }

    /// <summary>The status it had before: <c>active</c> or <c>churned</c>.</summary>
    public required string PreviousStatus { get; init; }

    /// <summary>Why it was blacklisted.</summary>
    public required string Reason { get; init; }

    IReadOnlyCollection<Guid> ICustomerTimelineEvent.TimelineCustomerIds => [CustomerId];

    string ICustomerTimelineEvent.TimelineKind => CustomerTimelineKinds.Status;

    string ICustomerTimelineEvent.TimelineSummary => $"Blacklisted: {Reason}";
}

/// <summary>A customer was taken off the blacklist and is active again.</summary>
public sealed record CustomerUnblacklisted : IntegrationEvent, ICustomerTimelineEvent
{
    public CustomerUnblacklisted(DateTimeOffset occurredAt)
        : base(occurredAt)
    {
    }

    /// <summary>The customer.</summary>
    public required Guid CustomerId { get; init; }

    /// <summary>Why the blacklisting was lifted.</summary>
    public required string Reason { get; init; }

    IReadOnlyCollection<Guid> ICustomerTimelineEvent.TimelineCustomerIds => [CustomerId];

    string ICustomerTimelineEvent.TimelineKind => CustomerTimelineKinds.Status;

    string ICustomerTimelineEvent.TimelineSummary => $"Taken off the blacklist: {Reason}";
}

/// <summary>A customer was marked churned (流失): lost, possibly to a competitor.</summary>
public sealed record CustomerChurned : IntegrationEvent, ICustomerTimelineEvent
{
    public CustomerChurned(DateTimeOffset occurredAt)
        : base(occurredAt)
    {
    }

    /// <summary>The customer.</summary>
    public required Guid CustomerId { get; init; }

    /// <summary>When the customer was lost (may be before the event).</summary>
    public required DateTimeOffset ChurnedAt { get; init; }

    /// <summary>Why it was lost.</summary>
    public required string Reason { get; init; }

    /// <summary>The competitor it was lost to, when known.</summary>
    public string? Competitor { get; init; }

    /// <summary>The lifecycle stage it had reached (potential ... termination).</summary>
    public required string StageReached { get; init; }

    IReadOnlyCollection<Guid> ICustomerTimelineEvent.TimelineCustomerIds => [CustomerId];

    string ICustomerTimelineEvent.TimelineKind => CustomerTimelineKinds.Status;

    string ICustomerTimelineEvent.TimelineSummary => Competitor is null ? $"Churned: {Reason}" : $"Churned to {Competitor}: {Reason}";

    DateTimeOffset ICustomerTimelineEvent.TimelineAt => ChurnedAt;
}

/// <summary>A churned customer was won back and is active again.</summary>
public sealed record CustomerReactivated : IntegrationEvent, ICustomerTimelineEvent
{
    public CustomerReactivated(DateTimeOffset occurredAt)
        : base(occurredAt)
    {
    }

    /// <summary>The customer.</summary>
    public required Guid CustomerId { get; init; }

    /// <summary>Why or how it came back.</summary>
    public required string Reason { get; init; }

    IReadOnlyCollection<Guid> ICustomerTimelineEvent.TimelineCustomerIds => [CustomerId];

    string ICustomerTimelineEvent.TimelineKind => CustomerTimelineKinds.Status;

    string ICustomerTimelineEvent.TimelineSummary => $"Reactivated: {Reason}";
}

/// <summary>A customer was promoted to or demoted from key account (大客户) or potential key account (潜在大客户).</summary>
public sealed record CustomerKeyAccountChanged : IntegrationEvent, ICustomerTimelineEvent
{
    public CustomerKeyAccountChanged(DateTimeOffset occurredAt)
        : base(occurredAt)
    {
    }

    /// <summary>The customer.</summary>
    public required Guid CustomerId { get; init; }

    /// <summary>Key account now.</summary>
    public required bool IsKeyAccount { get; init; }

    /// <summary>Potential key account now.</summary>
    public required bool IsPotentialKeyAccount { get; init; }

    /// <summary>Key account before.</summary>
    public required bool WasKeyAccount { get; init; }

    /// <summary>Potential key account before.</summary>
    public required bool WasPotentialKeyAccount { get; init; }

    /// <summary>Why.</summary>
    public required string Reason { get; init; }

    IReadOnlyCollection<Guid> ICustomerTimelineEvent.TimelineCustomerIds => [CustomerId];

    string ICustomerTimelineEvent.TimelineKind => CustomerTimelineKinds.KeyAccount;

    string ICustomerTimelineEvent.TimelineSummary =>
        $"{(IsKeyAccount ? "Key account" : IsPotentialKeyAccount ? "Potential key account" : "No longer a key account")}: {Reason}";
}

/// <summary>A customer's credit limit (信用额度) or credit rating (信用等级) changed.</summary>
public sealed record CustomerCreditLimitChanged : IntegrationEvent, ICustomerTimelineEvent
{
    public CustomerCreditLimitChanged(DateTimeOffset occurredAt)
        : base(occurredAt)
    {
    }

    /// <summary>The customer.</summary>
    public required Guid CustomerId { get; init; }

    /// <summary>The new limit.</summary>
    public required decimal CreditLimit { get; init; }

    /// <summary>The limit before (null: none was set).</summary>
    public decimal? PreviousCreditLimit { get; init; }

    /// <summary>The rating now.</summary>
    public string? CreditRating { get; init; }

    /// <summary>The rating before.</summary>
    public string? PreviousCreditRating { get; init; }

    /// <summary>What the customer owes at the time of the change.</summary>
    public required decimal OutstandingBalance { get; init; }

    /// <summary>The currency of the amounts (CNY).</summary>
    public required string Currency { get; init; }

    /// <summary>
    /// True when the customer already owes more than the new limit: it stands, and gives no room for new credit
    /// until the balance is paid down below it.
    /// </summary>
    public required bool BalanceExceedsLimit { get; init; }

    /// <summary>Why.</summary>
    public required string Reason { get; init; }

    IReadOnlyCollection<Guid> ICustomerTimelineEvent.TimelineCustomerIds => [CustomerId];

    string ICustomerTimelineEvent.TimelineKind => CustomerTimelineKinds.Credit;

    string ICustomerTimelineEvent.TimelineSummary =>
        string.Create(CultureInfo.InvariantCulture, $"Credit limit {CreditLimit:0.00} {Currency}{(BalanceExceedsLimit ? " (below the outstanding balance)" : string.Empty)}: {Reason}");
}

/// <summary>A customer moved to another lifecycle stage (客户生命周期).</summary>
public sealed record CustomerLifecycleStageChanged : IntegrationEvent, ICustomerTimelineEvent
{
    public CustomerLifecycleStageChanged(DateTimeOffset occurredAt)
        : base(occurredAt)
    {
    }

    /// <summary>The customer.</summary>
    public required Guid CustomerId { get; init; }

    /// <summary>The stage before.</summary>
    public required string FromStage { get; init; }

    /// <summary>The stage now.</summary>
    public required string ToStage { get; init; }

    IReadOnlyCollection<Guid> ICustomerTimelineEvent.TimelineCustomerIds => [CustomerId];

    string ICustomerTimelineEvent.TimelineKind => CustomerTimelineKinds.Stage;

    string ICustomerTimelineEvent.TimelineSummary => $"Lifecycle stage {FromStage} → {ToStage}";
}

/// <summary>A follow-up (跟进记录) was logged against a customer.</summary>
public sealed record FollowUpLogged : IntegrationEvent, ICustomerTimelineEvent
{
    private const int SummaryContentLength = 200;

    public FollowUpLogged(DateTimeOffset occurredAt)
        : base(occurredAt)
    {
    }

    /// <summary>The customer.</summary>
    public required Guid CustomerId { get; init; }

    /// <summary>The follow-up.</summary>
    public required Guid FollowUpId { get; init; }

    /// <summary>The contact it was with, if any.</summary>
    public Guid? ContactId { get; init; }

    /// <summary><c>note</c>, <c>visit</c>, <c>call</c> or <c>email</c>.</summary>
    public required string Kind { get; init; }

    /// <summary>What happened.</summary>
    public required string Content { get; init; }

    /// <summary>When it happened (not when it was logged).</summary>
    public required DateTimeOffset FollowUpAt { get; init; }

    /// <summary>The next follow-up it planned.</summary>
    public DateTimeOffset? NextFollowUpAt { get; init; }

    /// <summary>Who logged it.</summary>
    public Guid? AuthorId { get; init; }

    IReadOnlyCollection<Guid> ICustomerTimelineEvent.TimelineCustomerIds => [CustomerId];

    string ICustomerTimelineEvent.TimelineKind => CustomerTimelineKinds.FollowUp;

    string ICustomerTimelineEvent.TimelineSummary =>
        $"Follow-up ({Kind}): {(Content.Length > SummaryContentLength ? Content[..SummaryContentLength] + "…" : Content)}";

    DateTimeOffset ICustomerTimelineEvent.TimelineAt => FollowUpAt;
}
