using System.Globalization;
using Crm.Modules.Customers.Contracts;
using Crm.SharedKernel.Outbox;

namespace Crm.Modules.Sales.Contracts;

/// <summary>Timeline kind of quote events.</summary>
public static class QuoteTimelineKinds
{
    public const string Quote = "quote";
}

/// <summary>
/// What every quote event carries: the revision that was sent or answered, and its total. Lands on the customer's
/// timeline. The Sales module fills these members for every event (one place, so they are not marked required).
/// </summary>
public abstract record QuoteEvent : IntegrationEvent, ICustomerTimelineEvent
{
    protected QuoteEvent(DateTimeOffset occurredAt)
        : base(occurredAt)
    {
    }

    /// <summary>The quote revision.</summary>
    public Guid QuoteId { get; init; }

    /// <summary>Its number and revision as printed (Q-2026-000123 v2).</summary>
    public string QuoteNumber { get; init; } = string.Empty;

    /// <summary>The customer it is addressed to.</summary>
    public Guid CustomerId { get; init; }

    /// <summary>The opportunity it quotes, if any.</summary>
    public Guid? OpportunityId { get; init; }

    /// <summary>The rep responsible.</summary>
    public Guid? OwnerId { get; init; }

    /// <summary>The quote total (tax included).</summary>
    public decimal Total { get; init; }

    /// <summary>ISO 4217 currency of the total.</summary>
    public string Currency { get; init; } = string.Empty;

    IReadOnlyCollection<Guid> ICustomerTimelineEvent.TimelineCustomerIds => [CustomerId];

    string ICustomerTimelineEvent.TimelineKind => QuoteTimelineKinds.Quote;

    string ICustomerTimelineEvent.TimelineSummary =>
        $"Quote {QuoteNumber} {What}: {Total.ToString("N2", CultureInfo.InvariantCulture)} {Currency}";

    /// <summary>What happened, as the timeline summary says it ("sent", "accepted", "rejected (reason)").</summary>
    protected abstract string What { get; }
}

/// <summary>A quote (报价) was sent to the customer.</summary>
public sealed record QuoteSent : QuoteEvent
{
    public QuoteSent(DateTimeOffset occurredAt)
        : base(occurredAt)
    {
    }

    /// <summary>The last day the quote holds.</summary>
    public required DateOnly ValidUntil { get; init; }

    protected override string What => "sent";
}

/// <summary>The customer accepted a quote (the rep recorded the answer).</summary>
public sealed record QuoteAccepted : QuoteEvent
{
    public QuoteAccepted(DateTimeOffset occurredAt)
        : base(occurredAt)
    {
    }

    protected override string What => "accepted";
}

/// <summary>The customer rejected a quote (the rep recorded the answer, with the reason when given).</summary>
public sealed record QuoteRejected : QuoteEvent
{
    public QuoteRejected(DateTimeOffset occurredAt)
        : base(occurredAt)
    {
    }

    /// <summary>Why the customer rejected it, when the rep recorded a reason.</summary>
    public string? Reason { get; init; }

    protected override string What => Reason is null ? "rejected" : $"rejected ({Reason})";
}
